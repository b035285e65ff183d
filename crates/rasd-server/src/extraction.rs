//! `rasd.v1.ExtractionService`: normalization and stateless extraction.

use std::sync::Arc;

use rasd_extract::{ExtractOptions, Extractor};
use rasd_normalize::{Normalized, Normalizer, OffsetIndex, OffsetUnit, Profile, Rule};
use rasd_proto::v1::extraction_service_server::ExtractionService;
use rasd_proto::v1::{self, NormalizationProfile};
use rasd_proto::ApiError;
use rasd_store::StoredMention;
use tonic::{Request, Response, Status};

use crate::convert;
use crate::state::{traced, AppState};
use crate::validate;

/// Implements the generated `ExtractionService` trait.
#[derive(Debug, Clone)]
pub struct ExtractionApi {
    pub state: Arc<AppState>,
}

/// Options of one extraction, validated.
pub struct ValidOptions {
    pub extract: ExtractOptions,
    pub unit: OffsetUnit,
}

/// Validates `ExtractionOptions` (absent means defaults).
pub fn extraction_options(
    field: &str,
    options: Option<&v1::ExtractionOptions>,
) -> Result<ValidOptions, ApiError> {
    let Some(o) = options else {
        return Ok(ValidOptions {
            extract: ExtractOptions::default(),
            unit: OffsetUnit::CodePoint,
        });
    };
    let reference_time = o
        .reference_time
        .as_ref()
        .map(|t| {
            validate::timestamp(&format!("{field}.reference_time"), t)
                .map(|us| us.div_euclid(1_000_000))
        })
        .transpose()?;
    Ok(ValidOptions {
        extract: ExtractOptions {
            types: validate::entity_types(&format!("{field}.types"), &o.types)?,
            reference_time,
            disable_tagger: o.disable_tagger,
        },
        unit: validate::offset_unit(&format!("{field}.offset_unit"), o.offset_unit)?,
    })
}

/// Extracts from one validated text.
pub fn extract(
    extractor: &Extractor,
    text: &str,
    options: &ValidOptions,
) -> v1::ExtractEntitiesResponse {
    let found = extractor.extract(text, &options.extract);
    let stored: Vec<_> = found.iter().map(StoredMention::from).collect();
    v1::ExtractEntitiesResponse {
        mentions: convert::mentions(text, &stored, options.unit),
        offset_unit: convert::unit_to_proto(options.unit) as i32,
    }
}

fn normalizer_for(
    request: &v1::NormalizeTextRequest,
) -> Result<(Normalizer, NormalizationProfile), ApiError> {
    let (profile, proto_profile) = match NormalizationProfile::try_from(request.profile) {
        Ok(NormalizationProfile::Unspecified | NormalizationProfile::Search) => {
            (Profile::Search, NormalizationProfile::Search)
        }
        Ok(NormalizationProfile::Lucene) => (Profile::Lucene, NormalizationProfile::Lucene),
        Ok(NormalizationProfile::Extraction) => {
            (Profile::Extraction, NormalizationProfile::Extraction)
        }
        Err(_) => {
            return Err(ApiError::invalid(
                "profile",
                format!("{} is not a known NormalizationProfile", request.profile),
            ))
        }
    };
    let mut rules = profile.rules();
    for (field, names, enable) in [
        ("enable_rules", &request.enable_rules, true),
        ("disable_rules", &request.disable_rules, false),
    ] {
        for (i, name) in names.iter().enumerate() {
            let rule: Rule = name.parse().map_err(|_| {
                let known: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
                ApiError::invalid(
                    format!("{field}[{i}]"),
                    format!("{name:?} is not a rule; known rules: {}", known.join(", ")),
                )
            })?;
            rules = if enable {
                rules.with(rule)
            } else {
                rules.without(rule)
            };
        }
    }
    Ok((Normalizer::new(rules), proto_profile))
}

