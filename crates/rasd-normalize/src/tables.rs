//! Character facts: which code points each rule touches, and what they become.
//!
//! Everything here is a pure function of one character. The engine composes these functions
//! into one lookup per character ([`crate::mapping`]); nothing in this file knows about
//! positions or alignment.

use crate::rules::{Rule, RuleSet};

/// What one rule step does to one character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// No enabled rule touches the character.
    Same,
    /// The character is removed.
    Delete,
    /// The character becomes another single character (which is then looked up again).
    Char(char),
}

/// One application of every enabled context-free rule except [`Rule::PresentationForms`] and
/// [`Rule::ComposeHamza`] (those need more than one character and live elsewhere).
///
/// The rules are disjoint on their inputs, so the order of the arms does not matter; chains
/// (ۃ → ة → ه) are resolved by applying `step` again until it returns [`Step::Same`].
pub(crate) fn step(c: char, rules: RuleSet) -> Step {
    let on = |r: Rule| rules.contains(r);
    match c {
        // Lucene ArabicNormalizer, CAMeL normalize_alef_ar, charabia.
        '\u{0622}' | '\u{0623}' | '\u{0625}' if on(Rule::HamzaAlef) => Step::Char('\u{0627}'),
        // CAMeL normalize_alef_ar, charabia.
        '\u{0671}' if on(Rule::AlefWasla) => Step::Char('\u{0627}'),
        '\u{0624}' if on(Rule::HamzaWaw) => Step::Char('\u{0648}'),
        '\u{0626}' if on(Rule::HamzaYeh) => Step::Char('\u{064A}'),
        '\u{0649}' if on(Rule::AlefMaksura) => Step::Char('\u{064A}'),
        '\u{0629}' if on(Rule::TehMarbuta) => Step::Char('\u{0647}'),
        '\u{064B}'..='\u{0652}' if on(Rule::Harakat) => Step::Delete,
        '\u{0670}' if on(Rule::SuperscriptAlef) => Step::Delete,
        '\u{0640}' if on(Rule::Tatweel) => Step::Delete,
        '\u{066B}' if on(Rule::NumberSigns) => Step::Char('.'),
        '\u{066C}' if on(Rule::NumberSigns) => Step::Char(','),
        '\u{066A}' if on(Rule::NumberSigns) => Step::Char('%'),
        _ => other_step(c, rules),
    }
}

fn other_step(c: char, rules: RuleSet) -> Step {
    let on = |r: Rule| rules.contains(r);
    if on(Rule::QuranicMarks) && is_quranic_mark(c) || on(Rule::Invisibles) && is_invisible(c) {
        return Step::Delete;
    }
    if on(Rule::Spaces) && is_unicode_space(c) {
        return Step::Char(' ');
    }
    if on(Rule::Digits) && c > '9' {
        if let Some(d) = decimal_digit(c) {
            return Step::Char(char::from(b'0' + d));
        }
    }
    if on(Rule::PersianLetters) {
        if let Some(a) = persian_to_arabic(c) {
            return Step::Char(a);
        }
    }
    latin_or_quote(c, rules)
}

fn latin_or_quote(c: char, rules: RuleSet) -> Step {
    if rules.contains(Rule::Quotes) {
        if let Some(q) = unified_quote(c) {
            return Step::Char(q);
        }
    }
    if rules.contains(Rule::Lowercase) {
        if let Some(l) = latin_lowercase(c) {
            return Step::Char(l);
        }
    }
    Step::Same
}

/// The Arabic combining marks of [`Rule::QuranicMarks`] (everything but the eight harakat and
/// the superscript alef, which have their own rules).
pub(crate) fn is_quranic_mark(c: char) -> bool {
    matches!(c,
        '\u{0610}'..='\u{061A}'
        | '\u{0653}'..='\u{065F}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}'
        | '\u{0898}'..='\u{089F}'
        | '\u{08CA}'..='\u{08E1}'
        | '\u{08E3}'..='\u{08FF}')
}

/// Every Arabic combining mark: the harakat, the superscript alef and the Quranic marks.
pub(crate) fn is_arabic_mark(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{0652}' | '\u{0670}') || is_quranic_mark(c)
}

/// Characters of [`Rule::Invisibles`].
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                    // soft hyphen
        | '\u{034F}'                  // combining grapheme joiner
        | '\u{061C}'                  // Arabic letter mark
        | '\u{180E}'                  // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}'     // ZWSP, ZWNJ, ZWJ, LRM, RLM
        | '\u{202A}'..='\u{202E}'     // embeddings and overrides
        | '\u{2060}'..='\u{2064}'     // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}'     // isolates
        | '\u{FEFF}') // byte-order mark / ZWNBSP
}

