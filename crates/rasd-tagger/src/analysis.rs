//! Each token of a normalized text, read once: its hashes (whole, without proclitics, without
//! the article), affixes, shape, the punctuation around it and what the vocabulary knows of it.
//! Feature extraction only combines these.

use rasd_normalize::Token;

use crate::hash::hash_bytes;
use crate::words::{Vocabulary, WordInfo};

/// One token, read.
#[derive(Clone, Copy, Debug, Default)]
pub struct Analysis {
    /// Hash of the token.
    pub word: u64,
    /// Hash of the token without its proclitics («والرقه» → «الرقه»).
    pub bare: u64,
    /// Hash of the bare token without the article («الرقه» → «رقه»).
    pub stem: u64,
    /// Hashes of the stem's first one, two, three letters and last one, two, three letters.
    pub affixes: [u64; 6],
    pub word_info: WordInfo,
    pub bare_info: WordInfo,
    /// Digits, Latin letters, Arabic letters or a mix, and the length in letters.
    pub shape: u8,
    /// True when the bare token starts with the article.
    pub article: bool,
    /// The punctuation between this token and the previous one ([`gap_class`]).
    pub gap_before: u8,
    /// The punctuation between this token and the next one.
    pub gap_after: u8,
    /// Bytes of proclitics at the start of the token, outside any name.
    pub proclitic_len: u8,
    /// The first proclitic letter (`'\0'` for none), as a number.
    pub proclitic: u32,
}

const WAW: char = 'و';
const FA: char = 'ف';
const BA: char = 'ب';
const LAM: char = 'ل';
const KAF: char = 'ك';

fn is_proclitic(c: char) -> bool {
    matches!(c, WAW | FA | BA | LAM | KAF)
}

/// The class of the text between two tokens (or at either end of the text, `BOUNDARY`).
pub fn gap_class(gap: &str) -> u8 {
    let mut class = 0u8;
    for c in gap.chars() {
        let this = match c {
            '\n' | '\r' => 9,
            '.' | '!' | '?' | '؟' | '…' => 8,
            ':' => 7,
            '(' | ')' | '[' | ']' => 6,
            '"' | '\'' | '«' | '»' | '“' | '”' | '„' | '‘' | '’' => 5,
            '،' | ',' | '؛' | ';' => 4,
            '-' | '–' | '—' | '/' => 3,
            c if c.is_whitespace() => 0,
            _ => 2,
        };
        class = class.max(this);
    }
    class
}

/// The class of the start and the end of a text.
pub const BOUNDARY: u8 = 10;

/// True when no name continues across a gap: a comma, a quotation mark, a bracket or a colon
/// (no name of ANERcorp does; AQMAR has a few across a hyphen or a slash, which do not count).
pub fn breaks_names(gap: u8) -> bool {
    (4..=7).contains(&gap)
}

/// True when a gap ends a sentence (the tagger decodes sentence by sentence).
pub fn ends_sentence(gap_after: u8) -> bool {
    gap_after >= 8
}

fn shape(token: &str) -> u8 {
    let (mut digits, mut latin, mut other, mut letters) = (false, false, false, 0u8);
    for c in token.chars() {
        letters = letters.saturating_add(1);
        if c.is_ascii_digit() {
            digits = true;
        } else if c.is_ascii_alphabetic() {
            latin = true;
        } else {
            other = true;
        }
    }
    let kind = match (digits, latin, other) {
        (true, false, false) => 0,
        (false, true, false) => 1,
        (false, false, true) => 2,
        _ => 3,
    };
    let length = match letters {
        0..=2 => letters,
        3..=4 => 3,
        5..=6 => 4,
        7..=9 => 5,
        _ => 6,
    };
    kind << 4 | length
}

