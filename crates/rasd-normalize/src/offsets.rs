//! Conversion of UTF-8 byte offsets to UTF-16 code units and code points, and back.

/// The unit of a text offset.
///
/// Internally every span is in UTF-8 bytes; clients (Java, JavaScript, Python) often want
/// UTF-16 code units or code points, which [`OffsetIndex`] converts to.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum OffsetUnit {
    /// UTF-8 bytes (Rust, Go, C).
    #[default]
    Utf8Byte,
    /// UTF-16 code units (Java, JavaScript, C#): characters beyond the BMP count two.
    Utf16CodeUnit,
    /// Unicode code points, i.e. Rust `char`s (Python `str` indices).
    CodePoint,
}

/// Bytes per checkpoint of the index.
const BLOCK: usize = 64;

/// Converts UTF-8 byte offsets of one text to the other [`OffsetUnit`]s and back.
///
/// Built in O(n) (a single pass that counts characters per 64-byte block); every query is
/// O(1) from a byte offset and O(log n) to a byte offset, scanning at most 64 bytes. An ASCII
/// text needs no table at all. Memory: two `usize` per 64 bytes of text.
#[derive(Clone, Debug)]
pub struct OffsetIndex<'a> {
    text: &'a str,
    /// For block `k`: (code points, UTF-16 code units) of the characters that start before
    /// byte `k * BLOCK`. Empty when the text is ASCII.
    checkpoints: Vec<(usize, usize)>,
    code_points: usize,
    utf16_units: usize,
}

impl<'a> OffsetIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        if text.is_ascii() {
            return OffsetIndex {
                text,
                checkpoints: Vec::new(),
                code_points: text.len(),
                utf16_units: text.len(),
            };
        }
        let mut checkpoints = Vec::with_capacity(text.len() / BLOCK + 1);
        let (mut cps, mut units) = (0usize, 0usize);
        for chunk in text.as_bytes().chunks(BLOCK) {
            checkpoints.push((cps, units));
            let (c, u) = count(chunk);
            cps += c;
            units += u;
        }
        OffsetIndex {
            text,
            checkpoints,
            code_points: cps,
            utf16_units: units,
        }
    }

    /// The indexed text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Length of the text in `unit`.
    pub fn len(&self, unit: OffsetUnit) -> usize {
        match unit {
            OffsetUnit::Utf8Byte => self.text.len(),
            OffsetUnit::Utf16CodeUnit => self.utf16_units,
            OffsetUnit::CodePoint => self.code_points,
        }
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The offset in `unit` of UTF-8 byte offset `byte_offset`.
    ///
    /// `byte_offset` should be a character boundary; an offset past the end is clamped to the
    /// end, and an offset inside a character is moved back to the start of that character.
    pub fn from_byte(&self, byte_offset: usize, unit: OffsetUnit) -> usize {
        let mut b = byte_offset.min(self.text.len());
        while !self.text.is_char_boundary(b) {
            b -= 1;
        }
        if unit == OffsetUnit::Utf8Byte || self.checkpoints.is_empty() {
            return b;
        }
        let k = b / BLOCK;
        let start = k * BLOCK;
        let (cps, units) = self
            .checkpoints
            .get(k)
            .copied()
            .unwrap_or((self.code_points, self.utf16_units));
        let (c, u) = count(&self.text.as_bytes()[start.min(b)..b]);
        match unit {
            OffsetUnit::CodePoint => cps + c,
            _ => units + u,
        }
    }

    /// The UTF-8 byte offset of `offset` in `unit`, or `None` when it is past the end of the
    /// text or falls inside a character (a byte offset inside a multi-byte sequence, or a
    /// UTF-16 offset between the two halves of a surrogate pair).
    pub fn to_byte(&self, offset: usize, unit: OffsetUnit) -> Option<usize> {
        if offset > self.len(unit) {
            return None;
        }
        match unit {
            OffsetUnit::Utf8Byte => self.text.is_char_boundary(offset).then_some(offset),
            _ if self.checkpoints.is_empty() => Some(offset),
            _ => {
                let pick = |&(cps, units): &(usize, usize)| {
                    if unit == OffsetUnit::CodePoint {
                        cps
                    } else {
                        units
                    }
                };
                // The last block whose first checkpoint is at or before `offset`.
                let k = self
                    .checkpoints
                    .partition_point(|cp| pick(cp) <= offset)
                    .saturating_sub(1);
                let mut at = pick(&self.checkpoints[k]);
                let mut byte = k * BLOCK;
                // The block may begin inside a character: skip to its first boundary.
                while !self.text.is_char_boundary(byte) {
                    byte += 1;
                }
                for c in self.text[byte..].chars() {
                    if at >= offset {
                        break;
                    }
                    at += if unit == OffsetUnit::Utf16CodeUnit {
                        c.len_utf16()
                    } else {
                        1
                    };
                    byte += c.len_utf8();
                }
                (at == offset).then_some(byte)
            }
        }
    }
}