/// Characters of [`Rule::Spaces`]: the space separators (`Zs`) other than U+0020.
pub(crate) fn is_unicode_space(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// The first code point (digit zero) of every run of ten decimal digits (`Nd`) in Unicode 15,
/// ASCII excepted. Generated from the Unicode Character Database (`Nd` with decimal value 0).
const DIGIT_ZEROS: &[u32] = &[
    0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60, 0x16AC0,
    0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0, 0x1E950,
    0x1FBF0,
];

/// The value of a non-ASCII decimal digit, as Lucene's `DecimalDigitFilter` folds it.
pub(crate) fn decimal_digit(c: char) -> Option<u8> {
    let cp = u32::from(c);
    let i = DIGIT_ZEROS.partition_point(|&z| z <= cp);
    let zero = *DIGIT_ZEROS.get(i.checked_sub(1)?)?;
    let d = cp - zero;
    (d < 10).then_some(d as u8)
}

/// [`Rule::PersianLetters`]: Persian, Urdu, Kurdish and Maghrebi letters that stand for an
/// Arabic letter in Arabic text. CAMeL `arclean` is followed where it has a rule (U+06A9–U+06B4
/// → ك, U+06C0–U+06C2 → ه, U+06C3 → ة, U+06D0–U+06D2 → ي), except that the Farsi yeh
/// U+06CC–U+06CE becomes ي, not ى: in Arabic text typed on a Persian layout it stands for both,
/// and ي is the reading inside a word.
pub(crate) fn persian_to_arabic(c: char) -> Option<char> {
    Some(match c {
        '\u{0672}' | '\u{0673}' | '\u{0675}' => '\u{0627}', // ٲ ٳ ٵ → ا (CAMeL arclean)
        '\u{0679}' | '\u{067A}' | '\u{067B}' | '\u{067C}' | '\u{067D}' => '\u{062A}', // ٹ ٺ ٻ ټ ٽ → ت
        '\u{067E}' | '\u{0680}' => '\u{0628}',                                        // پ ڀ → ب
        '\u{0686}' | '\u{0687}' | '\u{0683}' | '\u{0684}' => '\u{062C}',              // چ ڇ ڃ ڄ → ج
        '\u{0688}' | '\u{0689}' | '\u{068A}' | '\u{068C}' | '\u{068D}' | '\u{068E}' => '\u{062F}', // ڈ … → د
        '\u{0691}' | '\u{0692}' | '\u{0695}' => '\u{0631}', // ڑ ڒ ڕ → ر
        '\u{0698}' => '\u{0632}',                           // ژ → ز
        '\u{06A4}' | '\u{06A5}' | '\u{06A2}' => '\u{0641}', // ڤ ڥ ڢ → ف
        '\u{06A7}' | '\u{06A8}' => '\u{0642}',              // ڧ ڨ → ق
        '\u{06A9}'..='\u{06B4}' => '\u{0643}',              // ک … گ … → ك
        '\u{06B5}' => '\u{0644}',                           // ڵ → ل
        '\u{06BA}' | '\u{06BB}' | '\u{06BC}' => '\u{0646}', // ں ڻ ڼ → ن
        '\u{06BE}' | '\u{06C0}' | '\u{06C1}' | '\u{06C2}' | '\u{06D5}' => '\u{0647}', // ھ ۀ ہ ۂ ە → ه
        '\u{06C3}' => '\u{0629}',                                                     // ۃ → ة
        '\u{06C4}'..='\u{06CB}' | '\u{06CF}' => '\u{0648}', // ۄ ۅ ۆ ۇ ۈ ۉ ۊ ۋ ۏ → و
        '\u{06CC}' | '\u{06CD}' | '\u{06CE}' | '\u{06D0}' | '\u{06D1}' | '\u{06D2}'
        | '\u{06D3}' => '\u{064A}', // ی ۍ ێ ې ۑ ے ۓ → ي
        _ => return None,
    })
}

/// [`Rule::Quotes`]: every double quotation mark and guillemet to `"`, single ones to `'`.
pub(crate) fn unified_quote(c: char) -> Option<char> {
    match c {
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
        | '\u{2039}' | '\u{203A}' | '\u{2033}' | '\u{301D}' | '\u{301E}' | '\u{301F}'
        | '\u{FF02}' => Some('"'),
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{FF07}' => Some('\''),
        _ => None,
    }
}

