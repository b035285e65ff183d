//! Names of the knowledge base compiled into one trie over normalized text, searched from word
//! starts only.
//!
//! Every name is normalized with the extraction profile and inserted into a character-wise
//! double-array trie (`crawdad`). A name that starts with the article «ال» is inserted a second
//! time without its alef («لفرقه الرابعه»), which is how it is written after the preposition ل
//! («للفرقة الرابعة»); that variant only counts after a ل proclitic.
//!
//! The key decision is where a search starts. A name begins a word, or follows one of the
//! proclitics of the spec inside its word (و ف ب ل ك, or و/ف followed by ب ل ك), which stays
//! outside the mention. So the trie is walked from each word start, and from after one or two
//! proclitic letters when the word begins with them: a common-prefix search that stops at the
//! first letter no name continues with, usually within two or three letters. An Aho–Corasick
//! automaton over the whole text would also report every name inside a word and then throw
//! those away; walking from word starts never produces them, and touches far less memory.
//! A match counts when it ends a word.
//!
//! Most words begin no name, and a trie walk that fails still costs a cache miss or two. So a
//! Bloom filter of the names' first words is asked first: the trie is walked from a word only
//! when the word is the first word of some name (about one word in nine of news text, «داعش»,
//! «قوات», «الجيش») or, rarely, a false positive.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crawdad::Trie;
use rasd_normalize::{is_word_char, Normalizer, Token};

use crate::kb::KnowledgeBase;
use crate::types::EntityType;
use crate::word_filter::WordFilter;

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

/// The compiled trie and what each pattern leads to.
#[derive(Clone)]
pub struct Gazetteer {
    trie: Option<Arc<Trie>>,
    /// The first words of the patterns.
    first_words: WordFilter,
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

/// 0, then the byte lengths of the proclitics `word` may begin with ([`PROCLITICS`]: one of
/// و ف ب ل ك, or و/ف followed by one of ب ل ك), shortest first.
fn proclitic_lengths(word: &str) -> impl Iterator<Item = usize> {
    let mut lengths = [0, 0, 0];
    let mut count = 1;
    let mut letters = word.chars();
    if let Some(first) = letters
        .next()
        .filter(|c| matches!(c, 'و' | 'ف' | 'ب' | 'ل' | 'ك'))
    {
        lengths[1] = first.len_utf8();
        count = 2;
        if let Some(second) = letters
            .next()
            .filter(|c| matches!(first, 'و' | 'ف') && matches!(c, 'ب' | 'ل' | 'ك'))
        {
            lengths[2] = lengths[1] + second.len_utf8();
            count = 3;
        }
    }
    lengths.into_iter().take(count)
}

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
        // Sorted and distinct, as the trie wants; a name that does not begin with a letter or
        // digit could never be found from a word start, and is left out.
        patterns.retain(|(p, _)| p.chars().next().is_some_and(is_word_char));
        // A name's first word is the whole text word where the name starts: a name ends a word,
        // and the text's word ends where the name's first word does.
        let first_words = WordFilter::of(
            patterns
                .iter()
                .map(|(p, _)| p.split(|c| !is_word_char(c)).next().unwrap_or_default()),
        );
        let targets: Vec<Target> = patterns.iter().map(|(_, t)| *t).collect();
        let trie = Trie::from_records(
            patterns
                .iter()
                .enumerate()
                .map(|(i, (p, _))| (p.as_str(), i as u32)),
        )
        .ok()
        .map(Arc::new);
        let heads = PLACE_HEADS
            .iter()
            .map(|h| normalizer.normalize_text(h))
            .collect();
        Gazetteer {
            trie,
            first_words,
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
    /// ordered by start then by decreasing length. `tokens` are the words of `normalized`.
    pub fn find(&self, normalized: &str, tokens: &[Token<'_>]) -> Vec<NameMatch> {
        let Some(trie) = &self.trie else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for token in tokens {
            // The word itself, then the word after its proclitics, if it has any.
            for skipped in proclitic_lengths(token.text) {
                let word = &token.text[skipped..];
                if !word.is_empty() && self.first_words.may_contain(word) {
                    let start = token.range.start + skipped;
                    self.find_from(trie, normalized, token.range.start, start, &mut found);
                }
            }
        }
        found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        found
    }

    /// The names that begin at `start`, after the proclitics `normalized[word_start..start]`.
    fn find_from(
        &self,
        trie: &Trie,
        normalized: &str,
        word_start: usize,
        start: usize,
        found: &mut Vec<NameMatch>,
    ) {
        let rest = &normalized[start..];
        let prefix = &normalized[word_start..start];
        // The trie reports ends in characters, in increasing order: walk the bytes along.
        let (mut chars_seen, mut end) = (0, start);
        let mut chars = rest.chars();
        for (value, char_end) in trie.common_prefix_search(rest.chars()) {
            for c in chars.by_ref().take(char_end - chars_seen) {
                end += c.len_utf8();
            }
            chars_seen = char_end;
            if !ends_word(normalized, end) {
                continue;
            }
            let target = self.targets[value as usize];
            if (target.after_lam && !matches!(prefix, "ل" | "ول" | "فل"))
                || (target.needs_head && !self.after_place_head(normalized, word_start))
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

fn ends_word(text: &str, end: usize) -> bool {
    text[end..].chars().next().is_none_or(|c| !is_word_char(c))
}
