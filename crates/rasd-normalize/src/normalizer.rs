//! The engine: one pass over the original text that writes the normalized text and, on
//! request, its alignment.

use std::collections::HashMap;
use std::str::Chars;
use std::sync::{Arc, Mutex, OnceLock};

use crate::alignment::{Alignment, Builder};
use crate::mapping::{self, resolve, Action, Class, Entry, Table, CHAR, DELETE, KEEP, TABLE_SIZE};
use crate::obfuscation::Obfuscation;
use crate::profile::Profile;
use crate::rules::{Rule, RuleSet};
use crate::tables::compose_hamza;

/// How many compiled rule sets [`Normalizer::new`] keeps for reuse.
pub const CACHED_RULE_SETS: usize = 64;

/// Normalizes text under a fixed [`RuleSet`].
///
/// Building one compiles the rules into a 2,048-entry lookup table (8 KiB), cached per rule
/// set; [`Normalizer::for_profile`] returns a shared, already built one. Cloning is an `Arc`
/// clone, and a `Normalizer` is `Send + Sync`: build it once and share it.
#[derive(Clone, Debug)]
pub struct Normalizer {
    rules: RuleSet,
    table: Arc<Table>,
}

/// A normalized text and its alignment to the original.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    /// The normalized text.
    pub text: String,
    /// Maps spans of `text` back to the original text.
    pub alignment: Alignment,
}

impl Normalized {
    /// The original span (UTF-8 bytes, half-open) of a normalized span; see
    /// [`Alignment::to_original`].
    pub fn to_original(&self, normalized: std::ops::Range<usize>) -> std::ops::Range<usize> {
        self.alignment.to_original(normalized)
    }
}

impl Default for Normalizer {
    /// The [`Profile::Search`] normalizer.
    fn default() -> Self {
        Normalizer::for_profile(Profile::Search)
    }
}

impl Normalizer {
    /// A normalizer for an arbitrary set of rules.
    ///
    /// Compiled tables are cached per rule set for the life of the process (at most
    /// [`CACHED_RULE_SETS`] of them), so building a normalizer per request is cheap.
    pub fn new(rules: RuleSet) -> Self {
        static CACHE: OnceLock<Mutex<HashMap<RuleSet, Arc<Table>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(table) = cache.lock().ok().and_then(|c| c.get(&rules).cloned()) {
            return Normalizer { rules, table };
        }
        let table = Arc::new(mapping::build_table(rules));
        if let Ok(mut c) = cache.lock() {
            if c.len() < CACHED_RULE_SETS {
                c.insert(rules, Arc::clone(&table));
            }
        }
        Normalizer { rules, table }
    }

