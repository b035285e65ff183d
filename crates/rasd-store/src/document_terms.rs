//! A document's postings as the writer takes them: every term the document is posted under, in
//! the terms' byte order, in three buffers.
//!
//! The key decision: **order on the request's thread, merge on the writer's.** A group index
//! lists its terms in byte order with each term's postings in document order (`blocks.rs`).
//! The writer is the one thread every write waits for, so it should neither hash nor sort a
//! term: each document arrives with its terms already ordered, and writing a group is a merge
//! of its documents' ordered lists. A document is three allocations (the terms end to end, their
//! encoded positions end to end, one fixed-size entry per term) whatever its number of terms,
//! so the writer frees three buffers a document, not two per term.

use std::cmp::Ordering;

use crate::analyzer::Analyzer;
use crate::record::StoredDocument;
use crate::{blocks, index, scoring, segment};

/// The positions of a filter posting: none.
const NO_POSITIONS: &[u32] = &[];

/// Every term a document is posted under, each once, with its impact and encoded positions.
///
/// Invariant: the entries are in the byte order of their terms, and no two have the same term
/// (built by [`TextTerms::with_filters`] only).
#[derive(Debug, Default)]
pub struct DocumentTerms {
    /// The terms, end to end.
    text: String,
    /// The encoded positions (`segment::encode_positions_into`), end to end.
    positions: Vec<u8>,
    entries: Vec<Entry>,
}

/// Where one term and its positions are in a [`DocumentTerms`]'s buffers.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// The term's first eight bytes as a number ([`byte_prefix`]).
    prefix: u64,
    text_start: u32,
    text_end: u32,
    positions_start: u32,
    positions_end: u32,
    impact: u16,
}

/// One term of a document, borrowed from its [`DocumentTerms`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TermPosting<'a> {
    /// The term's first eight bytes as a number ([`byte_prefix`]).
    pub prefix: u64,
    pub term: &'a str,
    pub impact: u16,
    /// The positions, encoded: a filter term has none.
    pub raw_positions: &'a [u8],
}

impl DocumentTerms {
    /// The number of terms.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The `i`-th term in byte order.
    pub fn get(&self, i: usize) -> Option<TermPosting<'_>> {
        let entry = self.entries.get(i)?;
        Some(TermPosting {
            prefix: entry.prefix,
            term: &self.text[entry.text_start as usize..entry.text_end as usize],
            impact: entry.impact,
            raw_positions: &self.positions
                [entry.positions_start as usize..entry.positions_end as usize],
        })
    }

    /// About the bytes these postings take in a group index: their terms, positions, document
    /// numbers and impacts (`segment.rs`); more when their terms are in no other document.
    pub fn encoded_len_hint(&self) -> usize {
        self.text.len() + self.positions.len() + 4 * self.entries.len()
    }

    /// The terms in byte order.
    pub fn iter(&self) -> impl Iterator<Item = TermPosting<'_>> {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    fn push(&mut self, term: &str, impact: u16, positions: &[u32]) {
        // A document past 4 GiB of terms cannot be stored; the offsets only need to hold it.
        let offset = |len: usize| u32::try_from(len).unwrap_or(u32::MAX);
        let text_start = offset(self.text.len());
        self.text.push_str(term);
        let positions_start = offset(self.positions.len());
        segment::encode_positions_into(&mut self.positions, positions);
        self.entries.push(Entry {
            prefix: byte_prefix(term),
            text_start,
            text_end: offset(self.text.len()),
            positions_start,
            positions_end: offset(self.positions.len()),
            impact,
        });
    }

    fn term(&self, entry: &Entry) -> &[u8] {
        &self.text.as_bytes()[entry.text_start as usize..entry.text_end as usize]
    }
}

/// The search terms of a text, in no order yet: [`TextTerms::with_filters`] adds the filter
/// terms of its document and orders them all.
#[derive(Debug)]
pub struct TextTerms(DocumentTerms);

