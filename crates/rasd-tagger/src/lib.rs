//! A trained sequence tagger for person, organization and place names in Arabic news.
//!
//! TODO essay

mod analysis;
mod decode;
mod error;
mod features;
mod hash;
mod labels;
mod model;
mod prepared;
mod tagger;
mod train;
mod words;

pub use analysis::{analyze, analyze_word, gap_class, sentences, Analysis};
pub use decode::{Decoder, Transitions};
pub use error::ModelError;
pub use hash::{hash_bytes, U64Map};
pub use labels::{begin, inside, is_inside, kind_of, parse_tag, Kind, Label, LABELS, OUTSIDE};
pub use model::{Model, Row};
pub use tagger::{builtin, TaggedName, Tagger};
pub use train::{Example, Rng, Trainer};
pub use words::{
    frequency_class, gazetteer_bit, Position, Vocabulary, WordInfo, NORP_BIT, OCC_BIT,
};
