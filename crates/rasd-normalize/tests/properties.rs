//! Property tests over arbitrary Unicode text: the alignment invariants, idempotence, and the
//! agreement of the two entry points.

use proptest::prelude::*;
use rasd_normalize::{Normalizer, OffsetIndex, OffsetUnit, Profile, Rule, RuleSet};

/// Characters weighted towards what breaks normalizers: Arabic letters and marks, presentation
/// forms, separators and stray dots, invisibles, digits, Latin, emoji, and any code point.
fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('\u{0600}', '\u{06FF}'),
        2 => prop::sample::select(vec!['ا', 'د', 'ع', 'ش', 'ل', 'ي', 'ة', 'ى', 'أ', 'و', 'ـ', 'َ', 'ّ', '\u{0654}', '\u{0653}', '\u{0670}']),
        3 => prop::sample::select(vec![' ', ' ', '.', '.', '_', '*', '·', '\n', '\u{00A0}', '\u{200C}', '\u{200D}', '\u{200F}', '\u{FEFF}', '«', '»', '“']),
        1 => prop::char::range('\u{FB50}', '\u{FDFF}'),
        1 => prop::char::range('\u{FE70}', '\u{FEFF}'),
        1 => prop::sample::select(vec!['\u{FDF2}', '\u{FDFC}', '\u{FDFD}', '\u{FEFB}', '\u{FEF7}', '\u{FC5E}', '\u{FE70}', '\u{FE71}']),
        1 => prop::char::range('\u{0750}', '\u{08FF}'),
        1 => prop::char::range('a', 'z'),
        1 => prop::char::range('A', 'Z'),
        1 => prop::char::range('\u{0300}', '\u{036F}'),
        1 => prop::char::range('\u{1F300}', '\u{1FAFF}'),
        1 => prop::char::range('\u{1D400}', '\u{1D7FF}'),
        1 => prop::char::range('\u{1EE00}', '\u{1EEFF}'),
        2 => any::<char>(),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(any_char(), 0..64).prop_map(|v| v.into_iter().collect())
}

fn rule_set() -> impl Strategy<Value = RuleSet> {
    prop_oneof![
        3 => prop::sample::select(Profile::ALL.to_vec()).prop_map(Profile::rules),
        2 => any::<u32>().prop_map(|bits| {
            Rule::ALL.iter().enumerate().filter(|(i, _)| bits & (1 << i) != 0).map(|(_, r)| *r).collect()
        }),
    ]
}

