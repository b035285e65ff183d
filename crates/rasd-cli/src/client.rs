//! Commands that call a running server.

use anyhow::{Context, Result};
use rasd_proto::v1::document_service_client::DocumentServiceClient;
use rasd_proto::v1::entity_service_client::EntityServiceClient;
use rasd_proto::v1::extraction_service_client::ExtractionServiceClient;
use rasd_proto::v1::{self, OffsetUnit};
use serde_json::{json, Value};
use tonic::transport::Channel;

use crate::{output, ClientArgs};

/// Largest message the client sends or accepts.
const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// A channel to the server, with a clear error when it cannot be reached.
pub async fn connect(server: &str) -> Result<Channel> {
    tonic::transport::Endpoint::from_shared(server.to_owned())
        .with_context(|| format!("{server:?} is not a server URL"))?
        .connect()
        .await
        .with_context(|| {
            format!("cannot reach the Rasd server at {server} (is `rasd serve` running?)")
        })
}

pub fn documents(channel: Channel) -> DocumentServiceClient<Channel> {
    DocumentServiceClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES)
}

fn entities_client(channel: Channel) -> EntityServiceClient<Channel> {
    EntityServiceClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES)
}

/// A gRPC error as one readable line: code, message and the fields at fault.
pub fn status_error(status: tonic::Status) -> anyhow::Error {
    use tonic_types::StatusExt;
    let mut line = format!("{:?}: {}", status.code(), status.message());
    if let Some(bad) = status.get_error_details().bad_request() {
        for v in &bad.field_violations {
            line.push_str(&format!(" [{}: {}]", v.field, v.description));
        }
    }
    anyhow::anyhow!(line)
}

fn parse_type(name: &Option<String>) -> Result<i32> {
    match name {
        None => Ok(0),
        Some(name) => {
            let t: rasd_extract::EntityType = name.parse()?;
            Ok(rasd_proto::entity_type_to_proto(t) as i32)
        }
    }
}

/// A proto mention as the same JSON object as offline extraction (code-point offsets).
pub fn mention_json(m: &v1::Mention) -> Value {
    let span = m.span.unwrap_or_default();
    let entity_type = rasd_proto::entity_type_from_proto(m.r#type)
        .map(|t| t.as_str())
        .unwrap_or("UNSPECIFIED");
    let component = v1::Component::try_from(m.component)
        .map(|c| {
            c.as_str_name()
                .trim_start_matches("COMPONENT_")
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    json!({
        "start": span.start,
        "end": span.end,
        "text": m.text,
        "type": entity_type,
        "id": (!m.entity_id.is_empty()).then(|| m.entity_id.clone()),
        "component": component,
        "confidence": m.confidence,
    })
}

pub async fn extract(
    args: &ClientArgs,
    texts: Vec<(String, String)>,
    disable_tagger: bool,
) -> Result<Vec<(String, Vec<Value>)>> {
    let mut client = ExtractionServiceClient::new(connect(&args.server).await?)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let mut results = Vec::new();
    for (name, text) in texts {
        let response = client
            .extract_entities(v1::ExtractEntitiesRequest {
                text,
                options: Some(v1::ExtractionOptions {
                    offset_unit: OffsetUnit::CodePoint as i32,
                    disable_tagger,
                    ..Default::default()
                }),
            })
            .await
            .map_err(status_error)
            .with_context(|| format!("extracting from {name}"))?
            .into_inner();
        results.push((name, response.mentions.iter().map(mention_json).collect()));
    }
    Ok(results)
}

pub async fn get(id: &str, args: &ClientArgs) -> Result<()> {
    let mut client = documents(connect(&args.server).await?);
    let doc = client
        .get_document(v1::GetDocumentRequest {
            document_id: id.to_owned(),
            view: v1::DocumentView::Full as i32,
            offset_unit: OffsetUnit::CodePoint as i32,
        })
        .await
        .map_err(status_error)?
        .into_inner()
        .document
        .unwrap_or_default();
    output::print_document(&doc, args.format)
}

pub async fn delete(id: &str, args: &ClientArgs) -> Result<()> {
    let mut client = documents(connect(&args.server).await?);
    client
        .delete_document(v1::DeleteDocumentRequest {
            document_id: id.to_owned(),
        })
        .await
        .map_err(status_error)?;
    eprintln!("deleted {id}");
    Ok(())
}

/// Flags of `rasd search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// Words to find; a part in double quotes is a phrase.
    query: String,
    /// Only documents that mention this entity (such as org/isis).
    #[arg(long)]
    entity: Option<String>,
    /// Only documents with a mention of this type (such as GPE).
    #[arg(long = "type")]
    entity_type: Option<String>,
    /// Only documents from this source.
    #[arg(long)]
    source: Option<String>,
    /// Most hits to show.
    #[arg(long, default_value_t = 10)]
    limit: i32,
    #[command(flatten)]
    client: ClientArgs,
}

pub async fn search(args: SearchArgs) -> Result<()> {
    let mut client = documents(connect(&args.client.server).await?);
    let response = client
        .search_documents(v1::SearchDocumentsRequest {
            query: args.query.clone(),
            filter: Some(v1::DocumentFilter {
                entity_id: args.entity.clone().unwrap_or_default(),
                entity_type: parse_type(&args.entity_type)?,
                source: args.source.clone().unwrap_or_default(),
                ..Default::default()
            }),
            page_size: args.limit,
            page_token: String::new(),
            offset_unit: OffsetUnit::CodePoint as i32,
        })
        .await
        .map_err(status_error)?
        .into_inner();
    output::print_hits(&response, args.client.format)
}

/// Flags of `rasd entities`.
#[derive(Debug, clap::Args)]
pub struct EntitiesArgs {
    /// Only entities of this type (such as ORG).
    #[arg(long = "type")]
    entity_type: Option<String>,
    /// Most entities to show.
    #[arg(long, default_value_t = 20)]
    limit: i32,
    #[command(flatten)]
    client: ClientArgs,
}

pub async fn entities(args: EntitiesArgs) -> Result<()> {
    let mut client = entities_client(connect(&args.client.server).await?);
    let response = client
        .list_entities(v1::ListEntitiesRequest {
            page_size: args.limit,
            page_token: String::new(),
            r#type: parse_type(&args.entity_type)?,
        })
        .await
        .map_err(status_error)?
        .into_inner();
    output::print_entities(&response.entities, args.client.format)
}

pub async fn entity(id: &str, args: &ClientArgs) -> Result<()> {
    let mut client = entities_client(connect(&args.server).await?);
    let entity = client
        .get_entity(v1::GetEntityRequest {
            entity_id: id.to_owned(),
        })
        .await
        .map_err(status_error)?
        .into_inner()
        .entity
        .unwrap_or_default();
    let related = client
        .list_related_entities(v1::ListRelatedEntitiesRequest {
            entity_id: id.to_owned(),
            page_size: 10,
            ..Default::default()
        })
        .await
        .map_err(status_error)?
        .into_inner()
        .related;
    output::print_entity(&entity, &related, args.format)
}
