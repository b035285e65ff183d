//! Everything a document adds to the indexes, computed from the document alone.
//!
//! [`apply`] adds (`Sign::Add`) or removes (`Sign::Remove`) exactly the same entries, so a
//! deleted document leaves no trace, and the whole index can be rebuilt from the documents.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap;

use crate::analyzer::{self, keys_of, pair_key, Analyzer};
use crate::keys::{self, key};
use crate::overlay::Overlay;
use crate::record::{decode, encode, CorpusStats, EntityStats, StoredDocument};
use crate::Result;

/// Entities of one document taken into co-occurrence counts, at most (the pairs grow with the
/// square of this number).
pub const MAX_RELATED_ENTITIES_PER_DOCUMENT: usize = 64;

/// The linked entities of `doc` counted in co-occurrences: distinct, in id order, at most
/// [`MAX_RELATED_ENTITIES_PER_DOCUMENT`].
pub fn related_entities(doc: &StoredDocument) -> Vec<&str> {
    let entities: BTreeSet<&str> = doc
        .mentions
        .iter()
        .filter_map(|m| m.entity_id.as_deref())
        .collect();
    entities
        .into_iter()
        .take(MAX_RELATED_ENTITIES_PER_DOCUMENT)
        .collect()
}

/// Calls `visit` once for each search term of `text`, in no particular order, with its
/// positions ascending and the text's number of tokens; returns that number. The terms are the
/// text's words and the pairs of adjacent common words at the position of the first (see
/// `analyzer.rs`).
///
/// Runs for every document stored, on the request's thread. The terms are gathered in a hash
/// map keyed by slices of the normalized text, so no term is allocated unless it is a pair or
/// its normalized form differs from its text; the terms are ordered later, per document
/// (`document_terms.rs`).
pub fn visit_terms(
    analyzer: &Analyzer,
    text: &str,
    mut visit: impl FnMut(&str, &[u32], u32),
) -> u32 {
    let normalized = analyzer.normalize(text);
    // About one distinct term for 16 bytes of Arabic news.
    let mut positions: FxHashMap<Cow<'_, str>, Vec<u32>> =
        FxHashMap::with_capacity_and_hasher(normalized.len() / 16, Default::default());
    let mut tokens = 0;
    // The previous term, when it is common.
    let mut common: Option<(Cow<'_, str>, u32)> = None;
    for (key, position, _) in keys_of(&normalized) {
        tokens += 1;
        let is_common = analyzer::is_common(&key);
        if let Some((first, at)) = common.take() {
            if is_common && position == at + 1 {
                let pair = pair_key(&first, &key);
                positions.entry(Cow::Owned(pair)).or_default().push(at);
            }
        }
        if is_common {
            common = Some((key.clone(), position));
        }
        positions.entry(key).or_default().push(position);
    }
    for (term, at) in &positions {
        visit(term, at, tokens);
    }
    tokens
}

/// Key of the collection statistics (keyspace `g`).
pub const CORPUS_STATS_KEY: &[u8] = b"gcorpus";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    Add,
    Remove,
}

