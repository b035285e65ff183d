//! Domain results to `rasd.v1` messages, with offsets converted to the unit the caller chose.

use std::ops::Range;

use rasd_extract::{Component, KbEntry, Value};
use rasd_normalize::{OffsetIndex, OffsetUnit};
use rasd_proto::{entity_type_to_proto, v1};
use rasd_store::{DocSummary, EntityStats, StoredDocument, StoredMention};

/// The proto value of an offset unit.
pub fn unit_to_proto(unit: OffsetUnit) -> v1::OffsetUnit {
    match unit {
        OffsetUnit::Utf8Byte => v1::OffsetUnit::Utf8Byte,
        OffsetUnit::Utf16CodeUnit => v1::OffsetUnit::Utf16CodeUnit,
        OffsetUnit::CodePoint => v1::OffsetUnit::CodePoint,
    }
}

/// A UTF-8 byte range of `index`'s text as a span in `unit`.
pub fn span(index: &OffsetIndex<'_>, range: &Range<usize>, unit: OffsetUnit) -> v1::Span {
    v1::Span {
        start: index.from_byte(range.start, unit) as u32,
        end: index.from_byte(range.end, unit) as u32,
        unit: unit_to_proto(unit) as i32,
    }
}

fn component(component: Component) -> v1::Component {
    match component {
        Component::Gazetteer => v1::Component::Gazetteer,
        Component::Lexicon => v1::Component::Lexicon,
        Component::Pattern => v1::Component::Pattern,
        Component::Value => v1::Component::Value,
        Component::Tagger => v1::Component::Tagger,
    }
}

fn value(value: &Value) -> v1::NormalizedValue {
    v1::NormalizedValue {
        iso8601: value.iso8601.clone().unwrap_or_default(),
        number: value.number,
        number_max: value.number_max,
        currency: value.currency.clone().unwrap_or_default(),
        unit: value.unit.clone().unwrap_or_default(),
        approximate: value.approximate,
    }
}

fn location(location: Option<(f64, f64)>) -> Option<v1::GeoPoint> {
    location.map(|(latitude, longitude)| v1::GeoPoint {
        latitude,
        longitude,
    })
}

/// A stored mention of `text` as a proto mention in `unit`.
pub fn mention(
    text: &str,
    index: &OffsetIndex<'_>,
    m: &StoredMention,
    unit: OffsetUnit,
) -> v1::Mention {
    let range = m.start as usize..m.end as usize;
    v1::Mention {
        r#type: entity_type_to_proto(m.entity_type) as i32,
        span: Some(span(index, &range, unit)),
        text: text.get(range).unwrap_or_default().to_owned(),
        entity_id: m.entity_id.clone().unwrap_or_default(),
        canonical_name_ar: m.name_ar.clone(),
        canonical_name_en: m.name_en.clone(),
        value: m.value.as_ref().map(value),
        confidence: m.confidence,
        component: component(m.component) as i32,
        subtype: m.subtype.clone(),
        location: location(m.location),
    }
}

/// Every mention of a text in `unit`.
pub fn mentions(text: &str, mentions: &[StoredMention], unit: OffsetUnit) -> Vec<v1::Mention> {
    let index = OffsetIndex::new(text);
    mentions
        .iter()
        .map(|m| mention(text, &index, m, unit))
        .collect()
}

fn timestamp(us: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: us.div_euclid(1_000_000),
        nanos: (us.rem_euclid(1_000_000) * 1000) as i32,
    }
}

/// A document in the BASIC view.
pub fn document_basic(summary: &DocSummary) -> v1::Document {
    v1::Document {
        document_id: summary.id.clone(),
        text: String::new(),
        title: summary.title.clone(),
        source: summary.source.clone(),
        url: summary.url.clone(),
        published_time: summary.published_us.map(timestamp),
        language: summary.language.clone(),
        create_time: Some(timestamp(summary.created_us)),
        mentions: Vec::new(),
        text_length: summary.text_chars,
        mention_count: summary.mention_count,
    }
}

/// A document in the FULL view.
pub fn document_full(doc: &StoredDocument, unit: OffsetUnit) -> v1::Document {
    v1::Document {
        text: doc.text.clone(),
        mentions: mentions(&doc.text, &doc.mentions, unit),
        ..document_basic(&doc.summary)
    }
}

/// An entity from its statistics in the store and its knowledge-base entry, either of which may
/// be missing (but not both).
pub fn entity(stats: Option<&EntityStats>, kb: Option<&KbEntry>) -> v1::Entity {
    let mut out = v1::Entity::default();
    if let Some(s) = stats {
        out.entity_id = s.id.clone();
        out.r#type = entity_type_to_proto(s.entity_type) as i32;
        out.subtype = s.subtype.clone();
        out.name_ar = s.name_ar.clone();
        out.name_en = s.name_en.clone();
        out.location = location(s.location);
        out.mention_count = s.mention_count;
        out.document_count = s.document_count;
    }
    if let Some(k) = kb {
        out.entity_id = k.id.clone();
        out.r#type = entity_type_to_proto(k.entity_type) as i32;
        out.subtype = k.subtype.clone();
        out.name_ar = k.name_ar.clone();
        out.name_en = k.name_en.clone();
        out.aliases = k.aliases.clone();
        out.location = location(k.location);
        out.wikidata_id = k.wikidata.clone();
        out.in_knowledge_base = true;
    }
    out
}
