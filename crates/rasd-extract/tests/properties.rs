//! Any text within the limits is answered without a panic, and every span is sound: in bounds,
//! on character boundaries, flat (no overlaps), and its covered text is the same slice of the
//! original in UTF-8 bytes, UTF-16 code units and code points.

use std::sync::OnceLock;

use proptest::prelude::*;
use rasd_extract::{ExtractOptions, Extractor, Mention};
use rasd_normalize::{OffsetIndex, OffsetUnit};

fn extractor() -> &'static Extractor {
    static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();
    EXTRACTOR.get_or_init(|| Extractor::builtin().expect("the built-in knowledge base loads"))
}

fn seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut texts: Vec<String> = std::fs::read_dir(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/articles"
        ))
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .collect()
        })
        .unwrap_or_default();
        let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/seeds");
        if let Ok(dir) = std::fs::read_dir(shared) {
            texts.extend(
                dir.filter_map(|e| e.ok())
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok()),
            );
        }
        texts
    })
}

fn slice_in(text: &str, unit: OffsetUnit, start: usize, end: usize) -> String {
    match unit {
        OffsetUnit::Utf8Byte => text[start..end].to_owned(),
        OffsetUnit::Utf16CodeUnit => {
            let units: Vec<u16> = text.encode_utf16().collect();
            String::from_utf16(&units[start..end]).expect("a span never splits a surrogate pair")
        }
        OffsetUnit::CodePoint => text.chars().skip(start).take(end - start).collect(),
    }
}

fn check(text: &str, mentions: &[Mention]) {
    let index = OffsetIndex::new(text);
    let mut last_end = 0;
    for m in mentions {
        let r = m.range.clone();
        assert!(
            r.start < r.end && r.end <= text.len(),
            "span {r:?} out of bounds"
        );
        assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        assert!(r.start >= last_end, "mentions overlap at {r:?}");
        last_end = r.end;
        assert!((0.0..=1.0).contains(&m.confidence));
        let covered = &text[r.clone()];
        for unit in [
            OffsetUnit::Utf8Byte,
            OffsetUnit::Utf16CodeUnit,
            OffsetUnit::CodePoint,
        ] {
            let (start, end) = (index.from_byte(r.start, unit), index.from_byte(r.end, unit));
            assert_eq!(slice_in(text, unit, start, end), covered, "{unit:?}");
            assert_eq!(index.to_byte(start, unit), Some(r.start));
            assert_eq!(index.to_byte(end, unit), Some(r.end));
        }
    }
}

/// Text that looks like the domain: Arabic words, decorations, digits in three scripts, quotes,
/// emoji and marks, mixed with arbitrary characters.
fn arabicish() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("داعش".to_owned()),
        Just("دا.عــش".to_owned()),
        Just("لداعش".to_owned()),
        Just("بدير الزور".to_owned()),
        Just("«قسد»".to_owned()),
        Just("قوات سوريا الديمقراطية".to_owned()),
        Just("٣٠ عنصراً".to_owned()),
        Just("تشرين الثاني/نوفمبر ٢٠١٧".to_owned()),
        Just("ﷲ ﻻ".to_owned()),
        Just("\u{200f}\u{200d}\u{0651}\u{064b}".to_owned()),
        Just("🙂".to_owned()),
        Just(" ".to_owned()),
        Just("، ".to_owned()),
        "[\\u0600-\\u06ff ]{1,12}",
        any::<String>(),
    ];
    proptest::collection::vec(pieces, 0..24).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_gets_sound_spans(text in any::<String>()) {
        let mentions = extractor().extract(&text, &ExtractOptions::default());
        check(&text, &mentions);
    }

    #[test]
    fn domain_like_text_gets_sound_spans(text in arabicish(), reference in proptest::option::of(0i64..4_000_000_000)) {
        let options = ExtractOptions { reference_time: reference, ..Default::default() };
        let mentions = extractor().extract(&text, &options);
        check(&text, &mentions);
    }

    #[test]
    fn seeds_cut_at_random_points_get_sound_spans(which in any::<prop::sample::Index>(), a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>()) {
        let seeds = seeds();
        prop_assume!(!seeds.is_empty());
        let text = &seeds[which.index(seeds.len())];
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let (i, j) = (a.index(chars.len() + 1), b.index(chars.len() + 1));
        let at = |k: usize| chars.get(k).map_or(text.len(), |(byte, _)| *byte);
        let cut = &text[at(i.min(j))..at(i.max(j))];
        let mentions = extractor().extract(cut, &ExtractOptions::default());
        check(cut, &mentions);
    }
}
