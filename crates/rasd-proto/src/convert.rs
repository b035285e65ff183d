//! Conversions between domain enums and their `rasd.v1` counterparts.

use rasd_extract::EntityType;

use crate::v1;

/// The domain type of a proto entity type; `None` for `ENTITY_TYPE_UNSPECIFIED` and unknown
/// values.
pub fn entity_type_from_proto(value: i32) -> Option<EntityType> {
    let proto = v1::EntityType::try_from(value).ok()?;
    let name = proto.as_str_name().strip_prefix("ENTITY_TYPE_")?;
    name.parse().ok()
}

/// The proto value of a domain entity type.
pub fn entity_type_to_proto(entity_type: EntityType) -> v1::EntityType {
    v1::EntityType::from_str_name(&format!("ENTITY_TYPE_{}", entity_type.as_str()))
        .unwrap_or(v1::EntityType::Unspecified)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entity_type_round_trips() {
        for &t in EntityType::ALL {
            let proto = entity_type_to_proto(t);
            assert_ne!(proto, v1::EntityType::Unspecified, "{t}");
            assert_eq!(entity_type_from_proto(proto as i32), Some(t));
        }
        assert_eq!(entity_type_from_proto(0), None);
        assert_eq!(entity_type_from_proto(999), None);
    }
}
