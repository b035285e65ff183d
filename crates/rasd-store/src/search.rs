//! Full-text search: BM25 over the postings segments of the query's terms, phrases, filters,
//! highlights.
//!
//! A query is analyzed like the documents. Every word must occur in a hit (AND), a part in
//! double quotes must occur as a phrase (consecutive positions), and hits are ranked by BM25
//! with a fixed reference length (see `scoring.rs`), summed over the query's distinct terms.
//!
//! Each term's list of document numbers and impacts is decoded whole (a few bytes a posting,
//! never positions); the lists are intersected from the shortest, galloping through the
//! longer ones. Entity, type and source filters are posting lists too (`blocks.rs`), so they
//! are intersections and the number of hits stays exact. What the lists cannot tell is checked
//! on the candidates in rank order, best first, until the page is full: a phrase (its words'
//! positions, found by index through the segments' skips, about a microsecond a document) and
//! a publication-time filter (the document's summary, a point read of about 15 µs). Beyond the
//! page, at most `exact_limit` candidates are checked, past which the number of hits is
//! estimated from the part checked (`total_hits_exact` says which).
//!
//! The adjacent common words of a phrase are read as their pair term (`analyzer.rs`): the
//! phrase «الأمم المتحدة» is one posting list, as short as the documents that hold the phrase,
//! with nothing left to check and an exact count; «مجلس الأمن الدولي» is two pairs whose
//! positions must be one apart. A pair is scored as one term, by its own frequency, as a phrase
//! is in most engines. A phrase with a word outside the common ones reads its words' lists as
//! any query does, the intersection starting from the shortest, which is that word's.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::analyzer::pair_term;
use crate::blocks;
use crate::ranked::Ranked;

use crate::page::{decode_token, encode_token, fnv64, Page};
use crate::record::{encode, DocSummary};
use crate::scoring::{self, IMPACT_SCALE};
use crate::segment::decode_positions_into;
use crate::store::{snippet, DocumentFilter};
use crate::{Result, Store, StoreError};

/// With a phrase or a time filter, candidates checked beyond the page before the number of
/// hits is estimated from them. They are the best-ranked candidates, not a random sample; a
/// sample of 100 would put the estimate within about 10% of the share that passes, two times in
/// three. Checking 400 instead made a phrase cost 1.6 times as much at 100,000 documents.
const EXACT_LIMIT: u64 = 100;

/// One ranked search result.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchHit {
    pub summary: DocSummary,
    pub score: f64,
    /// UTF-8 byte ranges of the original text where query terms occur.
    pub highlights: Vec<Range<usize>>,
    pub snippet: String,
    /// The document text, to convert highlight offsets to other units.
    pub document_text: std::sync::Arc<str>,
}

/// A page of hits and the number of documents that match.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchResults {
    pub page: Page<SearchHit>,
    pub total_hits: u64,
    /// False when `total_hits` is estimated from the part of the postings read.
    pub total_hits_exact: bool,
}

/// A parsed query.
#[derive(Clone, Debug, Default, PartialEq)]
struct Query {
    /// Every word of the query, for highlighting.
    words: BTreeSet<String>,
    /// The terms whose postings are read and scored: the words outside phrases and the units
    /// of the phrases.
    terms: BTreeSet<String>,
    /// The phrases whose positions must be checked, as their units (see [`phrase_units`]).
    phrases: Vec<Vec<PhraseUnit>>,
}

/// A term of a phrase at its offset in the phrase: a word, or the pair of adjacent common words
/// that starts there.
#[derive(Clone, Debug, PartialEq)]
struct PhraseUnit {
    term: String,
    offset: u32,
}

