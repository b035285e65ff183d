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

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let rest = self.text.get(self.pos..)?;
        let start = self.pos + rest.find(is_word_start)?;
        let tail = &self.text[start..];
        let end = start + tail.find(|c: char| !is_word_char(c)).unwrap_or(tail.len());
        self.pos = end;
        Some(Token {
            text: &self.text[start..end],
            range: start..end,
        })
    }
}

/// `char::is_alphanumeric`, with ASCII and the Arabic letters (most of the text) answered
/// without a table search.
fn is_alphanumeric(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | '\u{0620}'..='\u{064A}' => true,
        '\0'..='\u{7F}' => false,
        _ => c.is_alphanumeric(),
    }
}

fn is_word_start(c: char) -> bool {
    is_alphanumeric(c)
}

/// A character that belongs to a word: alphanumeric, a combining mark, or a joiner.
pub(crate) fn is_word_char(c: char) -> bool {
    is_alphanumeric(c) || is_combining_mark(c) || matches!(c, '\u{200C}' | '\u{200D}')
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
    fn ranges_slice_the_text() {
        let s = "البادية السورية.. خلط";
        for t in tokenize(s) {
            assert_eq!(&s[t.range.clone()], t.text);
        }
        assert_eq!(tokenize(s).count(), 3);
    }
}

#[cfg(test)]
mod fast_path_tests {
    use super::is_alphanumeric;

    #[test]
    fn the_fast_path_agrees_with_the_standard_library() {
        for c in ('\0'..='\u{07FF}').chain(['\u{FB50}', '\u{FEFB}', '\u{1F642}', '\u{0661}']) {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }
}
