//! `rasd.v1.DocumentService`: documents stored with their mentions, listed and searched.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rasd_extract::{ExtractOptions, Extractor};
use rasd_normalize::{OffsetIndex, OffsetUnit};
use rasd_proto::v1::document_service_server::DocumentService;
use rasd_proto::v1::{self, DocumentView};
use rasd_proto::ApiError;
use rasd_store::{NewDocument, PutOutcome, Store, StoreError, StoredMention};
use tonic::{Request, Response, Status};

use crate::config::Limits;
use crate::convert;
use crate::state::{blocking_unqueued, traced, AppState};
use crate::validate;

/// Implements the generated `DocumentService` trait.
#[derive(Debug, Clone)]
pub struct DocumentApi {
    pub state: Arc<AppState>,
}

/// A CreateDocumentRequest that passed validation.
struct ValidCreate {
    doc: NewDocument,
    reference_time: Option<i64>,
    answer: AnswerForm,
}

/// The form of the document a create request is answered with.
#[derive(Clone, Copy)]
struct AnswerForm {
    unit: OffsetUnit,
    full: bool,
}

static ID_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A new document id: time, process and a counter, so ids are unique and sort by creation.
fn generate_id() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let count = ID_COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("d{now:x}-{:x}-{count:x}", std::process::id())
}

fn validate_create(
    field: &str,
    r: v1::CreateDocumentRequest,
    limits: &Limits,
) -> Result<ValidCreate, ApiError> {
    let id = if r.document_id.is_empty() {
        generate_id()
    } else {
        validate::document_id(&format!("{field}document_id"), &r.document_id)?;
        r.document_id
    };
    validate::text(&format!("{field}text"), &r.text, limits)?;
    for (name, value) in [
        ("title", &r.title),
        ("source", &r.source),
        ("url", &r.url),
        ("language", &r.language),
    ] {
        validate::metadata(&format!("{field}{name}"), value)?;
    }
    let published_us = r
        .published_time
        .as_ref()
        .map(|t| validate::timestamp(&format!("{field}published_time"), t))
        .transpose()?;
    let unit = validate::offset_unit(&format!("{field}offset_unit"), r.offset_unit)?;
    let full = match DocumentView::try_from(r.view) {
        Ok(DocumentView::Unspecified | DocumentView::Full) => true,
        Ok(DocumentView::Basic) => false,
        Err(_) => return Err(unknown_view(&format!("{field}view"), r.view)),
    };
    Ok(ValidCreate {
        doc: NewDocument {
            id,
            text: r.text,
            title: r.title,
            source: r.source,
            url: r.url,
            published_us,
            language: if r.language.is_empty() {
                "ar".to_owned()
            } else {
                r.language
            },
            mentions: Vec::new(),
        },
        reference_time: published_us.map(|us| us.div_euclid(1_000_000)),
        answer: AnswerForm { unit, full },
    })
}

fn unknown_view(field: &str, view: i32) -> ApiError {
    ApiError::invalid(field, format!("{view} is not a known DocumentView"))
}

fn extract_into(extractor: &Extractor, valid: &mut ValidCreate) {
    let options = ExtractOptions {
        types: Vec::new(),
        reference_time: valid.reference_time,
        disable_tagger: false,
    };
    valid.doc.mentions = extractor
        .extract(&valid.doc.text, &options)
        .iter()
        .map(StoredMention::from)
        .collect();
}

fn create_response(outcome: PutOutcome, answer: AnswerForm) -> v1::CreateDocumentResponse {
    let (doc, created) = match outcome {
        PutOutcome::Created(doc) => (doc, true),
        PutOutcome::Existing(doc) => (doc, false),
    };
    let document = if answer.full {
        convert::document_full(&doc, answer.unit)
    } else {
        convert::document_basic(&doc.summary)
    };
    v1::CreateDocumentResponse {
        document: Some(document),
        created,
    }
}

/// The stored document when this id was stored before with the same text (an idempotent retry,
/// answered without extracting again); ALREADY_EXISTS when it was stored with another text.
fn already_stored(store: &Store, doc: &NewDocument) -> Result<Option<PutOutcome>, ApiError> {
    match store.get(&doc.id).map_err(store_error)? {
        Some(existing) if existing.text == doc.text => Ok(Some(PutOutcome::Existing(existing))),
        Some(_) => Err(store_error(StoreError::Conflict { id: doc.id.clone() })),
        None => Ok(None),
    }
}

