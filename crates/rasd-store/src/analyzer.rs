//! Turns text into search terms: the `search` normalization profile, word tokens, and the light
//! stemmer that folds clitics and light suffixes. Documents and queries go through the same
//! function, so they meet on the same terms.

use std::ops::Range;

use rasd_normalize::{search_term, tokenize, Normalized, Normalizer, Profile};

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

    /// The normalized text with its alignment, and its terms (highlighting).
    pub fn analyze(&self, text: &str) -> (Normalized, Vec<Term>) {
        let normalized = self.normalizer.normalize(text);
        let terms = terms_of(&normalized.text);
        (normalized, terms)
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
