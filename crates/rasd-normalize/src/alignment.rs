//! The map from the normalized text back to the original text.
//!
//! # Representation
//!
//! The map is a sorted list of *segments*. Each segment starts at a normalized byte offset and
//! an original byte offset and runs to the start of the next segment (the last one runs to the
//! ends of both texts). A segment is one of four shapes:
//!
//! * **linear**: a run of original characters each of which became one normalized character
//!   of the *same* UTF-8 length: copies, and replacements such as أ → ا or ة → ه. Offsets
//!   inside are a constant shift, so a whole paragraph without a length-changing edit is one
//!   segment;
//! * **uniform** `(lo, ln)`: a run of original characters of `lo` bytes each, every one of
//!   which became one character of `ln` bytes (Arabic-Indic digits 2 → 1, presentation forms
//!   3 → 2). Offsets inside are computed;
//! * **opaque**: original characters that produced normalized characters as a block (ﷲ →
//!   الله, a lam-alef ligature → two letters, a letter and a combining hamza composed into one
//!   letter). Any part of the normalized block maps to the whole original block;
//! * **deleted**: original characters that produced nothing (tatweel, harakat, invisibles,
//!   obfuscating dots). The segment has no normalized length; it only marks where the original
//!   characters before it end.
//!
//! A segment costs 12 bytes, and there is one per length-changing edit (on Arabic news, about
//! one every 60 bytes). A bitmap of the character starts of the normalized text (one bit per
//! byte) lets a position that falls inside a normalized character be widened to that
//! character, so results land on character boundaries of the original even for such input.
//!
//! A text of 4 GiB or more (original or normalized) gets a *coarse* map, which sends every
//! non-empty span to the whole original text: still within bounds, on character boundaries and
//! monotone, just not the smallest span.

use std::ops::Range;

/// Shape byte of a deleted segment.
const DELETED: u8 = 0;
/// Shape byte of an opaque segment.
const OPAQUE: u8 = 0xFF;
/// Shape of the builder when no segment is open.
const NONE: u8 = 0xFE;
/// Shape byte of a linear segment.
const LINEAR: u8 = 0xEE;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    norm: u32,
    orig: u32,
    /// [`DELETED`], [`OPAQUE`], [`LINEAR`], or `lo << 4 | ln` for a uniform run.
    shape: u8,
}

/// How offsets inside a segment map.
enum Inner {
    /// A constant shift.
    Linear,
    /// `lo` original bytes per `ln` normalized bytes.
    Uniform(usize, usize),
    /// Not at all: the segment is a block (or has no normalized length).
    Block,
}

impl Segment {
    fn inner(self) -> Inner {
        match self.shape {
            LINEAR => Inner::Linear,
            DELETED | OPAQUE | NONE => Inner::Block,
            s => Inner::Uniform(usize::from(s >> 4), usize::from(s & 0xF)),
        }
    }
}

/// The alignment of a normalized text to its original: maps any span of the normalized text to
/// the smallest span of the original text that produced it.
///
/// All offsets are **UTF-8 byte offsets**; ranges are **half-open** (`start..end`). Convert to
/// UTF-16 code units or code points with [`OffsetIndex`](crate::OffsetIndex) on the text in
/// question.
///
/// Guarantees, for every input (property-tested and fuzzed):
/// * the result of [`to_original`](Self::to_original) lies within `0..original_len()` and its
///   ends are character boundaries of the original text;
/// * the map is monotone: for positions `a <= b` of the normalized text the mapped starts and
///   the mapped ends are in the same order;
/// * every normalized character maps to the original characters it came from; deleted original
///   characters belong to no non-empty normalized span.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Alignment {
    segments: Vec<Segment>,
    /// Bit `p` is set when normalized byte `p` starts a character.
    starts: Vec<u64>,
    normalized_len: usize,
    original_len: usize,
}

impl Alignment {
    /// The identity alignment of a text to itself (what an empty rule set produces).
    pub fn identity(text: &str) -> Self {
        let mut builder = Builder::default();
        for (i, c) in text.char_indices() {
            builder.uniform(i, i, c.len_utf8(), c.len_utf8());
        }
        builder.finish(text, text.len())
    }

    /// Maps a half-open UTF-8 byte range of the normalized text to the smallest half-open
    /// UTF-8 byte range of the original text that produced it, on character boundaries of the
    /// original.
    ///
    /// An empty normalized range `p..p` maps to the empty original range at the start of the
    /// original of the normalized character at `p` (after any deleted characters before it),
    /// or at the end of the original when `p` is the end of the normalized text.
    ///
    /// Out-of-range input is clamped to `0..normalized_len()`, a reversed range is treated as
    /// empty at its start, and a position inside a normalized character is moved to that
    /// character's start (for `start`) or end (for `end`). Never panics.
    pub fn to_original(&self, normalized: Range<usize>) -> Range<usize> {
        let n = self.normalized_len;
        let a = self.floor_start(normalized.start.min(n));
        if normalized.end <= normalized.start || a == n {
            let p = if a == n {
                self.original_len
            } else {
                self.start_of(a)
            };
            return p..p;
        }
        let b = self.ceil_start(normalized.end.min(n)).max(a);
        self.start_of(a)..self.end_of(b)
    }

