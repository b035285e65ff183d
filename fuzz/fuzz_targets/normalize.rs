//! Fuzzes normalization, the alignment and the offset index of `rasd-normalize`.
//!
//! Input: four bytes choose the rule set (one bit per rule of `Rule::ALL`; when the first byte
//! is below 0x60 a profile is used instead, so the profiles get most of the time), the rest is
//! the text (invalid UTF-8 is replaced, so every input is used). Checked on every input:
//!
//! * `normalize` and `normalize_text` give the same text; normalizing again changes nothing;
//! * every normalized character maps to a non-empty original span, on character boundaries,
//!   within the original, in order (monotone) and not overlapping the previous one unless it
//!   is the same block;
//! * arbitrary (also reversed, out-of-range, mid-character) ranges map within the original, on
//!   character boundaries;
//! * the offset index converts every boundary to UTF-16 and code points and back;
//! * tokens slice the normalized text and their search keys do not panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rasd_normalize::{
    search_term, tokenize, Normalizer, OffsetIndex, OffsetUnit, Profile, Rule, RuleSet,
};

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let (head, body) = data.split_at(4);
    let rules = if head[0] < 0x60 {
        Profile::ALL[usize::from(head[1]) % Profile::ALL.len()].rules()
    } else {
        let bits = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        Rule::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, r)| *r)
            .collect::<RuleSet>()
    };
    let original = String::from_utf8_lossy(body);
    let n = Normalizer::new(rules);

    let normalized = n.normalize(&original);
    let text = &normalized.text;
    let align = &normalized.alignment;
    assert_eq!(text, &n.normalize_text(&original));
    assert_eq!(&n.normalize_text(text), text, "not idempotent");
    assert_eq!(align.normalized_len(), text.len());
    assert_eq!(align.original_len(), original.len());

    let mut last = 0..0;
    for (start, ch) in text.char_indices() {
        let span = align.to_original(start..start + ch.len_utf8());
        assert!(span.start < span.end && span.end <= original.len());
        assert!(original.is_char_boundary(span.start) && original.is_char_boundary(span.end));
        assert!(
            span.start >= last.start && span.end >= last.end,
            "not monotone"
        );
        assert!(span == last || span.start >= last.end, "overlap");
        last = span;
    }
    for w in body.windows(2).take(64) {
        let (a, b) = (
            usize::from(w[0]) * text.len() / 255,
            usize::from(w[1]) * text.len() / 200,
        );
        let span = align.to_original(a..b);
        assert!(span.start <= span.end && span.end <= original.len());
        assert!(original.is_char_boundary(span.start) && original.is_char_boundary(span.end));
    }

    let index = OffsetIndex::new(&original);
    let (mut cps, mut units) = (0, 0);
    for (b, c) in original
        .char_indices()
        .chain(std::iter::once((original.len(), ' ')))
    {
        assert_eq!(index.from_byte(b, OffsetUnit::CodePoint), cps);
        assert_eq!(index.from_byte(b, OffsetUnit::Utf16CodeUnit), units);
        assert_eq!(index.to_byte(cps, OffsetUnit::CodePoint), Some(b));
        assert_eq!(index.to_byte(units, OffsetUnit::Utf16CodeUnit), Some(b));
        cps += 1;
        units += c.len_utf16();
    }

    for token in tokenize(text) {
        assert_eq!(&text[token.range.clone()], token.text);
        let _ = search_term(token.text);
    }
});
