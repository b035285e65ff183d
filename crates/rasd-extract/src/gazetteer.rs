//! Names of the knowledge base compiled into one automaton over normalized text.
//!
//! Every name is normalized with the extraction profile and inserted into a character-wise
//! double-array Aho–Corasick automaton (`daachorse`). A name that starts with the article «ال»
//! is inserted a second time without its alef («لفرقه الرابعه»), which is how it is written after
//! the preposition ل («للفرقة الرابعة»); that variant only counts after a ل proclitic.
//!
//! Matches are then kept only on word boundaries: the match must end a word, and whatever
//! precedes it in its word must be a proclitic (و ف ب ل ك, or و/ف followed by ب ل ك), which
//! stays outside the mention.

use std::collections::{HashMap, HashSet};

use daachorse::CharwiseDoubleArrayAhoCorasick;
use rasd_normalize::Normalizer;

use crate::kb::KnowledgeBase;
use crate::types::EntityType;

/// One place a normalized name leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// Index of the entry in [`KnowledgeBase::entries`].
    pub entry: usize,
    /// True for the «ال» → «ل» variant, which needs a ل proclitic before it.
    pub after_lam: bool,
    /// A lexicon entry with the same spelling («سورية»: the country, and the adjective), which
    /// the extractor prefers where the word reads as an adjective.
    pub lexical: Option<usize>,
    /// The name is also an ordinary word («الصور», «الباب»): it names a place only after a
    /// head such as «بلدة» or «قرية».
    pub needs_head: bool,
}

/// Ordinary words that are also place names, one a line (`#` comments), shared with the
/// knowledge-base build, which drops derived places named so.
const COMMON_WORDS: &str = include_str!("../../../scripts/kb/common_words.txt");

/// Heads after which an ordinary word is a place name.
const PLACE_HEADS: &[&str] = &[
    "مدينة",
    "بلدة",
    "قرية",
    "بلدتي",
    "قريتي",
    "مدينتي",
    "ناحية",
    "منطقة",
    "حي",
    "ريف",
    "بادية",
    "مخيم",
    "محافظة",
];

/// A name matched on word boundaries, in normalized byte offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NameMatch {
    pub start: usize,
    pub end: usize,
    pub target: Target,
    /// Bytes of proclitics before the name in its word.
    pub prefix_len: usize,
}

/// The compiled automaton and what each pattern leads to.
#[derive(Clone)]
pub struct Gazetteer {
    automaton: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    targets: Vec<Target>,
    /// [`PLACE_HEADS`], normalized.
    heads: Vec<String>,
}

impl std::fmt::Debug for Gazetteer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gazetteer")
            .field("patterns", &self.targets.len())
            .finish()
    }
}

/// The proclitic strings that may precede a name inside its word.
const PROCLITICS: &[&str] = &["و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك"];

