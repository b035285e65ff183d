//! Full-text search: BM25 over the inverted index, phrases, filters and highlights.
//!
//! A query is analyzed like the documents. Every word must occur in a hit (AND), a part in
//! double quotes must occur as a phrase (consecutive positions), and hits are ranked by Okapi
//! BM25 (k1 = 1.2, b = 0.75) summed over the query's distinct terms.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use crate::keys;
use crate::page::{decode_token, encode_token, fnv64, Page};
use crate::record::{decode, encode, DocSummary};
use crate::store::{snippet, DocumentFilter};
use crate::{Result, Store, StoreError};

/// A term and the positions where it occurs, by document id.
type Postings = (String, HashMap<Vec<u8>, Vec<u32>>);

const K1: f64 = 1.2;
const B: f64 = 0.75;

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
}

/// A parsed query: the distinct terms and the phrases.
#[derive(Clone, Debug, Default, PartialEq)]
struct Query {
    terms: BTreeSet<String>,
    phrases: Vec<Vec<String>>,
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
        let parsed = self.parse_query(query);
        if parsed.terms.is_empty() {
            return Err(StoreError::InvalidQuery {
                reason: "it has no searchable words".to_owned(),
            });
        }
        let fingerprint = fnv64(&[b"search", query.as_bytes(), &encode(filter)]);
        let after = match decode_token(&self.secret, fingerprint, page_token)? {
            Some(cursor) => {
                let (score, id) =
                    cursor
                        .split_at_checked(8)
                        .ok_or_else(|| StoreError::InvalidPageToken {
                            reason: "not a token issued by this service".to_owned(),
                        })?;
                let score =
                    f64::from_bits(u64::from_be_bytes(score.try_into().unwrap_or_default()));
                Some((score, String::from_utf8_lossy(id).into_owned()))
            }
            None => None,
        };

        // Postings of every term, rarest first; candidates are the documents that have them all.
        let mut postings: Vec<Postings> = Vec::new();
        for term in &parsed.terms {
            let prefix = keys::prefix(keys::TERM, term.as_bytes());
            let mut docs = HashMap::new();
            for entry in self.tree.scan_prefix(&prefix) {
                let (k, v) = entry?;
                docs.insert(k[prefix.len()..].to_vec(), decode::<Vec<u32>>(&k, &v)?);
            }
            postings.push((term.clone(), docs));
        }
        postings.sort_by_key(|(_, docs)| docs.len());
        let stats = self.corpus_stats()?;
        let n = stats.document_count.max(1) as f64;
        let avgdl = (stats.token_count as f64 / n).max(1.0);

        let mut scored: Vec<(f64, DocSummary)> = Vec::new();
        let Some((_, rarest)) = postings.first() else {
            return Ok(SearchResults {
                page: Page {
                    items: Vec::new(),
                    next_token: None,
                },
                total_hits: 0,
            });
        };
        'candidates: for doc in rarest.keys() {
            if postings.iter().any(|(_, docs)| !docs.contains_key(doc)) {
                continue;
            }
            for phrase in &parsed.phrases {
                if !has_phrase(phrase, &postings, doc) {
                    continue 'candidates;
                }
            }
            let Some(summary) = self.summary(&String::from_utf8_lossy(doc))? else {
                continue;
            };
            if !self.matches(&summary, filter)? {
                continue;
            }
            let dl = f64::from(summary.token_count.max(1));
            let score: f64 = postings
                .iter()
                .map(|(_, docs)| {
                    let df = docs.len() as f64;
                    let tf = docs.get(doc).map_or(0, Vec::len) as f64;
                    let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                    idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * dl / avgdl))
                })
                .sum();
            scored.push((score, summary));
        }
        let total_hits = scored.len() as u64;
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
        let mut remaining = scored.into_iter().filter(|(score, summary)| match &after {
            Some((after_score, after_id)) => {
                *score < *after_score || (*score == *after_score && summary.id > *after_id)
            }
            None => true,
        });
        let mut items = Vec::new();
        for (score, summary) in remaining.by_ref().take(page_size) {
            items.push(self.hit(summary, score, &parsed)?);
        }
        let next_token = match (remaining.next(), items.last()) {
            (Some(_), Some(last)) => {
                let mut cursor = last.score.to_bits().to_be_bytes().to_vec();
                cursor.extend_from_slice(last.summary.id.as_bytes());
                Some(encode_token(&self.secret, fingerprint, cursor))
            }
            _ => None,
        };
        Ok(SearchResults {
            page: Page { items, next_token },
            total_hits,
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

fn has_phrase(phrase: &[String], postings: &[Postings], doc: &[u8]) -> bool {
    let positions = |term: &String| -> Option<&Vec<u32>> {
        postings
            .iter()
            .find(|(t, _)| t == term)
            .and_then(|(_, docs)| docs.get(doc))
    };
    let Some(first) = phrase.first().and_then(positions) else {
        return false;
    };
    first.iter().any(|&start| {
        phrase.iter().enumerate().skip(1).all(|(offset, term)| {
            positions(term).is_some_and(|p| p.binary_search(&(start + offset as u32)).is_ok())
        })
    })
}