/// Adds or removes every index entry of `doc` (its summary included; its record and its
/// postings excluded: those go to blocks, see `blocks.rs`).
pub fn apply(ov: &mut Overlay<'_>, doc: &StoredDocument, sign: Sign) -> Result<()> {
    let id = doc.summary.id.as_bytes();
    let mut presence: Vec<(Vec<u8>, Vec<u8>)> =
        vec![(key(keys::SUMMARY, &[id]), encode(&doc.summary))];

    // Entity statistics (documents by entity, type and source are posting lists: `blocks.rs`).
    let mut by_entity: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (index, mention) in doc.mentions.iter().enumerate() {
        if let Some(entity) = &mention.entity_id {
            by_entity
                .entry(entity.as_str())
                .or_default()
                .push(index as u32);
        }
    }
    if let Some(published) = doc.summary.published_us {
        presence.push((
            key(keys::BY_TIME, &[&keys::ordered_i64(published), id]),
            Vec::new(),
        ));
    }

    for (k, v) in presence {
        match sign {
            Sign::Add => ov.insert(k, v),
            Sign::Remove => ov.remove(k),
        }
    }

    // Entity counts and ranks.
    for (entity, indexes) in &by_entity {
        let first = &doc.mentions[indexes[0] as usize];
        let new_stats = || EntityStats {
            id: (*entity).to_owned(),
            entity_type: first.entity_type,
            name_ar: first.name_ar.clone(),
            name_en: first.name_en.clone(),
            subtype: first.subtype.clone(),
            location: first.location,
            mention_count: 0,
            document_count: 0,
        };
        update_entity(ov, entity, new_stats, indexes.len() as u64, sign)?;
    }

    // Collection statistics.
    let mut stats = corpus_stats_in(ov)?;
    let tokens = u64::from(doc.summary.token_count);
    match sign {
        Sign::Add => {
            stats.document_count += 1;
            stats.token_count += tokens;
        }
        Sign::Remove => {
            stats.document_count = stats.document_count.saturating_sub(1);
            stats.token_count = stats.token_count.saturating_sub(tokens);
        }
    }
    ov.insert(CORPUS_STATS_KEY.to_vec(), encode(&stats));
    Ok(())
}

/// The collection statistics as staged.
pub fn corpus_stats_in(ov: &Overlay<'_>) -> Result<CorpusStats> {
    match ov.get(CORPUS_STATS_KEY)? {
        Some(bytes) => decode(CORPUS_STATS_KEY, &bytes),
        None => Ok(CorpusStats::default()),
    }
}

/// The rank of a document count: the count itself below 4, then two ranks per doubling (4–5,
/// 6–7, 8–11, 12–15, 16–23…). Ascending with the count, in integers only.
///
/// Every change of rank is a key removed and a key written in the write group, and most
/// entities are seen a few times: with one rank per count below 32 and 16 per doubling above,
/// rank keys were 45% of the keys a group wrote. Two per doubling make 43% fewer rank changes
/// over the entities of 100,000 news documents; a listing sorts the few entities of a rank by
/// their exact counts.
pub fn rank_bucket(count: u64) -> u64 {
    if count < 4 {
        return count;
    }
    let log = u64::from(63 - count.leading_zeros());
    4 + (log - 2) * 2 + ((count >> (log - 1)) & 1)
}

/// The rank key of an entity: its type, the rank of its document count (descending), its id.
/// A listing orders the entities of one rank by their exact count (`entities.rs`); a count that
/// stays in its rank leaves the key alone, so an entity rewrites its key about once every 40%
/// more documents, not with every document.
fn rank_key(stats: &EntityStats) -> Vec<u8> {
    let rank = keys::inverted_count(rank_bucket(stats.document_count));
    key(
        keys::ENTITY_RANK_BY_TYPE,
        &[&[stats.entity_type.code()], &rank, stats.id.as_bytes()],
    )
}

