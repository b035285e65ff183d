//! Word tokens of a normalized text.

use std::ops::Range;

/// One word token of a normalized text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    /// The token's text, a slice of the normalized text.
    pub text: &'a str,
    /// Half-open **UTF-8 byte** range of the token in the normalized text; map it to the
    /// original with [`Alignment::to_original`](crate::Alignment::to_original).
    pub range: Range<usize>,
}

/// The word tokens of a **normalized** text: maximal runs of letters, digits and combining
/// marks (Unicode alphanumeric characters, combining marks, and ZWJ/ZWNJ inside a word).
/// Everything else (spaces, punctuation, symbols, emoji) separates tokens and is dropped.
///
/// Lazy and allocation-free; linear in the length of the text.
pub fn tokenize(normalized: &str) -> impl Iterator<Item = Token<'_>> {
    Tokens {
        text: normalized,
        pos: 0,
    }
}

#[derive(Debug)]
struct Tokens<'a> {
    text: &'a str,
    pos: usize,
}

/// What a character is to the tokenizer: it may start a token (alphanumeric), it may continue
/// one (alphanumeric, a combining mark or a joiner).
const START: u8 = 1;
const WORD: u8 = 2;

/// The classes of U+0600..U+067F, the two-byte block where almost all of an Arabic text lies,
/// read from this table instead of decoding and classifying (a test checks it against
/// [`classify`]): signs and punctuation, the Quranic marks U+0610..U+061A (alphabetic), the
/// letters, harakat and digits, U+0658 (a mark that is not alphabetic), punctuation again,
/// letters.
const ARABIC_CLASSES: [u8; 128] = {
    let mut table = [START | WORD; 128];
    let mut cp = 0x600;
    while cp < 0x680 {
        let class = match cp {
            0x600..=0x60F | 0x61B..=0x61F | 0x66A..=0x66D => 0,
            0x658 => WORD,
            _ => START | WORD,
        };
        table[cp - 0x600] = class;
        cp += 1;
    }
    table
};

fn classify(c: char) -> u8 {
    let mut class = 0;
    if is_alphanumeric(c) {
        class |= START;
    }
    if is_word_char(c) {
        class |= WORD;
    }
    class
}

impl Tokens<'_> {
    /// The class of the character at byte `at` (a character boundary) and its length.
    #[inline(always)]
    fn class_at(&self, at: usize) -> (u8, usize) {
        let bytes = self.text.as_bytes();
        let lead = bytes[at];
        if lead < 0x80 {
            return (
                if lead.is_ascii_alphanumeric() {
                    START | WORD
                } else {
                    0
                },
                1,
            );
        }
        if matches!(lead, 0xD8 | 0xD9) {
            // Two bytes, U+0600..U+067F: 110x_xxxx 10yy_yyyy.
            let low = bytes.get(at + 1).map_or(0, |b| b & 0x3F);
            let offset = usize::from(lead & 1) << 6 | usize::from(low);
            return (ARABIC_CLASSES[offset], 2);
        }
        self.class_of_char_at(at)
    }

    #[cold]
    fn class_of_char_at(&self, at: usize) -> (u8, usize) {
        let c = self.text[at..].chars().next().unwrap_or_default();
        (classify(c), c.len_utf8())
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let len = self.text.len();
        let mut at = self.pos;
        let start = loop {
            if at >= len {
                self.pos = len;
                return None;
            }
            let (class, width) = self.class_at(at);
            if class & START != 0 {
                break at;
            }
            at += width;
        };
        while at < len {
            let (class, width) = self.class_at(at);
            if class & WORD == 0 {
                break;
            }
            at += width;
        }
        self.pos = at;
        Some(Token {
            text: &self.text[start..at],
            range: start..at,
        })
    }
}

/// The token of [`tokenize`] that holds byte `at` of a **normalized** text (a character
/// boundary), if any, found without tokenizing the text before it: a token is the part of a
/// maximal run of word characters from its first alphanumeric character on.
pub fn token_at(normalized: &str, at: usize) -> Option<Token<'_>> {
    let first = normalized.get(at..)?.chars().next()?;
    if !is_word_char(first) {
        return None;
    }
    let run_start = normalized[..at]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word_char(c))
        .last()
        .map_or(at, |(i, _)| i);
    let run_end = normalized[at..]
        .char_indices()
        .find(|&(_, c)| !is_word_char(c))
        .map_or(normalized.len(), |(i, _)| at + i);
    let start = normalized[run_start..run_end]
        .char_indices()
        .find(|&(_, c)| is_alphanumeric(c))
        .map(|(i, _)| run_start + i)?;
    (start <= at).then(|| Token {
        text: &normalized[start..run_end],
        range: start..run_end,
    })
}