    /// Length in bytes of the normalized text.
    pub fn normalized_len(&self) -> usize {
        self.normalized_len
    }

    /// Length in bytes of the original text.
    pub fn original_len(&self) -> usize {
        self.original_len
    }

    /// Number of segments stored (12 bytes each).
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// Approximate heap size of the map in bytes: the segments and the character-start bitmap.
    pub fn heap_size(&self) -> usize {
        self.segments.capacity() * std::mem::size_of::<Segment>() + self.starts.capacity() * 8
    }

    fn is_start(&self, p: usize) -> bool {
        self.starts
            .get(p / 64)
            .is_none_or(|w| w >> (p % 64) & 1 == 1)
    }

    /// `p` moved back to the start of the normalized character it falls in.
    fn floor_start(&self, mut p: usize) -> usize {
        while p > 0 && p < self.normalized_len && !self.is_start(p) {
            p -= 1;
        }
        p
    }

    /// `p` moved forward to the end of the normalized character it falls in.
    fn ceil_start(&self, mut p: usize) -> usize {
        while p < self.normalized_len && !self.is_start(p) {
            p += 1;
        }
        p
    }

    /// Whether the text was too long (4 GiB or more) for an exact map; see the type docs.
    pub fn is_coarse(&self) -> bool {
        self.normalized_len > 0 && self.segments.is_empty()
    }

    /// Index of the last segment that starts at or before normalized position `p`.
    fn segment_at(&self, p: usize) -> Option<usize> {
        let i = self.segments.partition_point(|s| s.norm as usize <= p);
        i.checked_sub(1)
    }

    /// Original start of the normalized character containing byte `p` (`p < normalized_len`).
    fn start_of(&self, p: usize) -> usize {
        let Some(i) = self.segment_at(p) else {
            return 0;
        };
        let s = self.segments[i];
        match s.inner() {
            Inner::Linear => s.orig as usize + (p - s.norm as usize),
            Inner::Uniform(lo, ln) => s.orig as usize + (p - s.norm as usize) / ln * lo,
            Inner::Block => s.orig as usize,
        }
    }

    /// Original end of the normalized character containing byte `p - 1` (`0 < p`).
    fn end_of(&self, p: usize) -> usize {
        let Some(i) = self.segment_at(p - 1) else {
            return self.original_len;
        };
        let s = self.segments[i];
        match s.inner() {
            Inner::Linear => s.orig as usize + (p - s.norm as usize),
            Inner::Uniform(lo, ln) => s.orig as usize + ((p - 1 - s.norm as usize) / ln + 1) * lo,
            Inner::Block => self
                .segments
                .get(i + 1)
                .map_or(self.original_len, |next| next.orig as usize),
        }
    }
}

/// Records segments while the engine writes the normalized text.
///
/// The engine reports every original character once, in order, with the normalized offset
/// at which its output starts; the builder merges runs of the same uniform shape and of
/// deletions into single segments.
#[derive(Debug)]
pub(crate) struct Builder {
    segments: Vec<Segment>,
    shape: u8,
    overflow: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            segments: Vec::new(),
            shape: NONE,
            overflow: false,
        }
    }
}

impl Builder {
    /// A builder with room for the segments of an original text of `len` bytes.
    pub(crate) fn with_capacity_for(len: usize) -> Self {
        Builder {
            segments: Vec::with_capacity(len / 64 + 8),
            ..Builder::default()
        }
    }

    #[inline]
    fn push(&mut self, norm: usize, orig: usize, shape: u8) {
        self.shape = shape;
        match (u32::try_from(norm), u32::try_from(orig)) {
            (Ok(norm), Ok(orig)) if !self.overflow => {
                self.segments.push(Segment { norm, orig, shape })
            }
            _ => self.overflow = true,
        }
    }

    /// One original character of `lo` bytes at `orig` became one character of `ln` bytes at
    /// `norm`.
    #[inline]
    pub(crate) fn uniform(&mut self, norm: usize, orig: usize, lo: usize, ln: usize) {
        let shape = if lo == ln {
            LINEAR
        } else {
            (lo as u8) << 4 | ln as u8
        };
        if shape != self.shape {
            self.push(norm, orig, shape);
        }
    }

    /// The original character at `orig` produced nothing; the normalized text is at `norm`.
    #[inline]
    pub(crate) fn delete(&mut self, norm: usize, orig: usize) {
        if self.shape != DELETED {
            self.push(norm, orig, DELETED);
        }
    }

