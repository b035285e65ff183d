//! Training: an averaged structured perceptron (Collins 2002) over the same features and the
//! same Viterbi decoder as tagging, so that what is trained is exactly what runs.

use rasd_normalize::Token;

use crate::analysis::{analyze, sentences, Analysis};
use crate::decode::{Decoder, Transitions};
use crate::features::{features, IDENTITY};
use crate::hash::U64Map;
use crate::labels::{Label, LABELS};
use crate::model::{Model, Row};
use crate::words::Vocabulary;

/// One training sentence: the features of each token (indexes into the trainer's table) and the
/// gold labels.
#[derive(Debug, Clone)]
pub struct Example {
    offsets: Vec<u32>,
    features: Vec<u32>,
    gold: Vec<Label>,
}

/// An averaged perceptron over interned features.
#[derive(Debug, Clone)]
pub struct Trainer {
    vocab: Vocabulary,
    index: U64Map<u32>,
    keys: Vec<u64>,
    weights: Vec<i32>,
    /// Sum over updates of `step × change`, for averaging without copying the weights each step.
    stamped: Vec<i64>,
    transitions: Vec<i32>,
    transitions_stamped: Vec<i64>,
    step: i64,
}

/// A small deterministic generator (xorshift64*), for shuffling with a seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(crate::hash::mix(seed) | 1)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Shuffles a slice (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

const TRANSITIONS: usize = LABELS + LABELS * LABELS;

impl Trainer {
    /// A trainer whose features read words through `vocab`.
    pub fn new(vocab: Vocabulary) -> Trainer {
        Trainer {
            vocab,
            index: U64Map::with_capacity(1 << 20),
            keys: Vec::new(),
            weights: Vec::new(),
            stamped: Vec::new(),
            transitions: vec![0; TRANSITIONS],
            transitions_stamped: vec![0; TRANSITIONS],
            step: 1,
        }
    }

    /// The vocabulary features read.
    pub fn vocab(&self) -> &Vocabulary {
        &self.vocab
    }

    fn intern(&mut self, key: u64) -> u32 {
        if let Some(i) = self.index.get(key) {
            return *i;
        }
        let i = self.keys.len() as u32;
        self.index.insert(key, i);
        self.keys.push(key);
        self.weights.extend([0; LABELS]);
        self.stamped.extend([0; LABELS]);
        i
    }

