//! Full-text search: BM25 top-k over impact-ordered postings, phrases, filters, highlights.
//!
//! A query is analyzed like the documents. Every word must occur in a hit (AND), a part in
//! double quotes must occur as a phrase (consecutive positions), and hits are ranked by BM25
//! with a fixed reference length (see `scoring.rs`), summed over the query's distinct terms.
//!
//! The rarest term drives the search: its postings are read in impact order, and each document
//! is checked against the other terms (point reads), the phrases and the filters. Reading stops
//! once the page is full and no unread posting could outrank the page's last hit, since the
//! driver's impact only falls and the other terms add at most their maximum. When the filter
//! names an entity mentioned in fewer documents than the rarest term, the entity's documents
//! drive instead. Small result sets are read whole and counted exactly; for large ones the
//! number of hits is an estimate from the part read (`total_hits_exact` says which).

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};
use std::ops::Range;

use crate::keys::{self, key};
use crate::page::{decode_token, encode_token, fnv64, Page};
use crate::record::{decode, encode, DocSummary, Posting};
use crate::scoring::{self, IMPACT_SCALE};
use crate::store::{snippet, DocumentFilter};
use crate::{Result, Store, StoreError};

/// A driving posting list this long or shorter is read whole: exact counts, exact ranking.
/// Every posting read costs two point reads (the other terms, the summary), about 15 µs: a
/// whole list of 20,000 took 150 ms at 50,000 documents, so longer lists stop early and
/// estimate their count.
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

/// A query term with its statistics.
struct TermStats {
    key: String,
    df: u64,
    idf: f64,
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

    fn doc_freq(&self, term: &str) -> Result<u64> {
        let k = key(keys::DOC_FREQ, &[term.as_bytes()]);
        Ok(match self.tree.get(&k)? {
            Some(bytes) => decode(&k, &bytes)?,
            None => 0,
        })
    }

    fn posting(&self, term: &str, doc: &[u8]) -> Result<Option<Posting>> {
        let k = key(keys::TERM, &[term.as_bytes(), doc]);
        self.tree
            .get(&k)?
            .map(|bytes| decode(&k, &bytes))
            .transpose()
    }

