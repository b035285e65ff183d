//! What the model knows of a word without its context: how frequent it is in a large news
//! corpus, which word cluster it belongs to, and which name lists hold it. Words are keyed by
//! the hash of their normalized form; no string is stored.

use crate::hash::U64Map;

/// What is known of one normalized word.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WordInfo {
    /// `1 + floor(log2(count))` in the unlabelled corpus; 0 for a word never seen there.
    pub frequency: u8,
    /// Name-list flags ([`gazetteer_bit`], [`OCC_BIT`], [`NORP_BIT`]).
    pub lists: u16,
    /// `1 +` the fine cluster; 0 for no cluster.
    pub cluster: u16,
    /// How often a first model tagged the word as part of a person's, place's and
    /// organization's name in the unlabelled corpus: three bits each ([`tagged_share`]).
    pub tagged: u16,
    /// `1 +` the word's cluster in each of the independent clusterings of its dense vector, at
    /// [`EMBEDDING_CLUSTERINGS`] granularities (0: the word has no vector).
    pub embedding: [u16; EMBEDDING_CLUSTERINGS],
}

/// The number of independent clusterings of the word vectors.
pub const EMBEDDING_CLUSTERINGS: usize = 3;

/// The class of the share of a word's occurrences tagged as part of a name of one kind: 0 for a
/// word seen fewer than three times, then under 1 %, 10 %, 30 %, 60 %, and above.
pub fn tagged_share(tagged: u64, count: u64) -> u16 {
    if count < 3 {
        return 0;
    }
    let share = tagged as f64 / count as f64;
    match share {
        s if s < 0.01 => 1,
        s if s < 0.1 => 2,
        s if s < 0.3 => 3,
        s if s < 0.6 => 4,
        _ => 5,
    }
}

/// Where a word stands in a listed name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// The whole name.
    Only,
    /// The first word of a longer name.
    First,
    /// A later word of a longer name.
    Later,
}

/// The flag of a word of a listed name of list `list` (0 persons, 1 places, 2 organizations).
pub fn gazetteer_bit(list: u8, position: Position) -> u16 {
    let offset = match position {
        Position::Only => 0,
        Position::First => 1,
        Position::Later => 2,
    };
    1 << (3 * u16::from(list) + offset)
}

/// The flag of a title, rank or role word («الرئيس», «العقيد»).
pub const OCC_BIT: u16 = 1 << 9;
/// The flag of a nationality or group adjective («السوري»).
pub const NORP_BIT: u16 = 1 << 10;

/// The frequency class of a count.
pub fn frequency_class(count: u64) -> u8 {
    if count == 0 {
        0
    } else {
        (64 - count.leading_zeros()) as u8
    }
}

/// Words and their clusters at three granularities.
#[derive(Clone, Debug)]
pub struct Vocabulary {
    pub(crate) words: U64Map<WordInfo>,
    /// For each fine cluster, its middle and coarse clusters.
    pub(crate) coarser: Vec<(u16, u16)>,
}

/// A word's clusters: fine, middle, coarse; `0` when the word has none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clusters {
    pub fine: u16,
    pub middle: u16,
    pub coarse: u16,
}

impl Vocabulary {
    /// A vocabulary from its words (keyed by [`crate::hash::hash_bytes`] of the normalized
    /// word) and, for each fine cluster, its middle and coarse clusters.
    pub fn new(words: impl IntoIterator<Item = (u64, WordInfo)>, coarser: Vec<(u16, u16)>) -> Self {
        let words: Vec<(u64, WordInfo)> = words.into_iter().collect();
        let mut map = U64Map::with_capacity(words.len());
        for (key, info) in words {
            map.insert(key, info);
        }
        Vocabulary {
            words: map,
            coarser,
        }
    }

    /// What is known of the word with this hash (all zero when nothing is).
    #[inline(always)]
    pub fn info(&self, hash: u64) -> WordInfo {
        self.words.get(hash).copied().unwrap_or_default()
    }

    /// The clusters of a word's fine cluster (`1 +` cluster, 0 for none).
    #[inline(always)]
    pub fn clusters(&self, cluster: u16) -> Clusters {
        if cluster == 0 {
            return Clusters::default();
        }
        let (middle, coarse) = self
            .coarser
            .get(usize::from(cluster - 1))
            .copied()
            .unwrap_or_default();
        Clusters {
            fine: cluster,
            middle: middle + 1,
            coarse: coarse + 1,
        }
    }

    /// The number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True when no word is known.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Bytes of memory held.
    pub fn heap_bytes(&self) -> usize {
        self.words.heap_bytes() + self.coarser.len() * 4
    }
}
