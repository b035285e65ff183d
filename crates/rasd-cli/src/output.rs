//! Printing results as tables for people or JSON lines for programs.

use anyhow::Result;
use rasd_proto::v1;
use serde_json::{json, Value};

use crate::client::mention_json;
use crate::Format;

fn entity_type_name(value: i32) -> &'static str {
    rasd_proto::entity_type_from_proto(value).map_or("-", |t| t.as_str())
}

fn timestamp(t: &Option<prost_types::Timestamp>) -> String {
    t.as_ref()
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t.seconds).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

fn cut(text: &str, chars: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= chars {
        flat
    } else {
        flat.chars().take(chars).collect::<String>() + "…"
    }
}

pub fn print_extractions(results: &[(String, Vec<Value>)], format: Format) -> Result<()> {
    for (name, mentions) in results {
        match format {
            Format::Json => println!("{}", json!({"doc": name, "entities": mentions})),
            Format::Table => {
                println!("{name}: {} mentions", mentions.len());
                println!(
                    "  {:>7} {:>7}  {:<9} {:<32} text",
                    "start", "end", "type", "id"
                );
                for m in mentions {
                    println!(
                        "  {:>7} {:>7}  {:<9} {:<32} {}",
                        m["start"],
                        m["end"],
                        m["type"].as_str().unwrap_or("-"),
                        m["id"].as_str().unwrap_or("-"),
                        m["text"].as_str().unwrap_or("")
                    );
                }
            }
        }
    }
    Ok(())
}

pub fn document_json(doc: &v1::Document) -> Value {
    json!({
        "document_id": doc.document_id,
        "title": doc.title,
        "source": doc.source,
        "url": doc.url,
        "published_time": timestamp(&doc.published_time),
        "language": doc.language,
        "text_length": doc.text_length,
        "mention_count": doc.mention_count,
        "text": doc.text,
        "mentions": doc.mentions.iter().map(mention_json).collect::<Vec<_>>(),
    })
}

pub fn print_document(doc: &v1::Document, format: Format) -> Result<()> {
    match format {
        Format::Json => println!("{}", document_json(doc)),
        Format::Table => {
            println!("{}  {}", doc.document_id, doc.title);
            println!(
                "source: {}  published: {}  {} characters, {} mentions",
                doc.source,
                timestamp(&doc.published_time),
                doc.text_length,
                doc.mention_count
            );
            println!();
            println!("{}", cut(&doc.text, 600));
            println!();
            print_extractions(
                &[(
                    "mentions".to_owned(),
                    doc.mentions.iter().map(mention_json).collect(),
                )],
                Format::Table,
            )?;
        }
    }
    Ok(())
}

pub fn print_hits(response: &v1::SearchDocumentsResponse, format: Format) -> Result<()> {
    match format {
        Format::Json => {
            for hit in &response.hits {
                let doc = hit.document.clone().unwrap_or_default();
                println!(
                    "{}",
                    json!({"document_id": doc.document_id, "title": doc.title, "score": hit.score,
                           "snippet": hit.snippet,
                           "highlights": hit.highlights.iter().map(|h| json!([h.start, h.end])).collect::<Vec<_>>()})
                );
            }
        }
        Format::Table => {
            println!("{} documents match", response.total_hits);
            for hit in &response.hits {
                let doc = hit.document.clone().unwrap_or_default();
                println!(
                    "{:>7.3}  {}  {}",
                    hit.score,
                    doc.document_id,
                    cut(&doc.title, 60)
                );
                println!("         {}", cut(&hit.snippet, 160));
            }
        }
    }
    Ok(())
}

fn entity_json(e: &v1::Entity) -> Value {
    json!({
        "entity_id": e.entity_id,
        "type": entity_type_name(e.r#type),
        "subtype": e.subtype,
        "name_ar": e.name_ar,
        "name_en": e.name_en,
        "document_count": e.document_count,
        "mention_count": e.mention_count,
        "in_knowledge_base": e.in_knowledge_base,
        "wikidata_id": e.wikidata_id,
        "location": e.location.map(|l| json!([l.latitude, l.longitude])),
    })
}

pub fn print_entities(entities: &[v1::Entity], format: Format) -> Result<()> {
    match format {
        Format::Json => entities.iter().for_each(|e| println!("{}", entity_json(e))),
        Format::Table => {
            println!(
                "{:>6} {:>8}  {:<8} {:<36} name",
                "docs", "mentions", "type", "id"
            );
            for e in entities {
                println!(
                    "{:>6} {:>8}  {:<8} {:<36} {} / {}",
                    e.document_count,
                    e.mention_count,
                    entity_type_name(e.r#type),
                    e.entity_id,
                    e.name_ar,
                    e.name_en
                );
            }
        }
    }
    Ok(())
}

pub fn print_entity(
    entity: &v1::Entity,
    related: &[v1::RelatedEntity],
    format: Format,
) -> Result<()> {
    match format {
        Format::Json => {
            let mut value = entity_json(entity);
            value["aliases"] = json!(entity.aliases);
            value["related"] = related
                .iter()
                .map(|r| json!({"entity_id": r.entity.as_ref().map(|e| e.entity_id.clone()), "document_count": r.document_count}))
                .collect();
            println!("{value}");
        }
        Format::Table => {
            println!(
                "{}  {} / {}",
                entity.entity_id, entity.name_ar, entity.name_en
            );
            println!(
                "type: {} {}  documents: {}  mentions: {}",
                entity_type_name(entity.r#type),
                entity.subtype,
                entity.document_count,
                entity.mention_count
            );
            if !entity.aliases.is_empty() {
                println!("aliases: {}", cut(&entity.aliases.join(" · "), 300));
            }
            if !related.is_empty() {
                println!("related:");
                for r in related {
                    let e = r.entity.clone().unwrap_or_default();
                    println!(
                        "  {:>5}  {:<36} {}",
                        r.document_count, e.entity_id, e.name_ar
                    );
                }
            }
        }
    }
    Ok(())
}