    /// The score of `doc` if it has every term and phrase and passes the filter.
    fn evaluate(
        &self,
        doc: &[u8],
        terms: &[TermStats],
        query: &Query,
        filter: &DocumentFilter,
    ) -> Result<Option<(f64, DocSummary)>> {
        let mut score = 0.0;
        let mut postings = Vec::with_capacity(terms.len());
        for term in terms {
            let Some(posting) = self.posting(&term.key, doc)? else {
                return Ok(None);
            };
            let impact = scoring::impact(posting.positions.len(), posting.doc_tokens);
            score += term.idf * f64::from(impact) / IMPACT_SCALE;
            postings.push((term.key.as_str(), posting));
        }
        let positions = |term: &str| {
            postings
                .iter()
                .find(|(t, _)| *t == term)
                .map(|(_, p)| &p.positions)
        };
        for phrase in &query.phrases {
            let Some(first) = positions(&phrase[0]) else {
                return Ok(None);
            };
            let found = first.iter().any(|&start| {
                phrase.iter().enumerate().skip(1).all(|(offset, term)| {
                    positions(term)
                        .is_some_and(|p| p.binary_search(&(start + offset as u32)).is_ok())
                })
            });
            if !found {
                return Ok(None);
            }
        }
        let Some(summary) = self.summary(&String::from_utf8_lossy(doc))? else {
            return Ok(None);
        };
        if !self.matches(&summary, filter)? {
            return Ok(None);
        }
        Ok(Some((score, summary)))
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

    /// [`Store::search`], reading a driving posting list whole when it has at most
    /// `exact_limit` postings.
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
                let invalid = || StoreError::InvalidPageToken {
                    reason: "not a token issued by this service".to_owned(),
                };
                let (score, id) = cursor.split_at_checked(8).ok_or_else(invalid)?;
                let score: [u8; 8] = score.try_into().map_err(|_| invalid())?;
                Some((u64::from_be_bytes(score), id.to_vec()))
            }
            None => None,
        };
        let is_after = |score: f64, id: &[u8]| match &after {
            Some((bits, after_id)) => {
                score_key(score) < *bits || (score_key(score) == *bits && id > after_id.as_slice())
            }
            None => true,
        };

        let n = self.corpus_stats()?.document_count;
        let mut terms = Vec::new();
        for term in &parsed.terms {
            let df = self.doc_freq(term)?;
            terms.push(TermStats {
                key: term.clone(),
                df,
                idf: scoring::idf(df, n),
            });
        }
        terms.sort_by_key(|t| t.df);
        let empty = |exact| SearchResults {
            page: Page {
                items: Vec::new(),
                next_token: None,
            },
            total_hits: 0,
            total_hits_exact: exact,
        };
        if terms[0].df == 0 {
            return Ok(empty(true));
        }
        let wanted = page_size + 1;
        // The best `wanted` scores after the cursor, smallest on top.
        let mut best: BinaryHeap<Reverse<u64>> = BinaryHeap::new();
        let mut hits: Vec<(f64, DocSummary)> = Vec::new();
        let mut matched = 0u64;
        let mut scanned = 0u64;
        let mut stopped_early = false;
        let mut consider = |doc: &[u8], best: &mut BinaryHeap<Reverse<u64>>| -> Result<()> {
            scanned += 1;
            if let Some((score, summary)) = self.evaluate(doc, &terms, &parsed, filter)? {
                matched += 1;
                if is_after(score, summary.id.as_bytes()) {
                    best.push(Reverse(score_key(score)));
                    if best.len() > wanted {
                        best.pop();
                    }
                    hits.push((score, summary));
                }
            }
            Ok(())
        };

        let entity_docs = match &filter.entity_id {
            Some(entity) => self.entity(entity)?.map_or(0, |e| e.document_count),
            None => u64::MAX,
        };
        let driver_total;
        if entity_docs < terms[0].df {
            // The entity's documents drive: all of them are read.
            driver_total = entity_docs;
            let entity = filter.entity_id.as_deref().unwrap_or_default();
            let prefix = keys::prefix(keys::MENTIONS, entity.as_bytes());
            for entry in self.tree.scan_prefix(&prefix) {
                let (k, _) = entry?;
                consider(&k[prefix.len()..], &mut best)?;
            }
        } else {
            let driver = &terms[0];
            driver_total = driver.df;
            let rest: f64 = terms[1..]
                .iter()
                .map(|t| t.idf * scoring::max_impact() / IMPACT_SCALE)
                .sum();
            let exhaustive = driver.df <= exact_limit;
            let prefix = keys::prefix(keys::IMPACT, driver.key.as_bytes());
            for entry in self.tree.scan_prefix(&prefix) {
                let (k, _) = entry?;
                let suffix = &k[prefix.len()..];
                let (Some(inverted), Some(doc)) = (suffix.get(..2), suffix.get(3..)) else {
                    continue;
                };
                let impact = u16::MAX - u16::from_be_bytes([inverted[0], inverted[1]]);
                let bound = driver.idf * f64::from(impact) / IMPACT_SCALE + rest;
                if !exhaustive
                    && best.len() >= wanted
                    && best
                        .peek()
                        .is_some_and(|Reverse(low)| score_key(bound) < *low)
                {
                    stopped_early = true;
                    break;
                }
                consider(doc, &mut best)?;
            }
        }

        hits.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        let more = hits.len() > page_size;
        hits.truncate(page_size);
        let mut items = Vec::with_capacity(hits.len());
        for (score, summary) in hits {
            items.push(self.hit(summary, score, &parsed)?);
        }
        let next_token = match (more, items.last()) {
            (true, Some(last)) => {
                let mut cursor = score_key(last.score).to_be_bytes().to_vec();
                cursor.extend_from_slice(last.summary.id.as_bytes());
                Some(encode_token(&self.secret, fingerprint, cursor))
            }
            _ => None,
        };
        let total_hits = if stopped_early && scanned > 0 {
            ((matched as f64 / scanned as f64) * driver_total as f64).round() as u64
        } else {
            matched
        };
        Ok(SearchResults {
            page: Page { items, next_token },
            total_hits: total_hits.max(matched),
            total_hits_exact: !stopped_early,
        })
    }

    fn hit(&self, summary: DocSummary, score: f64, query: &Query) -> Result<SearchHit> {
        let text = self.get(&summary.id)?.map(|d| d.text).unwrap_or_default();
        let (normalized, terms) = self.analyzer.analyze(&text);
        let highlights: Vec<Range<usize>> = terms
            .iter()
            .filter(|t| query.terms.contains(&t.key))
            .map(|t| normalized.alignment.to_original(t.normalized.clone()))
            .filter(|r| !r.is_empty())
            .collect();
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