/// `char::is_alphanumeric`, with ASCII and the Arabic letters (most of the text) answered
/// without a table search. A token starts with such a character.
fn is_alphanumeric(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | '\u{0620}'..='\u{064A}' => true,
        '\0'..='\u{7F}' => false,
        _ => c.is_alphanumeric(),
    }
}

/// A character that belongs to a word: alphanumeric, a combining mark, or a joiner. A token is
/// a maximal run of them that starts with an alphanumeric character.
pub fn is_word_char(c: char) -> bool {
    is_alphanumeric(c)
        || (!c.is_ascii() && (is_combining_mark(c) || matches!(c, '\u{200C}' | '\u{200D}')))
}

/// Combining marks of the scripts this service meets (general categories Mn and Mc of the
/// combining-mark blocks, Arabic, Hebrew and Syriac marks); the Arabic ones that Unicode counts
/// as alphabetic are covered by `is_alphanumeric` already.
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0591}'..='\u{05BD}'
        | '\u{05BF}' | '\u{05C1}' | '\u{05C2}' | '\u{05C4}' | '\u{05C5}' | '\u{05C7}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}' | '\u{06E8}'
        | '\u{06EA}'..='\u{06ED}'
        | '\u{0711}'
        | '\u{0730}'..='\u{074A}'
        | '\u{0898}'..='\u{089F}'
        | '\u{08CA}'..='\u{08FF}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        tokenize(s).map(|t| t.text).collect()
    }

    #[test]
    fn splits_on_everything_but_word_characters() {
        assert_eq!(
            texts("قال: «داعش» في 2015، الرقة!"),
            ["قال", "داعش", "في", "2015", "الرقة"]
        );
        assert_eq!(texts("  "), Vec::<&str>::new());
        assert_eq!(texts("e\u{301}t\u{e9} x-y"), ["e\u{301}t\u{e9}", "x", "y"]);
        assert_eq!(texts("مِصْرَ😀abc"), ["مِصْرَ", "abc"]);
        assert_eq!(texts("\u{301}a"), ["a"]);
    }

    #[test]
    fn the_arabic_table_is_the_classification() {
        for (offset, &class) in ARABIC_CLASSES.iter().enumerate() {
            let c = char::from_u32(0x600 + offset as u32).unwrap();
            assert_eq!(class, classify(c), "{c:?}");
        }
    }

    #[test]
    fn fast_paths_agree_with_the_definitions() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            let word =
                c.is_alphanumeric() || is_combining_mark(c) || matches!(c, '\u{200C}' | '\u{200D}');
            assert_eq!(is_word_char(c), word, "{c:?}");
        }
    }

    /// The tokens as the definition reads, one character at a time.
    fn tokens_by_definition(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut current: Option<usize> = None;
        for (i, c) in text.char_indices() {
            match current {
                Some(_) if is_word_char(c) => {}
                Some(start) => {
                    out.push((start, i));
                    current = c.is_alphanumeric().then_some(i);
                }
                None => current = c.is_alphanumeric().then_some(i),
            }
        }
        if let Some(start) = current {
            out.push((start, text.len()));
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn tokens_are_the_definition(
            text in "[\u{0600}-\u{06FF} a-z0-9.,\u{0300}-\u{0310}\u{200C}\u{200D}é😀\u{10000}-\u{10010}]{0,60}",
        ) {
            let got: Vec<(usize, usize)> =
                tokenize(&text).map(|t| (t.range.start, t.range.end)).collect();
            proptest::prop_assert_eq!(got, tokens_by_definition(&text));
        }

        #[test]
        fn the_token_at_a_byte_is_the_one_that_holds_it(
            text in "[\u{0600}-\u{06FF} a-z0-9.,\u{0300}-\u{0310}\u{200C}\u{200D}é😀\u{10000}-\u{10010}]{0,60}",
        ) {
            let tokens: Vec<Token<'_>> = tokenize(&text).collect();
            for (at, _) in text.char_indices() {
                let expected = tokens.iter().find(|t| t.range.contains(&at)).cloned();
                proptest::prop_assert_eq!(token_at(&text, at), expected, "at {}", at);
            }
            proptest::prop_assert_eq!(token_at(&text, text.len()), None);
        }
    }

    #[test]
    fn ranges_slice_the_text() {
        let s = "البادية السورية.. خلط";
        for t in tokenize(s) {
            assert_eq!(&s[t.range.clone()], t.text);
        }
        assert_eq!(tokenize(s).count(), 3);
    }
}