/// Counts one document with `mentions` mentions of `entity` in or out of its statistics;
/// `new_stats` makes the statistics of an entity seen for the first time.
fn update_entity(
    ov: &mut Overlay<'_>,
    entity: &str,
    new_stats: impl FnOnce() -> EntityStats,
    mentions: u64,
    sign: Sign,
) -> Result<()> {
    let entity_key = key(keys::ENTITY, &[entity.as_bytes()]);
    let current: Option<EntityStats> = match ov.get(&entity_key)? {
        Some(bytes) => Some(decode(&entity_key, &bytes)?),
        None => None,
    };
    let old_rank = current.as_ref().map(rank_key);
    let mut stats = match (current, sign) {
        (Some(current), _) => current,
        (None, Sign::Add) => new_stats(),
        (None, Sign::Remove) => return Ok(()),
    };
    match sign {
        Sign::Add => {
            stats.mention_count += mentions;
            stats.document_count += 1;
        }
        Sign::Remove => {
            stats.mention_count = stats.mention_count.saturating_sub(mentions);
            stats.document_count = stats.document_count.saturating_sub(1);
        }
    }
    let new_rank = (stats.document_count > 0).then(|| rank_key(&stats));
    if old_rank != new_rank {
        if let Some(k) = old_rank {
            ov.remove(k);
        }
        if let Some(k) = new_rank {
            ov.insert(k, Vec::new());
        }
    }
    if stats.document_count == 0 {
        ov.remove(entity_key);
    } else {
        ov.insert(entity_key, encode(&stats));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::pair_term;

    /// `visit_terms` as first written: every term of [`Analyzer::terms`] into an ordered
    /// map, pairs first.
    fn term_positions_reference(analyzer: &Analyzer, text: &str) -> (Vec<(String, Vec<u32>)>, u32) {
        let mut positions: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        let terms = analyzer.terms(text);
        for adjacent in terms.windows(2) {
            let (first, second) = (&adjacent[0], &adjacent[1]);
            if second.position == first.position + 1 {
                if let Some(pair) = pair_term(&first.key, &second.key) {
                    positions.entry(pair).or_default().push(first.position);
                }
            }
        }
        let tokens = terms.len() as u32;
        for term in terms {
            positions.entry(term.key).or_default().push(term.position);
        }
        (positions.into_iter().collect(), tokens)
    }

    /// Common words (with and without proclitics), rare ones, Latin capitals, and tokens with
    /// no key (a lone diacritic, an over-long word).
    const WORDS: &[&str] = &[
        "في",
        "الأمم",
        "المتحدة",
        "مجلس",
        "الأمن",
        "وفي",
        "لمجلس",
        "قافلة",
        "دا.عــش",
        "ISIS",
        "َ",
        "2015",
    ];
    const GAPS: &[&str] = &[" ", "، ", ".", "«", "\u{200C}", "-", "\n"];

    proptest::proptest! {
        #[test]
        fn visited_terms_equal_the_ordered_map_of_every_term(
            words in proptest::collection::vec((0..WORDS.len() + 1, 0..GAPS.len()), 0..40),
        ) {
            let analyzer = Analyzer::default();
            let long = "ب".repeat(200);
            let text: String = words
                .iter()
                .map(|&(w, g)| format!("{}{}", WORDS.get(w).copied().unwrap_or(&long), GAPS[g]))
                .collect();
            let mut terms = Vec::new();
            let mut seen_tokens = Vec::new();
            let tokens = visit_terms(&analyzer, &text, |term, positions, tokens| {
                terms.push((term.to_owned(), positions.to_vec()));
                seen_tokens.push(tokens);
            });
            proptest::prop_assert!(seen_tokens.iter().all(|&t| t == tokens));
            terms.sort();
            proptest::prop_assert_eq!((terms, tokens), term_positions_reference(&analyzer, &text));
        }
    }

    #[test]
    fn ranks_ascend_with_counts_and_stay_narrow() {
        let mut previous = 0;
        for count in 0..200_000u64 {
            let rank = rank_bucket(count);
            assert!(rank >= previous, "{count}");
            assert!(rank <= previous + 1, "{count}: ranks are consecutive");
            previous = rank;
        }
        assert_eq!(rank_bucket(3), 3);
        assert_eq!(rank_bucket(4), 4);
        assert_eq!(rank_bucket(5), 4);
        assert_eq!(rank_bucket(6), 5);
        assert_eq!(rank_bucket(8), 6);
        // A rank covers at most half again its lowest count.
        let width = (1000..2000)
            .filter(|&c| rank_bucket(c) == rank_bucket(1500))
            .count();
        assert!(width <= 1024 / 2, "{width}");
        assert!(rank_bucket(u64::MAX) > rank_bucket(u64::MAX / 2));
    }
}
