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
//! are intersections and the number of hits stays exact. Positions are decoded only for the
//! documents left, and only for phrases. A publication-time filter needs the document's
//! summary, a point read: it is checked in rank order until the page is full, and beyond that
//! on at most `exact_limit` documents, past which the number of hits is estimated from the part
//! checked (`total_hits_exact` says which).

use std::collections::{BTreeSet, BinaryHeap};
use std::ops::Range;

use crate::blocks;

use crate::page::{decode_token, encode_token, fnv64, Page};
use crate::record::{encode, DocSummary};
use crate::scoring::{self, IMPACT_SCALE};
use crate::segment::{decode_positions_into, Entry};
use crate::store::{snippet, DocumentFilter};
use crate::{Result, Store, StoreError};

/// With a time filter, documents checked beyond the page before the number of hits is
/// estimated: each check is a point read (the summary), about 15 µs.
const EXACT_LIMIT: u64 = 1_000;

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

/// A parsed query: the distinct terms and the phrases.
#[derive(Clone, Debug, Default, PartialEq)]
struct Query {
    terms: BTreeSet<String>,
    phrases: Vec<Vec<String>>,
}

/// The decoded postings of one term: document numbers ascending, with their impacts.
struct PostingList {
    term: String,
    docs: Vec<u64>,
    impacts: Vec<u16>,
    /// The segments read, kept for the positions of phrases.
    segments: Vec<blocks::SegmentBytes>,
    /// Zero for filter terms, which select without scoring.
    idf: f64,
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

/// Keeps the candidates that are in `list`, adding the list's score to theirs.
fn intersect(candidates: &mut Vec<Candidate>, list: &PostingList) {
    let mut at = 0;
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

/// Walks the postings of one term in document order, for the positions of the documents asked.
struct PositionWalk<'a> {
    segments: std::slice::Iter<'a, blocks::SegmentBytes>,
    key: &'a [u8],
    entries: Option<Box<dyn Iterator<Item = Option<Entry<'a>>> + 'a>>,
}

impl<'a> PositionWalk<'a> {
    fn new(list: &'a PostingList) -> Self {
        PositionWalk {
            segments: list.segments.iter(),
            key: &[],
            entries: None,
        }
    }

    /// The encoded positions of `doc`, which must be in the list; documents are asked in
    /// ascending order.
    fn seek(&mut self, doc: u64) -> Result<Option<&'a [u8]>> {
        loop {
            if let Some(entries) = &mut self.entries {
                for entry in entries.by_ref() {
                    let entry = entry.ok_or_else(|| corrupt(self.key))?;
                    if entry.doc >= doc {
                        return Ok((entry.doc == doc).then_some(entry.raw_positions));
                    }
                }
            }
            let Some(next) = self.segments.next() else {
                return Ok(None);
            };
            self.key = &next.key;
            self.entries = Some(Box::new(next.parse()?.entries()));
        }
    }
}

/// Keeps the candidates in which every phrase occurs: each phrase term's postings are walked
/// once, alongside the candidates, and positions are decoded into buffers reused across them.
fn keep_phrases(
    candidates: &mut Vec<Candidate>,
    phrases: &[Vec<String>],
    lists: &[PostingList],
) -> Result<()> {
    for phrase in phrases {
        let mut walks = phrase
            .iter()
            .map(|term| {
                lists
                    .iter()
                    .find(|l| &l.term == term)
                    .map(PositionWalk::new)
            })
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default();
        if walks.len() != phrase.len() {
            candidates.clear();
            return Ok(());
        }
        let mut positions: Vec<Vec<u32>> = vec![Vec::new(); walks.len()];
        let mut failure = None;
        candidates.retain(|candidate| {
            if failure.is_some() {
                return false;
            }
            for (walk, buffer) in walks.iter_mut().zip(&mut positions) {
                match walk.seek(candidate.doc) {
                    Ok(Some(raw)) if decode_positions_into(raw, buffer).is_some() => {}
                    Ok(_) => return false,
                    Err(error) => {
                        failure = Some(error);
                        return false;
                    }
                }
            }
            positions[0].iter().any(|&start| {
                positions
                    .iter()
                    .enumerate()
                    .skip(1)
                    .all(|(offset, p)| p.binary_search(&(start + offset as u32)).is_ok())
            })
        });
        if let Some(error) = failure {
            return Err(error);
        }
    }
    Ok(())
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
            parsed.terms.extend(keys.iter().cloned());
            if i % 2 == 1 && keys.len() > 1 {
                parsed.phrases.push(keys);
            }
        }
        parsed
    }

    /// Every posting of `term`: document numbers and impacts.
    fn posting_list(&self, term: String, n: u64, scored: bool) -> Result<PostingList> {
        let (mut docs, mut impacts) = (Vec::new(), Vec::new());
        let segments = blocks::segments(&self.tree, &term)?;
        for segment in &segments {
            segment
                .parse()?
                .decode_into(&mut docs, &mut impacts)
                .ok_or_else(|| corrupt(&segment.key))?;
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
        keep_phrases(&mut candidates, &parsed.phrases, &lists)?;

        // The page, and the time filter checked in rank order.
        let time_filter =
            filter.published_after_us.is_some() || filter.published_before_us.is_some();
        let matched = candidates.len() as u64;
        let is_after =
            |c: &Candidate| after.is_none_or(|a| a.cmp(c) == std::cmp::Ordering::Greater);
        let mut hits: Vec<(Candidate, DocSummary)> = Vec::new();
        let (mut checked, mut passed) = (0u64, 0u64);
        let mut ranked = if time_filter {
            BinaryHeap::from(candidates)
        } else {
            // Only the page is ranked: the best `page_size + 1` after the cursor.
            candidates.retain(is_after);
            let keep = (page_size + 1).min(candidates.len());
            if keep > 0 && keep < candidates.len() {
                candidates.select_nth_unstable_by(keep - 1, |a, b| b.cmp(a));
                candidates.truncate(keep);
            }
            BinaryHeap::from(candidates)
        };
        while let Some(candidate) = ranked.pop() {
            let page_full = hits.len() > page_size;
            if page_full && (!time_filter || checked >= exact_limit) {
                break;
            }
            if !time_filter && !is_after(&candidate) {
                continue;
            }
            let Some(id) = self.document_id(candidate.doc)? else {
                continue;
            };
            let Some(summary) = self.summary(&id)? else {
                continue;
            };
            if time_filter {
                checked += 1;
                if !Store::in_time_range(&summary, filter) {
                    continue;
                }
                passed += 1;
            }
            if !page_full && is_after(&candidate) {
                hits.push((candidate, summary));
            }
        }
        let all_checked = !time_filter || checked == matched;
        let total_hits = if !time_filter {
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
        for (candidate, summary) in hits {
            items.push(self.hit(summary, candidate.score, &parsed)?);
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

    fn hit(&self, summary: DocSummary, score: f64, query: &Query) -> Result<SearchHit> {
        let text = self.text(&summary.id)?.unwrap_or_default();
        let highlights = self.analyzer.find(&text, &query.terms);
        let snippet = match highlights.first() {
            Some(first) => snippet(&text, first.clone(), 80, 120),
            None => snippet(&text, 0..0, 0, 200),
        };
        Ok(SearchHit {
            summary,
            score,
            highlights,
            snippet,
            document_text: std::sync::Arc::from(text.as_str()),
        })
    }
}