fn store_error(error: StoreError) -> ApiError {
    ApiError::from(error)
}

#[tonic::async_trait]
impl DocumentService for DocumentApi {
    async fn create_document(
        &self,
        request: Request<v1::CreateDocumentRequest>,
    ) -> Result<Response<v1::CreateDocumentResponse>, Status> {
        let state = self.state.clone();
        traced("CreateDocument", async move {
            let mut valid = validate_create("", request.into_inner(), &state.limits)?;
            let store = state.store()?;
            let extractor = state.extractor()?;
            let answer = valid.answer;
            if let Some(outcome) = already_stored(&store, &valid.doc)? {
                return Ok(create_response(outcome, answer));
            }
            let valid = blocking_unqueued(move || {
                extract_into(&extractor, &mut valid);
                Ok(valid)
            })
            .await?;
            let outcome = store
                .put(vec![valid.doc])
                .await
                .pop()
                .ok_or_else(|| ApiError::Internal("no result".into()))?;
            Ok(create_response(outcome.map_err(store_error)?, answer))
        })
        .await
    }

    async fn batch_create_documents(
        &self,
        request: Request<v1::BatchCreateDocumentsRequest>,
    ) -> Result<Response<v1::BatchCreateDocumentsResponse>, Status> {
        let state = self.state.clone();
        traced("BatchCreateDocuments", async move {
            let request = request.into_inner();
            validate::batch("requests", request.requests.len(), &state.limits)?;
            let store = state.store()?;
            let extractor = state.extractor()?;
            let limits = state.limits.clone();
            let worker_store = store.clone();
            // Each item is answered already (invalid, or stored before: `Some`) or to be stored
            // (`None`): its document is moved to `docs`, in order, and the form of its answer
            // to `answers`.
            type Items = Vec<Result<Option<v1::CreateDocumentResponse>, ApiError>>;
            let (items, answers, docs): (Items, Vec<AnswerForm>, Vec<NewDocument>) =
                blocking_unqueued(move || {
                    let (mut answers, mut docs) = (Vec::new(), Vec::new());
                    let items = request
                        .requests
                        .into_iter()
                        .enumerate()
                        .map(|(i, r)| {
                            let mut valid =
                                validate_create(&format!("requests[{i}]."), r, &limits)?;
                            if let Some(outcome) = already_stored(&worker_store, &valid.doc)? {
                                return Ok(Some(create_response(outcome, valid.answer)));
                            }
                            extract_into(&extractor, &mut valid);
                            answers.push(valid.answer);
                            docs.push(valid.doc);
                            Ok(None)
                        })
                        .collect();
                    Ok((items, answers, docs))
                })
                .await?;
            let mut stored = store.put(docs).await.into_iter().zip(answers);
            let results = items
                .into_iter()
                .map(|item| {
                    let outcome = item.and_then(|answer| match answer {
                        Some(response) => Ok(response),
                        None => match stored.next() {
                            Some((outcome, answer)) => outcome
                                .map(|o| create_response(o, answer))
                                .map_err(store_error),
                            None => Err(ApiError::Internal("missing result".into())),
                        },
                    });
                    v1::BatchCreateDocumentsResult {
                        result: Some(match outcome {
                            Ok(response) => {
                                v1::batch_create_documents_result::Result::Response(response)
                            }
                            Err(e) => {
                                v1::batch_create_documents_result::Result::Error(e.to_rpc_status())
                            }
                        }),
                    }
                })
                .collect();
            Ok(v1::BatchCreateDocumentsResponse { results })
        })
        .await
    }

    async fn get_document(
        &self,
        request: Request<v1::GetDocumentRequest>,
    ) -> Result<Response<v1::GetDocumentResponse>, Status> {
        let state = self.state.clone();
        traced("GetDocument", async move {
            let r = request.into_inner();
            validate::document_id("document_id", &r.document_id)?;
            let unit = validate::offset_unit("offset_unit", r.offset_unit)?;
            let view = DocumentView::try_from(r.view).map_err(|_| unknown_view("view", r.view))?;
            let store = state.store()?;
            // A read that misses the cache waits for the disk: never on an async thread.
            state
                .blocking(move || {
                    let doc = store
                        .get(&r.document_id)
                        .map_err(store_error)?
                        .ok_or_else(|| ApiError::NotFound {
                            resource_type: "rasd.v1.Document",
                            name: r.document_id.clone(),
                        })?;
                    let document = match view {
                        DocumentView::Basic => convert::document_basic(&doc.summary),
                        DocumentView::Unspecified | DocumentView::Full => {
                            convert::document_full(&doc, unit)
                        }
                    };
                    Ok(v1::GetDocumentResponse {
                        document: Some(document),
                    })
                })
                .await
        })
        .await
    }

