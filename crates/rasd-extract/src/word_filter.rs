//! A Bloom filter over words, the first question every component asks of every word.
//!
//! Most words of a news text are in none of the pipeline's word lists (names, number words,
//! months, units, heads): a filter that answers "certainly not" for those in a few instructions
//! and one cache line saves a hash-table lookup or a trie walk per word. The hash reads the first
//! and the last eight bytes of the word and its length, and multiplies once: enough to spread
//! words that share a prefix («ال…») or a suffix («…ة»), much cheaper than hashing every byte.
//! Two bits a word, from the two halves of the product.

/// A Bloom filter of 2^`BITS_LOG2` bits with two bits a word.
#[derive(Clone)]
pub struct WordFilter {
    bits: Box<[u64]>,
    shift: u32,
}

impl std::fmt::Debug for WordFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordFilter")
            .field("bits", &(self.bits.len() * 64))
            .finish()
    }
}

impl Default for WordFilter {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl WordFilter {
    /// An empty filter sized for about `words` words: 32 bits a word (a false positive in about
    /// 200 absent words), at least 2^12 bits.
    pub fn with_capacity(words: usize) -> Self {
        let bits_log2 = (words.max(1) * 32)
            .next_power_of_two()
            .trailing_zeros()
            .max(12);
        WordFilter {
            bits: vec![0; (1 << bits_log2) / 64].into_boxed_slice(),
            shift: 64 - bits_log2,
        }
    }

    /// A filter of `words`.
    pub fn of<'w>(words: impl IntoIterator<Item = &'w str> + Clone) -> Self {
        let mut filter = Self::with_capacity(words.clone().into_iter().count());
        for word in words {
            filter.insert(word);
        }
        filter
    }

    pub fn insert(&mut self, word: &str) {
        for bit in self.positions(word) {
            self.bits[bit / 64] |= 1 << (bit % 64);
        }
    }

    /// False when `word` was certainly not inserted.
    #[inline]
    pub fn may_contain(&self, word: &str) -> bool {
        self.positions(word)
            .iter()
            .all(|&bit| self.bits[bit / 64] & (1 << (bit % 64)) != 0)
    }

    #[inline]
    fn positions(&self, word: &str) -> [usize; 2] {
        let hash = word_hash(word.as_bytes());
        let mask = (self.bits.len() * 64) - 1;
        [(hash >> self.shift) as usize, (hash as usize >> 7) & mask]
    }
}

/// The first and last eight bytes (fewer for a shorter word) and the length, mixed by one
/// multiplication.
#[inline]
fn word_hash(word: &[u8]) -> u64 {
    let n = word.len();
    let (head, tail) = if n >= 8 {
        (read_u64(&word[..8]), read_u64(&word[n - 8..]))
    } else if n >= 4 {
        (
            u64::from(read_u32(&word[..4])),
            u64::from(read_u32(&word[n - 4..])),
        )
    } else {
        let mut small = 0u64;
        for &b in word {
            small = small << 8 | u64::from(b);
        }
        (small, 0)
    };
    (head ^ tail.rotate_left(29) ^ (n as u64) << 58)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(17)
        .wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
}

#[inline]
fn read_u64(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes[..8].try_into().unwrap_or_default())
}

#[inline]
fn read_u32(bytes: &[u8]) -> u32 {
    u32::from_le_bytes(bytes[..4].try_into().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_false_negatives_and_few_false_positives() {
        let words: Vec<String> = (0..5000).map(|i| format!("الكلمة{i}")).collect();
        let filter = WordFilter::of(words.iter().map(String::as_str));
        assert!(words.iter().all(|w| filter.may_contain(w)));
        let absent = (0..20_000)
            .map(|i| format!("كلمة أخرى {i}"))
            .filter(|w| filter.may_contain(w))
            .count();
        assert!(absent < 400, "{absent} false positives in 20000");
        for short in ["", "a", "ب", "abc", "abcdefg"] {
            let filter = WordFilter::of([short]);
            assert!(filter.may_contain(short));
        }
    }
}
