//! Reading entities: statistics, ranking by document count, mentions across documents, and
//! co-occurrences.

use std::ops::Bound;
use std::sync::Arc;

use crate::blocks;
use crate::index;
use crate::keys::{self, key};
use crate::listing;
use crate::page::{decode_token, encode_token, fnv64, Page};
use crate::record::{decode, EntityStats, StoredMention};
use crate::store::snippet;
use crate::{EntityType, Result, Store, StoreError};

/// One mention of an entity in a stored document.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityMentionHit {
    pub document_id: String,
    /// Position of the mention in the document's mention list.
    pub mention_index: u32,
    pub mention: StoredMention,
    /// A short excerpt of the document around the mention.
    pub snippet: String,
    /// The whole document text, to convert the mention's byte offsets to other units.
    pub document_text: Arc<str>,
}

/// An entity that shares documents with another.
#[derive(Clone, Debug, PartialEq)]
pub struct RelatedHit {
    pub entity: EntityStats,
    pub shared_documents: u64,
}

fn invalid_token() -> StoreError {
    StoreError::InvalidPageToken {
        reason: "not a token issued by this service".to_owned(),
    }
}

impl Store {
    /// The statistics of one entity, if any stored document mentions it.
    pub fn entity(&self, id: &str) -> Result<Option<EntityStats>> {
        let k = key(keys::ENTITY, &[id.as_bytes()]);
        self.tree
            .get(&k)?
            .map(|bytes| decode(&k, &bytes))
            .transpose()
    }

    /// Entities ordered by document count (descending), then id.
    pub fn list_entities(
        &self,
        entity_type: Option<EntityType>,
        page_size: usize,
        page_token: &str,
    ) -> Result<Page<EntityStats>> {
        let type_part = entity_type.map(|t| vec![t.code()]).unwrap_or_default();
        let fingerprint = fnv64(&[b"entities", &type_part]);
        // Cursor: the last entity's document count (8 bytes, big-endian) and id.
        let after = match decode_token(&self.secret, fingerprint, page_token)? {
            Some(c) => {
                let (count, id) = c.split_at_checked(8).ok_or_else(invalid_token)?;
                let count = u64::from_be_bytes(count.try_into().map_err(|_| invalid_token())?);
                Some((count, String::from_utf8_lossy(id).into_owned()))
            }
            None => None,
        };
        // One walk of the rank index per type, merged rank by rank; the entities of one rank
        // are ordered by their exact count, then id.
        let types: Vec<EntityType> = match entity_type {
            Some(t) => vec![t],
            None => EntityType::ALL.to_vec(),
        };
        let first_rank = keys::inverted_count(
            after
                .as_ref()
                .map_or(u64::MAX, |(c, _)| index::rank_bucket(*c)),
        );
        let mut walks: Vec<_> = types
            .iter()
            .map(|t| {
                let prefix = keys::prefix(keys::ENTITY_RANK_BY_TYPE, &[t.code()]);
                let start = Bound::Included([prefix.as_slice(), &first_rank].concat());
                let end = Bound::Excluded(keys::prefix_end(&prefix));
                (
                    prefix.len(),
                    self.tree.range::<Vec<u8>, _>((start, end)).peekable(),
                )
            })
            .collect();
        let mut items: Vec<EntityStats> = Vec::new();
        loop {
            // The next rank: the smallest inverted rank at the head of a walk.
            let mut rank: Option<Vec<u8>> = None;
            for (prefix_len, walk) in &mut walks {
                match walk.peek() {
                    Some(Ok((k, _))) => {
                        let head = k.get(*prefix_len..*prefix_len + 8).map(<[u8]>::to_vec);
                        if head
                            .as_ref()
                            .is_some_and(|h| rank.as_ref().is_none_or(|r| h < r))
                        {
                            rank = head;
                        }
                    }
                    Some(Err(_)) => {
                        walk.next().transpose()?;
                    }
                    None => {}
                }
            }
            let Some(rank) = rank else {
                break;
            };
            let mut group = Vec::new();
            for (prefix_len, walk) in &mut walks {
                while let Some(Ok((k, _))) = walk.peek() {
                    if k.get(*prefix_len..*prefix_len + 8) != Some(rank.as_slice()) {
                        break;
                    }
                    // key = prefix + inverted rank (8 bytes) + 0 + entity id
                    let id = k
                        .get(*prefix_len + 9..)
                        .map(|id| String::from_utf8_lossy(id).into_owned());
                    walk.next();
                    if let Some(stats) = id.map(|id| self.entity(&id)).transpose()?.flatten() {
                        group.push(stats);
                    }
                }
            }
            group.sort_by(|a, b| {
                b.document_count
                    .cmp(&a.document_count)
                    .then_with(|| a.id.cmp(&b.id))
            });
            for stats in group {
                if let Some((count, id)) = &after {
                    if stats.document_count > *count
                        || (stats.document_count == *count && stats.id <= *id)
                    {
                        continue;
                    }
                }
                if items.len() == page_size {
                    let last = &items[items.len() - 1];
                    let mut cursor = last.document_count.to_be_bytes().to_vec();
                    cursor.extend_from_slice(last.id.as_bytes());
                    let next_token = Some(encode_token(&self.secret, fingerprint, cursor));
                    return Ok(Page { items, next_token });
                }
                items.push(stats);
            }
        }
        let next_token = None;
        Ok(Page { items, next_token })
    }

