//! The knowledge base as the server runs it: the built-in one plus the additions stored through
//! `CreateEntity` and `AddEntityAliases`, rebuilt into a new extraction pipeline on each change.

use rasd_extract::{EntityType, KbEntry, KnowledgeBase};
use rasd_proto::ApiError;
use rasd_store::UserEntity;

/// Types whose entities have names worth linking.
pub const NAMED_TYPES: &[EntityType] = &[
    EntityType::Pers,
    EntityType::Org,
    EntityType::Gpe,
    EntityType::Loc,
    EntityType::Fac,
    EntityType::Event,
    EntityType::Product,
    EntityType::Website,
    EntityType::Law,
];

/// Most names one request may add.
pub const MAX_ALIASES_PER_REQUEST: usize = 1000;

/// Applies one stored addition.
pub fn apply(kb: &mut KnowledgeBase, user: &UserEntity) {
    if user.extends_builtin {
        kb.add_aliases(&user.id, &user.aliases);
    } else {
        kb.insert(KbEntry {
            id: user.id.clone(),
            entity_type: user.entity_type,
            subtype: user.subtype.clone(),
            name_ar: user.name_ar.clone(),
            name_en: user.name_en.clone(),
            aliases: user.aliases.clone(),
            wikidata: user.wikidata.clone(),
            location: user.location,
            parent: String::new(),
            country: String::new(),
        });
    }
}

/// Checks an entity id: `prefix/slug`, the prefix the type's, the slug lower-case ASCII.
pub fn check_id(field: &str, id: &str, entity_type: EntityType) -> Result<(), ApiError> {
    let Some((prefix, slug)) = id.split_once('/') else {
        return Err(ApiError::invalid(
            field,
            "must be prefix/slug, such as org/liwa-al-baqir",
        ));
    };
    if prefix != entity_type.id_prefix() {
        return Err(ApiError::invalid(
            field,
            format!(
                "must start with {}/ for type {}",
                entity_type.id_prefix(),
                entity_type
            ),
        ));
    }
    let valid_slug = !slug.is_empty()
        && slug.len() <= 128
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if !valid_slug {
        return Err(ApiError::invalid(
            field,
            "the slug must be 1 to 128 lower-case ASCII letters, digits and inner hyphens",
        ));
    }
    Ok(())
}

/// Checks names to add: each non-empty, at most 256 bytes, no control characters.
pub fn check_names(field: &str, names: &[String]) -> Result<(), ApiError> {
    if names.len() > MAX_ALIASES_PER_REQUEST {
        return Err(ApiError::LimitExceeded {
            field: field.to_owned(),
            reason: format!(
                "has {} names, over the limit of {MAX_ALIASES_PER_REQUEST}",
                names.len()
            ),
            limit: MAX_ALIASES_PER_REQUEST as u64,
        });
    }
    for (i, name) in names.iter().enumerate() {
        if name.trim().chars().count() < 2 {
            return Err(ApiError::invalid(
                format!("{field}[{i}]"),
                "must have at least two characters",
            ));
        }
        if name.len() > 256 || name.chars().any(char::is_control) {
            return Err(ApiError::invalid(
                format!("{field}[{i}]"),
                "must be at most 256 bytes with no control characters",
            ));
        }
    }
    Ok(())
}
