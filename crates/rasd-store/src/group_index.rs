//! The postings of one write group in one value: every term's segment behind a sorted
//! directory.
//!
//! The tree's cost is per key, and most of a group's terms are rare: a group of a few hundred
//! documents has some ten thousand distinct terms, most of them in one or two documents. So the
//! writer stores a group's postings as one value, in a file whose pointer is under `w` + block
//! (`index_files.rs`), and `compaction.rs` later merges the groups of a run of 16 blocks into one
//! group index of the same form (under the run's first block), then spreads runs of 256 blocks into
//! one segment per term, where a term found in many of the groups costs one key instead of one per
//! group. A search reads the few group indexes not spread yet and finds its term by binary search
//! in each directory. The group's co-occurrence counts are entries of the same directory, named
//! U+0002 + entity id (`blocks::related_entry`).
//!
//! ```text
//! count (u32 LE) · count offsets (u32 LE) into the entries · entries
//! entry: term length (varint) · term · segment length (varint) · segment (see `segment.rs`)
//! ```

use std::ops::Range;

use crate::segment::{get_varint, put_varint};

/// Encodes the segments of a group, given in term order (empty ones are left out).
pub fn encode<T: AsRef<str>>(terms: impl IntoIterator<Item = (T, Vec<u8>)>) -> Vec<u8> {
    let mut writer = Writer::default();
    for (term, segment) in terms {
        writer.push(term.as_ref(), &[&segment]);
    }
    writer.finish()
}

/// Builds a group index entry by entry, without a buffer per segment.
#[derive(Default)]
pub struct Writer {
    offsets: Vec<u32>,
    entries: Vec<u8>,
    /// Entries given whole at the start, put among the pushed ones by name; last first.
    pending: Vec<(String, Vec<u8>)>,
}

impl Writer {
    /// A writer that puts `entries` (names in order, values encoded) among the entries pushed
    /// later, in name order: a group's co-occurrence counts among its terms' segments.
    pub fn with_entries(mut entries: Vec<(String, Vec<u8>)>) -> Writer {
        entries.reverse();
        Writer {
            pending: entries,
            ..Writer::default()
        }
    }

    /// Makes room for `bytes` more bytes of entries: a group index is megabytes, and growing
    /// its buffer by doubling copies it again and again.
    pub fn reserve(&mut self, bytes: usize) {
        self.entries.reserve(bytes);
    }

    /// Adds the entry of `term`, whose segment is `parts` end to end; terms must come in
    /// order, and an empty segment is left out.
    pub fn push(&mut self, term: &str, parts: &[&[u8]]) {
        while let Some((name, value)) = self.pending.pop_if(|(name, _)| name.as_str() < term) {
            self.append(&name, &[&value]);
        }
        self.append(term, parts);
    }

    fn append(&mut self, term: &str, parts: &[&[u8]]) {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        if len == 0 {
            return;
        }
        self.offsets.push(self.entries.len() as u32);
        put_varint(&mut self.entries, term.len() as u64);
        self.entries.extend_from_slice(term.as_bytes());
        put_varint(&mut self.entries, len as u64);
        for part in parts {
            self.entries.extend_from_slice(part);
        }
    }

    pub fn finish(mut self) -> Vec<u8> {
        while let Some((name, value)) = self.pending.pop() {
            self.append(&name, &[&value]);
        }
        let mut out = Vec::with_capacity(4 + 4 * self.offsets.len() + self.entries.len());
        out.extend_from_slice(&(self.offsets.len() as u32).to_le_bytes());
        for offset in self.offsets {
            out.extend_from_slice(&offset.to_le_bytes());
        }
        out.extend_from_slice(&self.entries);
        out
    }
}

/// A parsed group index, borrowing its bytes.
#[derive(Clone, Copy, Debug)]
pub struct GroupIndex<'a> {
    bytes: &'a [u8],
    count: usize,
    /// Where the entries start in `bytes`.
    entries: usize,
}

