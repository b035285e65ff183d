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
const PREFIXES: &[&[char]] = &[
    &['و', 'ا', 'ل'],
    &['ب', 'ا', 'ل'],
    &['ك', 'ا', 'ل'],
    &['ف', 'ا', 'ل'],
    &['ل', 'ل'],
    &['ا', 'ل'],
    &['و'],
];

/// Suffixes in Lucene's order (plus يا); every match is removed in turn.
const SUFFIXES: &[&[char]] = &[
    &['ه', 'ا'],
    &['ا', 'ن'],
    &['ا', 'ت'],
    &['و', 'ن'],
    &['ي', 'ن'],
    &['ي', 'ه'],
    &['ي', 'ة'],
    &['ي', 'ا'],
    &['ه'],
    &['ة'],
    &['ي'],
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
    let mut letters = 0;
    if !token.is_empty()
        && token.chars().all(|c| {
            letters += 1;
            is_arabic_letter(c)
        })
    {
        return Cow::Borrowed(stem_arabic(token, letters));
    }
    if token.chars().any(char::is_uppercase) {
        Cow::Owned(token.to_lowercase())
    } else {
        Cow::Borrowed(token)
    }
}

/// Light-stems `word`, an all-Arabic token of `letters` letters.
///
/// Runs for every token indexed, so affixes are compared as the few characters they are
/// (decoded once from each end of the word) rather than as byte strings, and letters are
/// counted once: every affix letter is two UTF-8 bytes, so cutting one is cutting two bytes.
fn stem_arabic(word: &str, letters: usize) -> &str {
    let (mut s, mut len) = (word, letters);
    let head = {
        let mut chars = s.chars();
        [chars.next(), chars.next(), chars.next()]
    };
    for prefix in PREFIXES {
        if prefix.iter().zip(&head).all(|(p, h)| Some(*p) == *h) {
            let plen = prefix.len();
            // Lucene: the one-letter prefix و needs a word of at least four letters; the
            // others need two letters left.
            let ok = if plen == 1 { len >= 4 } else { len >= plen + 2 };
            if ok {
                (s, len) = (&s[2 * plen..], len - plen);
                break;
            }
        }
    }
    // Ours: one proclitic ل or ب, when at least four letters remain.
    if len > 4 && matches!(s.chars().next(), Some('ل' | 'ب')) {
        (s, len) = (&s[2..], len - 1);
    }
    let mut tail = last_two(s);
    for suffix in SUFFIXES {
        let n = suffix.len();
        let matches = match suffix {
            [last] => tail[1] == Some(*last),
            [first, last] => tail == [Some(*first), Some(*last)],
            _ => false,
        };
        if matches && len >= n + 2 {
            (s, len) = (&s[..s.len() - 2 * n], len - n);
            tail = last_two(s);
        }
    }
    s
}

/// The last two characters of `s`, the last one second.
fn last_two(s: &str) -> [Option<char>; 2] {
    let mut chars = s.chars().rev();
    let last = chars.next();
    [chars.next(), last]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stemmer as first written with the standard library's string functions.
    fn stem_reference(word: &str) -> &str {
        const PREFIXES: &[&str] = &["وال", "بال", "كال", "فال", "لل", "ال", "و"];
        const SUFFIXES: &[&str] = &[
            "ها", "ان", "ات", "ون", "ين", "يه", "ية", "يا", "ه", "ة", "ي",
        ];
        let mut s = word;
        for prefix in PREFIXES {
            if let Some(rest) = s.strip_prefix(prefix) {
                let (len, plen) = (s.chars().count(), prefix.chars().count());
                let ok = if plen == 1 { len >= 4 } else { len >= plen + 2 };
                if ok {
                    s = rest;
                    break;
                }
            }
        }
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

    #[test]
    fn affixes_are_letters_of_two_bytes() {
        for affix in PREFIXES.iter().chain(SUFFIXES).chain(&[&['ل', 'ب'][..]]) {
            assert!(affix
                .iter()
                .all(|&c| c.len_utf8() == 2 && is_arabic_letter(c)));
            assert!(affix.len() <= 3);
        }
    }

    proptest::proptest! {
        /// Words made of the affixes' letters and a few others, so that affixes match often;
        /// a letter of three bytes (U+08A0) checks the letter counts.
        #[test]
        fn same_stems_as_the_reference(word in "[والبكفلنتيهةاسدرࢠ]{1,9}") {
            proptest::prop_assert_eq!(search_term(&word), stem_reference(&word));
        }
    }

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
