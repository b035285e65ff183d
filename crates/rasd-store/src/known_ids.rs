//! The ids of stored documents, as Bloom filters: a put of a new id skips the tree lookup.
//!
//! Every put asks whether its id is stored (an idempotent retry, or a conflict). Almost every
//! answer is no, and in a large store the tree lookup that says so misses the cache and reads
//! the disk, on the writer's thread: at 100,000 documents it was a fifth of the writer's time
//! per document. A Bloom filter answers "certainly not stored" from memory; "maybe" (an id
//! that is stored, or a false positive, about one in a hundred) falls back to the tree.
//!
//! The filter may hold ids that are no longer stored (deleted, or staged in a group that
//! failed): they only cost a lookup. It must never lack a stored id, so it is built from the
//! document-number keys when the writer starts and after a rebuild, and every id the writer
//! stages is added before the group is applied.

use crate::keys;
use crate::Result;

/// Bits per id: about 1% false positives with [`HASHES`] hashes.
const BITS_PER_ID: usize = 10;
const HASHES: u64 = 7;
/// Ids the first filter is sized for; each next filter holds twice as many as the last.
const FIRST_CAPACITY: usize = 1 << 18;

/// One fixed-size Bloom filter.
struct Filter {
    bits: Vec<u64>,
    capacity: usize,
    len: usize,
}

impl Filter {
    fn with_capacity(capacity: usize) -> Filter {
        let words = (capacity * BITS_PER_ID).div_ceil(64).max(1);
        Filter {
            bits: vec![0; words],
            capacity,
            len: 0,
        }
    }

    /// The bit positions of an id: double hashing over two 64-bit hashes.
    fn positions(&self, (h1, h2): (u64, u64)) -> impl Iterator<Item = usize> {
        let n = (self.bits.len() * 64) as u64;
        (0..HASHES).map(move |i| (h1.wrapping_add(i.wrapping_mul(h2)) % n) as usize)
    }

    fn insert(&mut self, hashes: (u64, u64)) {
        for bit in self.positions(hashes) {
            self.bits[bit / 64] |= 1 << (bit % 64);
        }
        self.len += 1;
    }

    fn may_contain(&self, hashes: (u64, u64)) -> bool {
        self.positions(hashes)
            .all(|bit| self.bits[bit / 64] & (1 << (bit % 64)) != 0)
    }
}

/// Document ids that may be stored; see the module documentation.
pub struct KnownIds {
    /// Oldest first; ids go into the last, a new one is added when it is full.
    filters: Vec<Filter>,
}

fn hashes(id: &[u8]) -> (u64, u64) {
    let h1 = crate::page::fnv64(&[id]);
    // A second, independent hash: the first remixed (splitmix64's finalizer), made odd so
    // that the steps of double hashing cover the table.
    let mut h2 = h1 ^ 0x9E37_79B9_7F4A_7C15;
    h2 = (h2 ^ (h2 >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h2 = (h2 ^ (h2 >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (h1, (h2 ^ (h2 >> 31)) | 1)
}

impl KnownIds {
    /// The ids of every document stored in `tree`.
    pub fn load(tree: &sled::Tree) -> Result<KnownIds> {
        let mut known = KnownIds {
            filters: Vec::new(),
        };
        for entry in tree.scan_prefix([keys::DOC_NUMBER]) {
            let (key, _) = entry?;
            known.insert(&key[1..]);
        }
        Ok(known)
    }

    /// Records an id as maybe stored.
    pub fn insert(&mut self, id: &[u8]) {
        let full = self.filters.last().is_none_or(|f| f.len >= f.capacity);
        if full {
            let capacity = self
                .filters
                .last()
                .map_or(FIRST_CAPACITY, |f| f.capacity * 2);
            self.filters.push(Filter::with_capacity(capacity));
        }
        if let Some(filter) = self.filters.last_mut() {
            filter.insert(hashes(id));
        }
    }

    /// Number of ids recorded.
    pub fn len(&self) -> usize {
        self.filters.iter().map(|f| f.len).sum()
    }

    /// False when `id` is certainly not stored.
    pub fn may_contain(&self, id: &[u8]) -> bool {
        let hashes = hashes(id);
        self.filters.iter().any(|f| f.may_contain(hashes))
    }

    /// Memory held by the filters, in bytes.
    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.filters.iter().map(|f| f.bits.len() * 8).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_forgets_an_id_and_rarely_claims_one() {
        let mut known = KnownIds {
            filters: Vec::new(),
        };
        let ids: Vec<String> = (0..600_000).map(|i| format!("r3-doc-{i}")).collect();
        for id in &ids {
            known.insert(id.as_bytes());
        }
        assert!(ids.iter().all(|id| known.may_contain(id.as_bytes())));
        let false_positives = (0..100_000)
            .filter(|i| known.may_contain(format!("other-{i}").as_bytes()))
            .count();
        assert!(false_positives < 2_000, "{false_positives} in 100,000");
        // Two filters (2^18 and 2^19 ids) at 10 bits an id.
        assert_eq!(known.filters.len(), 2);
        assert!(known.bytes() < 2 << 20, "{}", known.bytes());
    }

    #[test]
    fn loads_the_stored_document_numbers() {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let tree = db.open_tree("t").unwrap();
        tree.insert(keys::key(keys::DOC_NUMBER, &[b"a"]), &[0u8; 8])
            .unwrap();
        tree.insert(keys::key(keys::DOC, &[b"b"]), &[]).unwrap();
        let known = KnownIds::load(&tree).unwrap();
        assert!(known.may_contain(b"a"));
        assert!(!known.may_contain(b"b"));
    }
}
