//! Turns text into search terms: the `search` normalization profile, word tokens, and the light
//! stemmer that folds clitics and light suffixes. Documents and queries go through the same
//! function, so they meet on the same terms.
//!
//! Besides its words, a document is indexed under each pair of adjacent *common* terms («الأمم
//! المتحدة», «مجلس الأمن»), as the common-grams filters of Lucene and Nutch do: a pair is one
//! term of its own, `first second` ([`pair_term`]). Every word of the most frequent ones has a
//! posting list as long as a tenth of the collection, and a phrase of two of them would read
//! both whole to intersect them; its pair's list holds only the documents where they are
//! adjacent, and no positions need checking. The common terms are a fixed list derived from
//! SaudiNewsNet (`data/search/common-terms.txt`), so what a document adds to the index depends
//! on the document alone.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::LazyLock;

use rasd_normalize::{search_term, token_at, tokenize, Normalizer, Profile, Token};
use rustc_hash::FxHashSet;

/// One search term of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    /// The search key.
    pub key: String,
    /// Position among the text's tokens (for phrases).
    pub position: u32,
    /// UTF-8 byte range of the token in the normalized text.
    pub normalized: Range<usize>,
}

/// The search analyzer; cheap to clone.
#[derive(Clone, Debug)]
pub struct Analyzer {
    normalizer: Normalizer,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            normalizer: Normalizer::for_profile(Profile::Search),
        }
    }
}

impl Analyzer {
    /// The terms of a text, without alignment (indexing and queries).
    pub fn terms(&self, text: &str) -> Vec<Term> {
        terms_of(&self.normalizer.normalize_text(text))
    }

    /// The text in the `search` profile, for [`keys_of`].
    pub fn normalize(&self, text: &str) -> String {
        self.normalizer.normalize_text(text)
    }

    /// The UTF-8 byte ranges of `text` whose search term is one of `keys` (highlighting).
    ///
    /// A term is its token with affixes removed or lower-cased, so a token whose bytes contain
    /// no key (in any case) cannot match: only the tokens that do are stemmed. When no key has
    /// lower-case letters (Arabic words, digits), lower-casing cannot make a token match, so
    /// the keys are searched for in the normalized text and only the tokens around their
    /// occurrences are looked at, without tokenizing the rest.
    pub fn find(&self, text: &str, keys: &BTreeSet<String>) -> Vec<Range<usize>> {
        let normalized = self.normalizer.normalize(text);
        let matching = |token: &Token<'_>| keys.contains(search_term(token.text).as_ref());
        let cased_keys = keys.iter().any(|k| k.chars().any(char::is_lowercase));
        let tokens: Vec<Token<'_>> = if cased_keys {
            tokenize(&normalized.text)
                .filter(|token| {
                    keys.iter().any(|k| token.text.contains(k.as_str()))
                        || token.text.chars().any(char::is_uppercase)
                })
                .filter(matching)
                .collect()
        } else {
            let mut found: Vec<Token<'_>> = keys
                .iter()
                .filter(|k| !k.is_empty())
                .flat_map(|k| memchr::memmem::find_iter(normalized.text.as_bytes(), k.as_bytes()))
                .filter_map(|at| token_at(&normalized.text, at))
                .collect();
            found.sort_by_key(|token| token.range.start);
            found.dedup_by_key(|token| token.range.start);
            found.retain(matching);
            found
        };
        tokens
            .into_iter()
            .map(|token| normalized.alignment.to_original(token.range))
            .filter(|range| !range.is_empty())
            .collect()
    }
}

/// The common terms, one a line, `#` for comments (see `common_terms.rs` in `rasd-bench`).
const COMMON_TERMS: &str = include_str!("../../../data/search/common-terms.txt");

static COMMON: LazyLock<FxHashSet<&'static str>> = LazyLock::new(|| {
    COMMON_TERMS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Whether `term` (a search key) is one of the common terms.
pub fn is_common(term: &str) -> bool {
    COMMON.contains(term)
}

/// The pair term of two adjacent search keys, when both are common: the two joined by a space,
/// which no single term contains.
pub fn pair_term(first: &str, second: &str) -> Option<String> {
    (is_common(first) && is_common(second)).then(|| pair_key(first, second))
}

