//! The encoding of a posting list segment: the postings of one term over a run of blocks.
//!
//! A segment is read far more often than it is written, and most reads need only document
//! numbers and impacts (a phrase needs positions, and only for the documents that have every
//! word). So the columns are stored apart:
//!
//! ```text
//! count (varint) · length of the documents column (varint)
//! documents: document numbers, ascending, as varint deltas (the first from 0)
//! impacts:   count × u16 little-endian (the BM25 tf part, see `scoring.rs`)
//! skips:     (count - 1) / 16 × u32 little-endian: where the positions of postings
//!            16, 32, … start in the positions column
//! positions: per posting, tf (varint) then tf ascending positions as varint deltas
//! ```
//!
//! A phrase is checked on the best-ranked documents first, in no order of the column, so the
//! positions of the posting at index `i` are found from the skip before it and at most 15
//! postings stepped over ([`Segment::positions_at`]), never by walking the column from its
//! start. A posting's positions are self-contained, so segments merge by concatenating the
//! postings (the documents' deltas and the skips are recomputed). Decoding never panics: a
//! truncated or malformed segment reads as `None`, which callers report as corruption.

/// Appends `value` as an unsigned LEB128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads a varint at `*at`, advancing it; `None` when truncated or longer than 10 bytes.
#[inline(always)]
pub fn get_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    // Most deltas between document numbers of one block fit a byte: that case is inlined into
    // the decoding loops, the rest is a call.
    let first = *bytes.get(*at)?;
    if first < 0x80 {
        *at += 1;
        return Some(u64::from(first));
    }
    get_long_varint(bytes, at)
}

#[cold]
#[inline(never)]
fn get_long_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..70).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte < 0x80 {
            return Some(value);
        }
    }
    None
}

/// Builds a segment from postings pushed in ascending document order.
#[derive(Default)]
pub struct SegmentBuilder {
    count: u64,
    last: Option<u64>,
    docs: Vec<u8>,
    impacts: Vec<u8>,
    skips: Vec<u8>,
    positions: Vec<u8>,
}

/// Postings between two skips: finding a posting's positions steps over 8 others on average,
/// for a quarter of a byte per posting.
const SKIP: usize = 16;

impl SegmentBuilder {
    /// Adds a posting; `doc` must be greater than every document pushed before.
    #[cfg(test)]
    pub fn push(&mut self, doc: u64, impact: u16, positions: &[u32]) {
        self.push_raw(doc, impact, &encode_positions(positions));
    }

    /// Adds a posting whose positions are already encoded ([`encode_positions_into`]).
    pub fn push_raw(&mut self, doc: u64, impact: u16, raw_positions: &[u8]) {
        debug_assert!(self.last.is_none_or(|last| doc > last));
        put_varint(&mut self.docs, doc - self.last.unwrap_or(0));
        self.last = Some(doc);
        self.impacts.extend_from_slice(&impact.to_le_bytes());
        if self.count > 0 && self.count.is_multiple_of(SKIP as u64) {
            // A column past 4 GiB cannot be a sled value; the skip would only be wrong there.
            let at = u32::try_from(self.positions.len()).unwrap_or(u32::MAX);
            self.skips.extend_from_slice(&at.to_le_bytes());
        }
        self.positions.extend_from_slice(raw_positions);
        self.count += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Number of postings pushed.
    pub fn len(&self) -> usize {
        self.count as usize
    }

    pub fn finish(self) -> Vec<u8> {
        let mut header = Vec::new();
        self.parts(&mut header).concat()
    }

    /// The segment's bytes as parts to write end to end, its header written into `header`:
    /// a builder reused with [`SegmentBuilder::clear`] encodes many segments without a buffer
    /// of its own for each.
    pub fn parts<'a>(&'a self, header: &'a mut Vec<u8>) -> [&'a [u8]; 5] {
        header.clear();
        put_varint(header, self.count);
        put_varint(header, self.docs.len() as u64);
        [
            header,
            &self.docs,
            &self.impacts,
            &self.skips,
            &self.positions,
        ]
    }

    /// Empties the builder, keeping its buffers.
    pub fn clear(&mut self) {
        self.count = 0;
        self.last = None;
        self.docs.clear();
        self.impacts.clear();
        self.skips.clear();
        self.positions.clear();
    }
}

/// A parsed segment, borrowing its bytes.
#[derive(Clone, Copy, Debug)]
pub struct Segment<'a> {
    count: usize,
    docs: &'a [u8],
    impacts: &'a [u8],
    skips: &'a [u8],
    positions: &'a [u8],
}