/// The units of a phrase's words, by offset: the pair term of each two adjacent common words,
/// and each word no pair covers. A phrase of two common words is one unit, whose postings are
/// exactly the documents where the phrase occurs.
fn phrase_units(words: &[String]) -> Vec<PhraseUnit> {
    let mut covered = vec![false; words.len()];
    let mut units = Vec::new();
    for (offset, adjacent) in words.windows(2).enumerate() {
        if let Some(term) = pair_term(&adjacent[0], &adjacent[1]) {
            covered[offset] = true;
            covered[offset + 1] = true;
            units.push(PhraseUnit {
                term,
                offset: offset as u32,
            });
        }
    }
    for (offset, word) in words.iter().enumerate() {
        if !covered[offset] {
            units.push(PhraseUnit {
                term: word.clone(),
                offset: offset as u32,
            });
        }
    }
    units.sort_by_key(|unit| unit.offset);
    units
}

/// The decoded postings of one term: document numbers ascending, with their impacts.
struct PostingList {
    term: String,
    docs: Vec<u64>,
    impacts: Vec<u16>,
    /// The segments read, kept for the positions of phrases.
    segments: Vec<blocks::SegmentBytes>,
    /// Index in `docs` of each segment's first posting.
    segment_starts: Vec<usize>,
    /// Zero for filter terms, which select without scoring.
    idf: f64,
}

impl PostingList {
    /// The encoded positions of `doc` in this term's postings, if it has any.
    fn positions(&self, doc: u64) -> Result<Option<&[u8]>> {
        let Ok(index) = self.docs.binary_search(&doc) else {
            return Ok(None);
        };
        let segment = self.segment_starts.partition_point(|&start| start <= index) - 1;
        let bytes = &self.segments[segment];
        let raw = bytes
            .parse()?
            .positions_at(index - self.segment_starts[segment])
            .ok_or_else(|| corrupt(&bytes.key))?;
        Ok(Some(raw))
    }
}

/// A matching document and its score.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Candidate {
    doc: u64,
    score: f64,
}

impl Eq for Candidate {}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Rank order as a max-heap sees it: the greatest is the best (higher score, then lower
/// document number).
impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.doc.cmp(&self.doc))
    }
}

/// The first index `>= from` whose document is at least `doc`, by galloping.
fn seek(docs: &[u64], from: usize, doc: u64) -> usize {
    let mut step = 1;
    let mut low = from;
    let mut high = from;
    while high < docs.len() && docs[high] < doc {
        low = high + 1;
        high += step;
        step *= 2;
    }
    let high = high.min(docs.len());
    low + docs[low..high].partition_point(|&d| d < doc)
}

/// Keeps the candidates that are in `list`, adding the list's score to theirs. Against a list
/// of about the same length the two are merged step by step; against a much longer one the
/// list is searched by galloping.
fn intersect(candidates: &mut Vec<Candidate>, list: &PostingList) {
    let mut at = 0;
    if list.docs.len() < 8 * candidates.len() {
        // A merge into the front of the vector, written out: `retain_mut` with the same test
        // cost a quarter of a two-common-word phrase at 1,000,000 documents.
        let (docs, impacts) = (&list.docs[..], &list.impacts[..]);
        let mut kept = 0;
        for i in 0..candidates.len() {
            let candidate = candidates[i];
            while at < docs.len() && docs[at] < candidate.doc {
                at += 1;
            }
            if at == docs.len() {
                break;
            }
            if docs[at] == candidate.doc {
                let impact = impacts.get(at).copied().unwrap_or(0);
                candidates[kept] = Candidate {
                    doc: candidate.doc,
                    score: candidate.score + list.idf * f64::from(impact) / IMPACT_SCALE,
                };
                kept += 1;
            }
        }
        candidates.truncate(kept);
        return;
    }
    candidates.retain_mut(|candidate| {
        at = seek(&list.docs, at, candidate.doc);
        if list.docs.get(at) == Some(&candidate.doc) {
            candidate.score += list.idf * f64::from(list.impacts[at]) / IMPACT_SCALE;
            true
        } else {
            false
        }
    });
}

