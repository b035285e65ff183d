//! The compiled form of a rule set: one lookup per input character.
//!
//! [`resolve`] composes every context-free rule into a single answer for a character (keep it,
//! drop it, replace it by one character, or expand it into a string). For the first 2,048 code
//! points (ASCII, Latin, Greek, Cyrillic, Hebrew and all of the Arabic block, i.e. every one-
//! and two-byte UTF-8 sequence) the answers are precomputed into a packed table of `u32`, so
//! the hot loop of the engine does one array read per character; rarer characters go through
//! [`resolve`] directly.

use crate::compat::compat;
use crate::rules::{Rule, RuleSet};
use crate::tables::{self, Step};

/// What the context-free rules do to one character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Copied as it is.
    Keep,
    /// Replaced by one character.
    Char(char),
    /// Removed.
    Delete,
    /// Replaced by a string, whose characters are then resolved one by one (without
    /// [`Rule::PresentationForms`], which is the only source of strings).
    Str(&'static str),
}

/// The full context-free mapping of `c`: presentation forms first, then every other rule
/// applied until nothing changes (so chains such as ۃ → ة → ه resolve in one lookup, and the
/// result is a fixed point: resolving an output character again keeps it).
pub(crate) fn resolve(c: char, rules: RuleSet, with_compat: bool) -> Action {
    if with_compat && rules.contains(Rule::PresentationForms) {
        if let Some(s) = compat(c) {
            return Action::Str(s);
        }
    }
    let mut current = c;
    // Chains are at most three steps long (e.g. ۃ → ة → ه); the bound only guards the loop.
    for _ in 0..8 {
        match tables::step(current, rules) {
            Step::Same => break,
            Step::Delete => return Action::Delete,
            Step::Char(next) => current = next,
        }
    }
    if current == c {
        Action::Keep
    } else {
        Action::Char(current)
    }
}

/// The obfuscation class of an output character.
pub(crate) type Class = u32;
/// Anything that ends an Arabic letter group and is not a separator candidate.
pub(crate) const OTHER: Class = 0;
/// An Arabic letter.
pub(crate) const LETTER: Class = 1;
/// Transparent inside a word: Arabic combining marks, tatweel, ZWJ and ZWNJ when kept.
pub(crate) const MARK: Class = 2;
/// The ASCII space.
pub(crate) const SPACE: Class = 3;
/// A stray mark that may split an obfuscated word.
pub(crate) const JOINER: Class = 4;

/// The obfuscation class of a character as it appears in the output.
pub(crate) fn class_of(c: char) -> Class {
    if tables::is_arabic_letter(c) {
        LETTER
    } else if c == ' ' {
        SPACE
    } else if tables::is_arabic_mark(c) || matches!(c, '\u{0640}' | '\u{200C}' | '\u{200D}') {
        MARK
    } else if tables::is_obfuscation_joiner(c) {
        JOINER
    } else {
        OTHER
    }
}

// Packed entry: bits 0..=20 the output character, 21..=23 its class, 24..=25 the kind.
const CLASS_SHIFT: u32 = 21;
const KIND_SHIFT: u32 = 24;
pub(crate) const KEEP: u32 = 0;
pub(crate) const CHAR: u32 = 1;
pub(crate) const DELETE: u32 = 2;
/// Needs [`resolve`] at run time: a string expansion, or a combining hamza to compose.
pub(crate) const SLOW: u32 = 3;

/// Number of code points covered by the packed table: every one- and two-byte UTF-8 sequence.
pub(crate) const TABLE_SIZE: usize = 0x800;

/// A packed table entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry(pub(crate) u32);

impl Entry {
    fn new(kind: u32, out: char) -> Self {
        Entry(kind << KIND_SHIFT | class_of(out) << CLASS_SHIFT | u32::from(out))
    }

    /// The entry of `c` under `rules`.
    pub(crate) fn of(c: char, rules: RuleSet) -> Self {
        if rules.contains(Rule::ComposeHamza) && matches!(c, '\u{0653}'..='\u{0655}') {
            return Entry::new(SLOW, c);
        }
        match resolve(c, rules, true) {
            Action::Keep => Entry::new(KEEP, c),
            Action::Char(d) => Entry::new(CHAR, d),
            Action::Delete => Entry::new(DELETE, c),
            Action::Str(_) => Entry::new(SLOW, c),
        }
    }

    /// [`KEEP`], [`CHAR`], [`DELETE`] or [`SLOW`].
    #[inline]
    pub(crate) fn kind(self) -> u32 {
        self.0 >> KIND_SHIFT
    }

    /// Whether the character is kept as it is and is an Arabic letter.
    #[inline(always)]
    pub(crate) fn is_kept_letter(self) -> bool {
        self.0 >> CLASS_SHIFT == (KEEP << (KIND_SHIFT - CLASS_SHIFT) | LETTER)
    }

    /// The class of the output character.
    #[inline]
    pub(crate) fn class(self) -> Class {
        (self.0 >> CLASS_SHIFT) & 7
    }

    /// The output character (meaningful for [`KEEP`] and [`CHAR`]).
    #[inline]
    pub(crate) fn out(self) -> char {
        char::from_u32(self.0 & 0x1F_FFFF).unwrap_or('\u{FFFD}')
    }
}

/// The packed table of the first [`TABLE_SIZE`] code points under one rule set.
pub(crate) fn build_table(rules: RuleSet) -> Table {
    let mut table = [Entry(0); TABLE_SIZE];
    for (cp, entry) in (0u32..).zip(table.iter_mut()) {
        *entry = Entry::of(char::from_u32(cp).unwrap_or('\u{FFFD}'), rules);
    }
    table
}

/// The packed table: a fixed size, so that lookups need no length check beyond the
/// comparison with [`TABLE_SIZE`].
pub(crate) type Table = [Entry; TABLE_SIZE];