/// The key of the pair of `first` and `second`, common terms: the two joined by a space.
pub fn pair_key(first: &str, second: &str) -> String {
    let mut key = String::with_capacity(first.len() + 1 + second.len());
    key.push_str(first);
    key.push(' ');
    key.push_str(second);
    key
}

fn terms_of(normalized: &str) -> Vec<Term> {
    keys_of(normalized)
        .map(|(key, position, normalized)| Term {
            key: key.into_owned(),
            position,
            normalized,
        })
        .collect()
}

/// The search keys of a normalized text ([`Analyzer::normalize`]) with their positions and
/// byte ranges, as [`Analyzer::terms`] gives them, borrowed from the text where stemming only
/// cuts it.
pub fn keys_of(normalized: &str) -> impl Iterator<Item = (Cow<'_, str>, u32, Range<usize>)> {
    tokenize(normalized)
        .enumerate()
        .filter_map(|(position, token)| {
            let key = search_term(token.text);
            is_key(&key).then_some((key, position as u32, token.range))
        })
}

/// Whether a stemmed token is indexed: not empty, and at most 256 bytes.
fn is_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 256
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Highlighting by stemming every token, as the reference for [`Analyzer::find`].
    fn find_by_stemming_all(
        analyzer: &Analyzer,
        text: &str,
        keys: &BTreeSet<String>,
    ) -> Vec<Range<usize>> {
        let normalized = analyzer.normalizer.normalize(text);
        terms_of(&normalized.text)
            .into_iter()
            .filter(|t| keys.contains(&t.key))
            .map(|t| normalized.alignment.to_original(t.normalized))
            .filter(|r| !r.is_empty())
            .collect()
    }

    const WORDS: &[&str] = &[
        "داعش",
        "لداعش",
        "الداعشية",
        "دَاعِش",
        "داعــش",
        "دير",
        "الزور",
        "بدير",
        "وتنظيم",
        "تنظيم",
        "الدولة",
        "للدولة",
        "والدولتين",
        "2015",
        "١٢",
        "ISIS",
        "Isis",
        "ẞ",
        "َ",
    ];
    const GAPS: &[&str] = &[" ", "، ", ".", "«", "»", "\u{200C}", "", "-"];

    proptest::proptest! {
        #[test]
        fn finding_equals_stemming_every_token(
            words in proptest::collection::vec((0..WORDS.len(), 0..GAPS.len()), 0..30),
            query in proptest::collection::vec(0..WORDS.len(), 1..3),
        ) {
            let analyzer = Analyzer::default();
            let text: String = words.iter().map(|&(w, g)| format!("{}{}", WORDS[w], GAPS[g])).collect();
            let query: Vec<&str> = query.iter().map(|&w| WORDS[w]).collect();
            let keys: BTreeSet<String> =
                analyzer.terms(&query.join(" ")).into_iter().map(|t| t.key).collect();
            proptest::prop_assert_eq!(
                analyzer.find(&text, &keys),
                find_by_stemming_all(&analyzer, &text, &keys)
            );
        }
    }

    #[test]
    fn pairs_join_two_common_terms_and_no_word_term_holds_their_separator() {
        let analyzer = Analyzer::default();
        let keys: Vec<String> = analyzer
            .terms("في الأمم المتحدة وفي قافلة ، دا.عــش")
            .into_iter()
            .map(|t| t.key)
            .collect();
        assert!(keys.iter().all(|k| !k.contains(' ')), "{keys:?}");
        assert!(is_common(&keys[0]) && is_common(&keys[3]));
        assert_eq!(
            pair_term(&keys[0], &keys[3]),
            Some(format!("{} {}", keys[0], keys[3]))
        );
        assert!(!is_common(&keys[4]));
        assert_eq!(pair_term(&keys[0], &keys[4]), None);
    }

    #[test]
    fn finding_skips_tokens_without_a_key_and_finds_the_rest() {
        let analyzer = Analyzer::default();
        let text = "قال «دا.عــش» إن لداعش وتنظيم الداعشية ISIS و Isis في دير الزور 2015.";
        for query in ["داعش", "isis", "الزور دير", "ISIS", "2015", "تنظيم"] {
            let keys: BTreeSet<String> = analyzer.terms(query).into_iter().map(|t| t.key).collect();
            let found = analyzer.find(text, &keys);
            assert_eq!(
                found,
                find_by_stemming_all(&analyzer, text, &keys),
                "{query}"
            );
            assert!(!found.is_empty(), "{query}");
        }
    }
}