fn corrupt(key: &[u8]) -> StoreError {
    StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        detail: "malformed postings segment".to_owned(),
    }
}

/// Checks the phrases of a query on one candidate at a time, in any order: each phrase unit's
/// positions in the document are found through its segment's skips.
struct PhraseCheck<'a> {
    /// Per phrase, the posting list and the offset of each of its units, by offset (the first
    /// at offset 0).
    phrases: Vec<Vec<(&'a PostingList, u32)>>,
    positions: Vec<Vec<u32>>,
}

impl<'a> PhraseCheck<'a> {
    /// `None` when a phrase unit has no postings (no document can match).
    fn new(phrases: &[Vec<PhraseUnit>], lists: &'a [PostingList]) -> Option<Self> {
        let phrases = phrases
            .iter()
            .map(|phrase| {
                phrase
                    .iter()
                    .map(|unit| {
                        let list = lists.iter().find(|l| l.term == unit.term)?;
                        Some((list, unit.offset))
                    })
                    .collect::<Option<Vec<_>>>()
            })
            .collect::<Option<Vec<_>>>()?;
        let longest = phrases.iter().map(Vec::len).max().unwrap_or(0);
        Some(PhraseCheck {
            phrases,
            positions: vec![Vec::new(); longest],
        })
    }

    /// True when every phrase occurs in `doc`, which is in every phrase word's list.
    fn holds(&mut self, doc: u64) -> Result<bool> {
        for phrase in &self.phrases {
            for ((list, _), buffer) in phrase.iter().zip(&mut self.positions) {
                let raw = list.positions(doc)?;
                if raw.is_none_or(|raw| decode_positions_into(raw, buffer).is_none()) {
                    return Ok(false);
                }
            }
            let positions = &self.positions[..phrase.len()];
            let found = positions[0].iter().any(|&start| {
                positions
                    .iter()
                    .zip(phrase)
                    .skip(1)
                    .all(|(p, &(_, offset))| p.binary_search(&(start + offset)).is_ok())
            });
            if !found {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Scores are positive, so their bits order like the numbers.
fn score_key(score: f64) -> u64 {
    score.max(0.0).to_bits()
}

impl Store {
    fn parse_query(&self, query: &str) -> Query {
        let mut parsed = Query::default();
        for (i, part) in query.split('"').enumerate() {
            let keys: Vec<String> = self
                .analyzer
                .terms(part)
                .into_iter()
                .map(|t| t.key)
                .collect();
            parsed.words.extend(keys.iter().cloned());
            if i % 2 == 1 && keys.len() > 1 {
                let units = phrase_units(&keys);
                parsed.terms.extend(units.iter().map(|u| u.term.clone()));
                if units.len() > 1 {
                    parsed.phrases.push(units);
                }
            } else {
                parsed.terms.extend(keys);
            }
        }
        parsed
    }

    /// Every posting of `term`: document numbers and impacts.
    fn posting_list(&self, term: String, n: u64, scored: bool) -> Result<PostingList> {
        let (mut docs, mut impacts) = (Vec::new(), Vec::new());
        let segments = blocks::segments(&self.tree, self.files(), &term)?;
        let parsed = segments
            .iter()
            .map(|segment| segment.parse())
            .collect::<Result<Vec<_>>>()?;
        // One allocation each, not a copy per doubling of a list of a million postings.
        let total = parsed.iter().map(|segment| segment.len()).sum();
        docs.reserve_exact(total);
        impacts.reserve_exact(total);
        let mut segment_starts = Vec::with_capacity(segments.len());
        for (segment, bytes) in parsed.iter().zip(&segments) {
            segment_starts.push(docs.len());
            segment
                .decode_into(&mut docs, &mut impacts)
                .ok_or_else(|| corrupt(&bytes.key))?;
        }
        let idf = if scored {
            scoring::idf(docs.len() as u64, n)
        } else {
            0.0
        };
        Ok(PostingList {
            term,
            docs,
            impacts,
            segments,
            segment_starts,
            idf,
        })
    }

    /// Documents that contain every query word (and phrase) and pass the filter, best first.
    pub fn search(
        &self,
        query: &str,
        filter: &DocumentFilter,
        page_size: usize,
        page_token: &str,
    ) -> Result<SearchResults> {
        self.search_with_limit(query, filter, page_size, page_token, EXACT_LIMIT)
    }

    /// [`Store::search`], checking a time filter on at most `exact_limit` documents beyond the
    /// page.
    #[doc(hidden)]
    pub fn search_with_limit(
        &self,
        query: &str,
        filter: &DocumentFilter,
        page_size: usize,
        page_token: &str,
        exact_limit: u64,
    ) -> Result<SearchResults> {
        let parsed = self.parse_query(query);
        if parsed.terms.is_empty() {
            return Err(StoreError::InvalidQuery {
                reason: "it has no searchable words".to_owned(),
            });
        }
        let fingerprint = fnv64(&[b"search", query.as_bytes(), &encode(filter)]);
        let after = match decode_token(&self.secret, fingerprint, page_token)? {
            Some(cursor) => {
                let cursor: [u8; 16] =
                    cursor
                        .try_into()
                        .map_err(|_| StoreError::InvalidPageToken {
                            reason: "not a token issued by this service".to_owned(),
                        })?;
                let (score, doc) = cursor.split_at(8);
                Some(Candidate {
                    score: f64::from_bits(u64::from_be_bytes(score.try_into().unwrap_or_default())),
                    doc: u64::from_be_bytes(doc.try_into().unwrap_or_default()),
                })
            }
            None => None,
        };

        let n = self.corpus_stats()?.document_count;
        let filter_terms = crate::listing::filter_terms(filter);
        let mut lists = Vec::with_capacity(parsed.terms.len() + 3);
        for term in parsed.terms.iter().cloned() {
            lists.push(self.posting_list(term, n, true)?);
        }
        for term in filter_terms {
            lists.push(self.posting_list(term, n, false)?);
        }
        lists.sort_by_key(|list| list.docs.len());
        let Some((driver, others)) = lists.split_first() else {
            unreachable!("a query has at least one term")
        };
        tracing::trace!(terms = ?lists.iter().map(|l| (&l.term, l.docs.len())).collect::<Vec<_>>(), "search");
        let mut candidates: Vec<Candidate> = driver
            .docs
            .iter()
            .zip(&driver.impacts)
            .map(|(&doc, &impact)| Candidate {
                doc,
                score: driver.idf * f64::from(impact) / IMPACT_SCALE,
            })
            .collect();
        for list in others {
            if candidates.is_empty() {
                break;
            }
            intersect(&mut candidates, list);
        }
        let mut phrase_check = match PhraseCheck::new(&parsed.phrases, &lists) {
            Some(check) => check,
            None => {
                candidates.clear();
                PhraseCheck {
                    phrases: Vec::new(),
                    positions: Vec::new(),
                }
            }
        };

        // The page, with the phrases and the time filter checked in rank order.
        let time_filter =
            filter.published_after_us.is_some() || filter.published_before_us.is_some();
        let checks = time_filter || !parsed.phrases.is_empty();
        let matched = candidates.len() as u64;
        let is_after =
            |c: &Candidate| after.is_none_or(|a| a.cmp(c) == std::cmp::Ordering::Greater);
        // The page's hits (and one more, to know there is a next page), with their ids.
        let mut hits: Vec<(Candidate, String)> = Vec::new();
        let (mut checked, mut passed) = (0u64, 0u64);
        if !checks {
            // Only the page is ranked: the best `page_size + 1` after the cursor.
            candidates.retain(is_after);
            let keep = (page_size + 1).min(candidates.len());
            if keep > 0 && keep < candidates.len() {
                candidates.select_nth_unstable_by(keep - 1, |a, b| b.cmp(a));
                candidates.truncate(keep);
            }
        }
        // Best first (the greatest in `Candidate`'s order): one selection over all candidates
        // for the page and the checks beyond it, where a heap of them was a tenth of a
        // two-common-word phrase at 1,000,000 documents.
        for candidate in Ranked::new(&mut candidates, 128, |a, b| b.cmp(a)) {
            let page_full = hits.len() > page_size;
            if page_full && (!checks || checked >= exact_limit) {
                break;
            }
            if !checks && !is_after(&candidate) {
                continue;
            }
            let mut id = None;
            if checks {
                checked += 1;
                if !phrase_check.holds(candidate.doc)? {
                    continue;
                }
                if time_filter {
                    id = self.document_id(candidate.doc)?;
                    let summary = match &id {
                        Some(id) => self.summary(id)?,
                        None => None,
                    };
                    if !summary.is_some_and(|s| Store::in_time_range(&s, filter)) {
                        continue;
                    }
                }
                passed += 1;
                if page_full || !is_after(&candidate) {
                    continue;
                }
            }
            let id = match id {
                Some(id) => Some(id),
                None => self.document_id(candidate.doc)?,
            };
            if let Some(id) = id {
                hits.push((candidate, id));
            }
        }
        let all_checked = !checks || checked == matched;
        let total_hits = if !checks {
            matched
        } else if all_checked {
            passed
        } else {
            ((passed as f64 / checked.max(1) as f64) * matched as f64).round() as u64
        };

        let more = hits.len() > page_size;
        hits.truncate(page_size);
        let cursor = hits.last().map(|(c, _)| *c);
        let mut items = Vec::with_capacity(hits.len());
        for (candidate, id) in hits {
            // A document deleted since its number was read is left out of the page.
            if let Some((summary, text)) = self.summary_and_text(&id)? {
                items.push(self.hit(summary, text, candidate.score, &parsed));
            }
        }
        let next_token = match (more, cursor) {
            (true, Some(last)) => {
                let mut cursor = score_key(last.score).to_be_bytes().to_vec();
                cursor.extend_from_slice(&last.doc.to_be_bytes());
                Some(encode_token(&self.secret, fingerprint, cursor))
            }
            _ => None,
        };
        Ok(SearchResults {
            page: Page { items, next_token },
            total_hits: total_hits.max(passed),
            total_hits_exact: all_checked,
        })
    }

    fn hit(&self, summary: DocSummary, text: String, score: f64, query: &Query) -> SearchHit {
        let highlights = self.analyzer.find(&text, &query.words);
        let snippet = match highlights.first() {
            Some(first) => snippet(&text, first.clone(), 80, 120),
            None => snippet(&text, 0..0, 0, 200),
        };
        SearchHit {
            summary,
            score,
            highlights,
            snippet,
            document_text: std::sync::Arc::from(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        crate::Analyzer::default()
            .terms(text)
            .into_iter()
            .map(|t| t.key)
            .collect()
    }

    #[test]
    fn adjacent_common_words_become_one_unit() {
        let units = |text: &str| -> Vec<(String, u32)> {
            phrase_units(&words(text))
                .into_iter()
                .map(|u| (u.term, u.offset))
                .collect()
        };
        let [fi, min, ala, qafila] = <[String; 4]>::try_from(words("في من على قافلة")).unwrap();
        assert_eq!(units("في من"), [(format!("{fi} {min}"), 0)]);
        assert_eq!(
            units("في من على"),
            [(format!("{fi} {min}"), 0), (format!("{min} {ala}"), 1)]
        );
        assert_eq!(
            units("قافلة في من"),
            [(qafila.clone(), 0), (format!("{fi} {min}"), 1)]
        );
        assert_eq!(units("في قافلة"), [(fi, 0), (qafila, 1)]);
    }
}
