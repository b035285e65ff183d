//! Search keys: light stemming of normalized tokens.
//!
//! The Arabic part follows Lucene's `ArabicStemmer` (apache/lucene,
//! `analysis/common/src/java/org/apache/lucene/analysis/ar/ArabicStemmer.java`, after Larkey,
//! Ballesteros and Connell, "Light Stemming for Arabic Information Retrieval"): one prefix
//! removed (the first that matches), then every light suffix that matches, in order, with
//! Lucene's length guards. Two additions, both for news search:
//!
//! * after Lucene's prefix step, one of the one-letter proclitics ل and ب is removed when at
//!   least four letters remain («لداعش», «بسوريا», «للبرنامج» → «برنامج» → «رنامج»). Doing it
//!   after the article as well as without it keeps the forms with and without the article
//!   together («البرنامج» and «برنامج» give the same key), at the price of cutting a radical
//!   ب or ل of long words the same way in every form;
//! * the suffix يا is removed like ية and يه, so «سوريا», «سورية» and «سوريه» meet (and so do
//!   «تركيا» and «تركي»).

use std::borrow::Cow;

use crate::tables::is_arabic_letter;

/// Lucene's prefixes, longest first; only the first match is removed.
const PREFIXES: &[&str] = &["وال", "بال", "كال", "فال", "لل", "ال", "و"];

/// Suffixes in Lucene's order (plus يا); every match is removed in turn.
const SUFFIXES: &[&str] = &[
    "ها", "ان", "ات", "ون", "ين", "يه", "ية", "يا", "ه", "ة", "ي",
];

/// The search key of one normalized token: the same for the spelling variants that the
/// `search` profile and light stemming bring together, so that documents and queries meet.
///
/// * An all-Arabic token is light-stemmed (see the module documentation): «الداعشية» and
///   «لداعش» both give «داعش».
/// * Any other token is lower-cased (Latin, Greek, Cyrillic…); digits are kept.
///
/// Returns the token itself, borrowed, when nothing changes.
pub fn search_term(token: &str) -> Cow<'_, str> {
    if !token.is_empty() && token.chars().all(is_arabic_letter) {
        return Cow::Borrowed(stem_arabic(token));
    }
    if token.chars().any(char::is_uppercase) {
        Cow::Owned(token.to_lowercase())
    } else {
        Cow::Borrowed(token)
    }
}

fn stem_arabic(word: &str) -> &str {
    let mut s = word;
    for prefix in PREFIXES {
        if let Some(rest) = s.strip_prefix(prefix) {
            let (len, plen) = (s.chars().count(), prefix.chars().count());
            // Lucene: the one-letter prefix و needs a word of at least four letters; the
            // others need two letters left.
            let ok = if plen == 1 { len >= 4 } else { len >= plen + 2 };
            if ok {
                s = rest;
                break;
            }
        }
    }
    // Ours: one proclitic ل or ب, when at least four letters remain.
    if let Some(rest) = s.strip_prefix('ل').or_else(|| s.strip_prefix('ب')) {
        if rest.chars().count() >= 4 {
            s = rest;
        }
    }
    for suffix in SUFFIXES {
        if let Some(rest) = s.strip_suffix(suffix) {
            if s.chars().count() >= suffix.chars().count() + 2 {
                s = rest;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_meet() {
        for w in ["داعش", "لداعش", "الداعشيه", "وداعش", "بداعش"] {
            assert_eq!(search_term(w), "داعش", "{w}");
        }
        assert_eq!(search_term("سوريا"), search_term("سوريه"));
        assert_eq!(search_term("ISIS"), "isis");
        assert_eq!(search_term("2015"), "2015");
        assert!(matches!(search_term("داعش"), Cow::Borrowed(_)));
    }

    /// Vectors of Lucene's TestArabicStemFilter (run after ArabicNormalizer there too).
    #[test]
    fn lucene_stemmer_vectors() {
        let cases = [
            ("الحسن", "حسن"),
            ("والحسن", "حسن"),
            ("بالحسن", "حسن"),
            ("كالحسن", "حسن"),
            ("فالحسن", "حسن"),
            ("للاخر", "اخر"),
            ("وحسن", "حسن"),
            ("زوجها", "زوج"),
            ("ساهدان", "ساهد"),
            ("ساهدات", "ساهد"),
            ("ساهدون", "ساهد"),
            ("ساهدين", "ساهد"),
            ("ساهديه", "ساهد"),
            ("ساهدية", "ساهد"),
            ("ساهده", "ساهد"),
            ("ساهدة", "ساهد"),
            ("ساهدي", "ساهد"),
            ("وساهدون", "ساهد"),
            ("ساهدهات", "ساهد"),
            ("الو", "الو"),
            ("وا", "وا"),
            ("ات", "ات"),
            ("ته", "ته"),
            ("كلمة", "كلم"),
        ];
        for (input, expected) in cases {
            assert_eq!(search_term(input), expected, "{input}");
        }
    }

    #[test]
    fn short_words_survive() {
        for w in ["لبن", "بيت", "ولد", "في", "من", "و"] {
            assert!(!search_term(w).is_empty(), "{w}");
        }
        assert_eq!(search_term("البرنامج"), search_term("برنامج"));
        assert_eq!(search_term("للبرنامج"), search_term("برنامج"));
        assert_eq!(search_term("الحلب"), "حلب");
    }
}
