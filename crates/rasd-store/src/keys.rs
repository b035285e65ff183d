//! The keyspaces of the single sled tree.
//!
//! Every record lives in one tree so that a batch of writes (a document and all its index
//! entries) is applied atomically by `Tree::apply_batch`. Keys start with a one-byte keyspace
//! tag; variable-length parts are separated by `0x00`, which ids never contain.

/// `d` + doc id → [`crate::record::StoredDocument`].
pub const DOC: u8 = b'd';
/// `s` + doc id → [`crate::record::DocSummary`].
pub const SUMMARY: u8 = b's';
/// `p` + published (order-preserving i64) + doc id → () : documents by publication time.
pub const BY_TIME: u8 = b'p';
/// `e` + entity id → [`crate::record::EntityStats`].
pub const ENTITY: u8 = b'e';
/// `k` + type code + 0 + inverted rank of the document count (`index::rank_bucket`) + 0 +
/// entity id → () : entities by type and document count (every type: a merge of the walks of
/// each type; the entities of one rank are ordered by their exact count when listed).
pub const ENTITY_RANK_BY_TYPE: u8 = b'k';
/// `r` + entity id + 0 + first block (8 bytes, big-endian) → [`crate::record::BlockRelated`]:
/// the entities mentioned with it in the documents of a run of blocks, with their shared counts
/// (for an entity with fewer than `blocks::RARE_RELATED` of them in the run, an entry of the
/// run's rare bucket instead: see `BLOCK`).
pub const RELATED: u8 = b'r';
/// `u` + entity id → [`crate::record::UserEntity`]: the knowledge base's additions.
pub const USER_ENTITY: u8 = b'u';
/// `b` + search term + 0 + first block (8 bytes, big-endian) → a postings segment (see
/// `segment.rs`): the term's postings in the documents of a run of 256 blocks, spread from
/// group indexes by `compaction.rs`. And `b` + rare bucket name (U+0003 and three hex digits,
/// `blocks::rare_bucket`) + 0 + the run's first block → a directory like a group index's of the
/// segments of the run's terms with fewer than `blocks::RARE_POSTINGS` postings that hash there,
/// and of the co-occurrence counts (named `blocks::related_entry`) of its entities with fewer
/// than `blocks::RARE_RELATED` partners that hash there.
pub const BLOCK: u8 = b'b';
/// `w` + block (8 bytes, big-endian) → a pointer to the file (`index_files.rs`) of the postings
/// and co-occurrence counts of one write group behind a directory (see `group_index.rs`), or of
/// a run of 16 blocks merged into one by `compaction.rs` (under its first block), until it
/// spreads them into `b` and `r` keys.
pub const GROUP_INDEX: u8 = b'w';
/// `n` + doc id → the document number (8 bytes, big-endian; its block in the high 32 bits).
pub const DOC_NUMBER: u8 = b'n';
/// `x` + document number (8 bytes, big-endian) → doc id.
pub const DOC_ID: u8 = b'x';
/// `v` + level (1 byte) + first block (8 bytes, big-endian) → () : a run of blocks of that
/// level written and not merged into the next level yet (see `compaction.rs`).
pub const UNIT: u8 = b'v';
/// Retired keyspaces, named only by a rebuild, to delete them: after schema 2, one posting key
/// per term and document (`t`), postings by impact (`i`) and document frequencies (`f`); after
/// schema 3, documents by entity (`m`), by type (`y`) and by source (`o`), which are posting
/// lists now, and entities by document count over all types (`c`), a merge of the per-type
/// ranks now.
pub const RETIRED: &[u8] = b"tifmyoc";
// `g` + name → global records: `gschema` (schema version), `gsecret` (page-token key),
// `gcorpus` (collection statistics), `gblock` (the next block number).
// Schema 3 postings (`b`, whole ids in postcard) are replaced by a rebuild, like retired ones.

/// A key made of a tag and parts separated by 0.
pub fn key(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    let len = 1 + parts.iter().map(|p| p.len() + 1).sum::<usize>();
    let mut out = Vec::with_capacity(len);
    out.push(tag);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(0);
        }
        out.extend_from_slice(part);
    }
    out
}

/// The prefix of every key `tag + part + 0 + …`.
pub fn prefix(tag: u8, part: &[u8]) -> Vec<u8> {
    let mut out = key(tag, &[part]);
    out.push(0);
    out
}

/// An i64 encoded so that byte order is numeric order.
pub fn ordered_i64(value: i64) -> [u8; 8] {
    ((value as u64) ^ (1 << 63)).to_be_bytes()
}

/// The inverse of [`ordered_i64`].
#[cfg(test)]
pub fn decode_ordered_i64(bytes: [u8; 8]) -> i64 {
    (u64::from_be_bytes(bytes) ^ (1 << 63)) as i64
}

/// A count encoded so that larger counts sort first.
pub fn inverted_count(count: u64) -> [u8; 8] {
    (u64::MAX - count).to_be_bytes()
}

/// The smallest key strictly greater than every key starting with `prefix`.
pub fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return end;
        }
    }
    vec![u8::MAX; prefix.len() + 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_i64_sorts_numerically() {
        let values = [i64::MIN, -5, -1, 0, 1, 7, i64::MAX];
        for pair in values.windows(2) {
            assert!(ordered_i64(pair[0]) < ordered_i64(pair[1]));
            assert_eq!(decode_ordered_i64(ordered_i64(pair[0])), pair[0]);
        }
    }

    #[test]
    fn inverted_count_sorts_descending() {
        assert!(inverted_count(10) < inverted_count(2));
    }

    #[test]
    fn prefix_end_bounds_the_prefix() {
        let p = prefix(BLOCK, "داعش".as_bytes());
        let end = prefix_end(&p);
        let inside = key(BLOCK, &["داعش".as_bytes(), b"zzzz"]);
        assert!(inside > p && inside < end);
    }
}
