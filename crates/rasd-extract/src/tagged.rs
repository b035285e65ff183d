//! The statistical tagger's names, made into candidates that the merge can weigh against the
//! knowledge base and the patterns.
//!
//! The merge policy, in the order it applies:
//!
//! 1. **The knowledge base and the patterns win on overlap.** A tagged name that overlaps a
//!    knowledge-base entity or a pattern's name is dropped: the knowledge base's mention (with
//!    its canonical type and id) or the pattern's (found by an explicit cue) stands for it. So
//!    a tagged place that the knowledge base knows takes the knowledge base's type and id.
//! 2. **Generic heads go, name-forming heads stay and give the type.** A tagged place that opens
//!    with «مدينة», «بلدة», «قرية», «ناحية», «منطقة», «محافظة» loses that word and is a GPE
//!    («مدينة الميادين» → «الميادين»); one that opens with «بادية», «حي», «جبل», «نهر» (LOC) or
//!    «سجن», «مطار», «طريق», «جسر» (FAC) keeps it and takes its type. Any other tagged place is a
//!    GPE, what unknown places in news mostly are (villages, towns).
//! 3. **Unknown names link to themselves**: `new/<type>/<normalized text>`, as the patterns'.
//! 4. What remains joins the left-to-right merge with the lowest priority: it beats a shorter or
//!    later lexicon word or value it overlaps («الجيش السوري» over the NORP «السوري»), and loses
//!    to one with exactly its span.
//!
//! Names the tagger labels MISC are not emitted, and nor are names whose confidence is below
//! [`MIN_CONFIDENCE`].

use rasd_tagger::{Kind, TaggedName};

use crate::types::EntityType;

/// Tagged names less sure than this are left out.
pub const MIN_CONFIDENCE: f32 = 0.5;

/// Tagged names all of whose words are this common in news (frequency class: `1 + log2` of
/// the count in 9 million words) are left out: «المدينة», «محيط» are nouns far more often than
/// names, and the names among them that matter are in the knowledge base.
pub const MAX_COMMON_CLASS: u8 = 12;

/// A tagged name ready for the merge, in normalized byte offsets.
#[derive(Clone, Debug, PartialEq)]
pub struct TaggerCandidate {
    pub start: usize,
    pub end: usize,
    pub entity_type: EntityType,
    pub confidence: f32,
}

/// Place heads that are not part of the name.
const GENERIC_HEADS: &[&str] = &[
    "مدينه",
    "بلده",
    "قريه",
    "ناحيه",
    "منطقه",
    "محافظه",
    "بلدات",
    "قرى",
    "مدن",
];

/// Place heads that are part of the name, and the type they give it.
const NAME_HEADS: &[(&str, EntityType)] = &[
    ("باديه", EntityType::Loc),
    ("حي", EntityType::Loc),
    ("جبل", EntityType::Loc),
    ("نهر", EntityType::Loc),
    ("وادي", EntityType::Loc),
    ("سهل", EntityType::Loc),
    ("بحيره", EntityType::Loc),
    ("سجن", EntityType::Fac),
    ("مطار", EntityType::Fac),
    ("طريق", EntityType::Fac),
    ("جسر", EntityType::Fac),
    ("معبر", EntityType::Fac),
    ("قاعده", EntityType::Fac),
    ("سد", EntityType::Fac),
    ("ميناء", EntityType::Fac),
];

/// The candidate a tagged name makes in `normalized` (its text), or `None` for a name the
/// pipeline does not emit. `entities` are the spans of knowledge-base entities and patterns.
pub fn candidate(
    normalized: &str,
    name: &TaggedName,
    entities: &[(usize, usize)],
) -> Option<TaggerCandidate> {
    if name.confidence < MIN_CONFIDENCE || name.rarest >= MAX_COMMON_CLASS {
        return None;
    }
    if entities
        .iter()
        .any(|&(s, e)| s < name.end && name.start < e)
    {
        return None;
    }
    let (mut start, end) = (name.start, name.end);
    let entity_type = match name.kind {
        Kind::Pers => EntityType::Pers,
        Kind::Org => EntityType::Org,
        Kind::Misc => return None,
        Kind::Loc => {
            let text = normalized.get(start..end)?;
            let (head, rest) = text.split_once(' ').unwrap_or((text, ""));
            if GENERIC_HEADS.contains(&head) {
                if rest.is_empty() {
                    return None;
                }
                start = end - rest.len();
                EntityType::Gpe
            } else {
                NAME_HEADS
                    .iter()
                    .find(|(h, _)| *h == head)
                    .map_or(EntityType::Gpe, |(_, t)| *t)
            }
        }
    };
    Some(TaggerCandidate {
        start,
        end,
        entity_type,
        confidence: name.confidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagged(text: &str, kind: Kind) -> TaggedName {
        TaggedName {
            start: 0,
            end: text.len(),
            kind,
            confidence: 0.9,
            tokens: 0..1,
            rarest: 3,
        }
    }

    #[test]
    fn heads_type_places_and_generic_heads_go() {
        let text = "مدينه الميادين";
        let c = candidate(text, &tagged(text, Kind::Loc), &[]).unwrap();
        assert_eq!(
            (&text[c.start..c.end], c.entity_type),
            ("الميادين", EntityType::Gpe)
        );
        let text = "جبل ابو رجيم";
        let c = candidate(text, &tagged(text, Kind::Loc), &[]).unwrap();
        assert_eq!(
            (&text[c.start..c.end], c.entity_type),
            (text, EntityType::Loc)
        );
        let text = "سجن الصناعه";
        let c = candidate(text, &tagged(text, Kind::Loc), &[]).unwrap();
        assert_eq!(c.entity_type, EntityType::Fac);
        let text = "الشحيل";
        let c = candidate(text, &tagged(text, Kind::Loc), &[]).unwrap();
        assert_eq!(c.entity_type, EntityType::Gpe);
    }

    #[test]
    fn known_entities_win_and_misc_and_doubtful_names_are_dropped() {
        let text = "دير الزور";
        assert_eq!(candidate(text, &tagged(text, Kind::Loc), &[(4, 9)]), None);
        assert_eq!(candidate(text, &tagged(text, Kind::Misc), &[]), None);
        let mut doubtful = tagged(text, Kind::Pers);
        doubtful.confidence = 0.2;
        assert_eq!(candidate(text, &doubtful, &[]), None);
    }
}
