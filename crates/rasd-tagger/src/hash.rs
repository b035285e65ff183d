//! Stable 64-bit hashes of words and features, and an open-addressing map keyed by them.
//!
//! The model stores no strings: a word is its hash, a feature is the hash of its template and
//! value. The hashes must be the same on every platform and in every build, so they are written
//! here rather than borrowed from a hasher whose output may change between versions.

/// The finalizer of MurmurHash3 (Austin Appleby, public domain): every input bit flips about
/// half of the output bits.
#[inline(always)]
pub fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The hash of a byte string (a normalized word), never 0.
#[inline]
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15 ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    mix(h) | 1
}

/// The key of a feature: a template number and a value (a word hash, a cluster, a class), never 0.
#[inline(always)]
pub fn feature(template: u8, value: u64) -> u64 {
    mix(value ^ (u64::from(template) << 56 | u64::from(template))) | 1
}

/// A map from non-zero `u64` keys to small copyable values: linear probing in a table at most
/// half full, so a lookup reads one or two neighbouring slots.
#[derive(Clone, Debug)]
pub struct U64Map<V> {
    keys: Vec<u64>,
    values: Vec<V>,
    mask: usize,
    len: usize,
}

impl<V: Copy + Default> Default for U64Map<V> {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl<V: Copy + Default> U64Map<V> {
    /// A map that holds `capacity` keys without growing.
    pub fn with_capacity(capacity: usize) -> Self {
        let slots = (capacity.max(4) * 2).next_power_of_two();
        U64Map {
            keys: vec![0; slots],
            values: vec![V::default(); slots],
            mask: slots - 1,
            len: 0,
        }
    }

    #[inline(always)]
    fn slot(&self, key: u64) -> usize {
        // The key is already a good hash; its high bits pick the slot.
        (key >> 20) as usize & self.mask
    }

    /// Inserts or replaces. Keys must not be 0.
    pub fn insert(&mut self, key: u64, value: V) {
        debug_assert_ne!(key, 0);
        if (self.len + 1) * 2 > self.keys.len() {
            self.grow();
        }
        let mut at = self.slot(key);
        loop {
            if self.keys[at] == key {
                self.values[at] = value;
                return;
            }
            if self.keys[at] == 0 {
                self.keys[at] = key;
                self.values[at] = value;
                self.len += 1;
                return;
            }
            at = (at + 1) & self.mask;
        }
    }

    fn grow(&mut self) {
        let old_keys = std::mem::take(&mut self.keys);
        let old_values = std::mem::take(&mut self.values);
        *self = Self::with_capacity(old_keys.len());
        for (key, value) in old_keys.into_iter().zip(old_values) {
            if key != 0 {
                self.insert(key, value);
            }
        }
    }

    /// The value of `key`.
    #[inline(always)]
    pub fn get(&self, key: u64) -> Option<&V> {
        let mut at = self.slot(key);
        loop {
            let k = self.keys[at];
            if k == key {
                return Some(&self.values[at]);
            }
            if k == 0 {
                return None;
            }
            at = (at + 1) & self.mask;
        }
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no key is present.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The entries, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &V)> {
        self.keys
            .iter()
            .zip(&self.values)
            .filter(|(k, _)| **k != 0)
            .map(|(k, v)| (*k, v))
    }

    /// Bytes of memory held by the table.
    pub fn heap_bytes(&self) -> usize {
        self.keys.len() * (8 + std::mem::size_of::<V>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_stable_and_never_zero() {
        assert_eq!(hash_bytes("داعش".as_bytes()), hash_bytes("داعش".as_bytes()));
        assert_ne!(hash_bytes(b"a"), hash_bytes(b"b"));
        assert_ne!(hash_bytes(b""), 0);
        assert_ne!(feature(1, 7), feature(2, 7));
    }

    #[test]
    fn the_map_finds_what_was_inserted_and_grows() {
        let mut map = U64Map::with_capacity(2);
        for i in 1..1000u64 {
            map.insert(mix(i) | 1, i);
        }
        assert_eq!(map.len(), 999);
        for i in 1..1000u64 {
            assert_eq!(map.get(mix(i) | 1), Some(&i));
        }
        assert_eq!(map.get(12345), None);
    }
}
