//! Request validation: every check names the field and says what is wrong.

use rasd_extract::EntityType;
use rasd_normalize::OffsetUnit;
use rasd_proto::{entity_type_from_proto, v1, ApiError};
use rasd_store::DocumentFilter;

use crate::config::Limits;

/// Longest document id, in characters.
pub const MAX_DOCUMENT_ID_CHARS: usize = 128;
/// Longest entity id, in bytes.
pub const MAX_ENTITY_ID_BYTES: usize = 512;
/// Longest title, source, url or language, in bytes.
pub const MAX_METADATA_BYTES: usize = 4096;

/// A `text` field: non-empty, within the limit.
pub fn text(field: &str, text: &str, limits: &Limits) -> Result<(), ApiError> {
    if text.trim().is_empty() {
        return Err(ApiError::invalid(
            field,
            "must not be empty or only white space",
        ));
    }
    if text.len() > limits.max_text_bytes {
        return Err(ApiError::LimitExceeded {
            field: field.to_owned(),
            reason: format!(
                "is {} bytes, over the limit of {} bytes",
                text.len(),
                limits.max_text_bytes
            ),
            limit: limits.max_text_bytes as u64,
        });
    }
    Ok(())
}

/// The number of items of a batch.
pub fn batch(field: &str, count: usize, limits: &Limits) -> Result<(), ApiError> {
    if count == 0 {
        return Err(ApiError::invalid(field, "must hold at least one item"));
    }
    if count > limits.max_batch_items {
        return Err(ApiError::LimitExceeded {
            field: field.to_owned(),
            reason: format!(
                "has {count} items, over the limit of {}",
                limits.max_batch_items
            ),
            limit: limits.max_batch_items as u64,
        });
    }
    Ok(())
}

/// A `page_size`: 0 means the default; negative or over the maximum is an error.
pub fn page_size(field: &str, size: i32, limits: &Limits) -> Result<usize, ApiError> {
    if size < 0 {
        return Err(ApiError::invalid(
            field,
            format!("must not be negative (got {size})"),
        ));
    }
    let size = size as usize;
    if size > limits.max_page_size {
        return Err(ApiError::invalid(
            field,
            format!("is {size}, over the maximum of {}", limits.max_page_size),
        ));
    }
    Ok(if size == 0 {
        limits.default_page_size
    } else {
        size
    })
}

/// A client-chosen document id (empty is allowed only where the server generates one).
pub fn document_id(field: &str, id: &str) -> Result<(), ApiError> {
    if id.is_empty() {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    if id.chars().count() > MAX_DOCUMENT_ID_CHARS {
        return Err(ApiError::invalid(
            field,
            format!("is longer than {MAX_DOCUMENT_ID_CHARS} characters"),
        ));
    }
    if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '~' | '@')))
    {
        return Err(ApiError::invalid(
            field,
            format!("contains {bad:?}; allowed are A-Z a-z 0-9 . _ - : ~ @"),
        ));
    }
    Ok(())
}

/// An entity id (`org/isis`, `new/gpe/...`).
pub fn entity_id(field: &str, id: &str) -> Result<(), ApiError> {
    if id.is_empty() {
        return Err(ApiError::invalid(field, "must not be empty"));
    }
    if id.len() > MAX_ENTITY_ID_BYTES {
        return Err(ApiError::invalid(
            field,
            format!("is longer than {MAX_ENTITY_ID_BYTES} bytes"),
        ));
    }
    if id.chars().any(|c| c.is_control()) || !id.contains('/') {
        return Err(ApiError::invalid(
            field,
            "is not an entity id of the form type/slug",
        ));
    }
    Ok(())
}

/// A metadata string (title, source, url, language).
pub fn metadata(field: &str, value: &str) -> Result<(), ApiError> {
    if value.len() > MAX_METADATA_BYTES {
        return Err(ApiError::invalid(
            field,
            format!("is longer than {MAX_METADATA_BYTES} bytes"),
        ));
    }
    if value.contains('\0') {
        return Err(ApiError::invalid(field, "must not contain NUL characters"));
    }
    Ok(())
}

