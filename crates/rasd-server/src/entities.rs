//! `rasd.v1.EntityService`: entities with their counts, mentions and co-occurrences.

use std::sync::Arc;

use rasd_extract::Extractor;
use rasd_normalize::OffsetIndex;
use rasd_proto::v1;
use rasd_proto::v1::entity_service_server::EntityService;
use rasd_proto::ApiError;
use rasd_store::UserEntity;
use tonic::{Request, Response, Status};

use crate::convert;
use crate::knowledge;
use crate::state::{blocking_unqueued, traced, AppState};
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

/// The entity as the store and the knowledge base know it; NOT_FOUND if neither does.
fn lookup_entity(state: &AppState, id: &str) -> Result<v1::Entity, ApiError> {
    let store = state.store()?;
    let extractor = state.extractor()?;
    let stats = store.entity(id).map_err(ApiError::from)?;
    let kb = extractor
        .knowledge_base()
        .get(id)
        .filter(|e| !e.is_lexical());
    if stats.is_none() && kb.is_none() {
        return Err(not_found(id));
    }
    let mut entity = convert::entity(stats.as_ref(), kb);
    entity.user_defined = store.user_entity(id).map_err(ApiError::from)?.is_some();
    Ok(entity)
}

impl EntityApi {
    /// [`lookup_entity`] with this service's state.
    fn lookup(&self, id: &str) -> Result<v1::Entity, ApiError> {
        lookup_entity(&self.state, id)
    }

    /// Stores an addition to the knowledge base, then installs a pipeline built with it. The
    /// caller holds `knowledge_updates`.
    async fn add_to_knowledge_base(
        &self,
        current: Arc<Extractor>,
        user: UserEntity,
    ) -> Result<(), ApiError> {
        self.state.store()?.put_user_entity(&user).await?;
        let mut kb = current.knowledge_base().clone();
        knowledge::apply(&mut kb, &user);
        let extractor = blocking_unqueued(move || Ok(Extractor::new(kb))).await?;
        self.state.set_extractor(Arc::new(extractor));
        tracing::info!(entity_id = %user.id, aliases = user.aliases.len(), "knowledge base updated");
        Ok(())
    }
}

fn location(field: &str, point: Option<&v1::GeoPoint>) -> Result<Option<(f64, f64)>, ApiError> {
    let Some(p) = point else { return Ok(None) };
    if !(-90.0..=90.0).contains(&p.latitude) || !(-180.0..=180.0).contains(&p.longitude) {
        return Err(ApiError::invalid(
            field,
            "latitude must be in [-90, 90] and longitude in [-180, 180]",
        ));
    }
    Ok(Some((p.latitude, p.longitude)))
}

#[tonic::async_trait]
impl EntityService for EntityApi {
    async fn create_entity(
        &self,
        request: Request<v1::CreateEntityRequest>,
    ) -> Result<Response<v1::CreateEntityResponse>, Status> {
        traced("CreateEntity", async move {
            let r = request.into_inner();
            let entity_type = validate::entity_type("type", r.r#type)?
                .ok_or_else(|| ApiError::invalid("type", "must be set"))?;
            if !knowledge::NAMED_TYPES.contains(&entity_type) {
                return Err(ApiError::invalid(
                    "type",
                    format!("{entity_type} mentions are not linked to entities"),
                ));
            }
            knowledge::check_id("entity_id", &r.entity_id, entity_type)?;
            if r.name_ar.trim().is_empty() && r.name_en.trim().is_empty() {
                return Err(ApiError::invalid(
                    "name_ar",
                    "name_ar or name_en must be set",
                ));
            }
            for (field, value) in [
                ("subtype", &r.subtype),
                ("name_ar", &r.name_ar),
                ("name_en", &r.name_en),
                ("wikidata_id", &r.wikidata_id),
            ] {
                validate::metadata(field, value)?;
            }
            knowledge::check_names("aliases", &r.aliases)?;
            let location = location("location", r.location.as_ref())?;
            let _update = self.state.knowledge_updates.lock().await;
            let current = self.state.extractor()?;
            if current.knowledge_base().get(&r.entity_id).is_some() {
                return Err(ApiError::AlreadyExists {
                    resource_type: "rasd.v1.Entity",
                    name: r.entity_id.clone(),
                    field: "entity_id".to_owned(),
                    reason: "the knowledge base holds an entity with this id".to_owned(),
                });
            }
            let user = UserEntity {
                id: r.entity_id.clone(),
                entity_type,
                subtype: r.subtype,
                name_ar: r.name_ar.trim().to_owned(),
                name_en: r.name_en.trim().to_owned(),
                aliases: r.aliases.iter().map(|a| a.trim().to_owned()).collect(),
                wikidata: r.wikidata_id,
                location,
                extends_builtin: false,
            };
            self.add_to_knowledge_base(current, user).await?;
            Ok(v1::CreateEntityResponse {
                entity: Some(self.lookup(&r.entity_id)?),
            })
        })
        .await
    }

    async fn add_entity_aliases(
        &self,
        request: Request<v1::AddEntityAliasesRequest>,
    ) -> Result<Response<v1::AddEntityAliasesResponse>, Status> {
        traced("AddEntityAliases", async move {
            let r = request.into_inner();
            validate::entity_id("entity_id", &r.entity_id)?;
            if r.aliases.is_empty() {
                return Err(ApiError::invalid("aliases", "must hold at least one name"));
            }
            knowledge::check_names("aliases", &r.aliases)?;
            let store = self.state.store()?;
            let _update = self.state.knowledge_updates.lock().await;
            let current = self.state.extractor()?;
            let Some(entry) = current
                .knowledge_base()
                .get(&r.entity_id)
                .filter(|e| !e.is_lexical())
            else {
                return Err(not_found(&r.entity_id));
            };
            let mut user = match store.user_entity(&r.entity_id)? {
                Some(user) => user,
                None => UserEntity {
                    id: entry.id.clone(),
                    entity_type: entry.entity_type,
                    subtype: entry.subtype.clone(),
                    name_ar: entry.name_ar.clone(),
                    name_en: entry.name_en.clone(),
                    aliases: Vec::new(),
                    wikidata: entry.wikidata.clone(),
                    location: entry.location,
                    extends_builtin: true,
                },
            };
            for alias in &r.aliases {
                let alias = alias.trim();
                if !entry.names().any(|n| n == alias) && !user.aliases.iter().any(|a| a == alias) {
                    user.aliases.push(alias.to_owned());
                }
            }
            self.add_to_knowledge_base(current, user).await?;
            Ok(v1::AddEntityAliasesResponse {
                entity: Some(self.lookup(&r.entity_id)?),
            })
        })
        .await
    }

    async fn get_entity(
        &self,
        request: Request<v1::GetEntityRequest>,
    ) -> Result<Response<v1::GetEntityResponse>, Status> {
        traced("GetEntity", async move {
            let r = request.into_inner();
            validate::entity_id("entity_id", &r.entity_id)?;
            // A read that misses the cache waits for the disk: never on an async thread.
            let state = self.state.clone();
            let entity = self
                .state
                .blocking(move || lookup_entity(&state, &r.entity_id))
                .await?;
            Ok(v1::GetEntityResponse {
                entity: Some(entity),
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
            state
                .blocking(move || {
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
            self.state
                .blocking(move || {
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
            self.state
                .blocking(move || {
                    let page = store.related_entities(
                        &r.entity_id,
                        entity_type,
                        page_size,
                        &r.page_token,
                    )?;
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