    /// The normalizer of a profile (built once per process, then shared).
    pub fn for_profile(profile: Profile) -> Self {
        static CACHE: [OnceLock<Normalizer>; 3] =
            [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let slot = match profile {
            Profile::Lucene => &CACHE[0],
            Profile::Search => &CACHE[1],
            Profile::Extraction => &CACHE[2],
        };
        slot.get_or_init(|| Normalizer::new(profile.rules()))
            .clone()
    }

    /// The rules this normalizer applies.
    pub fn rules(&self) -> RuleSet {
        self.rules
    }

    /// Normalizes `original` and records the alignment back to it.
    pub fn normalize(&self, original: &str) -> Normalized {
        let mut builder = Builder::with_capacity_for(original.len());
        let text = self.run(original, &mut builder);
        let alignment = builder.finish(&text, original.len());
        Normalized { text, alignment }
    }

    /// Normalizes `original` without recording an alignment: the same text as
    /// [`normalize`](Self::normalize), faster.
    pub fn normalize_text(&self, original: &str) -> String {
        self.run(original, &mut NoAlignment)
    }

    #[inline]
    fn entry(&self, c: char) -> Entry {
        if (c as usize) < TABLE_SIZE {
            self.table[c as usize]
        } else {
            Entry::of(c, self.rules)
        }
    }

    /// The single pass. `align` hears of every original character, in order.
    fn run<A: Align>(&self, src: &str, align: &mut A) -> String {
        if self.rules.contains(Rule::Obfuscation) {
            self.pass::<A, true>(src, align)
        } else {
            self.pass::<A, false>(src, align)
        }
    }

    /// The loop of [`run`](Self::run), specialised on whether the obfuscation rule is on.
    #[inline(always)]
    fn pass<A: Align, const OBFUSCATION: bool>(&self, src: &str, align: &mut A) -> String {
        let bytes = src.as_bytes();
        let table: &Table = &self.table;
        let mut state = State {
            out: String::with_capacity(src.len() + 8),
            obfuscation: Obfuscation::default(),
            obfuscation_on: OBFUSCATION,
        };
        // Bytes from `copy_from` up to `i` are kept as they are and not yet copied out.
        let mut copy_from = 0;
        // Whether the alignment was told of a kept character since the last other event: kept
        // characters all extend the same linear segment, so one call per run is enough.
        let mut open = false;
        // The obfuscation state lives in a local that never escapes, so that it stays in
        // registers; the slow paths get a copy through `state`.
        let mut obfuscation = Obfuscation::default();
        let mut i = 0;
        while i < bytes.len() {
            let b0 = bytes[i];
            let (cp, len) = if b0 < 0x80 {
                (u32::from(b0), 1)
            } else {
                decode(bytes, i)
            };
            let entry = if (cp as usize) < TABLE_SIZE {
                table[cp as usize]
            } else {
                Entry::of(char::from_u32(cp).unwrap_or('\u{FFFD}'), self.rules)
            };
            let kind = entry.kind();
            if kind == KEEP && (!OBFUSCATION || obfuscation.pass(entry.class())) {
                if !open {
                    align.uniform(state.out.len() + (i - copy_from), i, len, len);
                    open = true;
                }
                i += len;
                // The common case of Arabic text: a run of two-byte characters that stay as
                // they are (letters only, when the obfuscation rule watches them). A tighter
                // loop with a single test per character.
                while let Some(&[b0, b1]) = bytes.get(i..i + 2) {
                    if b0 & 0xE0 != 0xC0 {
                        break;
                    }
                    let e = table
                        [(usize::from(b0 & 0x1F) << 6 | usize::from(b1 & 0x3F)) & (TABLE_SIZE - 1)];
                    if OBFUSCATION {
                        if !e.is_kept_letter() {
                            break;
                        }
                        obfuscation.letter();
                    } else if e.kind() != KEEP {
                        break;
                    }
                    i += 2;
                }
                continue;
            }
            open = false;
            state.out.push_str(&src[copy_from..i]);
            let next = i + len;
            match kind {
                KEEP | CHAR => {
                    if OBFUSCATION {
                        state.obfuscation = obfuscation;
                    }
                    let ahead = || Ahead::new(self, src, next, "".chars());
                    state.emit_one(align, entry.out(), entry.class(), i, len, ahead);
                    if OBFUSCATION {
                        obfuscation = state.obfuscation;
                    }
                }
                DELETE => align.delete(state.out.len(), i),
                _ => {
                    state.obfuscation = obfuscation;
                    self.slow(&mut state, align, src, i, next);
                    obfuscation = state.obfuscation;
                }
            }
            i = next;
            copy_from = next;
        }
        state.out.push_str(&src[copy_from..]);
        state.out
    }

    /// Characters whose mapping is a string, and combining hamzas to compose.
    #[cold]
    fn slow<A: Align>(&self, state: &mut State, align: &mut A, src: &str, i: usize, next: usize) {
        let c = src[i..next].chars().next().unwrap_or('\u{FFFD}');
        if self.rules.contains(Rule::ComposeHamza)
            && matches!(c, '\u{0653}'..='\u{0655}')
            && self.compose(state, align, c)
        {
            return;
        }
        let ahead = || Ahead::new(self, src, next, "".chars());
        match resolve(c, self.rules, true) {
            Action::Keep => state.emit_one(align, c, mapping::class_of(c), i, next - i, ahead),
            Action::Char(d) => state.emit_one(align, d, mapping::class_of(d), i, next - i, ahead),
            Action::Delete => align.delete(state.out.len(), i),
            Action::Str(s) => self.expand(state, align, src, s, i, next),
        }
    }

    /// Composes a combining maddah or hamza with the last output letter. Returns `false` when
    /// they do not compose.
    fn compose<A: Align>(&self, state: &mut State, align: &mut A, mark: char) -> bool {
        let Some(base) = state.out.chars().next_back() else {
            return false;
        };
        let Some(composed) = compose_hamza(base, mark) else {
            return false;
        };
        let folded = match resolve(composed, self.rules, false) {
            Action::Char(d) => d,
            _ => composed,
        };
        let at = state.out.len() - base.len_utf8();
        state.out.truncate(at);
        align.absorb_last(at);
        state.out.push(folded);
        // A letter replaced by a letter and a transparent mark consumed: the obfuscation
        // state is unchanged.
        true
    }

    /// Writes the expansion `s` of the original character at `i..next`.
    fn expand<A: Align>(
        &self,
        state: &mut State,
        align: &mut A,
        src: &str,
        s: &'static str,
        i: usize,
        next: usize,
    ) {
        let start = state.out.len();
        let mut chars = s.chars();
        let mut produced = 0;
        while let Some(ch) = chars.next() {
            let out = match resolve(ch, self.rules, false) {
                Action::Delete => continue,
                Action::Char(d) => d,
                Action::Keep | Action::Str(_) => ch,
            };
            let class = mapping::class_of(out);
            if state.obfuscation_on && !state.obfuscation.pass(class) {
                let rest = chars.clone();
                if !state
                    .obfuscation
                    .decide(class, Ahead::new(self, src, next, rest))
                {
                    continue;
                }
            }
            state.out.push(out);
            produced += 1;
        }
        match produced {
            0 => align.delete(start, i),
            1 => align.uniform(start, i, next - i, state.out.len() - start),
            _ => align.opaque(start, i),
        }
    }
}

/// The output and the contextual state of one run.
struct State {
    out: String,
    obfuscation: Obfuscation,
    obfuscation_on: bool,
}

impl State {
    /// Writes one output character `ch` for the original character at `i` (`len` bytes),
    /// unless the obfuscation rule removes it.
    #[inline]
    fn emit_one<'a, A: Align>(
        &mut self,
        align: &mut A,
        ch: char,
        class: Class,
        i: usize,
        len: usize,
        ahead: impl FnOnce() -> Ahead<'a>,
    ) {
        if self.obfuscation_on
            && !self.obfuscation.pass(class)
            && !self.obfuscation.decide(class, ahead())
        {
            align.delete(self.out.len(), i);
            return;
        }
        align.uniform(self.out.len(), i, len, ch.len_utf8());
        self.out.push(ch);
    }
}