/// One posting of a segment, positions still encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    pub doc: u64,
    pub impact: u16,
    pub raw_positions: &'a [u8],
}

impl<'a> Segment<'a> {
    pub fn parse(bytes: &'a [u8]) -> Option<Segment<'a>> {
        let mut at = 0;
        let count = usize::try_from(get_varint(bytes, &mut at)?).ok()?;
        let docs_len = usize::try_from(get_varint(bytes, &mut at)?).ok()?;
        let docs = bytes.get(at..at.checked_add(docs_len)?)?;
        at += docs_len;
        let impacts = bytes.get(at..at.checked_add(count.checked_mul(2)?)?)?;
        at += impacts.len();
        let skips_len = count.saturating_sub(1) / SKIP * 4;
        let skips = bytes.get(at..at.checked_add(skips_len)?)?;
        at += skips_len;
        Some(Segment {
            count,
            docs,
            impacts,
            skips,
            positions: &bytes[at..],
        })
    }

    /// The encoded positions of the posting at `index` (in document order); `None` when the
    /// index is out of range or the segment is corrupt.
    pub fn positions_at(&self, index: usize) -> Option<&'a [u8]> {
        if index >= self.count {
            return None;
        }
        let mut at = match index / SKIP {
            0 => 0,
            k => {
                let skip = self.skips.get(4 * (k - 1)..4 * k)?;
                u32::from_le_bytes(skip.try_into().ok()?) as usize
            }
        };
        for _ in 0..index % SKIP {
            at = skip_positions(self.positions, at)?;
        }
        let end = skip_positions(self.positions, at)?;
        self.positions.get(at..end)
    }

    pub fn len(&self) -> usize {
        self.count
    }

    /// Appends the document numbers and impacts to `docs` and `impacts`.
    pub fn decode_into(&self, docs: &mut Vec<u64>, impacts: &mut Vec<u16>) -> Option<()> {
        let (mut at, mut doc) = (0, 0u64);
        docs.reserve(self.count);
        for _ in 0..self.count {
            doc = doc.checked_add(get_varint(self.docs, &mut at)?)?;
            docs.push(doc);
        }
        impacts.extend(
            self.impacts
                .chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]])),
        );
        Some(())
    }

    /// Every posting, in document order; `None` items mean corruption.
    pub fn entries(&self) -> impl Iterator<Item = Option<Entry<'a>>> + 'a {
        let this = *self;
        let (mut doc_at, mut pos_at, mut doc) = (0, 0, 0u64);
        (0..this.count).map(move |i| {
            doc = doc.checked_add(get_varint(this.docs, &mut doc_at)?)?;
            let impact = u16::from_le_bytes([this.impacts[2 * i], this.impacts[2 * i + 1]]);
            let start = pos_at;
            pos_at = skip_positions(this.positions, pos_at)?;
            Some(Entry {
                doc,
                impact,
                raw_positions: &this.positions[start..pos_at],
            })
        })
    }
}

/// Where the positions of the posting starting at `at` end; `None` when they are truncated or
/// malformed.
fn skip_positions(bytes: &[u8], mut at: usize) -> Option<usize> {
    let tf = get_varint(bytes, &mut at)?;
    for _ in 0..tf {
        get_varint(bytes, &mut at)?;
    }
    Some(at)
}

/// Ascending positions as a posting stores them: their number, then the deltas.
#[cfg(test)]
pub fn encode_positions(positions: &[u32]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(positions.len() + 1);
    encode_positions_into(&mut raw, positions);
    raw
}

/// Appends [`encode_positions`]'s bytes to `out`.
pub fn encode_positions_into(out: &mut Vec<u8>, positions: &[u32]) {
    put_varint(out, positions.len() as u64);
    let mut previous = 0;
    for &p in positions {
        put_varint(out, u64::from(p - previous));
        previous = p;
    }
}

/// The positions encoded in an entry's `raw_positions`.
#[cfg(test)]
pub fn decode_positions(raw: &[u8]) -> Option<Vec<u32>> {
    let mut positions = Vec::new();
    decode_positions_into(raw, &mut positions)?;
    Some(positions)
}

/// Decodes an entry's `raw_positions` into `positions` (cleared first).
pub fn decode_positions_into(raw: &[u8], positions: &mut Vec<u32>) -> Option<()> {
    positions.clear();
    let mut at = 0;
    let tf = get_varint(raw, &mut at)?;
    let mut position = 0u32;
    for _ in 0..tf {
        position = position.checked_add(u32::try_from(get_varint(raw, &mut at)?).ok()?)?;
        positions.push(position);
    }
    Some(())
}