/// (code points, UTF-16 code units) of the characters that *start* in `bytes`.
///
/// Counted in byte-wide lanes, 255 bytes at a time (a lane cannot overflow), which the compiler
/// turns into vector code: over ten times as fast as counting into `usize` lanes.
fn count(bytes: &[u8]) -> (usize, usize) {
    let mut cps = 0;
    let mut extra = 0;
    for chunk in bytes.chunks(255) {
        let (mut c, mut e) = (0u8, 0u8);
        for &b in chunk {
            c += u8::from(b & 0xC0 != 0x80);
            e += u8::from(b >= 0xF0);
        }
        cps += usize::from(c);
        extra += usize::from(e);
    }
    (cps, cps + extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_all(text: &str) {
        let index = OffsetIndex::new(text);
        let mut cps = 0;
        let mut units = 0;
        for (b, c) in text.char_indices().chain([(text.len(), '\0')]) {
            assert_eq!(index.from_byte(b, OffsetUnit::Utf8Byte), b);
            assert_eq!(index.from_byte(b, OffsetUnit::CodePoint), cps);
            assert_eq!(index.from_byte(b, OffsetUnit::Utf16CodeUnit), units);
            assert_eq!(index.to_byte(cps, OffsetUnit::CodePoint), Some(b));
            assert_eq!(index.to_byte(units, OffsetUnit::Utf16CodeUnit), Some(b));
            assert_eq!(index.to_byte(b, OffsetUnit::Utf8Byte), Some(b));
            if b < text.len() && c.len_utf16() == 2 {
                assert_eq!(index.to_byte(units + 1, OffsetUnit::Utf16CodeUnit), None);
            }
            cps += 1;
            units += c.len_utf16();
        }
        assert_eq!(index.to_byte(cps, OffsetUnit::CodePoint), None);
        assert_eq!(index.to_byte(units, OffsetUnit::Utf16CodeUnit), None);
    }

    #[test]
    fn ascii_arabic_and_astral() {
        check_all("");
        check_all("hello world");
        check_all("قال مصدر «لداعش» 😀 في 𝐀 الرقة");
        check_all(&"ب😀a".repeat(100));
    }

    #[test]
    fn clamps_and_rejects() {
        let text = "aبc";
        let index = OffsetIndex::new(text);
        assert_eq!(index.from_byte(2, OffsetUnit::CodePoint), 1);
        assert_eq!(index.from_byte(99, OffsetUnit::CodePoint), 3);
        assert_eq!(index.to_byte(2, OffsetUnit::Utf8Byte), None);
        assert_eq!(index.to_byte(9, OffsetUnit::CodePoint), None);
        assert_eq!(index.len(OffsetUnit::Utf8Byte), 4);
        assert_eq!(index.len(OffsetUnit::CodePoint), 3);
    }
}