/// Checks every invariant of one normalization.
fn check(n: &Normalizer, original: &str) -> Result<(), TestCaseError> {
    let normalized = n.normalize(original);
    let text = &normalized.text;
    let align = &normalized.alignment;
    prop_assert_eq!(
        text,
        &n.normalize_text(original),
        "normalize and normalize_text differ"
    );
    prop_assert_eq!(align.normalized_len(), text.len());
    prop_assert_eq!(align.original_len(), original.len());

    // Idempotence.
    let again = n.normalize_text(text);
    prop_assert_eq!(&again, text, "not idempotent on {:?}", original);

    // Every normalized character: a non-empty original span on character boundaries, in
    // order, that produced it.
    let mut last = 0..0;
    for (start, ch) in text.char_indices() {
        let span = align.to_original(start..start + ch.len_utf8());
        prop_assert!(
            span.start < span.end && span.end <= original.len(),
            "{:?} for {:?}",
            span,
            ch
        );
        prop_assert!(original.is_char_boundary(span.start) && original.is_char_boundary(span.end));
        prop_assert!(
            span.start >= last.start && span.end >= last.end,
            "not monotone: {:?} then {:?}",
            last,
            span
        );
        prop_assert!(
            span == last || span.start >= last.end,
            "overlapping spans {:?} and {:?} in {:?}",
            last,
            span,
            original
        );
        // The span makes the character, alone or, for the rules that look at the letters
        // around (a dot inside a word, a mark after it), with a few characters of context.
        let piece = n.normalize_text(&original[span.clone()]);
        let before = original[..span.start]
            .char_indices()
            .rev()
            .nth(3)
            .map_or(0, |(i, _)| i);
        let after = original[span.end..]
            .char_indices()
            .nth(4)
            .map_or(original.len(), |(i, _)| span.end + i);
        let in_context = n.normalize_text(&original[before..after]);
        prop_assert!(
            piece.contains(ch) || in_context.contains(ch),
            "{:?} from {:?} (normalized {:?}, with context {:?})",
            ch,
            &original[span.clone()],
            piece,
            in_context
        );
        last = span;
    }

    // Every range, including those inside characters, reversed or out of bounds.
    let len = text.len();
    for a in (0..=len + 2).step_by(1 + len / 16) {
        for b in (0..=len + 2).step_by(1 + len / 16) {
            let span = align.to_original(a..b);
            prop_assert!(span.start <= span.end && span.end <= original.len());
            prop_assert!(
                original.is_char_boundary(span.start) && original.is_char_boundary(span.end)
            );
            if a <= b && b <= len {
                let whole = align.to_original(0..len);
                if a < b {
                    prop_assert!(whole.start <= span.start && span.end <= whole.end);
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_for_every_rule_set(rules in rule_set(), original in text()) {
        check(&Normalizer::new(rules), &original)?;
    }

    #[test]
    fn invariants_hold_for_any_string(original in any::<String>()) {
        for p in Profile::ALL {
            check(&Normalizer::for_profile(*p), &original)?;
        }
    }

    /// For rules that look at one character at a time, the alignment is exactly the original
    /// character of each normalized character.
    #[test]
    fn context_free_rules_align_to_their_character(original in text()) {
        let rules = RuleSet::all().without(Rule::Obfuscation).without(Rule::ComposeHamza);
        let n = Normalizer::new(rules);
        let normalized = n.normalize(&original);
        let mut at = 0;
        for (o, c) in original.char_indices() {
            let piece = n.normalize_text(&original[o..o + c.len_utf8()]);
            prop_assert_eq!(&normalized.text[at..at + piece.len()], piece.as_str());
            for (k, ch) in piece.char_indices() {
                let span = normalized.alignment.to_original(at + k..at + k + ch.len_utf8());
                prop_assert_eq!(span, o..o + c.len_utf8());
            }
            at += piece.len();
        }
        prop_assert_eq!(at, normalized.text.len());
    }

    #[test]
    fn offset_index_round_trips(original in text(), probe in 0usize..300) {
        let index = OffsetIndex::new(&original);
        for unit in [OffsetUnit::Utf8Byte, OffsetUnit::Utf16CodeUnit, OffsetUnit::CodePoint] {
            let converted = index.from_byte(probe, unit);
            prop_assert!(converted <= index.len(unit));
            if original.is_char_boundary(probe) {
                prop_assert_eq!(index.to_byte(converted, unit), Some(probe));
            }
            if let Some(b) = index.to_byte(probe, unit) {
                prop_assert!(original.is_char_boundary(b));
                prop_assert_eq!(index.from_byte(b, unit), probe);
            }
        }
        let utf16: usize = original.chars().map(char::len_utf16).sum();
        prop_assert_eq!(index.len(OffsetUnit::Utf16CodeUnit), utf16);
        prop_assert_eq!(index.len(OffsetUnit::CodePoint), original.chars().count());
    }
}

/// Every single code point, alone and between letters, under every profile: idempotent and
/// aligned.
#[test]
fn every_code_point_is_idempotent() {
    let normalizers: Vec<Normalizer> = Profile::ALL
        .iter()
        .map(|p| Normalizer::for_profile(*p))
        .collect();
    for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
        for n in &normalizers {
            for s in [c.to_string(), format!("ب{c}ا"), format!("د.{c}")] {
                let once = n.normalize_text(&s);
                assert_eq!(
                    n.normalize_text(&once),
                    once,
                    "U+{:04X} in {:?}",
                    c as u32,
                    n.rules()
                );
            }
        }
    }
}

/// A hamza above composed with a waw across a dot that only the letters around it make an
/// obfuscation: the span of «ؤ» normalizes to it only with that context.
#[test]
fn a_character_made_with_context_keeps_the_invariants() {
    for text in [
        "دۄ.\u{654}د",
        "ۄ.\u{654}",
        "بۄ.\u{654}ب ۄ.\u{654}",
        "دا.عــش ۄ.\u{654}ر",
    ] {
        for p in Profile::ALL {
            check(&Normalizer::for_profile(*p), text).unwrap();
        }
        check(&Normalizer::new(RuleSet::all()), text).unwrap();
    }
}