    async fn list_documents(
        &self,
        request: Request<v1::ListDocumentsRequest>,
    ) -> Result<Response<v1::ListDocumentsResponse>, Status> {
        let state = self.state.clone();
        traced("ListDocuments", async move {
            let r = request.into_inner();
            let page_size = validate::page_size("page_size", r.page_size, &state.limits)?;
            let filter = validate::document_filter("filter", r.filter.as_ref())?;
            let unit = validate::offset_unit("offset_unit", r.offset_unit)?;
            let full = match DocumentView::try_from(r.view) {
                Ok(DocumentView::Full) => true,
                Ok(_) => false,
                Err(_) => return Err(unknown_view("view", r.view)),
            };
            let store = state.store()?;
            state
                .blocking(move || {
                    let page = store
                        .list(&filter, page_size, &r.page_token)
                        .map_err(store_error)?;
                    let mut documents = Vec::with_capacity(page.items.len());
                    for summary in &page.items {
                        if full {
                            if let Some(doc) = store.get(&summary.id).map_err(store_error)? {
                                documents.push(convert::document_full(&doc, unit));
                            }
                        } else {
                            documents.push(convert::document_basic(summary));
                        }
                    }
                    Ok(v1::ListDocumentsResponse {
                        documents,
                        next_page_token: page.next_token.unwrap_or_default(),
                    })
                })
                .await
        })
        .await
    }

    async fn delete_document(
        &self,
        request: Request<v1::DeleteDocumentRequest>,
    ) -> Result<Response<v1::DeleteDocumentResponse>, Status> {
        let state = self.state.clone();
        traced("DeleteDocument", async move {
            let r = request.into_inner();
            validate::document_id("document_id", &r.document_id)?;
            let store = state.store()?;
            store.delete(&r.document_id).await.map_err(store_error)?;
            Ok(v1::DeleteDocumentResponse {})
        })
        .await
    }

    async fn search_documents(
        &self,
        request: Request<v1::SearchDocumentsRequest>,
    ) -> Result<Response<v1::SearchDocumentsResponse>, Status> {
        let state = self.state.clone();
        traced("SearchDocuments", async move {
            let r = request.into_inner();
            if r.query.trim().is_empty() {
                return Err(ApiError::invalid("query", "must not be empty"));
            }
            if r.query.len() > state.limits.max_query_bytes {
                return Err(ApiError::LimitExceeded {
                    field: "query".into(),
                    reason: format!(
                        "is {} bytes, over the limit of {} bytes",
                        r.query.len(),
                        state.limits.max_query_bytes
                    ),
                    limit: state.limits.max_query_bytes as u64,
                });
            }
            let page_size = validate::page_size("page_size", r.page_size, &state.limits)?;
            let filter = validate::document_filter("filter", r.filter.as_ref())?;
            let unit = validate::offset_unit("offset_unit", r.offset_unit)?;
            let store = state.store()?;
            state
                .blocking(move || {
                    let results = store
                        .search(&r.query, &filter, page_size, &r.page_token)
                        .map_err(store_error)?;
                    let hits = results
                        .page
                        .items
                        .iter()
                        .map(|hit| {
                            let index = OffsetIndex::new(&hit.document_text);
                            v1::SearchHit {
                                document: Some(convert::document_basic(&hit.summary)),
                                score: hit.score,
                                highlights: hit
                                    .highlights
                                    .iter()
                                    .map(|h| convert::span(&index, h, unit))
                                    .collect(),
                                snippet: hit.snippet.clone(),
                            }
                        })
                        .collect();
                    Ok(v1::SearchDocumentsResponse {
                        hits,
                        next_page_token: results.page.next_token.unwrap_or_default(),
                        total_hits: results.total_hits,
                        total_hits_exact: results.total_hits_exact,
                    })
                })
                .await
        })
        .await
    }
}
