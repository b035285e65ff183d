//! Arabic text normalization with an exact alignment back to the original text.
//!
//! Everything downstream of this crate (gazetteer matching, search, the tagger) reads
//! *normalized* text, and every span a client sees points into the *original*. This crate is
//! where that promise is kept: [`Normalizer::normalize`] returns the normalized text together
//! with an [`Alignment`] that maps any normalized span to the smallest original span that
//! produced it.
//!
//! # The key decision: one pass, character rules, a compact map
//!
//! Arabic normalizers are usually written as a chain of passes (NFKC, then a regex per rule,
//! then a cleaning map), which is simple but loses the link to the original text at the first
//! pass that changes a length, and costs one pass per rule. Here every rule is expressed as a
//! function of **one character** (keep it, drop it, replace it, expand it), and all enabled
//! rules are composed ahead of time into a single lookup ([`RuleSet`] → a 2,048-entry table
//! for the one- and two-byte UTF-8 range, which covers ASCII and the whole Arabic block, plus
//! a computed answer for the rare characters above). The normalizer then makes **one pass**
//! over the text: long runs of characters that stay as they are are copied in bulk, and each
//! change is reported to the alignment builder as it happens, so the alignment is exact by
//! construction rather than recovered afterwards.
//!
//! Two rules need context, and both are kept local so the pass stays single and linear:
//! [`Rule::ComposeHamza`] looks one output character back (a letter followed by a combining
//! hamza is composed, as NFC would), and [`Rule::Obfuscation`] reads at most the next two
//! letter groups ahead to decide whether a dot or a space is splitting one word («دا.عــش»,
//! «د ا ع ش») or separating two.
//!
//! The alignment is stored as **segments**, not per character. A run of original characters
//! that each became one character of the same byte length (copies, and folds such as أ → ا or
//! ة → ه) is one 12-byte *linear* segment, however long; a run of one-to-one replacements of
//! another length (٢٠١٥ → 2015) is one *uniform* segment; an expansion (ﷲ → الله, a lam-alef
//! ligature → two letters) or a composition is one *opaque* segment; a run of deleted
//! characters (tatweel, harakat, invisibles) is one segment with no normalized length. On
//! Arabic news that is about eight segments per kilobyte; with a one-bit-per-byte bitmap of
//! the normalized character starts, the whole map costs about a quarter of a byte per byte of
//! text. Queries are a binary search. See [`Alignment`] for the invariants, which are
//! property-tested and fuzzed.
//!
//! # Rules and profiles
//!
//! Each [`Rule`] is named and switchable; a [`Profile`] is a named [`RuleSet`]:
//! [`Profile::Lucene`] reproduces Lucene's `ArabicNormalizer` exactly, [`Profile::Search`]
//! (the default, for indexing and queries) applies every rule, and [`Profile::Extraction`]
//! is what the gazetteer matcher uses (it folds ة → ه but keeps ى). Where a rule reproduces
//! Lucene, CAMeL Tools or charabia, its documentation names the source, and the tests run the
//! vectors those projects publish.
//!
//! # Offsets
//!
//! All spans in this crate are **half-open ranges of UTF-8 byte offsets**, always on character
//! boundaries. [`OffsetIndex`] converts them to UTF-16 code units or code points (the
//! [`OffsetUnit`]s clients ask for) and back.
//!
//! # Search keys
//!
//! [`tokenize`] splits a normalized text into words, and [`search_term`] turns a word into its
//! search key (Lucene-style light stemming for Arabic, lower case otherwise).
//!
//! ```
//! use rasd_normalize::{Normalizer, Profile};
//!
//! let n = Normalizer::for_profile(Profile::Search);
//! let original = "قالت «الدولة» إنّ دا.عــش في الرقّة";
//! let normalized = n.normalize(original);
//! assert_eq!(normalized.text, "قالت \"الدوله\" ان داعش في الرقه");
//! let at = normalized.text.find("داعش").unwrap();
//! let span = normalized.alignment.to_original(at..at + "داعش".len());
//! assert_eq!(&original[span], "دا.عــش");
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod alignment;
mod compat;
mod error;
mod mapping;
mod normalizer;
mod obfuscation;
mod offsets;
mod profile;
mod rules;
mod stem;
mod tables;
mod tokenize;

pub use alignment::Alignment;
pub use error::UnknownName;
pub use normalizer::{Normalized, Normalizer, CACHED_RULE_SETS};
pub use offsets::{OffsetIndex, OffsetUnit};
pub use profile::Profile;
pub use rules::{Rule, RuleSet};
pub use stem::search_term;
pub use tokenize::{is_word_char, token_at, tokenize, Token};
