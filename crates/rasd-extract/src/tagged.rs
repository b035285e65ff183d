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
//! 3. **Function words and lone generic nouns are not names**: a leading «فإن», «في», «من» is
//!    cut off, and a name that is only «ميليشيا», «جبهة», «حزب» (and the like) is dropped.
//! 4. **A person's name is not a definite noun phrase**: a tagged person of two or more words
//!    that all open with the article («الطيران الحربي», the air force; «القوات الخاصة») is
//!    dropped, unless a kunya opens it («أبو الفضل العباس»). Given names rarely take the
//!    article; the few persons lost so («الحسن الثاني», «الياس المر») are 7 of the 2,735 of
//!    ANERcorp's training part.
//! 5. **A kunya joins the person** it opens («أبو», «أم», «ابن», «بن»), as the contract counts it
//!    part of the name.
//! 6. **Unknown names link to themselves**: `new/<type>/<normalized text>`, as the patterns'.
//! 7. What remains joins the left-to-right merge with the lowest priority: it beats a shorter or
//!    later lexicon word or value it overlaps («الجيش السوري» over the NORP «السوري»), and loses
//!    to one with exactly its span.
//!
//! Names the tagger labels MISC are not emitted, and nor are persons and organizations whose
//! confidence is below [`MIN_CONFIDENCE`], places below [`MIN_PLACE_CONFIDENCE`], or names made
//! only of very common words ([`MAX_COMMON_CLASS`]).

use rasd_tagger::{Kind, TaggedName};

use crate::types::EntityType;

/// Tagged persons and organizations less sure than this are left out.
pub const MIN_CONFIDENCE: f32 = 0.5;

/// Tagged places less sure than this are left out: the knowledge base holds the towns and
/// villages of the region already (GeoNames and the curated places), so the tagger's unknown
/// places must be surer to be worth it than its persons and organizations.
pub const MIN_PLACE_CONFIDENCE: f32 = 0.8;

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

/// Kunya and filiation words that open a person's name («أبو محمد الجولاني»); the tagger may
/// leave them out, the contract keeps them in.
const NAME_OPENERS: &[&str] = &["ابو", "ابي", "ابا", "ام", "ابن", "بن", "بنت"];

/// Function words that never open a name («فإن ميليشيا» is «ميليشيا»).
const NOT_OPENERS: &[&str] = &[
    "ان", "فان", "وان", "لان", "بان", "كان", "في", "من", "الى", "على", "عن", "مع",
];

/// Nouns that name no one on their own («جبهة بطول 100 كلم», «الميليشيا»).
const GENERIC_ALONE: &[&str] = &[
    "ميليشيا",
    "مليشيا",
    "ميليشيات",
    "جبهه",
    "حركه",
    "جماعه",
    "لواء",
    "فصيل",
    "كتيبه",
    "قوات",
    "جيش",
    "حزب",
    "تنظيم",
    "منظمه",
    "مجلس",
    "وزاره",
    "حكومه",
    "نظام",
];

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
    let floor = if name.kind == Kind::Loc {
        MIN_PLACE_CONFIDENCE
    } else {
        MIN_CONFIDENCE
    };
    if name.confidence < floor || name.rarest >= MAX_COMMON_CLASS {
        return None;
    }
    if entities
        .iter()
        .any(|&(s, e)| s < name.end && name.start < e)
    {
        return None;
    }
    let (mut start, end) = (name.start, name.end);
    while let Some((first, rest)) = normalized.get(start..end)?.split_once(' ') {
        if !NOT_OPENERS.contains(&first) {
            break;
        }
        start = end - rest.len();
    }
    let text = normalized.get(start..end)?;
    if !text.contains(' ') && GENERIC_ALONE.contains(&text.strip_prefix("ال").unwrap_or(text)) {
        return None;
    }
    let entity_type = match name.kind {
        Kind::Pers => {
            if let Some(opener) =
                word_before(normalized, start).filter(|w| NAME_OPENERS.contains(w))
            {
                start -= opener.len() + 1;
            } else if text.contains(' ') && text.split(' ').all(|w| w.starts_with("ال")) {
                return None;
            }
            EntityType::Pers
        }
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

/// The word just before `start`, if one space separates them.
fn word_before(text: &str, start: usize) -> Option<&str> {
    let before = text.get(..start)?.strip_suffix(' ')?;
    let from = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| rasd_normalize::is_word_char(*c))
        .last()
        .map(|(i, _)| i)?;
    Some(&before[from..])
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
    fn function_words_and_lone_generic_nouns_are_not_names() {
        let text = "فان ميليشيا";
        assert_eq!(candidate(text, &tagged(text, Kind::Org), &[]), None);
        let text = "فان حزب الله";
        let c = candidate(text, &tagged(text, Kind::Org), &[]).unwrap();
        assert_eq!(&text[c.start..c.end], "حزب الله");
    }

    #[test]
    fn a_definite_noun_phrase_is_no_person() {
        let text = "الطيران الحربي";
        assert_eq!(candidate(text, &tagged(text, Kind::Pers), &[]), None);
        let text = "الحربي";
        assert!(candidate(text, &tagged(text, Kind::Pers), &[]).is_some());
        let text = "محمد الحربي";
        assert!(candidate(text, &tagged(text, Kind::Pers), &[]).is_some());
        let text = "ابو الفضل العباس";
        let name = TaggedName {
            start: text.find("الفضل").unwrap(),
            ..tagged(text, Kind::Pers)
        };
        let c = candidate(text, &name, &[]).unwrap();
        assert_eq!(&text[c.start..c.end], text);
    }

    #[test]
    fn a_kunya_joins_the_name() {
        let text = "قال ابو خالد الحمصي";
        let name = TaggedName {
            start: text.find("خالد").unwrap(),
            ..tagged(text, Kind::Pers)
        };
        let c = candidate(text, &name, &[]).unwrap();
        assert_eq!(&text[c.start..c.end], "ابو خالد الحمصي");
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