    /// The sentences of a normalized text with one gold label per token, as examples.
    pub fn examples(&mut self, text: &str, tokens: &[Token<'_>], gold: &[Label]) -> Vec<Example> {
        self.examples_in(None, text, tokens, gold)
    }

    /// As [`Trainer::examples`], the words read through `vocab` instead of the trainer's own
    /// vocabulary when given (for jackknifed word features: a sentence sees the self-training
    /// shares of a model that did not train on it).
    pub fn examples_in(
        &mut self,
        vocab: Option<&Vocabulary>,
        text: &str,
        tokens: &[Token<'_>],
        gold: &[Label],
    ) -> Vec<Example> {
        let mut sentences_keys: Vec<(std::ops::Range<usize>, Vec<Vec<u64>>)> = Vec::new();
        {
            let vocab = vocab.unwrap_or(&self.vocab);
            let mut analyses: Vec<Analysis> = Vec::new();
            analyze(text, tokens, vocab, &mut analyses);
            for range in sentences(&analyses) {
                let sentence = &analyses[range.clone()];
                let keys = (0..sentence.len())
                    .map(|i| {
                        let mut keys = Vec::new();
                        features(vocab, sentence, i, &mut keys);
                        keys
                    })
                    .collect();
                sentences_keys.push((range, keys));
            }
        }
        let mut out = Vec::new();
        for (range, keys) in sentences_keys {
            let mut example = Example {
                offsets: vec![0],
                features: Vec::new(),
                gold: gold[range].to_vec(),
            };
            for token in keys {
                for k in token {
                    let f = self.intern(k);
                    example.features.push(f);
                }
                example.offsets.push(example.features.len() as u32);
            }
            out.push(example);
        }
        out
    }

    #[allow(clippy::needless_range_loop)]
    fn emissions(&self, example: &Example, hidden: &[bool], out: &mut Vec<[i32; LABELS]>) {
        out.clear();
        for t in 0..example.gold.len() {
            let mut scores = [0i32; LABELS];
            let (a, b) = (example.offsets[t] as usize, example.offsets[t + 1] as usize);
            for (i, &f) in example.features[a..b].iter().enumerate() {
                if hidden[t] && IDENTITY.contains(&i) {
                    continue;
                }
                let row = &self.weights[f as usize * LABELS..][..LABELS];
                for (s, w) in scores.iter_mut().zip(row) {
                    *s += *w;
                }
            }
            out.push(scores);
        }
    }

    fn current_transitions(&self) -> Transitions {
        let mut t = Transitions::default();
        t.start.copy_from_slice(&self.transitions[..LABELS]);
        for (p, row) in t.pairs.iter_mut().enumerate() {
            row.copy_from_slice(&self.transitions[LABELS + p * LABELS..][..LABELS]);
        }
        t
    }

    fn bump_transition(&mut self, previous: Option<Label>, label: Label, by: i32) {
        let at = match previous {
            None => usize::from(label),
            Some(p) => LABELS + usize::from(p) * LABELS + usize::from(label),
        };
        self.transitions[at] += by;
        self.transitions_stamped[at] += self.step * i64::from(by);
    }

    /// One pass over the examples in the order given; returns the number of tokens mislabelled.
    ///
    /// With `dropout > 0`, each token's own word features (its form, bare form and stem) are
    /// hidden with that probability, so that the weights also learn to recognize a name from its
    /// context, clusters and affixes, as they must for the names training never saw.
    pub fn epoch(&mut self, examples: &[Example], dropout: f64, rng: &mut Rng) -> usize {
        let mut decoder = Decoder::default();
        let mut emissions = Vec::new();
        let mut predicted = Vec::new();
        let mut errors = 0;
        let threshold = (dropout.clamp(0.0, 1.0) * u64::MAX as f64) as u64;
        let mut hidden = Vec::new();
        for example in examples {
            hidden.clear();
            hidden.extend((0..example.gold.len()).map(|_| rng.next_u64() < threshold));
            self.emissions(example, &hidden, &mut emissions);
            let transitions = self.current_transitions().constrained();
            decoder.viterbi(&emissions, &transitions, &mut predicted);
            if predicted != example.gold {
                for t in 0..example.gold.len() {
                    let (g, p) = (example.gold[t], predicted[t]);
                    if g != p {
                        errors += 1;
                        let (a, b) = (example.offsets[t] as usize, example.offsets[t + 1] as usize);
                        for i in a..b {
                            if hidden[t] && IDENTITY.contains(&(i - a)) {
                                continue;
                            }
                            let f = example.features[i] as usize;
                            self.weights[f * LABELS + usize::from(g)] += 1;
                            self.stamped[f * LABELS + usize::from(g)] += self.step;
                            self.weights[f * LABELS + usize::from(p)] -= 1;
                            self.stamped[f * LABELS + usize::from(p)] -= self.step;
                        }
                    }
                    let gp = (t > 0).then(|| example.gold[t - 1]);
                    let pp = (t > 0).then(|| predicted[t - 1]);
                    if (gp, g) != (pp, p) {
                        self.bump_transition(gp, g, 1);
                        self.bump_transition(pp, p, -1);
                    }
                }
            }
            self.step += 1;
        }
        errors
    }

    /// The averaged weights, quantized into a model: the largest weight maps to ±30,000 and
    /// features whose weights all round to 0 are left out.
    pub fn model(&self, confidence_unit: f32, frequent: Vec<String>) -> Model {
        Trainer::ensemble(&[self], confidence_unit, frequent)
    }

    /// The mean of the averaged weights of trainers that started as clones of one trainer (the
    /// same examples, so the same features) and saw the examples in different orders, quantized
    /// as [`Trainer::model`] does.
    pub fn ensemble(trainers: &[&Trainer], confidence_unit: f32, frequent: Vec<String>) -> Model {
        let first = trainers[0];
        let mean = |pick: &dyn Fn(&Trainer) -> f64| {
            trainers.iter().map(|t| pick(t)).sum::<f64>() / trainers.len() as f64
        };
        let weight = |i: usize| {
            mean(&|t: &Trainer| f64::from(t.weights[i]) - t.stamped[i] as f64 / t.step as f64)
        };
        let transition = |i: usize| {
            mean(&|t: &Trainer| {
                f64::from(t.transitions[i]) - t.transitions_stamped[i] as f64 / t.step as f64
            })
        };
        let averaged: Vec<f64> = (0..first.weights.len()).map(weight).collect();
        let largest = averaged.iter().map(|w| w.abs()).fold(1e-9, f64::max);
        let scale = 30_000.0 / largest;
        let mut rows = Vec::new();
        for (f, key) in first.keys.iter().enumerate() {
            let mut row: Row = [0; LABELS];
            for (l, slot) in row.iter_mut().enumerate() {
                *slot = (averaged[f * LABELS + l] * scale).round() as i16;
            }
            if row.iter().any(|w| *w != 0) {
                rows.push((*key, row));
            }
        }
        let mut transitions = Transitions::default();
        let t = |i: usize| (transition(i) * scale).round() as i32;
        for l in 0..LABELS {
            transitions.start[l] = t(l);
            for p in 0..LABELS {
                transitions.pairs[p][l] = t(LABELS + p * LABELS + l);
            }
        }
        Model::new(
            first.vocab.clone(),
            rows,
            transitions,
            confidence_unit,
            frequent,
        )
    }
}