impl Gazetteer {
    /// Compiles every name of the knowledge base. When two entries share a normalized name, the
    /// one loaded later wins for linked entities, and a linked entity wins over a lexicon entry.
    pub fn build(kb: &KnowledgeBase, normalizer: &Normalizer) -> Self {
        let common: HashSet<String> = COMMON_WORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| normalizer.normalize_text(l))
            .collect();
        let mut by_pattern: HashMap<String, Target> = HashMap::new();
        for (index, entry) in kb.entries().iter().enumerate() {
            for name in entry.names() {
                let normalized = normalizer.normalize_text(name);
                let normalized = normalized.trim();
                if normalized.chars().count() < 2 {
                    continue;
                }
                let place = matches!(entry.entity_type, EntityType::Gpe | EntityType::Loc);
                let needs_head = place && common.contains(normalized);
                let mut add = |pattern: String, after_lam: bool| {
                    let target = Target {
                        entry: index,
                        after_lam,
                        lexical: None,
                        needs_head,
                    };
                    match by_pattern.get_mut(&pattern) {
                        // A linked entity keeps the spelling; a lexicon word becomes its alternative.
                        Some(existing)
                            if !kb.entries()[existing.entry].is_lexical() && entry.is_lexical() =>
                        {
                            existing.lexical = Some(index);
                        }
                        Some(existing)
                            if kb.entries()[existing.entry].is_lexical() && !entry.is_lexical() =>
                        {
                            let lexical = existing.entry;
                            *existing = Target {
                                lexical: Some(lexical),
                                ..target
                            };
                        }
                        _ => {
                            by_pattern.insert(pattern, target);
                        }
                    }
                };
                add(normalized.to_owned(), false);
                if let Some(rest) = normalized.strip_prefix("ال") {
                    if rest.chars().count() >= 2 {
                        add(format!("ل{rest}"), true);
                    }
                }
            }
        }
        let mut patterns: Vec<(String, Target)> = by_pattern.into_iter().collect();
        patterns.sort_by(|a, b| a.0.cmp(&b.0));
        let targets: Vec<Target> = patterns.iter().map(|(_, t)| *t).collect();
        let automaton = if patterns.is_empty() {
            None
        } else {
            CharwiseDoubleArrayAhoCorasick::with_values(
                patterns
                    .iter()
                    .enumerate()
                    .map(|(i, (p, _))| (p.as_str(), i as u32)),
            )
            .ok()
        };
        let heads = PLACE_HEADS
            .iter()
            .map(|h| normalizer.normalize_text(h))
            .collect();
        Gazetteer {
            automaton,
            targets,
            heads,
        }
    }

    /// Number of compiled patterns.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// True when the word before is a place head, maybe with a proclitic («وبلدة»).
    fn after_place_head(&self, text: &str, word_start: usize) -> bool {
        previous_word(text, word_start).is_some_and(|word| {
            self.heads.iter().any(|head| {
                word == head
                    || word
                        .strip_suffix(head.as_str())
                        .is_some_and(|p| PROCLITICS.contains(&p))
            })
        })
    }

    /// Every name found in `normalized` on word boundaries (overlapping matches included),
    /// ordered by start then by decreasing length.
    pub fn find(&self, normalized: &str) -> Vec<NameMatch> {
        let Some(automaton) = &self.automaton else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for m in automaton.find_overlapping_iter(normalized) {
            let target = self.targets[m.value() as usize];
            let (start, end) = (m.start(), m.end());
            if !ends_word(normalized, end) {
                continue;
            }
            let Some(prefix) = word_prefix(normalized, start) else {
                continue;
            };
            let ok = if target.after_lam {
                matches!(prefix, "ل" | "ول" | "فل")
            } else {
                prefix.is_empty() || PROCLITICS.contains(&prefix)
            };
            if !ok
                || (target.needs_head && !self.after_place_head(normalized, start - prefix.len()))
            {
                continue;
            }
            found.push(NameMatch {
                start,
                end,
                target,
                prefix_len: prefix.len(),
            });
        }
        found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        found
    }
}

/// The word before `word_start`, with only white space and quotation marks between, if any.
pub fn previous_word(text: &str, word_start: usize) -> Option<&str> {
    let before = &text[..word_start];
    let trimmed = before.trim_end_matches(|c: char| c == ' ' || QUOTES.contains(&c));
    if trimmed.len() == before.len() && !before.is_empty() {
        return None;
    }
    let start = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word_char(*c))
        .last()
        .map(|(i, _)| i)?;
    Some(&trimmed[start..])
}

/// Quotation marks that may stand between a head and its name.
pub(crate) const QUOTES: &[char] = &['"', '“', '”', '«', '»', '„', '‹', '›', '\''];

/// Letters and digits: `char::is_alphanumeric`, with the ASCII and Arabic letters answered
/// without a table search (they are most of the text).
fn is_word_char(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | '\u{0620}'..='\u{064A}' => true,
        '\0'..='\u{7F}' => false,
        _ => c.is_alphanumeric(),
    }
}

fn ends_word(text: &str, end: usize) -> bool {
    text[end..].chars().next().is_none_or(|c| !is_word_char(c))
}

/// The part of the word before `start` (empty at a word start); `None` when it is too long to
/// be a proclitic.
fn word_prefix(text: &str, start: usize) -> Option<&str> {
    let mut begin = start;
    for (count, c) in text[..start].chars().rev().enumerate() {
        if !is_word_char(c) {
            break;
        }
        if count >= 2 {
            return None;
        }
        begin -= c.len_utf8();
    }
    Some(&text[begin..start])
}
