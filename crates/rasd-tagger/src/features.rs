//! The feature templates: the token and its neighbours two words either side, read through
//! their forms, clusters, name lists and the punctuation between them.
//!
//! A feature is a `u64` ([`crate::hash::feature`] of a template number and a value); the
//! templates are numbered here once and never renumbered, as trained weights are keyed by them.

use crate::analysis::{Analysis, BOUNDARY};
use crate::hash::{feature, mix};
use crate::words::{Clusters, Vocabulary};

/// The value of a missing neighbour (before the first token or after the last).
const NONE: u64 = 0x5eed;

fn clusters(vocab: &Vocabulary, a: &Analysis) -> Clusters {
    let cluster = if a.word_info.cluster != 0 {
        a.word_info.cluster
    } else {
        a.bare_info.cluster
    };
    vocab.clusters(cluster)
}

/// Appends the features of token `i` of a sentence to `out`.
pub fn features(vocab: &Vocabulary, sentence: &[Analysis], i: usize, out: &mut Vec<u64>) {
    let at = |offset: isize| -> Option<&Analysis> {
        let j = i as isize + offset;
        (j >= 0).then(|| sentence.get(j as usize)).flatten()
    };
    let t = &sentence[i];
    let word = |o: isize| at(o).map_or(NONE, |a| a.word);
    let stem = |o: isize| at(o).map_or(NONE, |a| a.stem);
    let c0 = clusters(vocab, t);
    let cluster = |o: isize| at(o).map_or(Clusters::default(), |a| clusters(vocab, a));
    let lists = |o: isize| at(o).map_or(u16::MAX, |a| a.word_info.lists | a.bare_info.lists);
    let (cp, cn) = (cluster(-1), cluster(1));

    out.push(feature(1, 0));
    out.push(feature(2, t.word));
    out.push(feature(3, word(-1)));
    out.push(feature(4, word(1)));
    out.push(feature(5, word(-2)));
    out.push(feature(6, word(2)));
    out.push(feature(7, t.bare));
    out.push(feature(8, t.stem));
    out.push(feature(9, stem(-1)));
    out.push(feature(10, stem(1)));
    for (n, affix) in t.affixes.iter().enumerate() {
        if *affix != 0 {
            out.push(feature(11 + n as u8, *affix));
        }
    }
    let frequency = u64::from(t.bare_info.frequency.max(t.word_info.frequency));
    out.push(feature(17, frequency << 1 | u64::from(t.article)));
    out.push(feature(18, u64::from(t.shape)));
    out.push(feature(19, u64::from(t.gap_before)));
    out.push(feature(20, u64::from(t.gap_after)));
    out.push(feature(21, u64::from(c0.fine)));
    out.push(feature(22, u64::from(c0.middle)));
    out.push(feature(23, u64::from(c0.coarse)));
    out.push(feature(24, u64::from(cp.fine)));
    out.push(feature(25, u64::from(cp.middle)));
    out.push(feature(26, u64::from(cn.fine)));
    out.push(feature(27, u64::from(cn.middle)));
    out.push(feature(28, u64::from(cluster(-2).coarse)));
    out.push(feature(29, u64::from(cluster(2).coarse)));
    let own = lists(0);
    for bit in 0..11 {
        if own & (1 << bit) != 0 {
            out.push(feature(30, bit));
        }
    }
    out.push(feature(31, u64::from(lists(-1))));
    out.push(feature(32, u64::from(lists(1))));
    out.push(feature(33, mix(word(-1)) ^ u64::from(c0.middle)));
    out.push(feature(34, mix(word(1)) ^ u64::from(c0.middle)));
    out.push(feature(
        35,
        u64::from(c0.middle) << 16 | u64::from(cn.middle),
    ));
    out.push(feature(
        36,
        u64::from(cp.middle) << 16 | u64::from(c0.middle),
    ));
    let gap = if i == 0 { BOUNDARY } else { t.gap_before };
    out.push(feature(37, mix(word(-1)) ^ u64::from(gap)));
    out.push(feature(38, frequency << 8 | u64::from(c0.coarse)));
    let proclitic = u64::from(t.proclitic_len) << 32 | u64::from(t.proclitic);
    out.push(feature(39, proclitic));
    out.push(feature(40, proclitic << 16 ^ u64::from(c0.middle)));
    out.push(feature(41, proclitic << 8 ^ mix(stem(-1))));
    out.push(feature(42, stem(-2)));
    out.push(feature(43, stem(2)));
    out.push(feature(44, mix(stem(-1)) ^ t.stem));
    out.push(feature(45, mix(t.stem) ^ stem(1)));
    let suffix = |o: isize| at(o).map_or(NONE, |a| a.affixes[4]);
    out.push(feature(46, suffix(-1)));
    out.push(feature(47, suffix(1)));
}
