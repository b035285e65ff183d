//! The feature templates: the token and its neighbours two words either side, read through
//! their forms, clusters, name lists and the punctuation between them.
//!
//! A feature is a `u64` ([`crate::hash::feature`] of a template number and a value); the
//! templates are numbered here once and never renumbered, as trained weights are keyed by them.
//!
//! The templates come in groups by what they read, so that tagging can add up the weights of a
//! word's groups once per word rather than once per token ([`crate::prepared`]): the token's own
//! word ([`own`]), one neighbour word alone ([`neighbour`], at −2, −1, +1, +2), and the
//! conjunctions and gaps that read two tokens or the text between them ([`context`]).

use crate::analysis::{Analysis, BOUNDARY};
use crate::hash::{feature, mix};
use crate::words::{Clusters, Vocabulary, EMBEDDING_CLUSTERINGS};

/// The value of a missing neighbour (before the first token or after the last).
const NONE: u64 = 0x5eed;

/// The positions of a neighbour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offset {
    Left2,
    Left1,
    Right1,
    Right2,
}

impl Offset {
    /// Every position, in the order of [`crate::prepared::WordScores::neighbour`].
    pub const ALL: [Offset; 4] = [Offset::Left2, Offset::Left1, Offset::Right1, Offset::Right2];

    /// The distance from the token.
    pub fn delta(self) -> isize {
        match self {
            Offset::Left2 => -2,
            Offset::Left1 => -1,
            Offset::Right1 => 1,
            Offset::Right2 => 2,
        }
    }
}

/// The clusters of a token (of its bare form when the whole token has none).
pub fn clusters(vocab: &Vocabulary, a: &Analysis) -> Clusters {
    let cluster = if a.word_info.cluster != 0 {
        a.word_info.cluster
    } else {
        a.bare_info.cluster
    };
    vocab.clusters(cluster)
}

/// The clusters of a token's dense vector (of its bare form's when the whole token has none).
pub fn embedding(a: &Analysis) -> [u16; EMBEDDING_CLUSTERINGS] {
    if a.word_info.embedding[0] != 0 {
        a.word_info.embedding
    } else {
        a.bare_info.embedding
    }
}

/// The positions, among [`own`]'s features, of the token's word, bare form and stem (the ones
/// training may hide).
pub const IDENTITY: [usize; 3] = [1, 2, 3];

/// The features of the token's own word.
pub fn own(vocab: &Vocabulary, t: &Analysis, out: &mut Vec<u64>) {
    let c0 = clusters(vocab, t);
    out.push(feature(1, 0));
    out.push(feature(2, t.word));
    out.push(feature(7, t.bare));
    out.push(feature(8, t.stem));
    for (n, affix) in t.affixes.iter().enumerate() {
        if *affix != 0 {
            out.push(feature(11 + n as u8, *affix));
        }
    }
    let frequency = u64::from(t.bare_info.frequency.max(t.word_info.frequency));
    out.push(feature(17, frequency << 1 | u64::from(t.article)));
    out.push(feature(18, u64::from(t.shape)));
    out.push(feature(21, u64::from(c0.fine)));
    out.push(feature(22, u64::from(c0.middle)));
    out.push(feature(23, u64::from(c0.coarse)));
    let lists = t.word_info.lists | t.bare_info.lists;
    for bit in 0..11 {
        if lists & (1 << bit) != 0 {
            out.push(feature(30, bit));
        }
    }
    out.push(feature(38, frequency << 8 | u64::from(c0.coarse)));
    let tagged = t.word_info.tagged.max(t.bare_info.tagged);
    for kind in 0..3u64 {
        out.push(feature(49, kind << 8 | u64::from(tagged >> (3 * kind) & 7)));
    }
    let proclitic = u64::from(t.proclitic_len) << 32 | u64::from(t.proclitic);
    out.push(feature(39, proclitic));
    out.push(feature(40, proclitic << 16 ^ u64::from(c0.middle)));
    for (n, e) in embedding(t).iter().enumerate() {
        out.push(feature(52 + n as u8, u64::from(*e)));
    }
}