    /// Mentions of one entity, in the order their documents were stored, then by position.
    pub fn entity_mentions(
        &self,
        id: &str,
        page_size: usize,
        page_token: &str,
    ) -> Result<Page<EntityMentionHit>> {
        let fingerprint = fnv64(&[b"mentions", id.as_bytes()]);
        // Cursor: document number + big-endian index of the last mention returned.
        let after = match decode_token(&self.secret, fingerprint, page_token)? {
            Some(c) => {
                let c: [u8; 12] = c.try_into().map_err(|_| invalid_token())?;
                let (doc, index) = c.split_at(8);
                Some((
                    u64::from_be_bytes(doc.try_into().map_err(|_| invalid_token())?),
                    u32::from_be_bytes(index.try_into().map_err(|_| invalid_token())?),
                ))
            }
            None => None,
        };
        // The cursor's document may have mentions left: start at it.
        let from = after.and_then(|(doc, _)| doc.checked_sub(1));
        let docs = listing::documents_with_all(self, &[blocks::entity_term(id)], from)?;
        let mut items: Vec<EntityMentionHit> = Vec::new();
        let mut last_number = 0u64;
        for number in docs {
            let Some(doc_id) = self.document_id(number)? else {
                continue;
            };
            let Some(doc) = self.get(&doc_id)? else {
                continue;
            };
            let text: Arc<str> = Arc::from(doc.text.as_str());
            for (index, mention) in doc.mentions.iter().enumerate() {
                let index = index as u32;
                if mention.entity_id.as_deref() != Some(id)
                    || after.is_some_and(|(d, i)| d == number && index <= i)
                {
                    continue;
                }
                if items.len() == page_size {
                    let mut cursor = last_number.to_be_bytes().to_vec();
                    cursor.extend_from_slice(&items[items.len() - 1].mention_index.to_be_bytes());
                    let next_token = Some(encode_token(&self.secret, fingerprint, cursor));
                    return Ok(Page { items, next_token });
                }
                let range = mention.start as usize..mention.end as usize;
                items.push(EntityMentionHit {
                    document_id: doc_id.clone(),
                    mention_index: index,
                    mention: mention.clone(),
                    snippet: snippet(&doc.text, range, 60, 60),
                    document_text: text.clone(),
                });
                last_number = number;
            }
        }
        Ok(Page {
            items,
            next_token: None,
        })
    }

    /// Entities that share documents with `id`, most shared first, then by id.
    pub fn related_entities(
        &self,
        id: &str,
        entity_type: Option<EntityType>,
        page_size: usize,
        page_token: &str,
    ) -> Result<Page<RelatedHit>> {
        let type_part = entity_type.map(|t| vec![t.code()]).unwrap_or_default();
        let fingerprint = fnv64(&[b"related", id.as_bytes(), &type_part]);
        let after = match decode_token(&self.secret, fingerprint, page_token)? {
            Some(c) => {
                let (count, other) = c.split_at_checked(8).ok_or_else(invalid_token)?;
                let count: [u8; 8] = count.try_into().map_err(|_| invalid_token())?;
                Some((
                    u64::from_be_bytes(count),
                    String::from_utf8_lossy(other).into_owned(),
                ))
            }
            None => None,
        };
        let mut items = Vec::new();
        let mut next_token = None;
        let after = after.as_ref().map(|(count, id)| (*count, id.as_bytes()));
        blocks::related(&self.tree, self.files(), id, after, |ranked| {
            for (count, other) in ranked {
                let Ok(other) = std::str::from_utf8(other) else {
                    continue;
                };
                let Some(entity) = self.entity(other)? else {
                    continue;
                };
                if entity_type.is_some_and(|t| t != entity.entity_type) {
                    continue;
                }
                if items.len() == page_size {
                    let last: &RelatedHit = &items[items.len() - 1];
                    let mut cursor = last.shared_documents.to_be_bytes().to_vec();
                    cursor.extend_from_slice(last.entity.id.as_bytes());
                    next_token = Some(encode_token(&self.secret, fingerprint, cursor));
                    break;
                }
                items.push(RelatedHit {
                    entity,
                    shared_documents: count,
                });
            }
            Ok(())
        })?;
        Ok(Page { items, next_token })
    }
}