/// The hash of `ال` followed by `rest`, for «للفرقه» whose bare form is «الفرقه».
fn hash_with_article(rest: &str) -> u64 {
    let mut buffer = [0u8; 96];
    let article = "ال".as_bytes();
    if rest.len() + article.len() > buffer.len() {
        return hash_bytes(rest.as_bytes());
    }
    buffer[..article.len()].copy_from_slice(article);
    buffer[article.len()..article.len() + rest.len()].copy_from_slice(rest.as_bytes());
    hash_bytes(&buffer[..article.len() + rest.len()])
}

/// Splits the proclitics off a token: how many bytes they take, the bare form's hash and what
/// the vocabulary knows of it. Before the article they always go («والرقه», «بالرقه», «للفرقه»
/// keeps one ل: «لفرقه»); before another word they go when the rest is a much more frequent word
/// than the whole («وسوريا» → «سوريا», but «وليد» stays).
fn split_proclitics(
    token: &str,
    word: u64,
    info: WordInfo,
    vocab: &Vocabulary,
) -> (u8, u64, WordInfo) {
    let mut chars = token.char_indices();
    let Some((_, first)) = chars.next() else {
        return (0, word, info);
    };
    if !is_proclitic(first) || token.chars().count() < 4 {
        return (0, word, info);
    }
    let one = first.len_utf8();
    let rest = &token[one..];
    if rest.starts_with("ال") {
        let hash = hash_bytes(rest.as_bytes());
        let rest_info = vocab.info(hash);
        // «كال» opens names as often as «ك» («like») opens a definite noun: «كاليبر»,
        // «كاليفورنيا». It is split off only when the rest is the commoner word.
        if first == KAF && rest_info.frequency <= info.frequency {
            return (0, word, info);
        }
        return (one as u8, hash, rest_info);
    }
    if first == LAM && rest.starts_with(LAM) {
        // «للفرقه»: the preposition and the article's ل; the span keeps the second.
        let hash = hash_with_article(&rest[LAM.len_utf8()..]);
        return (one as u8, hash, vocab.info(hash));
    }
    if matches!(first, WAW | FA) {
        if let Some(second) = rest.chars().next().filter(|c| matches!(*c, BA | LAM | KAF)) {
            let two = one + second.len_utf8();
            let rest2 = &token[two..];
            if rest2.starts_with("ال") && rest2.chars().count() >= 3 {
                let hash = hash_bytes(rest2.as_bytes());
                return (two as u8, hash, vocab.info(hash));
            }
        }
    }
    let hash = hash_bytes(rest.as_bytes());
    let rest_info = vocab.info(hash);
    if rest_info.frequency >= info.frequency + 2 {
        return (one as u8, hash, rest_info);
    }
    (0, word, info)
}

fn affixes(stem: &str) -> [u64; 6] {
    let mut ends = [0usize; 4];
    let mut count = 0;
    for (i, (at, _)) in stem.char_indices().enumerate() {
        if i < 4 {
            ends[i] = at;
        }
        count = i + 1;
    }
    let mut out = [0u64; 6];
    for n in 1..=3usize {
        if count > n {
            out[n - 1] = hash_bytes(&stem.as_bytes()[..ends[n]]);
        }
    }
    let mut starts = stem.char_indices().rev().map(|(at, _)| at);
    for n in 1..=3usize {
        match starts.next() {
            Some(at) if count > n => out[2 + n] = hash_bytes(&stem.as_bytes()[at..]),
            _ => {}
        }
    }
    out
}