/// [`Rule::Lowercase`]: the simple (one character) lower case of a Latin letter, if different.
/// Only the Latin blocks are touched; İ (U+0130) becomes `i` as in Unicode's simple case
/// mapping (and Lucene's `LowerCaseFilter`), not `i` + combining dot.
pub(crate) fn latin_lowercase(c: char) -> Option<char> {
    let latin = matches!(c,
        'A'..='Z'
        | '\u{00C0}'..='\u{00DE}'
        | '\u{0100}'..='\u{024F}'
        | '\u{1E00}'..='\u{1EFF}'
        | '\u{2C60}'..='\u{2C7F}'
        | '\u{A720}'..='\u{A7FF}'
        | '\u{FF21}'..='\u{FF3A}');
    if !latin {
        return None;
    }
    if c == '\u{0130}' {
        return Some('i');
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) if l != c => Some(l),
        _ => None,
    }
}

/// An Arabic letter, for the obfuscation rule and the stemmer: the letters of the Arabic,
/// Arabic Supplement and Arabic Extended-A blocks (hamza included, tatweel excluded).
pub(crate) fn is_arabic_letter(c: char) -> bool {
    matches!(c,
        '\u{0620}'..='\u{063F}'
        | '\u{0641}'..='\u{064A}'
        | '\u{066E}'..='\u{066F}'
        | '\u{0671}'..='\u{06D3}'
        | '\u{06D5}'
        | '\u{06EE}'..='\u{06EF}'
        | '\u{06FA}'..='\u{06FC}'
        | '\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{0870}'..='\u{0887}'
        | '\u{0889}'..='\u{088E}'
        | '\u{08A0}'..='\u{08C9}')
}

/// The stray marks that obfuscate a word when put between its letters («دا.عش»).
pub(crate) fn is_obfuscation_joiner(c: char) -> bool {
    matches!(
        c,
        '.' | '\u{00B7}'
            | '\u{2022}'
            | '\u{2219}'
            | '\u{2027}'
            | '\u{22C5}'
            | '_'
            | '*'
            | '~'
            | '^'
            | '`'
            | '|'
    )
}

/// A letter and a following combining maddah or hamza composed as Unicode canonical
/// composition (NFC) composes them.
pub(crate) fn compose_hamza(base: char, mark: char) -> Option<char> {
    Some(match (base, mark) {
        ('\u{0627}', '\u{0653}') => '\u{0622}',
        ('\u{0627}', '\u{0654}') => '\u{0623}',
        ('\u{0627}', '\u{0655}') => '\u{0625}',
        ('\u{0648}', '\u{0654}') => '\u{0624}',
        ('\u{064A}', '\u{0654}') => '\u{0626}',
        ('\u{06D5}', '\u{0654}') => '\u{06C0}',
        ('\u{06C1}', '\u{0654}') => '\u{06C2}',
        ('\u{06D2}', '\u{0654}') => '\u{06D3}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_of_several_scripts() {
        assert_eq!(decimal_digit('٣'), Some(3));
        assert_eq!(decimal_digit('۹'), Some(9));
        assert_eq!(decimal_digit('\u{0966}'), Some(0));
        assert_eq!(decimal_digit('\u{FF15}'), Some(5));
        assert_eq!(decimal_digit('a'), None);
        assert_eq!(decimal_digit('\u{065F}'), None);
        assert_eq!(decimal_digit('\u{066A}'), None);
    }

    #[test]
    fn every_digit_table_entry_is_a_digit_zero() {
        for &z in DIGIT_ZEROS {
            let c = char::from_u32(z).unwrap();
            assert!(c.is_numeric(), "{z:#X}");
            for d in 0..10 {
                assert!(char::from_u32(z + d).unwrap().is_numeric(), "{:#X}", z + d);
            }
        }
        assert!(DIGIT_ZEROS.windows(2).all(|w| w[0] + 10 <= w[1]));
    }

    #[test]
    fn compose_matches_canonical_composition() {
        use unicode_normalization::UnicodeNormalization;
        for base in [
            '\u{0627}', '\u{0648}', '\u{064A}', '\u{06D5}', '\u{06C1}', '\u{06D2}', '\u{0628}',
        ] {
            for mark in ['\u{0653}', '\u{0654}', '\u{0655}'] {
                let pair: String = [base, mark].iter().collect();
                let nfc: Vec<char> = pair.nfc().collect();
                let expected = (nfc.len() == 1).then(|| nfc[0]);
                assert_eq!(compose_hamza(base, mark), expected, "{pair:?}");
            }
        }
    }
}
