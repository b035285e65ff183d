//! Records stored in the tree, encoded with postcard.
//!
//! Every record carries the fields it needs to be read alone. Changing a record's layout means
//! raising [`SCHEMA_VERSION`] and adding a migration in `store.rs`.

use rasd_extract::{Component, EntityType, Mention, Value};
use serde::{Deserialize, Serialize};

/// Version of the record layouts and key spaces written by this build.
///
/// 2: postings carry the document length; impact-ordered postings and document frequencies.
/// 3: postings in blocks, one key per term and write group instead of two per term and
/// document.
/// 4: document numbers; a write group's postings and co-occurrences in one group index,
/// spread and merged in the background into segments with separate columns; documents by
/// entity, type and source as posting lists; one rank key per entity, by rank of its count.
/// 5: segments carry skips into their positions column, so phrases are checked by index.
/// 6: two entity ranks per doubling of the document count instead of sixteen.
/// 7: the group indexes of a run of 16 blocks merged into one group index; segments per term
/// only for runs of 256 blocks.
/// 8: group indexes in files of their own (`index_files.rs`), the `w` keys their pointers.
/// 9: pairs of adjacent common words indexed as terms of their own (`analyzer.rs`).
/// 10: a spread writes the terms with few postings in the unit into shared rare buckets.
/// 11: and the co-occurrence counts of the entities with few partners in the unit.
pub const SCHEMA_VERSION: u32 = 11;

/// The oldest schema this build reads as it is: opening such a store only raises its version.
/// A schema 10 store has a key of its own for every entity's co-occurrences in a unit, which
/// a reader of schema 11 finds as before; older stores are rebuilt from their documents.
pub const READ_AS_IS_SINCE: u32 = 10;

/// The entities mentioned with one entity in the documents of one block: id and number of
/// documents, by id.
pub type BlockRelated = Vec<(String, u64)>;

/// A stored mention. Offsets are UTF-8 bytes of the document text, half-open.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredMention {
    pub start: u32,
    pub end: u32,
    pub entity_type: EntityType,
    pub entity_id: Option<String>,
    pub name_ar: String,
    pub name_en: String,
    pub subtype: String,
    pub location: Option<(f64, f64)>,
    pub value: Option<Value>,
    pub confidence: f32,
    pub component: Component,
}

impl From<&Mention> for StoredMention {
    /// The stored form of an extracted mention: its link's names and place are copied, so a
    /// stored document reads alone.
    fn from(mention: &Mention) -> StoredMention {
        let link = mention.link.as_ref();
        StoredMention {
            start: mention.range.start as u32,
            end: mention.range.end as u32,
            entity_type: mention.entity_type,
            entity_id: link.map(|l| l.id.clone()),
            name_ar: link.map(|l| l.name_ar.clone()).unwrap_or_default(),
            name_en: link.map(|l| l.name_en.clone()).unwrap_or_default(),
            subtype: link.map(|l| l.subtype.clone()).unwrap_or_default(),
            location: link.and_then(|l| l.location),
            value: mention.value.clone(),
            confidence: mention.confidence,
            component: mention.component,
        }
    }
}

/// A document of source `wire` with `text` and `mentions`, for the unit tests of what reads
/// stored documents.
#[cfg(test)]
pub fn test_document(id: &str, text: &str, mentions: Vec<StoredMention>) -> StoredDocument {
    StoredDocument {
        summary: DocSummary {
            id: id.to_owned(),
            title: String::new(),
            source: "wire".to_owned(),
            url: String::new(),
            published_us: None,
            language: "ar".to_owned(),
            created_us: 0,
            text_chars: text.chars().count() as u32,
            mention_count: mentions.len() as u32,
            token_count: text.split_whitespace().count() as u32,
        },
        text: text.to_owned(),
        mentions,
    }
}

/// Metadata of a document, stored apart from its text for listing and filtering.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocSummary {
    pub id: String,
    pub title: String,
    pub source: String,
    pub url: String,
    /// Microseconds since the Unix epoch.
    pub published_us: Option<i64>,
    pub language: String,
    /// Microseconds since the Unix epoch.
    pub created_us: i64,
    /// Length of the text in code points.
    pub text_chars: u32,
    pub mention_count: u32,
    /// Number of search tokens (the BM25 document length).
    pub token_count: u32,
}

/// A document with its text and mentions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredDocument {
    pub summary: DocSummary,
    pub text: String,
    pub mentions: Vec<StoredMention>,
}

/// A linked entity as seen in stored documents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntityStats {
    pub id: String,
    pub entity_type: EntityType,
    pub name_ar: String,
    pub name_en: String,
    pub subtype: String,
    pub location: Option<(f64, f64)>,
    pub mention_count: u64,
    pub document_count: u64,
}

/// An entity added to the knowledge base through the API, or extra names for a built-in one
/// (`extends_builtin`), kept so the knowledge base is rebuilt the same way after a restart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserEntity {
    pub id: String,
    pub entity_type: EntityType,
    pub subtype: String,
    pub name_ar: String,
    pub name_en: String,
    pub aliases: Vec<String>,
    pub wikidata: String,
    pub location: Option<(f64, f64)>,
    /// Only `aliases` count: they are added to the built-in entity with this id.
    pub extends_builtin: bool,
}

/// Collection-wide statistics for BM25.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CorpusStats {
    pub document_count: u64,
    pub token_count: u64,
}

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    postcard::to_stdvec(value).unwrap_or_default()
}

pub fn decode<'a, T: Deserialize<'a>>(key: &[u8], bytes: &'a [u8]) -> crate::Result<T> {
    postcard::from_bytes(bytes).map_err(|e| crate::StoreError::Corrupt {
        key: String::from_utf8_lossy(key).into_owned(),
        detail: e.to_string(),
    })
}