/// The classes of the output that the rest of the text will produce, for look-ahead.
struct Ahead<'a> {
    normalizer: &'a Normalizer,
    src: &'a str,
    pos: usize,
    pending: Chars<'static>,
}

impl<'a> Ahead<'a> {
    fn new(normalizer: &'a Normalizer, src: &'a str, pos: usize, pending: Chars<'static>) -> Self {
        Ahead {
            normalizer,
            src,
            pos,
            pending,
        }
    }
}

impl Iterator for Ahead<'_> {
    type Item = Class;

    fn next(&mut self) -> Option<Class> {
        let rules = self.normalizer.rules;
        loop {
            if let Some(ch) = self.pending.next() {
                match resolve(ch, rules, false) {
                    Action::Delete => continue,
                    Action::Char(d) => return Some(mapping::class_of(d)),
                    Action::Keep | Action::Str(_) => return Some(mapping::class_of(ch)),
                }
            }
            let c = self.src.get(self.pos..)?.chars().next()?;
            self.pos += c.len_utf8();
            let entry = self.normalizer.entry(c);
            match entry.kind() {
                KEEP | CHAR => return Some(entry.class()),
                DELETE => continue,
                _ => match resolve(c, rules, true) {
                    Action::Delete => continue,
                    Action::Keep => return Some(mapping::class_of(c)),
                    Action::Char(d) => return Some(mapping::class_of(d)),
                    Action::Str(s) => self.pending = s.chars(),
                },
            }
        }
    }
}

/// Decodes the multi-byte UTF-8 sequence starting at `i` of a valid UTF-8 text.
#[inline]
fn decode(bytes: &[u8], i: usize) -> (u32, usize) {
    let b0 = u32::from(bytes[i]);
    let cont = |k: usize| u32::from(bytes.get(i + k).copied().unwrap_or(0x80) & 0x3F);
    if b0 < 0xE0 {
        ((b0 & 0x1F) << 6 | cont(1), 2)
    } else if b0 < 0xF0 {
        ((b0 & 0x0F) << 12 | cont(1) << 6 | cont(2), 3)
    } else {
        (
            (b0 & 0x07) << 18 | cont(1) << 12 | cont(2) << 6 | cont(3),
            4,
        )
    }
}

/// Receives the alignment events of a run.
trait Align {
    fn uniform(&mut self, norm: usize, orig: usize, lo: usize, ln: usize);
    fn delete(&mut self, norm: usize, orig: usize);
    fn opaque(&mut self, norm: usize, orig: usize);
    fn absorb_last(&mut self, norm: usize);
}

impl Align for Builder {
    #[inline]
    fn uniform(&mut self, norm: usize, orig: usize, lo: usize, ln: usize) {
        Builder::uniform(self, norm, orig, lo, ln);
    }
    #[inline]
    fn delete(&mut self, norm: usize, orig: usize) {
        Builder::delete(self, norm, orig);
    }
    #[inline]
    fn opaque(&mut self, norm: usize, orig: usize) {
        Builder::opaque(self, norm, orig);
    }
    fn absorb_last(&mut self, norm: usize) {
        Builder::absorb_last(self, norm);
    }
}

/// The fast path: no alignment.
struct NoAlignment;

impl Align for NoAlignment {
    #[inline(always)]
    fn uniform(&mut self, _: usize, _: usize, _: usize, _: usize) {}
    #[inline(always)]
    fn delete(&mut self, _: usize, _: usize) {}
    #[inline(always)]
    fn opaque(&mut self, _: usize, _: usize) {}
    #[inline(always)]
    fn absorb_last(&mut self, _: usize) {}
}
