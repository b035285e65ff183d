//! The alignment on the cases that matter: deletions, one-to-many, many-to-one, obfuscation,
//! and pathological inputs that must stay linear.

use rasd_normalize::{tokenize, Normalizer, OffsetIndex, OffsetUnit, Profile};

fn search() -> Normalizer {
    Normalizer::for_profile(Profile::Search)
}

/// The original text of the normalized substring `needle` (first occurrence).
fn original_of<'a>(n: &Normalizer, original: &'a str, needle: &str) -> &'a str {
    let normalized = n.normalize(original);
    let at = normalized
        .text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {:?}", normalized.text));
    &original[normalized.alignment.to_original(at..at + needle.len())]
}

#[test]
fn deletions_are_left_out_of_spans() {
    let n = search();
    assert_eq!(original_of(&n, "قال: الرَّقَّــة اليوم", "الرقه"), "الرَّقَّــة");
    assert_eq!(
        original_of(&n, "\u{FEFF}\u{200F}سوريا\u{200F}", "سوريا"),
        "سوريا"
    );
    // Deleted characters between two words belong to neither.
    assert_eq!(original_of(&n, "حلبـــ\u{200C} ادلب", "حلب"), "حلب");
}

#[test]
fn one_to_many() {
    let n = search();
    let original = "بسم ﷲ و ﻻ";
    let normalized = n.normalize(original);
    assert_eq!(normalized.text, "بسم الله و لا");
    // Any part of «الله» maps to the whole ligature.
    let at = normalized.text.find("الله").unwrap();
    let lig = original.find('ﷲ').unwrap();
    for k in (0..8).step_by(2) {
        assert_eq!(
            normalized.alignment.to_original(at + k..at + k + 2),
            lig..lig + 3
        );
    }
    let la = normalized.text.rfind("لا").unwrap();
    assert_eq!(&original[normalized.alignment.to_original(la..la + 2)], "ﻻ");
    assert_eq!(
        &original[normalized.alignment.to_original(la + 2..la + 4)],
        "ﻻ"
    );
    // ﷽ spelled out: a word inside it maps to the whole character.
    assert_eq!(original_of(&n, "﷽ قال", "الرحمن"), "﷽");
}

#[test]
fn many_to_one() {
    // A letter and a combining hamza (decomposed text) become one letter.
    let n = Normalizer::for_profile(Profile::Extraction);
    let original = "مسو\u{0654}ول";
    let normalized = n.normalize(original);
    assert_eq!(normalized.text, "مسؤول");
    let at = normalized.text.find('ؤ').unwrap();
    assert_eq!(
        &original[normalized.alignment.to_original(at..at + 2)],
        "و\u{0654}"
    );
    assert_eq!(
        &original[normalized.alignment.to_original(0..normalized.text.len())],
        original
    );
}

#[test]
fn obfuscated_words_map_to_the_whole_original() {
    let n = search();
    assert_eq!(original_of(&n, "عناصر دا.عــش في", "داعش"), "دا.عــش");
    assert_eq!(original_of(&n, "عناصر د ا ع ش في", "داعش"), "د ا ع ش");
}

#[test]
fn digits_and_presentation_runs_are_uniform() {
    let n = search();
    let original = "عام ٢٠١٥م ﺍﻟﺮﻗﺔ";
    let normalized = n.normalize(original);
    assert_eq!(normalized.text, "عام 2015م الرقه");
    assert_eq!(original_of(&n, original, "01"), "٠١");
    assert_eq!(original_of(&n, original, "رق"), "ﻟﺮﻗ".get(3..9).unwrap());
    assert!(
        normalized.alignment.segment_count() < 12,
        "{}",
        normalized.alignment.segment_count()
    );
}

#[test]
fn empty_ranges_and_clamping() {
    let n = search();
    let original = "ـــأ";
    let normalized = n.normalize(original);
    assert_eq!(normalized.text, "ا");
    // The empty range before «ا» maps after the deleted tatweels.
    assert_eq!(normalized.alignment.to_original(0..0), 6..6);
    assert_eq!(normalized.alignment.to_original(2..2), 8..8);
    assert_eq!(normalized.alignment.to_original(0..99), 6..8);
    assert_eq!(normalized.alignment.to_original(1..1), 6..6);
    #[allow(clippy::reversed_empty_ranges)]
    let reversed = normalized.alignment.to_original(2..0);
    assert_eq!(reversed, 8..8);
    let empty = n.normalize("");
    assert_eq!(empty.alignment.to_original(0..10), 0..0);
}

#[test]
fn token_spans_in_every_unit() {
    let n = search();
    let original = "😀 قالت «الدولة» إنّ";
    let normalized = n.normalize(original);
    let index = OffsetIndex::new(original);
    let spans: Vec<(usize, usize)> = tokenize(&normalized.text)
        .map(|t| {
            let r = normalized.alignment.to_original(t.range);
            (
                index.from_byte(r.start, OffsetUnit::Utf16CodeUnit),
                index.from_byte(r.end, OffsetUnit::Utf16CodeUnit),
            )
        })
        .collect();
    // UTF-16: the emoji counts two units. The deleted shadda ending «إنّ» is not part of the
    // smallest span that produced «ان».
    assert_eq!(spans, [(3, 7), (9, 15), (17, 19)]);
}

// ---------------------------------------------------------------------------------------------
// Pathological inputs: these must finish quickly because the engine is linear; no timing is
// asserted, a quadratic engine would simply not finish in CI time.

fn exercise(original: &str) {
    for p in Profile::ALL {
        let n = Normalizer::for_profile(*p);
        let normalized = n.normalize(original);
        let len = normalized.text.len();
        let span = normalized.alignment.to_original(0..len);
        assert!(span.end <= original.len());
        let mid = len / 2;
        let _ = normalized.alignment.to_original(mid..len);
        assert_eq!(n.normalize_text(original).len(), len);
    }
}

#[test]
fn ten_megabytes_of_tatweel() {
    let original = "ـ".repeat(5 << 20);
    exercise(&original);
    let normalized = search().normalize(&original);
    assert!(normalized.text.is_empty());
    assert_eq!(normalized.alignment.segment_count(), 1);
}

#[test]
fn only_combining_marks() {
    exercise(&"\u{064E}\u{0651}\u{0654}\u{0670}\u{06D6}\u{0301}".repeat(100_000));
}

#[test]
fn a_megabyte_without_spaces() {
    exercise(&"الدولةالإسلامية".repeat(40_000));
    exercise(&"x".repeat(1 << 20));
}

#[test]
fn adversarial_obfuscation_patterns() {
    exercise(&"د ".repeat(300_000));
    exercise(&"د.".repeat(300_000));
    exercise(&"دا.".repeat(200_000));
    exercise(&format!("د.{}ا", "ـ".repeat(1 << 20)));
    exercise(&format!(
        "د {} ا {} ع",
        "\u{064E}".repeat(300_000),
        "\u{064E}".repeat(300_000)
    ));
    exercise(&".".repeat(1 << 20));
    exercise(&"ا\u{0654}".repeat(300_000));
    exercise(&"﷽".repeat(50_000));
}
