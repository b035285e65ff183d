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
//! The state is three small counters updated per output character. A decision needs a look
//! ahead only at a space after a one-letter part or at a joiner after a short part, and the
//! look-ahead reads at most the next two parts, so every input character is read a bounded
//! number of times: the rule is linear in the input, whatever the input.

use crate::mapping::{Class, JOINER, LETTER, MARK, SPACE};

/// The state of the obfuscation rule over the output stream.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Obfuscation {
    /// Letters in the current part (saturating; only 0..=4 matter).
    part: u32,
    /// One-letter parts so far in a chain joined by single spaces, the current one excluded.
    chain: u32,
    /// A joiner run is being removed.
    dropping: bool,
}

impl Obfuscation {
    /// Updates the state for an output character of `class` when no look-ahead is needed and
    /// returns `true` (emit it); returns `false`, leaving the state as it was, when the
    /// character is a space or joiner whose fate depends on what follows: then call
    /// [`Obfuscation::decide`].
    #[inline]
    pub(crate) fn pass(&mut self, class: Class) -> bool {
        match class {
            LETTER => {
                self.part = self.part.saturating_add(1);
                self.dropping = false;
                true
            }
            MARK => true,
            SPACE if self.part == 1 => false,
            JOINER if self.dropping || (1..=3).contains(&self.part) => false,
            SPACE => {
                self.part = 0;
                self.chain = 0;
                self.dropping = false;
                true
            }
            _ => {
                self.part = 0;
                self.chain = 0;
                self.dropping = false;
                true
            }
        }
    }

    /// Decides a character of `class` for which [`pass`](Self::pass) returned `false`, reading
    /// the classes of the output that follows it from `ahead`. Returns whether to emit it.
    pub(crate) fn decide(&mut self, class: Class, ahead: impl Iterator<Item = Class>) -> bool {
        match class {
            SPACE => {
                let chain = self.chain + 1;
                self.part = 0;
                self.dropping = false;
                let drop = spaced_letters_continue(chain, ahead);
                // The chain carries on only if the next part is a one-letter part; if not,
                // `pass` resets it at the next separator anyway.
                self.chain = chain;
                !drop
            }
            JOINER => {
                self.chain = 0;
                let keep = if self.dropping {
                    false
                } else {
                    let drop = short_part_follows(ahead);
                    self.dropping = drop;
                    !drop
                };
                self.part = 0;
                keep
            }
            _ => self.pass(class),
        }
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
