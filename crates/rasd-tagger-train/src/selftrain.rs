//! Self-training: a first model tags the unlabelled news, and how often it tagged each word as
//! part of a name of each kind becomes a feature of the final model (an automatic gazetteer, in
//! the manner of the name lists but learned from 9 million words).

use rasd_normalize::{tokenize, Normalizer, Token};
use rasd_tagger::{tagged_share, Kind, Tagger};
use rustc_hash::FxHashMap;

use crate::vocab::Counted;

/// For each word, its three tagged-share classes (persons, places, organizations) packed three
/// bits each.
pub fn tagged_shares(
    tagger: &Tagger,
    texts: &[String],
    normalizer: &Normalizer,
    counted: &Counted,
) -> FxHashMap<String, u16> {
    let mut tagged: FxHashMap<String, [u64; 3]> = FxHashMap::default();
    for text in texts {
        let normalized = normalizer.normalize_text(text);
        let tokens: Vec<Token<'_>> = tokenize(&normalized).collect();
        for name in tagger.tag(&normalized, &tokens) {
            let kind = match name.kind {
                Kind::Pers => 0,
                Kind::Loc => 1,
                Kind::Org => 2,
                Kind::Misc => continue,
            };
            for (i, token) in tokens[name.tokens.clone()].iter().enumerate() {
                let word = if i == 0 {
                    &normalized[name.start..token.range.end]
                } else {
                    token.text
                };
                tagged.entry(word.to_owned()).or_default()[kind] += 1;
            }
        }
    }
    let counts: FxHashMap<&str, u64> = counted
        .words
        .iter()
        .map(|w| (w.word.as_str(), w.count))
        .collect();
    tagged
        .into_iter()
        .map(|(word, by_kind)| {
            let count = counts.get(word.as_str()).copied().unwrap_or(0);
            let mut packed = 0u16;
            for (k, n) in by_kind.iter().enumerate() {
                packed |= tagged_share(*n, count.max(*n)) << (3 * k);
            }
            (word, packed)
        })
        .collect()
}
