//! Full-text search: BM25 over the postings blocks of the query's terms, phrases, filters,
//! highlights.
//!
//! A query is analyzed like the documents. Every word must occur in a hit (AND), a part in
//! double quotes must occur as a phrase (consecutive positions), and hits are ranked by BM25
//! with a fixed reference length (see `scoring.rs`), summed over the query's distinct terms.
//!
//! Every posting of every query term is read (blocks are adjacent keys, read by one prefix scan
//! each); the shortest list drives, and each of its documents is looked up in the others. The
//! matching documents are ranked in memory. Filters need the document's summary, a point read:
//! they are checked in rank order until the page is full, and beyond that on at most
//! `exact_limit` documents, past which the number of hits is estimated from the part checked
//! (`total_hits_exact` says which).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;

use crate::blocks;
use crate::keys;
use crate::page::{decode_token, encode_token, fnv64, Page};
use crate::record::{encode, DocSummary, Posting};
use crate::scoring::{self, IMPACT_SCALE};
use crate::store::{snippet, DocumentFilter};
use crate::{Result, Store, StoreError};

/// With a filter, documents checked beyond the page before the number of hits is estimated:
/// each check is a point read (the summary), about 15 µs.
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

/// An entity filter whose entity is in at most this many documents is applied from the list of
/// its documents, read whole; a larger one is checked document by document.
const ENTITY_SET_LIMIT: usize = 200_000;

/// The BM25 contribution of a term with this posting, before its idf.
fn impact(posting: &Posting) -> f64 {
    f64::from(scoring::impact(posting.positions.len(), posting.doc_tokens)) / IMPACT_SCALE
}

/// True when every phrase occurs in the document whose postings are `found` (term, posting).
fn has_phrases(phrases: &[Vec<String>], found: &[(&str, &Posting)]) -> bool {
    let positions = |term: &str| {
        found
            .iter()
            .find(|(t, _)| *t == term)
            .map(|(_, p)| &p.positions)
    };
    phrases.iter().all(|phrase| {
        let Some(first) = positions(&phrase[0]) else {
            return false;
        };
        first.iter().any(|&start| {
            phrase.iter().enumerate().skip(1).all(|(offset, term)| {
                positions(term).is_some_and(|p| p.binary_search(&(start + offset as u32)).is_ok())
            })
        })
    })
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
        let mut lists = Vec::with_capacity(parsed.terms.len());
        for term in &parsed.terms {
            let postings = blocks::postings(&self.tree, term)?;
            if postings.is_empty() {
                return Ok(SearchResults {
                    page: Page {
                        items: Vec::new(),
                        next_token: None,
                    },
                    total_hits: 0,
                    total_hits_exact: true,
                });
            }
            let idf = scoring::idf(postings.len() as u64, n);
            lists.push((term.as_str(), idf, postings));
        }
        lists.sort_by_key(|(_, _, postings)| postings.len());
        let (driver, others) = lists.split_first().unwrap_or_else(|| unreachable!());
        let others: Vec<(&str, f64, HashMap<&str, &Posting>)> = others
            .iter()
            .map(|(term, idf, postings)| {
                let by_doc = postings.iter().map(|(d, p)| (d.as_str(), p)).collect();
                (*term, *idf, by_doc)
            })
            .collect();

        // Every document with all the terms and phrases, best first.
        let mut matched: Vec<(f64, &str)> = Vec::new();
        let mut found: Vec<(&str, &Posting)> = Vec::with_capacity(lists.len());
        'documents: for (doc, posting) in &driver.2 {
            found.clear();
            found.push((driver.0, posting));
            let mut score = driver.1 * impact(posting);
            for (term, idf, by_doc) in &others {
                let Some(&posting) = by_doc.get(doc.as_str()) else {
                    continue 'documents;
                };
                found.push((term, posting));
                score += idf * impact(posting);
            }
            if !has_phrases(&parsed.phrases, &found) {
                continue;
            }
            matched.push((score, doc.as_str()));
        }
        matched.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));

        // An entity filter keeps the documents in the entity's list, read whole when it is not
        // too long: no point read per document.
        let mut residual = filter.clone();
        if let Some(entity) = &filter.entity_id {
            if let Some(documents) = self.entity_documents(entity, ENTITY_SET_LIMIT)? {
                matched.retain(|(_, doc)| documents.contains(*doc));
                residual.entity_id = None;
            }
        }
        let filter = &residual;

        // The page, and the filter checked in rank order.
        let unfiltered = *filter == DocumentFilter::default();
        let mut hits: Vec<(f64, DocSummary)> = Vec::new();
        let (mut checked, mut passed) = (0u64, 0u64);
        for &(score, doc) in &matched {
            let page_full = hits.len() > page_size;
            if page_full && (unfiltered || checked >= exact_limit) {
                break;
            }
            if unfiltered && !is_after(score, doc.as_bytes()) {
                continue;
            }
            let Some(summary) = self.summary(doc)? else {
                continue;
            };
            if !unfiltered {
                checked += 1;
                if !self.matches(&summary, filter)? {
                    continue;
                }
                passed += 1;
            }
            if !page_full && is_after(score, doc.as_bytes()) {
                hits.push((score, summary));
            }
        }
        let all_checked = unfiltered || checked == matched.len() as u64;
        let total_hits = if unfiltered {
            matched.len() as u64
        } else if all_checked {
            passed
        } else {
            ((passed as f64 / checked.max(1) as f64) * matched.len() as f64).round() as u64
        };

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
        Ok(SearchResults {
            page: Page { items, next_token },
            total_hits: total_hits.max(passed),
            total_hits_exact: all_checked,
        })
    }

    /// The documents that mention `entity`, or `None` when there are more than `limit`.
    fn entity_documents(&self, entity: &str, limit: usize) -> Result<Option<HashSet<String>>> {
        let prefix = keys::prefix(keys::MENTIONS, entity.as_bytes());
        let mut documents = HashSet::new();
        for entry in self.tree.scan_prefix(&prefix) {
            let (k, _) = entry?;
            if documents.len() == limit {
                return Ok(None);
            }
            documents.insert(String::from_utf8_lossy(&k[prefix.len()..]).into_owned());
        }
        Ok(Some(documents))
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
