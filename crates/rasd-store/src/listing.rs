//! Listing documents: by the posting lists of the filter, or by publication time.
//!
//! An entity, an entity type and a source are posting lists (`blocks.rs`), so a filtered
//! listing intersects them and walks the documents in the order they were stored (document
//! numbers ascend with every write group). New documents get higher numbers, so a listing that
//! resumes after its cursor neither repeats nor skips a document that existed before its first
//! page. A filter that is only a publication-time range walks the time index instead; the time
//! range of any other filter is checked on each document's summary.

use std::ops::Bound;

use crate::blocks;
use crate::keys::{self, key};
use crate::page::{decode_token, encode_token, fnv64, Page};
use crate::record::{encode, DocSummary};
use crate::store::DocumentFilter;
use crate::{Result, Store, StoreError};

fn invalid_token() -> StoreError {
    StoreError::InvalidPageToken {
        reason: "not a token issued by this service".to_owned(),
    }
}

/// The filter terms of a document filter (entity, type, source), without its time range.
pub fn filter_terms(filter: &DocumentFilter) -> Vec<String> {
    [
        filter.entity_id.as_deref().map(blocks::entity_term),
        filter.entity_type.map(|t| blocks::type_term(t.code())),
        filter.source.as_deref().map(blocks::source_term),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The document numbers of a term greater than `after`, ascending; only the segments that can
/// hold such numbers are decoded.
fn documents_after(store: &Store, term: &str, after: Option<u64>) -> Result<Vec<u64>> {
    let segments = blocks::segments(&store.tree, store.files(), term)?;
    let after_block = after.map(blocks::block_of);
    let mut docs = Vec::new();
    let mut impacts = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        // Segments cover ascending runs of blocks: this one ends before the next one starts.
        let next_start = segments
            .get(i + 1)
            .and_then(|next| blocks::block_in_key(&next.key));
        if let (Some(after), Some(next)) = (after_block, next_start) {
            if next <= after {
                continue;
            }
        }
        segment
            .parse()?
            .decode_into(&mut docs, &mut impacts)
            .ok_or_else(invalid_segment(&segment.key))?;
    }
    if let Some(after) = after {
        docs.retain(|&d| d > after);
    }
    Ok(docs)
}

fn invalid_segment(key: &[u8]) -> impl FnOnce() -> StoreError + '_ {
    move || StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        detail: "malformed postings segment".to_owned(),
    }
}

/// The documents in every one of `terms`' lists, greater than `after`, ascending.
pub fn documents_with_all(store: &Store, terms: &[String], after: Option<u64>) -> Result<Vec<u64>> {
    let mut lists = terms
        .iter()
        .map(|term| documents_after(store, term, after))
        .collect::<Result<Vec<_>>>()?;
    lists.sort_by_key(Vec::len);
    let mut lists = lists.into_iter();
    let Some(mut docs) = lists.next() else {
        return Ok(Vec::new());
    };
    for list in lists {
        let mut at = 0;
        docs.retain(|doc| {
            at += list[at..].partition_point(|d| d < doc);
            list.get(at) == Some(doc)
        });
    }
    Ok(docs)
}

impl Store {
    /// The id of a document number.
    pub(crate) fn document_id(&self, doc: u64) -> Result<Option<String>> {
        Ok(self
            .tree
            .get(key(keys::DOC_ID, &[&doc.to_be_bytes()]))?
            .map(|id| String::from_utf8_lossy(&id).into_owned()))
    }

    /// Documents that pass the filter, one page at a time, in the order they were stored; when
    /// the filter is only a publication-time range, by publication time (oldest first).
    pub fn list(
        &self,
        filter: &DocumentFilter,
        page_size: usize,
        page_token: &str,
    ) -> Result<Page<DocSummary>> {
        let fingerprint = fnv64(&[b"list", &encode(filter)]);
        let cursor = decode_token(&self.secret, fingerprint, page_token)?;
        let terms = filter_terms(filter);
        let timed = filter.published_after_us.is_some() || filter.published_before_us.is_some();
        if terms.is_empty() && timed {
            return self.list_by_time(filter, page_size, cursor, fingerprint);
        }
        let after = match cursor {
            Some(c) => Some(u64::from_be_bytes(
                c.try_into().map_err(|_| invalid_token())?,
            )),
            None => None,
        };
        let mut items = Vec::with_capacity(page_size.min(1024));
        let mut last = None;
        let mut consider = |doc: u64, id: &str| -> Result<bool> {
            let Some(summary) = self.summary(id)? else {
                return Ok(true);
            };
            if !Store::in_time_range(&summary, filter) {
                return Ok(true);
            }
            if items.len() == page_size {
                return Ok(false);
            }
            items.push(summary);
            last = Some(doc);
            Ok(true)
        };
        let mut more = false;
        if terms.is_empty() {
            let start = match after {
                Some(after) => Bound::Excluded(key(keys::DOC_ID, &[&after.to_be_bytes()])),
                None => Bound::Included(vec![keys::DOC_ID]),
            };
            let end = Bound::Excluded(vec![keys::DOC_ID + 1]);
            for entry in self.tree.range::<Vec<u8>, _>((start, end)) {
                let (k, id) = entry?;
                let doc = blocks::block_in_key(&k).ok_or_else(invalid_segment(&k))?;
                if !consider(doc, &String::from_utf8_lossy(&id))? {
                    more = true;
                    break;
                }
            }
        } else {
            for doc in documents_with_all(self, &terms, after)? {
                let Some(id) = self.document_id(doc)? else {
                    continue;
                };
                if !consider(doc, &id)? {
                    more = true;
                    break;
                }
            }
        }
        let next_token = match (more, last) {
            (true, Some(last)) => Some(encode_token(
                &self.secret,
                fingerprint,
                last.to_be_bytes().to_vec(),
            )),
            _ => None,
        };
        Ok(Page { items, next_token })
    }

    /// A page of the time index (`p` + time + id), from the cursor or the range's start.
    fn list_by_time(
        &self,
        filter: &DocumentFilter,
        page_size: usize,
        cursor: Option<Vec<u8>>,
        fingerprint: u64,
    ) -> Result<Page<DocSummary>> {
        let prefix = vec![keys::BY_TIME];
        let start = match (&cursor, filter.published_after_us) {
            (Some(after), _) => Bound::Excluded([prefix.as_slice(), after].concat()),
            (None, Some(after)) => {
                Bound::Included([prefix.as_slice(), &keys::ordered_i64(after)].concat())
            }
            (None, None) => Bound::Included(prefix.clone()),
        };
        let end = match filter.published_before_us {
            Some(before) => {
                Bound::Excluded([prefix.as_slice(), &keys::ordered_i64(before)].concat())
            }
            None => Bound::Excluded(keys::prefix_end(&prefix)),
        };
        let mut items = Vec::with_capacity(page_size.min(1024));
        let mut next_token = None;
        let mut last_cursor = Vec::new();
        for entry in self.tree.range::<Vec<u8>, _>((start, end)) {
            let (k, _) = entry?;
            // `p` + 8 bytes of time + 0 + id.
            let Some(id) = k.get(prefix.len() + 9..) else {
                continue;
            };
            let Some(summary) = self.summary(&String::from_utf8_lossy(id))? else {
                continue;
            };
            if items.len() == page_size {
                next_token = Some(encode_token(&self.secret, fingerprint, last_cursor));
                break;
            }
            last_cursor = k[prefix.len()..].to_vec();
            items.push(summary);
        }
        Ok(Page { items, next_token })
    }
}
