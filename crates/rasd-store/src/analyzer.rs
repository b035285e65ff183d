//! Turns text into search terms: the `search` normalization profile, word tokens, and the light
//! stemmer that folds clitics and light suffixes. Documents and queries go through the same
//! function, so they meet on the same terms.

use std::collections::BTreeSet;
use std::ops::Range;

use rasd_normalize::{search_term, tokenize, Normalizer, Profile};

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

    /// The UTF-8 byte ranges of `text` whose search term is one of `keys` (highlighting).
    ///
    /// A term is its token with affixes removed or lower-cased, so a token whose bytes contain
    /// no key (in any case) cannot match: only the tokens that do are stemmed. Lower-casing
    /// leaves lower-case letters, so when no key has any (Arabic words, digits), tokens with
    /// capitals are not even looked at.
    pub fn find(&self, text: &str, keys: &BTreeSet<String>) -> Vec<Range<usize>> {
        let normalized = self.normalizer.normalize(text);
        let cased_keys = keys.iter().any(|k| k.chars().any(char::is_lowercase));
        tokenize(&normalized.text)
            .filter(|token| {
                keys.iter().any(|k| token.text.contains(k.as_str()))
                    || (cased_keys && token.text.chars().any(char::is_uppercase))
            })
            .filter(|token| keys.contains(search_term(token.text).as_ref()))
            .map(|token| normalized.alignment.to_original(token.range))
            .filter(|range| !range.is_empty())
            .collect()
    }
}

fn terms_of(normalized: &str) -> Vec<Term> {
    tokenize(normalized)
        .enumerate()
        .filter_map(|(position, token)| {
            let key = search_term(token.text);
            (!key.is_empty() && key.len() <= 256).then(|| Term {
                key: key.into_owned(),
                position: position as u32,
                normalized: token.range,
            })
        })
        .collect()
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