impl TextTerms {
    /// The search terms of `text` with their impacts and positions, and its number of tokens
    /// (see [`index::visit_terms`]).
    pub fn new(analyzer: &Analyzer, text: &str) -> (TextTerms, u32) {
        // About one distinct term for 16 bytes of Arabic news, of 8 bytes and 2 positions.
        let mut terms = DocumentTerms {
            text: String::with_capacity(text.len() / 2),
            positions: Vec::with_capacity(text.len() / 5),
            entries: Vec::with_capacity(text.len() / 16),
        };
        let tokens = index::visit_terms(analyzer, text, |term, positions, tokens| {
            terms.push(term, scoring::impact(positions.len(), tokens), positions);
        });
        (TextTerms(terms), tokens)
    }

    /// Terms with the given impacts and positions, for tests of what takes them.
    #[cfg(test)]
    pub fn from_words(words: &[(&str, u16, &[u32])]) -> TextTerms {
        let mut terms = DocumentTerms::default();
        for (term, impact, positions) in words {
            terms.push(term, *impact, positions);
        }
        TextTerms(terms)
    }

    /// Adds the filter terms of `doc` (`blocks::filter_terms`: no impact, no positions), whose
    /// text these terms are, and orders every term.
    pub fn with_filters(self, doc: &StoredDocument) -> DocumentTerms {
        let mut terms = self.0;
        for term in blocks::filter_terms(doc) {
            terms.push(&term, 0, NO_POSITIONS);
        }
        let mut entries = std::mem::take(&mut terms.entries);
        entries.sort_unstable_by(|a, b| {
            a.prefix
                .cmp(&b.prefix)
                .then_with(|| terms.term(a).cmp(terms.term(b)))
        });
        terms.entries = entries;
        terms
    }
}

/// The first eight bytes of `term` (zeros after its end) as a big-endian number: when two
/// terms' numbers differ, they are ordered as the terms are.
pub fn byte_prefix(term: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let n = term.len().min(8);
    bytes[..n].copy_from_slice(&term.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
}

/// The order of terms as their bytes, by their prefixes first.
pub fn term_order(a: &TermPosting<'_>, b: &TermPosting<'_>) -> Ordering {
    a.prefix.cmp(&b.prefix).then_with(|| a.term.cmp(b.term))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::StoredMention;
    use rasd_extract::Component;

    proptest::proptest! {
        #[test]
        fn byte_prefixes_order_terms_as_their_bytes(a in "[a\\x00\\u{1}ب-د]{0,10}", b in "[a\\x00\\u{1}ب-د]{0,10}") {
            if byte_prefix(&a) != byte_prefix(&b) {
                proptest::prop_assert_eq!(byte_prefix(&a).cmp(&byte_prefix(&b)), a.cmp(&b));
            }
        }
    }

    #[test]
    fn a_documents_terms_are_its_words_and_filters_in_byte_order_each_once() {
        let analyzer = Analyzer::default();
        let text = "قصفت الطائرات الروسية ريف حلب ، وقصفت الطائرات ريف إدلب";
        let (terms, tokens) = TextTerms::new(&analyzer, text);
        let mention = |entity: &str| StoredMention {
            start: 0,
            end: 1,
            entity_type: crate::EntityType::Gpe,
            entity_id: Some(entity.to_owned()),
            name_ar: String::new(),
            name_en: String::new(),
            subtype: String::new(),
            location: None,
            value: None,
            confidence: 1.0,
            component: Component::Gazetteer,
        };
        let mentions = vec![mention("Q1"), mention("Q2"), mention("Q1")];
        let doc = crate::record::test_document("d", text, mentions);
        let terms = terms.with_filters(&doc);
        let got: Vec<&str> = terms.iter().map(|t| t.term).collect();
        let mut expected: Vec<String> = Vec::new();
        index::visit_terms(&analyzer, text, |term, _, _| expected.push(term.to_owned()));
        expected.extend(blocks::filter_terms(&doc));
        expected.sort();
        assert_eq!(got, expected);
        assert!(got.windows(2).all(|w| w[0] < w[1]), "{got:?}");
        assert_eq!(tokens, 9);
        for (i, posting) in terms.iter().enumerate() {
            assert_eq!(posting.prefix, byte_prefix(posting.term));
            if posting.term.starts_with('\u{1}') {
                assert_eq!((posting.impact, posting.raw_positions), (0, &[0u8][..]));
            } else {
                assert!(posting.impact > 0, "{i}: {posting:?}");
            }
        }
    }
}
