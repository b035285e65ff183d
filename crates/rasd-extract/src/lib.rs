//! Entity extraction for Arabic conflict news.
//!
//! The key decision: **every component reads one normalized text, every result points into the
//! original one.** A text is normalized once with the extraction profile of `rasd-normalize`
//! (hamza-carrier alefs, alef maksura, teh marbuta, diacritics, tatweel, presentation forms,
//! obfuscating punctuation inside words), and that normalized text is what the gazetteer
//! automaton, the patterns and the value grammar match on. Their spans are mapped back through
//! the normalizer's alignment, so a client always receives offsets into the text it sent, with
//! proclitics, quotes and decorations outside the span as the contract
//! (`shared/spec/entities.md`) requires.
//!
//! Components are independent producers of candidate mentions; the [`Extractor`] merges them
//! into one flat list. The knowledge base ([`KnowledgeBase`], compiled into the binary) drives a
//! gazetteer of canonical entities and lexicons of nationalities, occupations and weapons;
//! trigger patterns and values plug into the same merge, and so does the trained name tagger of
//! `rasd-tagger`, whose names give way to the knowledge base and the patterns on overlap
//! ([`tagged`] states the whole policy). `ExtractOptions::disable_tagger` leaves it out.
//!
//! Spans are UTF-8 byte ranges of the original text, half-open, on character boundaries.

mod extractor;
mod gazetteer;
mod kb;
mod patterns;
pub mod tagged;
mod types;
mod values;
mod word_filter;

pub use extractor::{ExtractOptions, Extractor};
pub use gazetteer::Gazetteer;
pub use kb::{KbEntry, KbError, KnowledgeBase};
pub use types::{Component, EntityType, Link, Mention, UnknownEntityType, Value};
pub use values::{find_values, Lexicon as ValueLexicon, ValueMatch};
