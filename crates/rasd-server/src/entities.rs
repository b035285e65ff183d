//! `rasd.v1.EntityService`: entities with their counts, mentions and co-occurrences.

use std::sync::Arc;

use rasd_normalize::OffsetIndex;
use rasd_proto::v1;
use rasd_proto::v1::entity_service_server::EntityService;
use rasd_proto::ApiError;
use tonic::{Request, Response, Status};

use crate::convert;
use crate::state::{blocking, traced, AppState};
use crate::validate;

/// Implements the generated `EntityService` trait.
#[derive(Debug, Clone)]
pub struct EntityApi {
    pub state: Arc<AppState>,
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound {
        resource_type: "rasd.v1.Entity",
        name: id.to_owned(),
    }
}

impl EntityApi {
    /// The entity as the store and the knowledge base know it; NOT_FOUND if neither does.
    fn lookup(&self, id: &str) -> Result<v1::Entity, ApiError> {
        let store = self.state.store()?;
        let extractor = self.state.extractor()?;
        let stats = store.entity(id).map_err(ApiError::from)?;
        let kb = extractor
            .knowledge_base()
            .get(id)
            .filter(|e| !e.is_lexical());
        if stats.is_none() && kb.is_none() {
            return Err(not_found(id));
        }
        Ok(convert::entity(stats.as_ref(), kb))
    }
}

#[tonic::async_trait]
impl EntityService for EntityApi {
    async fn get_entity(
        &self,
        request: Request<v1::GetEntityRequest>,
    ) -> Result<Response<v1::GetEntityResponse>, Status> {
        traced("GetEntity", async move {
            let r = request.into_inner();
            validate::entity_id("entity_id", &r.entity_id)?;
            Ok(v1::GetEntityResponse {
                entity: Some(self.lookup(&r.entity_id)?),
            })
        })
        .await
    }

    async fn list_entities(
        &self,
        request: Request<v1::ListEntitiesRequest>,
    ) -> Result<Response<v1::ListEntitiesResponse>, Status> {
        let state = self.state.clone();
        traced("ListEntities", async move {
            let r = request.into_inner();
            let page_size = validate::page_size("page_size", r.page_size, &state.limits)?;
            let entity_type = validate::entity_type("type", r.r#type)?;
            let store = state.store()?;
            let extractor = state.extractor()?;
            blocking(move || {
                let page = store.list_entities(entity_type, page_size, &r.page_token)?;
                let kb = extractor.knowledge_base();
                Ok(v1::ListEntitiesResponse {
                    entities: page
                        .items
                        .iter()
                        .map(|s| {
                            convert::entity(Some(s), kb.get(&s.id).filter(|e| !e.is_lexical()))
                        })
                        .collect(),
                    next_page_token: page.next_token.unwrap_or_default(),
                })
            })
            .await
        })
        .await
    }

    async fn list_entity_mentions(
        &self,
        request: Request<v1::ListEntityMentionsRequest>,
    ) -> Result<Response<v1::ListEntityMentionsResponse>, Status> {
        traced("ListEntityMentions", async move {
            let r = request.into_inner();
            validate::entity_id("entity_id", &r.entity_id)?;
            let page_size = validate::page_size("page_size", r.page_size, &self.state.limits)?;
            let unit = validate::offset_unit("offset_unit", r.offset_unit)?;
            self.lookup(&r.entity_id)?;
            let store = self.state.store()?;
            blocking(move || {
                let page = store.entity_mentions(&r.entity_id, page_size, &r.page_token)?;
                let mentions = page
                    .items
                    .iter()
                    .map(|hit| {
                        let index = OffsetIndex::new(&hit.document_text);
                        v1::EntityMention {
                            document_id: hit.document_id.clone(),
                            mention: Some(convert::mention(
                                &hit.document_text,
                                &index,
                                &hit.mention,
                                unit,
                            )),
                            snippet: hit.snippet.clone(),
                        }
                    })
                    .collect();
                Ok(v1::ListEntityMentionsResponse {
                    mentions,
                    next_page_token: page.next_token.unwrap_or_default(),
                })
            })
            .await
        })
        .await
    }

    async fn list_related_entities(
        &self,
        request: Request<v1::ListRelatedEntitiesRequest>,
    ) -> Result<Response<v1::ListRelatedEntitiesResponse>, Status> {
        traced("ListRelatedEntities", async move {
            let r = request.into_inner();
            validate::entity_id("entity_id", &r.entity_id)?;
            let page_size = validate::page_size("page_size", r.page_size, &self.state.limits)?;
            let entity_type = validate::entity_type("type", r.r#type)?;
            self.lookup(&r.entity_id)?;
            let store = self.state.store()?;
            let extractor = self.state.extractor()?;
            blocking(move || {
                let page =
                    store.related_entities(&r.entity_id, entity_type, page_size, &r.page_token)?;
                let kb = extractor.knowledge_base();
                Ok(v1::ListRelatedEntitiesResponse {
                    related: page
                        .items
                        .iter()
                        .map(|hit| v1::RelatedEntity {
                            entity: Some(convert::entity(
                                Some(&hit.entity),
                                kb.get(&hit.entity.id).filter(|e| !e.is_lexical()),
                            )),
                            document_count: hit.shared_documents,
                        })
                        .collect(),
                    next_page_token: page.next_token.unwrap_or_default(),
                })
            })
            .await
        })
        .await
    }
}
