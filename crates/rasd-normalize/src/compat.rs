//! [`Rule::PresentationForms`](crate::Rule::PresentationForms): compatibility characters to
//! their NFKC form, with the Arabic ligatures handled on purpose.
//!
//! The table is computed once, on first use, from the compatibility decompositions of the
//! `unicode-normalization` crate, for the blocks listed in [`COMPAT_BLOCKS`] only (so that,
//! say, ½ or ™ are left alone), and then corrected by hand where NFKC is wrong for Arabic text:
//!
//! * U+FDFC ﷼ → ريال with the Arabic yeh (NFKC gives the Persian yeh U+06CC), as CAMeL Tools'
//!   `normalize_unicode` pre-maps it;
//! * U+FDFD ﷽, U+FDFE ﷾, U+FDFF ﷿ and U+FDCF ﷏ have no decomposition in Unicode; they are
//!   spelled out («بسم الله الرحمن الرحيم», «سبحانه وتعالى», «عز وجل», «سلامه علينا»);
//! * the spacing and tatweel-carried harakat (U+FE70–U+FE7F, U+FC5E–U+FC63, U+FCF2–U+FCF4)
//!   become the bare combining marks: NFKC gives a space or tatweel plus the mark, which would
//!   leave a stray space behind once diacritics are removed.
//!
//! ﷲ (U+FDF2) and the lam-alef ligatures (U+FEF5–U+FEFC) need no correction: NFKC already
//! gives «الله» and two letters (ل + آ/أ/إ/ا).

use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

/// The blocks whose characters are replaced by their NFKC form.
pub(crate) const COMPAT_BLOCKS: &[(u32, u32)] = &[
    (0xFB00, 0xFB4F),   // alphabetic presentation forms (Latin ligatures, Hebrew)
    (0xFB50, 0xFDFF),   // Arabic presentation forms A
    (0xFE50, 0xFE6F),   // small form variants
    (0xFE70, 0xFEFE),   // Arabic presentation forms B (U+FEFF, the BOM, excluded)
    (0xFF00, 0xFFEF),   // halfwidth and fullwidth forms
    (0x1D400, 0x1D7FF), // mathematical alphanumeric symbols
    (0x1EE00, 0x1EEFF), // Arabic mathematical alphabetic symbols
];

const OVERRIDES: &[(u32, &str)] = &[
    (0xFDFC, "\u{0631}\u{064A}\u{0627}\u{0644}"),
    (
        0xFDFD,
        "\u{0628}\u{0633}\u{0645} \u{0627}\u{0644}\u{0644}\u{0647} \u{0627}\u{0644}\u{0631}\u{062D}\u{0645}\u{0646} \u{0627}\u{0644}\u{0631}\u{062D}\u{064A}\u{0645}",
    ),
    (0xFDFE, "\u{0633}\u{0628}\u{062D}\u{0627}\u{0646}\u{0647} \u{0648}\u{062A}\u{0639}\u{0627}\u{0644}\u{0649}"),
    (0xFDFF, "\u{0639}\u{0632} \u{0648}\u{062C}\u{0644}"),
    (0xFDCF, "\u{0633}\u{0644}\u{0627}\u{0645}\u{0647} \u{0639}\u{0644}\u{064A}\u{0646}\u{0627}"),
];

/// Whether `c` is in one of the [`COMPAT_BLOCKS`]: a cheap test before the table lookup.
#[inline]
pub(crate) fn in_compat_block(c: char) -> bool {
    let cp = u32::from(c);
    (0xFB00..=0xFFEF).contains(&cp) && !(0xFE00..=0xFE4F).contains(&cp) && cp != 0xFEFF
        || (0x1D400..=0x1D7FF).contains(&cp)
        || (0x1EE00..=0x1EEFF).contains(&cp)
}

/// The replacement of a compatibility character, or `None` when it has none.
pub(crate) fn compat(c: char) -> Option<&'static str> {
    if !in_compat_block(c) {
        return None;
    }
    let table = TABLE.get_or_init(build);
    let cp = u32::from(c);
    table
        .binary_search_by_key(&cp, |(k, _)| *k)
        .ok()
        .map(|i| &*table[i].1)
}

static TABLE: OnceLock<Vec<(u32, Box<str>)>> = OnceLock::new();

fn build() -> Vec<(u32, Box<str>)> {
    let mut table = Vec::new();
    for &(first, last) in COMPAT_BLOCKS {
        for cp in first..=last {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            if let Some(&(_, s)) = OVERRIDES.iter().find(|(k, _)| *k == cp) {
                table.push((cp, Box::from(s)));
                continue;
            }
            let mut nfkc: String = std::iter::once(c).nfkc().collect();
            if nfkc.chars().eq(std::iter::once(c)) {
                continue;
            }
            // A space or tatweel carrying only combining marks: keep the marks alone.
            let mut chars = nfkc.chars();
            if let Some(carrier @ (' ' | '\u{0640}')) = chars.next() {
                let rest = chars.as_str();
                if !rest.is_empty() && rest.chars().all(crate::tables::is_arabic_mark) {
                    nfkc = nfkc[carrier.len_utf8()..].to_owned();
                }
            }
            table.push((cp, nfkc.into_boxed_str()));
        }
    }
    table.sort_by_key(|(k, _)| *k);
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_ligatures_on_purpose() {
        assert_eq!(compat('\u{FDF2}'), Some("الله"));
        assert_eq!(compat('\u{FDFC}'), Some("ريال"));
        assert_eq!(compat('\u{FDFD}'), Some("بسم الله الرحمن الرحيم"));
        assert_eq!(compat('\u{FEFB}'), Some("لا"));
        assert_eq!(compat('\u{FEF7}'), Some("لأ"));
        assert_eq!(compat('\u{FEF5}'), Some("لآ"));
        assert_eq!(compat('\u{FEF9}'), Some("لإ"));
        assert_eq!(compat('\u{FE8D}'), Some("ا"));
        assert_eq!(compat('\u{FE83}'), Some("أ"));
        assert_eq!(compat('\u{FE70}'), Some("\u{064B}"));
        assert_eq!(compat('\u{FE71}'), Some("\u{064B}"));
        assert_eq!(compat('\u{FC5E}'), Some("\u{064C}\u{0651}"));
        assert_eq!(compat('\u{FB01}'), Some("fi"));
        assert_eq!(compat('\u{FF21}'), Some("A"));
        assert_eq!(compat('\u{1EE01}'), Some("ب"));
        assert_eq!(compat('\u{FEFF}'), None);
        assert_eq!(compat('ب'), None);
        assert_eq!(compat('\u{FE73}'), None);
    }
}