impl<'a> GroupIndex<'a> {
    pub fn parse(bytes: &'a [u8]) -> Option<GroupIndex<'a>> {
        let count = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
        let entries = count.checked_mul(4)?.checked_add(4)?;
        if entries > bytes.len() {
            return None;
        }
        Some(GroupIndex {
            bytes,
            count,
            entries,
        })
    }

    pub fn len(&self) -> usize {
        self.count
    }

    /// The term of entry `i` and the byte range of its segment in the parsed bytes.
    pub fn entry(&self, i: usize) -> Option<(&'a str, Range<usize>)> {
        let at = 4 + 4 * i;
        let offset = u32::from_le_bytes(self.bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let mut at = self.entries.checked_add(offset)?;
        let term_len = usize::try_from(get_varint(self.bytes, &mut at)?).ok()?;
        let term = self.bytes.get(at..at.checked_add(term_len)?)?;
        at += term_len;
        let segment_len = usize::try_from(get_varint(self.bytes, &mut at)?).ok()?;
        let end = at.checked_add(segment_len)?;
        self.bytes.get(at..end)?;
        Some((std::str::from_utf8(term).ok()?, at..end))
    }

    /// The byte range of `term`'s segment; `Ok(None)` when the group does not have the term,
    /// `Err(())` when the index is corrupt.
    pub fn find(&self, term: &str) -> Result<Option<Range<usize>>, ()> {
        let (mut low, mut high) = (0, self.count);
        while low < high {
            let mid = (low + high) / 2;
            let (found, range) = self.entry(mid).ok_or(())?;
            match found.cmp(term) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Ok(Some(range)),
            }
        }
        Ok(None)
    }

    /// Every term with the byte range of its segment, in term order; `None` items mean
    /// corruption.
    pub fn entries(&self) -> impl Iterator<Item = Option<(&'a str, Range<usize>)>> + 'a {
        let this = *self;
        (0..this.count).map(move |i| this.entry(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{Segment, SegmentBuilder};
    use std::collections::BTreeMap;

    fn index(terms: &[(&str, &[u64])]) -> Vec<u8> {
        let mut map = BTreeMap::new();
        for (term, docs) in terms {
            let mut builder = SegmentBuilder::default();
            for &doc in *docs {
                builder.push(doc, doc as u16, &[doc as u32]);
            }
            let bytes = if builder.is_empty() {
                Vec::new()
            } else {
                builder.finish()
            };
            map.insert(*term, bytes);
        }
        encode(map)
    }

    fn docs(bytes: &[u8], range: Range<usize>) -> Vec<u64> {
        let (mut docs, mut impacts) = (Vec::new(), Vec::new());
        Segment::parse(&bytes[range])
            .unwrap()
            .decode_into(&mut docs, &mut impacts)
            .unwrap();
        docs
    }

    #[test]
    fn terms_are_found_by_binary_search() {
        let bytes = index(&[
            ("داعش", &[1, 5, 9]),
            ("a", &[2]),
            ("دير", &[3, 4]),
            ("empty", &[]),
        ]);
        let group = GroupIndex::parse(&bytes).unwrap();
        assert_eq!(group.len(), 3, "an empty segment is not written");
        assert_eq!(
            docs(&bytes, group.find("داعش").unwrap().unwrap()),
            [1, 5, 9]
        );
        assert_eq!(docs(&bytes, group.find("a").unwrap().unwrap()), [2]);
        assert_eq!(docs(&bytes, group.find("دير").unwrap().unwrap()), [3, 4]);
        assert_eq!(group.find("b").unwrap(), None);
        assert_eq!(group.find("").unwrap(), None);
        let terms: Vec<&str> = group.entries().map(|e| e.unwrap().0).collect();
        assert_eq!(terms, ["a", "داعش", "دير"]);
    }

    #[test]
    fn truncated_indexes_are_errors_not_panics() {
        let bytes = index(&[("داعش", &[1, 5, 9]), ("a", &[2])]);
        for cut in 0..bytes.len() {
            if let Some(group) = GroupIndex::parse(&bytes[..cut]) {
                let _ = group.find("داعش");
                let _ = group.entries().collect::<Vec<_>>();
            }
        }
        assert!(GroupIndex::parse(&[]).is_none());
    }
}
