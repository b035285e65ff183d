//! The vocabulary of extraction results: entity types, components, values and mentions.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The entity types of the Rasd contract: the Wojood type set plus `WEAPON`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityType {
    Pers,
    Norp,
    Occ,
    Org,
    Gpe,
    Loc,
    Fac,
    Event,
    Date,
    Time,
    Cardinal,
    Ordinal,
    Percent,
    Quantity,
    Unit,
    Money,
    Curr,
    Language,
    Product,
    Website,
    Law,
    Weapon,
}

impl EntityType {
    /// Every type, in the order of the `rasd.v1.EntityType` enum.
    pub const ALL: &'static [EntityType] = &[
        EntityType::Pers,
        EntityType::Norp,
        EntityType::Occ,
        EntityType::Org,
        EntityType::Gpe,
        EntityType::Loc,
        EntityType::Fac,
        EntityType::Event,
        EntityType::Date,
        EntityType::Time,
        EntityType::Cardinal,
        EntityType::Ordinal,
        EntityType::Percent,
        EntityType::Quantity,
        EntityType::Unit,
        EntityType::Money,
        EntityType::Curr,
        EntityType::Language,
        EntityType::Product,
        EntityType::Website,
        EntityType::Law,
        EntityType::Weapon,
    ];

    /// The contract's name of the type (`PERS`, `ORG`, `GPE`...).
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Pers => "PERS",
            EntityType::Norp => "NORP",
            EntityType::Occ => "OCC",
            EntityType::Org => "ORG",
            EntityType::Gpe => "GPE",
            EntityType::Loc => "LOC",
            EntityType::Fac => "FAC",
            EntityType::Event => "EVENT",
            EntityType::Date => "DATE",
            EntityType::Time => "TIME",
            EntityType::Cardinal => "CARDINAL",
            EntityType::Ordinal => "ORDINAL",
            EntityType::Percent => "PERCENT",
            EntityType::Quantity => "QUANTITY",
            EntityType::Unit => "UNIT",
            EntityType::Money => "MONEY",
            EntityType::Curr => "CURR",
            EntityType::Language => "LANGUAGE",
            EntityType::Product => "PRODUCT",
            EntityType::Website => "WEBSITE",
            EntityType::Law => "LAW",
            EntityType::Weapon => "WEAPON",
        }
    }

    /// A stable small number for compact storage (the position in [`EntityType::ALL`]).
    pub fn code(self) -> u8 {
        EntityType::ALL.iter().position(|t| *t == self).unwrap_or(0) as u8
    }

    /// The inverse of [`EntityType::code`].
    pub fn from_code(code: u8) -> Option<EntityType> {
        EntityType::ALL.get(usize::from(code)).copied()
    }

    /// The lower-case id prefix of linked entities of this type (`org`, `gpe`...).
    pub fn id_prefix(self) -> String {
        self.as_str().to_ascii_lowercase()
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no entity type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown entity type {0:?}")]
pub struct UnknownEntityType(pub String);

impl FromStr for EntityType {
    type Err = UnknownEntityType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        let upper = if upper == "PER" {
            "PERS".to_owned()
        } else {
            upper
        };
        EntityType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str() == upper)
            .ok_or_else(|| UnknownEntityType(s.to_owned()))
    }
}

/// Which part of the pipeline decided a mention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Component {
    /// A knowledge-base name or alias.
    Gazetteer,
    /// A lexicon of common nouns and adjectives (NORP, OCC, WEAPON).
    Lexicon,
    /// A trigger pattern.
    Pattern,
    /// The number, date and value grammar.
    Value,
    /// A statistical tagger.
    Tagger,
}

impl Component {
    /// Lower-case name, as written in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Component::Gazetteer => "gazetteer",
            Component::Lexicon => "lexicon",
            Component::Pattern => "pattern",
            Component::Value => "value",
            Component::Tagger => "tagger",
        }
    }
}

/// The normalized value of a date, time or numeric mention.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Value {
    /// ISO 8601 value where the text fixes one.
    pub iso8601: Option<String>,
    /// The number, or the lower bound of a range.
    pub number: Option<f64>,
    /// The upper bound of a range.
    pub number_max: Option<f64>,
    /// ISO 4217 currency code.
    pub currency: Option<String>,
    /// Unit of a quantity.
    pub unit: Option<String>,
    /// A vague or bounded value.
    pub approximate: bool,
}

/// What a mention links to: a canonical entity of the knowledge base or a new name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Canonical id (`org/isis`) or `new/<type>/<normalized>`.
    pub id: String,
    pub name_ar: String,
    pub name_en: String,
    pub subtype: String,
    /// Latitude and longitude of a place.
    pub location: Option<(f64, f64)>,
}

/// One mention found in a text.
///
/// `range` is a half-open range of **UTF-8 byte offsets into the original text**, always on
/// character boundaries; convert to other units with `rasd_normalize::OffsetIndex`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mention {
    pub range: Range<usize>,
    pub entity_type: EntityType,
    /// Shared with the pipeline for knowledge-base entities (a mention of «داعش» does not copy
    /// its names).
    pub link: Option<Arc<Link>>,
    pub value: Option<Value>,
    /// In [0, 1].
    pub confidence: f32,
    pub component: Component,
}