/// The features of one neighbour word (`None`: the sentence ends before it).
pub fn neighbour(vocab: &Vocabulary, a: Option<&Analysis>, offset: Offset, out: &mut Vec<u64>) {
    let word = a.map_or(NONE, |a| a.word);
    let stem = a.map_or(NONE, |a| a.stem);
    let c = a.map_or(Clusters::default(), |a| clusters(vocab, a));
    match offset {
        Offset::Left1 | Offset::Right1 => {
            let left = offset == Offset::Left1;
            let lists = a.map_or(u16::MAX, |a| a.word_info.lists | a.bare_info.lists);
            let suffix = a.map_or(NONE, |a| a.affixes[4]);
            out.push(feature(if left { 3 } else { 4 }, word));
            out.push(feature(if left { 9 } else { 10 }, stem));
            out.push(feature(if left { 24 } else { 26 }, u64::from(c.fine)));
            out.push(feature(if left { 25 } else { 27 }, u64::from(c.middle)));
            out.push(feature(if left { 31 } else { 32 }, u64::from(lists)));
            out.push(feature(if left { 46 } else { 47 }, suffix));
            let tagged = a.map_or(u16::MAX, |a| a.word_info.tagged.max(a.bare_info.tagged));
            out.push(feature(if left { 50 } else { 51 }, u64::from(tagged)));
            let e = a.map_or([u16::MAX; EMBEDDING_CLUSTERINGS], embedding);
            for (n, e) in e.iter().enumerate() {
                let template = if left { 55 } else { 58 } + n as u8;
                out.push(feature(template, u64::from(*e)));
            }
        }
        Offset::Left2 | Offset::Right2 => {
            let left = offset == Offset::Left2;
            out.push(feature(if left { 5 } else { 6 }, word));
            out.push(feature(if left { 28 } else { 29 }, u64::from(c.coarse)));
            out.push(feature(if left { 42 } else { 43 }, stem));
        }
    }
}

/// What the context features read of a token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Core {
    pub word: u64,
    pub stem: u64,
    pub middle: u16,
    pub proclitic_len: u8,
    pub proclitic: u32,
}

impl Core {
    /// The core of a read token.
    pub fn of(vocab: &Vocabulary, a: &Analysis) -> Core {
        Core {
            word: a.word,
            stem: a.stem,
            middle: clusters(vocab, a).middle,
            proclitic_len: a.proclitic_len,
            proclitic: a.proclitic,
        }
    }
}

/// The features of the gap before the token.
pub fn gap_before(class: u8) -> u64 {
    feature(19, u64::from(class))
}

/// The features of the gap after the token.
pub fn gap_after(class: u8) -> u64 {
    feature(20, u64::from(class))
}

/// The conjunctions of the token with its neighbours (`None` beyond the sentence) and the gap
/// before it (`gap`, [`BOUNDARY`] at a sentence start).
pub fn context(
    t: &Core,
    previous: Option<&Core>,
    next: Option<&Core>,
    gap: u8,
    out: &mut Vec<u64>,
) {
    let word_p = previous.map_or(NONE, |c| c.word);
    let word_n = next.map_or(NONE, |c| c.word);
    let stem_p = previous.map_or(NONE, |c| c.stem);
    let stem_n = next.map_or(NONE, |c| c.stem);
    let middle_p = previous.map_or(0, |c| c.middle);
    let middle_n = next.map_or(0, |c| c.middle);
    out.push(feature(33, mix(word_p) ^ u64::from(t.middle)));
    out.push(feature(34, mix(word_n) ^ u64::from(t.middle)));
    out.push(feature(35, u64::from(t.middle) << 16 | u64::from(middle_n)));
    out.push(feature(36, u64::from(middle_p) << 16 | u64::from(t.middle)));
    out.push(feature(37, mix(word_p) ^ u64::from(gap)));
    let proclitic = u64::from(t.proclitic_len) << 32 | u64::from(t.proclitic);
    out.push(feature(41, proclitic << 8 ^ mix(stem_p)));
    out.push(feature(44, mix(stem_p) ^ t.stem));
    out.push(feature(45, mix(t.stem) ^ stem_n));
}

/// Every feature of token `i` of a sentence, own word first (training reads them all; tagging
/// adds the same weights up by groups).
pub fn features(vocab: &Vocabulary, sentence: &[Analysis], i: usize, out: &mut Vec<u64>) {
    let at = |delta: isize| -> Option<&Analysis> {
        let j = i as isize + delta;
        (j >= 0).then(|| sentence.get(j as usize)).flatten()
    };
    let t = &sentence[i];
    own(vocab, t, out);
    for offset in Offset::ALL {
        neighbour(vocab, at(offset.delta()), offset, out);
    }
    out.push(gap_before(t.gap_before));
    out.push(gap_after(t.gap_after));
    let core = |a: &Analysis| Core::of(vocab, a);
    let gap = if i == 0 { BOUNDARY } else { t.gap_before };
    context(
        &core(t),
        at(-1).map(core).as_ref(),
        at(1).map(core).as_ref(),
        gap,
        out,
    );
}