/// One segment holding every posting of `parts`, which cover ascending, disjoint runs of
/// documents.
pub fn merge(parts: &[Segment<'_>]) -> Option<Vec<u8>> {
    let mut out = SegmentBuilder::default();
    for part in parts {
        for entry in part.entries() {
            let entry = entry?;
            if out.last.is_some_and(|last| entry.doc <= last) {
                return None;
            }
            out.push_raw(entry.doc, entry.impact, entry.raw_positions);
        }
    }
    Some(out.finish())
}

/// The postings of `segment` but the one of `doc` (all of them when `doc` has none); `None`
/// when the segment is corrupt.
pub fn without(segment: &Segment<'_>, doc: u64) -> Option<SegmentBuilder> {
    let mut out = SegmentBuilder::default();
    for entry in segment.entries() {
        let entry = entry?;
        if entry.doc != doc {
            out.push_raw(entry.doc, entry.impact, entry.raw_positions);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn build(postings: &[(u64, u16, Vec<u32>)]) -> Vec<u8> {
        let mut builder = SegmentBuilder::default();
        for (doc, impact, positions) in postings {
            builder.push(*doc, *impact, positions);
        }
        builder.finish()
    }

    fn read(bytes: &[u8]) -> Vec<(u64, u16, Vec<u32>)> {
        let segment = Segment::parse(bytes).unwrap();
        segment
            .entries()
            .map(|e| {
                let e = e.unwrap();
                (e.doc, e.impact, decode_positions(e.raw_positions).unwrap())
            })
            .collect()
    }

    fn postings() -> impl Strategy<Value = Vec<(u64, u16, Vec<u32>)>> {
        proptest::collection::btree_map(
            0u64..(1 << 40),
            (
                any::<u16>(),
                proptest::collection::btree_set(0u32..5000, 0..6),
            ),
            0..160,
        )
        .prop_map(|m| {
            m.into_iter()
                .map(|(d, (i, p))| (d, i, p.into_iter().collect()))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn positions_are_found_by_index(list in postings()) {
            let bytes = build(&list);
            let segment = Segment::parse(&bytes).unwrap();
            for (i, (_, _, positions)) in list.iter().enumerate() {
                let raw = segment.positions_at(i).unwrap();
                prop_assert_eq!(&decode_positions(raw).unwrap(), positions);
            }
            prop_assert!(segment.positions_at(list.len()).is_none());
        }

        #[test]
        fn segments_round_trip(list in postings()) {
            let bytes = build(&list);
            prop_assert_eq!(read(&bytes), list.clone());
            let segment = Segment::parse(&bytes).unwrap();
            let (mut docs, mut impacts) = (Vec::new(), Vec::new());
            segment.decode_into(&mut docs, &mut impacts).unwrap();
            prop_assert_eq!(docs, list.iter().map(|p| p.0).collect::<Vec<_>>());
            prop_assert_eq!(impacts, list.iter().map(|p| p.1).collect::<Vec<_>>());
        }

        #[test]
        fn merging_concatenates_and_removal_drops_one(list in postings(), cut in 0usize..40) {
            let cut = cut.min(list.len());
            let (a, b) = (build(&list[..cut]), build(&list[cut..]));
            let parts = [Segment::parse(&a).unwrap(), Segment::parse(&b).unwrap()];
            let merged = merge(&parts).unwrap();
            prop_assert_eq!(read(&merged), list.clone());
            if let Some(gone) = list.get(cut) {
                let left = without(&Segment::parse(&merged).unwrap(), gone.0).unwrap().finish();
                let expected: Vec<_> = list.iter().filter(|p| p.0 != gone.0).cloned().collect();
                prop_assert_eq!(read(&left), expected);
            }
        }

        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Some(segment) = Segment::parse(&bytes) {
                let _ = segment.entries().collect::<Vec<_>>();
                let _ = segment.decode_into(&mut Vec::new(), &mut Vec::new());
            }
        }
    }

    #[test]
    fn merging_out_of_order_parts_is_refused() {
        let (a, b) = (build(&[(5, 1, vec![1])]), build(&[(3, 1, vec![2])]));
        let parts = [Segment::parse(&a).unwrap(), Segment::parse(&b).unwrap()];
        assert!(merge(&parts).is_none());
    }
}