/// Reads one word (a token of a normalized text) on its own; the gaps are left at `BOUNDARY`.
pub fn analyze_word(t: &str, vocab: &Vocabulary) -> Analysis {
    let word = hash_bytes(t.as_bytes());
    let word_info = vocab.info(word);
    let (proclitic_len, bare, bare_info) = split_proclitics(t, word, word_info, vocab);
    let bare_text = &t[usize::from(proclitic_len)..];
    let article = bare_text.starts_with("ال") && bare_text.chars().count() >= 4;
    let stem_text = if article { &bare_text[4..] } else { bare_text };
    let stem_text = stem_text
        .strip_prefix(LAM)
        .filter(|_| t.starts_with("لل"))
        .unwrap_or(stem_text);
    Analysis {
        word,
        bare,
        stem: hash_bytes(stem_text.as_bytes()),
        affixes: affixes(stem_text),
        word_info,
        bare_info,
        shape: shape(t),
        article,
        gap_before: BOUNDARY,
        gap_after: BOUNDARY,
        proclitic_len,
        proclitic: if proclitic_len > 0 {
            t.chars().next().map_or(0, u32::from)
        } else {
            0
        },
    }
}

/// The gap classes of every token of `text`: before it and after it.
pub fn gaps(text: &str, tokens: &[Token<'_>], out: &mut Vec<(u8, u8)>) {
    out.clear();
    let mut previous_end = 0;
    for (i, token) in tokens.iter().enumerate() {
        let before = if i == 0 {
            BOUNDARY
        } else {
            gap_class(text.get(previous_end..token.range.start).unwrap_or(""))
        };
        if let Some(last) = out.last_mut() {
            last.1 = before;
        }
        out.push((before, BOUNDARY));
        previous_end = token.range.end;
    }
    if let (Some(last), Some(token)) = (out.last_mut(), tokens.last()) {
        let class = gap_class(text.get(token.range.end..).unwrap_or(""));
        last.1 = if class >= 8 { class } else { BOUNDARY };
    }
}

/// Reads every token of `text` (a normalized text) into `out`.
pub fn analyze(text: &str, tokens: &[Token<'_>], vocab: &Vocabulary, out: &mut Vec<Analysis>) {
    out.clear();
    out.reserve(tokens.len());
    let mut classes = Vec::with_capacity(tokens.len());
    gaps(text, tokens, &mut classes);
    for (token, (before, after)) in tokens.iter().zip(classes) {
        let mut a = analyze_word(token.text, vocab);
        a.gap_before = before;
        a.gap_after = after;
        out.push(a);
    }
}

/// The sentences of a text, as token ranges, from the gap classes after each token.
pub fn sentence_ranges(gaps_after: impl Iterator<Item = u8>) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut n = 0;
    for (i, after) in gaps_after.enumerate() {
        n = i + 1;
        if ends_sentence(after) {
            out.push(start..n);
            start = n;
        }
    }
    if start < n {
        out.push(start..n);
    }
    out
}

/// The sentences of a read text, as token ranges.
pub fn sentences(tokens: &[Analysis]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut start = 0;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < tokens.len() {
            i += 1;
            if ends_sentence(tokens[i - 1].gap_after) || i == tokens.len() {
                let range = start..i;
                start = i;
                return Some(range);
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(words: &[(&str, u8)]) -> Vocabulary {
        let words = words.iter().map(|(w, frequency)| {
            let info = WordInfo {
                frequency: *frequency,
                ..WordInfo::default()
            };
            (hash_bytes(w.as_bytes()), info)
        });
        Vocabulary::new(words.collect::<Vec<_>>(), Vec::new())
    }

    #[test]
    fn proclitics_before_the_article_are_split_off() {
        let vocab = known(&[]);
        assert_eq!(analyze_word("والرقه", &vocab).proclitic_len, 2);
        assert_eq!(analyze_word("بالرقه", &vocab).proclitic_len, 2);
    }

    #[test]
    fn kaf_before_the_article_is_split_off_only_from_a_commoner_rest() {
        let vocab = known(&[("كالعاده", 10), ("العاده", 14), ("كاليفورنيا", 8)]);
        assert_eq!(analyze_word("كالعاده", &vocab).proclitic_len, 2);
        assert_eq!(analyze_word("كاليفورنيا", &vocab).proclitic_len, 0);
        assert_eq!(analyze_word("كاليبر", &vocab).proclitic_len, 0);
    }
}
