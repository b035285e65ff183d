//! BM25 with a fixed reference document length.
//!
//! Okapi BM25 (k1 = 1.2, b = 0.75) normally divides by the collection's average document length,
//! which changes with every write. Here the average is a constant, [`REFERENCE_LENGTH`] tokens
//! (about the length of a news article), so a term's contribution in a document — its impact —
//! is known when the document is written and never changes. That is what lets postings be kept
//! in impact order and a query stop reading as soon as no unread posting can enter the top k.

/// BM25 term-frequency saturation.
pub const K1: f64 = 1.2;
/// BM25 length normalization.
pub const B: f64 = 0.75;
/// The document length BM25 normalizes against, in search tokens.
pub const REFERENCE_LENGTH: f64 = 300.0;
/// Impacts are stored as integers: the tf part of BM25 times this.
pub const IMPACT_SCALE: f64 = 1000.0;

/// The tf part of BM25 for `tf` occurrences in a document of `doc_tokens` tokens, scaled and
/// rounded (at least 1). Never more than `(K1 + 1) * IMPACT_SCALE`.
pub fn impact(tf: usize, doc_tokens: u32) -> u16 {
    let tf = tf as f64;
    let norm = K1 * (1.0 - B + B * f64::from(doc_tokens.max(1)) / REFERENCE_LENGTH);
    let part = tf * (K1 + 1.0) / (tf + norm);
    (part * IMPACT_SCALE)
        .round()
        .clamp(1.0, f64::from(u16::MAX)) as u16
}

/// The largest impact any posting can have.
#[cfg(test)]
fn max_impact() -> f64 {
    (K1 + 1.0) * IMPACT_SCALE
}

/// Inverse document frequency of a term in `df` of `n` documents (always positive).
pub fn idf(df: u64, n: u64) -> f64 {
    let (df, n) = (df as f64, n.max(df) as f64);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impacts_saturate_and_favour_short_documents() {
        assert!(impact(2, 300) > impact(1, 300));
        assert!(impact(1, 100) > impact(1, 1000));
        assert!(f64::from(impact(10_000, 1)) <= max_impact());
        assert_eq!(impact(1, u32::MAX), 1);
        assert!(idf(1, 1000) > idf(500, 1000));
        assert!(idf(1000, 1000) > 0.0);
    }
}
