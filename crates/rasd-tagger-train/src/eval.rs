//! Exact-span micro F1 over PER, LOC and ORG on a CoNLL corpus, on its whole tokens: a name the
//! tagger finds covers the corpus tokens it lies in, as `score.py --snap` widens it.

use rasd_normalize::Normalizer;
use rasd_tagger::{Kind, Tagger};
use rustc_hash::FxHashSet;

use crate::conll::{block, gold_names, Tagged};

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, Default)]
pub struct Score {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub gold: usize,
}

/// Sentences per block of text given to the tagger.
pub const BLOCK: usize = 1;

pub fn evaluate(tagger: &Tagger, sentences: &[Vec<Tagged>], normalizer: &Normalizer) -> Score {
    let scored = |k: Kind| k != Kind::Misc;
    let gold: FxHashSet<(usize, usize, Kind)> = gold_names(sentences)
        .into_iter()
        .filter(|n| scored(n.2))
        .collect();
    let mut predicted = FxHashSet::default();
    let mut offset = 0;
    for chunk in sentences.chunks(BLOCK) {
        let b = block(chunk, normalizer);
        let tokens = b.tokens();
        for name in tagger.tag(&b.normalized, &tokens) {
            if scored(name.kind) {
                let first = b.corpus_token[name.tokens.start];
                let last = b.corpus_token[name.tokens.end - 1];
                predicted.insert((offset + first, offset + last + 1, name.kind));
            }
        }
        offset += chunk.iter().map(Vec::len).sum::<usize>();
    }
    if std::env::var_os("TAGGER_EVAL_DETAIL").is_some() {
        for kind in [Kind::Pers, Kind::Loc, Kind::Org] {
            let g = gold.iter().filter(|n| n.2 == kind).count();
            let p = predicted.iter().filter(|n| n.2 == kind).count();
            let t = gold
                .iter()
                .filter(|n| n.2 == kind && predicted.contains(*n))
                .count();
            eprintln!("  {}: gold {g} predicted {p} correct {t}", kind.as_str());
        }
    }
    if std::env::var_os("TAGGER_EVAL_ERRORS").is_some() {
        let words: Vec<&str> = sentences
            .iter()
            .flatten()
            .map(|(w, _)| w.as_str())
            .collect();
        let show = |n: &(usize, usize, Kind)| {
            let lo = n.0.saturating_sub(3);
            let hi = (n.1 + 3).min(words.len());
            format!(
                "{} [{}] {} :: {}",
                words[lo..n.0].join(" "),
                words[n.0..n.1].join(" "),
                words[n.1..hi].join(" "),
                n.2.as_str()
            )
        };
        let mut missed: Vec<_> = gold.difference(&predicted).collect();
        missed.sort();
        for n in missed {
            eprintln!("MISSED {}", show(n));
        }
        let mut wrong: Vec<_> = predicted.difference(&gold).collect();
        wrong.sort();
        for n in wrong {
            eprintln!("WRONG {}", show(n));
        }
    }
    let tp = gold.intersection(&predicted).count() as f64;
    let precision = if predicted.is_empty() {
        0.0
    } else {
        tp / predicted.len() as f64
    };
    let recall = if gold.is_empty() {
        0.0
    } else {
        tp / gold.len() as f64
    };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Score {
        precision,
        recall,
        f1,
        gold: gold.len(),
    }
}
