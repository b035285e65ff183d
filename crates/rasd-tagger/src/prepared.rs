//! Label scores added up by word rather than by token.
//!
//! Most of a token's features read one word alone: its own form, affixes, clusters and lists,
//! or one neighbour's. Their weights add up to the same five score vectors wherever the word
//! occurs (as the token, or as its neighbour at −2, −1, +1, +2). For the most frequent words of
//! the news corpus, which are most tokens of any text, these sums are computed once when the
//! model is loaded; a token then costs one lookup for them plus the few features that read two
//! tokens. Rarer words are summed on the spot, from the same feature functions, so the scores
//! are exactly those of training.

use crate::analysis::{analyze_word, Analysis, BOUNDARY};
use crate::features::{self, Core, Offset};
use crate::hash::{hash_bytes, U64Map};
use crate::labels::LABELS;
use crate::model::Model;

/// A score per label.
pub type Scores = [i32; LABELS];

/// What a word brings to the scores of the tokens around it.
#[derive(Clone, Copy, Debug, Default)]
pub struct WordScores {
    pub core: Core,
    /// The frequency class of the word without its proclitics.
    pub frequency: u8,
    /// As the token itself.
    pub own: Scores,
    /// As the neighbour at −2, −1, +1, +2 ([`Offset::ALL`]).
    pub neighbour: [Scores; 4],
}

/// Gap classes: 0 to [`BOUNDARY`].
const GAP_CLASSES: usize = BOUNDARY as usize + 1;

/// The precomputed sums of a model.
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    index: U64Map<u32>,
    words: Vec<WordScores>,
    /// A missing neighbour at each offset.
    pub missing: [Scores; 4],
    pub gap_before: Vec<Scores>,
    pub gap_after: Vec<Scores>,
}

fn sum(model: &Model, keys: &[u64]) -> Scores {
    let mut scores = [0; LABELS];
    model.score(keys, &mut scores);
    scores
}

/// The scores a read word brings, summed from its features' weights.
pub fn word_scores(model: &Model, a: &Analysis) -> WordScores {
    let vocab = &model.vocab;
    let mut keys = Vec::with_capacity(32);
    features::own(vocab, a, &mut keys);
    let own = sum(model, &keys);
    let mut neighbour = [[0; LABELS]; 4];
    for (slot, offset) in neighbour.iter_mut().zip(Offset::ALL) {
        keys.clear();
        features::neighbour(vocab, Some(a), offset, &mut keys);
        *slot = sum(model, &keys);
    }
    WordScores {
        core: Core::of(vocab, a),
        frequency: a.bare_info.frequency,
        own,
        neighbour,
    }
}

impl Prepared {
    /// The sums of `words` (normalized spellings) and of the missing neighbours and gaps.
    pub fn new(model: &Model, words: &[String]) -> Prepared {
        let mut prepared = Prepared {
            index: U64Map::with_capacity(words.len()),
            words: Vec::with_capacity(words.len()),
            ..Prepared::default()
        };
        for word in words {
            let a = analyze_word(word, &model.vocab);
            prepared.index.insert(a.word, prepared.words.len() as u32);
            prepared.words.push(word_scores(model, &a));
        }
        let mut keys = Vec::new();
        for (slot, offset) in prepared.missing.iter_mut().zip(Offset::ALL) {
            keys.clear();
            features::neighbour(&model.vocab, None, offset, &mut keys);
            *slot = sum(model, &keys);
        }
        for class in 0..GAP_CLASSES as u8 {
            prepared
                .gap_before
                .push(sum(model, &[features::gap_before(class)]));
            prepared
                .gap_after
                .push(sum(model, &[features::gap_after(class)]));
        }
        prepared
    }

    /// The index of the scores of a token (a word of normalized text) if they were summed
    /// ahead; [`word_scores`] sums the others.
    #[inline]
    pub fn find(&self, token: &str) -> Option<u32> {
        self.index.get(hash_bytes(token.as_bytes())).copied()
    }

    /// The scores summed ahead for a word.
    #[inline(always)]
    pub fn get(&self, index: u32) -> &WordScores {
        &self.words[index as usize]
    }

    /// Bytes of memory held.
    pub fn heap_bytes(&self) -> usize {
        self.index.heap_bytes() + self.words.len() * std::mem::size_of::<WordScores>()
    }
}