/// The alignment as segments in `unit`, merging runs where positions correspond one to one.
pub fn alignment_segments(
    original: &str,
    normalized: &Normalized,
    unit: OffsetUnit,
) -> Vec<v1::AlignmentSegment> {
    let original_index = OffsetIndex::new(original);
    let normalized_index = OffsetIndex::new(&normalized.text);
    let mut segments: Vec<v1::AlignmentSegment> = Vec::new();
    for (start, c) in normalized.text.char_indices() {
        let end = start + c.len_utf8();
        let from = normalized.alignment.to_original(start..end);
        let segment = v1::AlignmentSegment {
            normalized_start: normalized_index.from_byte(start, unit) as u32,
            normalized_end: normalized_index.from_byte(end, unit) as u32,
            original_start: original_index.from_byte(from.start, unit) as u32,
            original_end: original_index.from_byte(from.end, unit) as u32,
        };
        let one_to_one = |s: &v1::AlignmentSegment| {
            s.normalized_end - s.normalized_start == s.original_end - s.original_start
        };
        match segments.last_mut() {
            Some(last)
                if one_to_one(last)
                    && one_to_one(&segment)
                    && last.normalized_end == segment.normalized_start
                    && last.original_end == segment.original_start =>
            {
                last.normalized_end = segment.normalized_end;
                last.original_end = segment.original_end;
            }
            _ => segments.push(segment),
        }
    }
    segments
}

#[tonic::async_trait]
impl ExtractionService for ExtractionApi {
    async fn normalize_text(
        &self,
        request: Request<v1::NormalizeTextRequest>,
    ) -> Result<Response<v1::NormalizeTextResponse>, Status> {
        let state = self.state.clone();
        traced("NormalizeText", async move {
            let request = request.into_inner();
            validate::text("text", &request.text, &state.limits)?;
            let (normalizer, profile) = normalizer_for(&request)?;
            let unit = validate::offset_unit("offset_unit", request.offset_unit)?;
            state
                .blocking(move || {
                    let normalized = normalizer.normalize(&request.text);
                    let alignment = if request.skip_alignment {
                        Vec::new()
                    } else {
                        alignment_segments(&request.text, &normalized, unit)
                    };
                    Ok(v1::NormalizeTextResponse {
                        normalized_text: normalized.text,
                        profile: profile as i32,
                        rules: normalizer
                            .rules()
                            .iter()
                            .map(|r| r.name().to_owned())
                            .collect(),
                        offset_unit: convert::unit_to_proto(unit) as i32,
                        alignment,
                    })
                })
                .await
        })
        .await
    }

    async fn extract_entities(
        &self,
        request: Request<v1::ExtractEntitiesRequest>,
    ) -> Result<Response<v1::ExtractEntitiesResponse>, Status> {
        let state = self.state.clone();
        traced("ExtractEntities", async move {
            let request = request.into_inner();
            validate::text("text", &request.text, &state.limits)?;
            let options = extraction_options("options", request.options.as_ref())?;
            let extractor = state.extractor()?;
            state
                .blocking(move || Ok(extract(&extractor, &request.text, &options)))
                .await
        })
        .await
    }

    async fn batch_extract_entities(
        &self,
        request: Request<v1::BatchExtractEntitiesRequest>,
    ) -> Result<Response<v1::BatchExtractEntitiesResponse>, Status> {
        let state = self.state.clone();
        traced("BatchExtractEntities", async move {
            let request = request.into_inner();
            validate::batch("requests", request.requests.len(), &state.limits)?;
            let extractor = state.extractor()?;
            let limits = state.limits.clone();
            state
                .blocking(move || {
                    let results = request
                        .requests
                        .iter()
                        .enumerate()
                        .map(|(i, item)| {
                            let outcome =
                                validate::text(&format!("requests[{i}].text"), &item.text, &limits)
                                    .and_then(|()| {
                                        extraction_options(
                                            &format!("requests[{i}].options"),
                                            item.options.as_ref(),
                                        )
                                    })
                                    .map(|options| extract(&extractor, &item.text, &options));
                            v1::BatchExtractEntitiesResult {
                                result: Some(match outcome {
                                    Ok(response) => {
                                        v1::batch_extract_entities_result::Result::Response(
                                            response,
                                        )
                                    }
                                    Err(e) => v1::batch_extract_entities_result::Result::Error(
                                        e.to_rpc_status(),
                                    ),
                                }),
                            }
                        })
                        .collect();
                    Ok(v1::BatchExtractEntitiesResponse { results })
                })
                .await
        })
        .await
    }
}