    /// The original characters from `orig` up to the next reported one produced the
    /// normalized text from `norm` up to the next reported position, as one block.
    #[inline]
    pub(crate) fn opaque(&mut self, norm: usize, orig: usize) {
        self.push(norm, orig, OPAQUE);
    }

    /// The last normalized character, which starts at `norm`, is being replaced together with
    /// the original characters reported after it (composition of a letter with a following
    /// combining mark). Turns its segment into an opaque block that reaches up to the next
    /// reported original character.
    pub(crate) fn absorb_last(&mut self, norm: usize) {
        self.shape = OPAQUE;
        if self.overflow {
            return;
        }
        while self.segments.last().is_some_and(|s| s.norm as usize > norm) {
            self.segments.pop();
        }
        let Some(last) = self.segments.last_mut() else {
            return;
        };
        let orig = match last.inner() {
            // Already an opaque block (an expansion ending in the letter): it simply grows.
            Inner::Block => return,
            _ if last.norm as usize == norm => {
                last.shape = OPAQUE;
                return;
            }
            Inner::Linear => last.orig as usize + (norm - last.norm as usize),
            Inner::Uniform(lo, ln) => last.orig as usize + (norm - last.norm as usize) / ln * lo,
        };
        self.push(norm, orig, OPAQUE);
    }

    /// The finished alignment of the normalized text `normalized` to an original text of
    /// `original_len` bytes.
    pub(crate) fn finish(mut self, normalized: &str, original_len: usize) -> Alignment {
        let normalized_len = normalized.len();
        let coarse = self.overflow
            || u32::try_from(normalized_len).is_err()
            || u32::try_from(original_len).is_err();
        let starts = if coarse {
            self.segments = Vec::new();
            Vec::new()
        } else {
            char_starts(normalized)
        };
        // Give back the room reserved up front when most of it went unused.
        if self.segments.capacity() > 2 * self.segments.len() + 16 {
            self.segments.shrink_to_fit();
        }
        Alignment {
            segments: self.segments,
            starts,
            normalized_len,
            original_len,
        }
    }
}

/// The bitmap of character starts of `text`: bit `p` set when byte `p` is not a UTF-8
/// continuation byte (`10xxxxxx`). Eight bytes at a time: the "start" bit of each byte is
/// gathered into one byte with a multiplication.
fn char_starts(text: &str) -> Vec<u64> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const GATHER: u64 = 0x0002_0408_1020_4081;
    let bytes = text.as_bytes();
    let mut bitmap = vec![0u64; bytes.len().div_ceil(64)];
    let mut eights = bytes.chunks_exact(8);
    for (k, eight) in (&mut eights).enumerate() {
        let w = u64::from_le_bytes(<[u8; 8]>::try_from(eight).unwrap_or([0; 8]));
        // Top bit of each byte: set unless the byte is 10xxxxxx.
        let start = (!w | (w << 1)) & HIGH;
        bitmap[k / 8] |= (start.wrapping_mul(GATHER) >> 56) << (8 * (k % 8));
    }
    let base = bytes.len() - eights.remainder().len();
    for (p, &b) in (base..).zip(eights.remainder()) {
        bitmap[p / 64] |= u64::from((b as i8) >= -0x40) << (p % 64);
    }
    bitmap
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_maps_to_itself() {
        let text = "a ب😀c";
        let a = Alignment::identity(text);
        for (i, _) in text.char_indices() {
            for (j, _) in text.char_indices().chain([(text.len(), ' ')]) {
                if i <= j {
                    assert_eq!(a.to_original(i..j), i..j);
                }
            }
        }
        // Inside a character: widened to the character.
        assert_eq!(a.to_original(3..4), 2..4);
        assert_eq!(a.to_original(5..6), 4..8);
        assert_eq!(a.to_original(0..100), 0..text.len());
        assert_eq!(a.to_original(100..200), text.len()..text.len());
    }

    #[test]
    fn empty_alignment() {
        let a = Builder::default().finish("", 0);
        assert_eq!(a.to_original(0..0), 0..0);
        assert_eq!(a.to_original(0..5), 0..0);
        let deleted = {
            let mut b = Builder::default();
            b.delete(0, 0);
            b.finish("", 6)
        };
        assert_eq!(deleted.to_original(0..0), 6..6);
    }

    #[test]
    fn coarse_when_too_long() {
        let mut b = Builder::default();
        b.opaque(0, 0);
        b.opaque(1 << 33, 5);
        let a = b.finish("abcdefgh", 10);
        assert!(a.is_coarse());
        assert_eq!(a.to_original(5..6), 0..10);
    }

    #[test]
    fn char_start_bitmap() {
        let text = "aب😀".repeat(20);
        let starts = char_starts(&text);
        for p in 0..text.len() {
            assert_eq!(
                starts[p / 64] >> (p % 64) & 1 == 1,
                text.is_char_boundary(p),
                "{p}"
            );
        }
    }
}
