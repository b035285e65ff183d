//! A trained sequence tagger for person, organization and place names in Arabic news.
//!
//! A gazetteer finds the names it knows; news is full of people, villages and factions it does
//! not. This crate labels every word of a normalized text `B-`/`I-` PERS, LOC, ORG, MISC or `O`
//! and turns the label runs into names, with no Python, no GPU and nothing fetched at run time:
//! the model is a few megabytes compiled into the binary.
//!
//! # The key decision: a linear model whose knowledge comes from unlabelled news
//!
//! Transformer taggers reach their accuracy by what pretraining on large text taught them about
//! words; they cost milliseconds a sentence. This tagger keeps the cheap model, an averaged
//! structured perceptron (Collins 2002) with first-order Viterbi decoding, and moves the
//! knowledge into **features of each word learned from 9 million words of unlabelled news**
//! (SaudiNewsNet), so that a name training never saw still looks like the names it did:
//!
//! * **word vectors and their clusters**: each frequent word's vector is the truncated SVD of its
//!   PPMI row against the words seen two and one places before and after it; spherical k-means
//!   groups the vectors into nested clusters (1,000 / 200 / 40) and into three independent
//!   clusterings (100 / 500 / 2,500), read for the word and its neighbours (`rasd-tagger-train`):
//!   «عبد الستار» sits with the other given names;
//! * **self-training shares**: a first model tags the whole news corpus, and how often each word
//!   was tagged inside a person's, place's or organization's name becomes a feature of the next
//!   model, an automatic gazetteer of 140,000 words (two rounds);
//! * frequency classes, name-list flags (the knowledge base, ANERGazet), proclitic-stripped
//!   forms, affixes, the punctuation around the word, and conjunctions with the neighbours.
//!
//! The same feature functions (module `features`) serve training and tagging, so what is trained is
//! what runs. Training hides a token's own word features with probability 0.3, which teaches the
//! weights to read context and clusters rather than memorize the training names.
//!
//! # Speed: scores summed per word, not per token
//!
//! A token has about 64 features, most of which read one word alone (the token's own, or one
//! neighbour's). Their weights add up to the same five score vectors wherever that word occurs,
//! so for the 50,000 most frequent news words they are summed once at load (module
//! `prepared`); a token then costs one table lookup plus the eight features
//! that read two tokens, and the BIO constraint is written into the transition scores so the
//! decoder's inner loop has no test; so is the rule that no name continues across a comma, a
//! quotation mark, a bracket or a colon (`analysis::breaks_names`), written into the emission
//! scores of the token after one. Confidence is a max-marginal: how much worse the best
//! reading is if the word is forced to another kind.
//!
//! # Model
//!
//! Weights are hashed features (stable 64-bit hashes; [`hash_bytes`]) with nine `i16` weights
//! each, quantized from the averaged weights; words are their hashes. See [`Model`] for the file
//! format and `data/tagger/SOURCES.md` for the data and licenses.

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
    frequency_class, gazetteer_bit, tagged_share, Position, Vocabulary, WordInfo,
    EMBEDDING_CLUSTERINGS, NORP_BIT, OCC_BIT,
};
