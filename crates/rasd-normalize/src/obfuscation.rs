//! [`Rule::Obfuscation`](crate::Rule::Obfuscation): the only rule that looks at context.
//!
//! # Definitions
//!
//! The rule reads the stream of *output* characters (after every context-free rule), each
//! with a class ([`crate::mapping::class_of`]): Arabic letter, transparent mark (Arabic
//! combining marks, tatweel, ZWJ/ZWNJ when they are kept), space (U+0020), joiner (a stray
//! mark such as `.` `·` `_` `*`) or other. A *part* is a maximal run of letters (transparent
//! marks inside do not break it). Two decisions are made:
//!
//! 1. **Stray marks inside a word.** A run of one to three joiners with no space, directly
//!    between a part of at most three letters and a part of at most three letters, is removed:
//!    «دا.عــش» → «داعش», «د.ا.ع.ش» → «داعش». Longer parts are real words missing a space
//!    («السورية..خلط», «سوريا.العراق» stay as they are).
//! 2. **Spaced-out letters.** In a sequence of three or more one-letter parts separated by
//!    single spaces, those spaces are removed: «د ا ع ش» → «داعش». Two one-letter parts, or a
//!    one-letter part next to a real word («و قال»), are left alone.
//!
//! Parts are counted on the stream *before* any removal, so each decision is local and the
//! rule is idempotent: a removal only makes parts longer, and longer parts never qualify.
//!
//! # Cost
//!
//! The state is a short history of output classes, updated per output character with a
//! shift. A decision needs a look ahead only at a space after a one-letter part or at a joiner after a short part, and the
//! look-ahead reads at most the next two parts, so every input character is read a bounded
//! number of times: the rule is linear in the input, whatever the input.

use crate::mapping::{Class, JOINER, LETTER, MARK, SPACE};

/// The state of the obfuscation rule over the output stream.
///
/// Rather than counters, the state keeps the classes of the last few *solid* output
/// characters (marks are transparent and not recorded), three bits each, most recent in the
/// low bits. Everything a decision needs is a pattern in that history, and the per-character
/// update is a shift and an or, with no data-dependent branch on the common path.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Obfuscation {
    /// Classes of the last solid output characters, 3 bits each, most recent lowest;
    /// [`OTHER`](crate::mapping::OTHER) (0) before the start of the text.
    history: u32,
    /// The joiner run being read (the previous solid character is a joiner) is removed.
    dropping: bool,
}

const MASK: u32 = 0b111;

impl Obfuscation {
    /// The class `back` solid characters ago (0 = the last one).
    #[inline(always)]
    fn at(self, back: u32) -> Class {
        (self.history >> (3 * back)) & MASK
    }

    #[inline(always)]
    fn record(&mut self, class: Class) {
        self.history = (self.history << 3) | class;
    }

    /// The current part (ending at the last solid character) has exactly one letter.
    #[inline(always)]
    fn one_letter_part(self) -> bool {
        self.history & 0b111_111 != LETTER << 3 | LETTER && self.at(0) == LETTER
    }

    /// Records an Arabic letter (what [`pass`](Self::pass) does for [`LETTER`]).
    #[inline(always)]
    pub(crate) fn letter(&mut self) {
        self.record(LETTER);
    }

    /// Records an output character of `class` when no look-ahead is needed and returns `true`
    /// (emit it); returns `false`, recording nothing, when the character is a space or joiner
    /// whose fate depends on what follows: then call [`Obfuscation::decide`].
    #[inline(always)]
    pub(crate) fn pass(&mut self, class: Class) -> bool {
        if class == MARK {
            return true;
        }
        if class == JOINER || class == SPACE && self.one_letter_part() {
            return false;
        }
        self.record(class);
        true
    }

    /// Decides a character of `class` for which [`pass`](Self::pass) returned `false`, reading
    /// the classes of the output that follows it from `ahead`. Returns whether to emit it.
    pub(crate) fn decide(&mut self, class: Class, ahead: impl Iterator<Item = Class>) -> bool {
        let keep = match class {
            SPACE => {
                // The current part has one letter; is it the second of a chain (a single
                // space and a one-letter part before it)?
                let second = self.at(1) == SPACE && self.at(2) == LETTER && self.at(3) != LETTER;
                let chain = if second { 2 } else { 1 };
                !spaced_letters_continue(chain, ahead)
            }
            JOINER if self.at(0) == JOINER => !self.dropping,
            JOINER => {
                let short_part = self.at(0) == LETTER
                    && !(self.at(1) == LETTER && self.at(2) == LETTER && self.at(3) == LETTER);
                self.dropping = short_part && short_part_follows(ahead);
                !self.dropping
            }
            _ => true,
        };
        self.record(class);
        keep
    }
}

fn next_solid(ahead: &mut impl Iterator<Item = Class>) -> Option<Class> {
    ahead.find(|&c| c != MARK)
}

/// After a space that follows the `chain`-th one-letter part of a chain: whether the chain
/// reaches three parts, counting the one-letter parts that follow, each after a single space.
fn spaced_letters_continue(chain: u32, mut ahead: impl Iterator<Item = Class>) -> bool {
    let need = if chain >= 2 { 1 } else { 2 };
    let mut found = 0;
    loop {
        if next_solid(&mut ahead) != Some(LETTER) {
            break;
        }
        let after = next_solid(&mut ahead);
        if after == Some(LETTER) {
            break;
        }
        found += 1;
        if found >= need || after != Some(SPACE) {
            break;
        }
    }
    found >= need
}

/// After the first joiner of a run that follows a part of one to three letters: whether the
/// run has at most three joiners and is followed by a part of one to three letters.
fn short_part_follows(mut ahead: impl Iterator<Item = Class>) -> bool {
    let mut run = 1;
    loop {
        match next_solid(&mut ahead) {
            Some(JOINER) => {
                run += 1;
                if run > 3 {
                    return false;
                }
            }
            Some(LETTER) => break,
            _ => return false,
        }
    }
    let mut letters = 1;
    while next_solid(&mut ahead) == Some(LETTER) {
        letters += 1;
        if letters > 3 {
            return false;
        }
    }
    true
}