/// An optional entity type: unspecified is `None`, an unknown number is an error.
pub fn entity_type(field: &str, value: i32) -> Result<Option<EntityType>, ApiError> {
    if value == 0 {
        return Ok(None);
    }
    entity_type_from_proto(value)
        .map(Some)
        .ok_or_else(|| ApiError::invalid(field, format!("{value} is not a known EntityType")))
}

/// Entity types wanted by an extraction: every element must be known.
pub fn entity_types(field: &str, values: &[i32]) -> Result<Vec<EntityType>, ApiError> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            entity_type(&format!("{field}[{i}]"), v)?.ok_or_else(|| {
                ApiError::invalid(
                    format!("{field}[{i}]"),
                    "must not be ENTITY_TYPE_UNSPECIFIED",
                )
            })
        })
        .collect()
}

/// The offset unit: unspecified means code points.
pub fn offset_unit(field: &str, value: i32) -> Result<OffsetUnit, ApiError> {
    match v1::OffsetUnit::try_from(value) {
        Ok(v1::OffsetUnit::Unspecified | v1::OffsetUnit::CodePoint) => Ok(OffsetUnit::CodePoint),
        Ok(v1::OffsetUnit::Utf8Byte) => Ok(OffsetUnit::Utf8Byte),
        Ok(v1::OffsetUnit::Utf16CodeUnit) => Ok(OffsetUnit::Utf16CodeUnit),
        Err(_) => Err(ApiError::invalid(
            field,
            format!("{value} is not a known OffsetUnit"),
        )),
    }
}

/// A timestamp as microseconds since the Unix epoch.
pub fn timestamp(field: &str, value: &prost_types::Timestamp) -> Result<i64, ApiError> {
    if !(0..1_000_000_000).contains(&value.nanos) {
        return Err(ApiError::invalid(
            field,
            "nanos must be between 0 and 999999999",
        ));
    }
    // 0001-01-01 to 9999-12-31, as google.protobuf.Timestamp requires.
    if !(-62_135_596_800..=253_402_300_799).contains(&value.seconds) {
        return Err(ApiError::invalid(
            field,
            "is outside 0001-01-01 to 9999-12-31",
        ));
    }
    Ok(value.seconds * 1_000_000 + i64::from(value.nanos / 1000))
}

/// The filter of ListDocuments and SearchDocuments.
pub fn document_filter(
    field: &str,
    filter: Option<&v1::DocumentFilter>,
) -> Result<DocumentFilter, ApiError> {
    let Some(f) = filter else {
        return Ok(DocumentFilter::default());
    };
    let entity_id = if f.entity_id.is_empty() {
        None
    } else {
        entity_id(&format!("{field}.entity_id"), &f.entity_id)?;
        Some(f.entity_id.clone())
    };
    let source = if f.source.is_empty() {
        None
    } else {
        metadata(&format!("{field}.source"), &f.source)?;
        Some(f.source.clone())
    };
    let after = f
        .published_after
        .as_ref()
        .map(|t| timestamp(&format!("{field}.published_after"), t))
        .transpose()?;
    let before = f
        .published_before
        .as_ref()
        .map(|t| timestamp(&format!("{field}.published_before"), t))
        .transpose()?;
    if let (Some(a), Some(b)) = (after, before) {
        if a >= b {
            return Err(ApiError::invalid(
                format!("{field}.published_before"),
                "must be later than published_after",
            ));
        }
    }
    Ok(DocumentFilter {
        entity_id,
        entity_type: entity_type(&format!("{field}.entity_type"), f.entity_type)?,
        source,
        published_after_us: after,
        published_before_us: before,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_ids() {
        assert!(document_id("document_id", "000_316434cd13114722.txt").is_ok());
        assert!(document_id("document_id", "a b").is_err());
        assert!(document_id("document_id", "").is_err());
        assert!(document_id("document_id", &"x".repeat(129)).is_err());
    }

    #[test]
    fn page_sizes() {
        let limits = Limits::default();
        assert_eq!(
            page_size("page_size", 0, &limits).unwrap(),
            limits.default_page_size
        );
        assert!(page_size("page_size", -1, &limits).is_err());
        assert!(page_size("page_size", 1001, &limits).is_err());
    }
}
