//! The extraction pipeline: normalize once, run every component over the normalized text, map
//! each span back to the original, and resolve overlaps into one flat list.

use rasd_normalize::{tokenize, Normalizer, Profile, Token};

use crate::gazetteer::{previous_word, Gazetteer, NameMatch};
use crate::kb::{KbError, KnowledgeBase};
use crate::patterns::{find_patterns, PersonHead};
use crate::types::{Component, EntityType, Link, Mention};
use crate::values::{day_of, find_values, Lexicon};

/// What a caller asks of one extraction.
#[derive(Clone, Debug, Default)]
pub struct ExtractOptions {
    /// Only these types; empty means every type.
    pub types: Vec<EntityType>,
    /// Unix time (seconds) that anchors relative dates, usually the publication time.
    pub reference_time: Option<i64>,
}

impl ExtractOptions {
    fn wants(&self, entity_type: EntityType) -> bool {
        self.types.is_empty() || self.types.contains(&entity_type)
    }
}

/// The extraction pipeline, built once and shared by every request (it is `Send + Sync`).
#[derive(Debug, Clone)]
pub struct Extractor {
    normalizer: Normalizer,
    kb: KnowledgeBase,
    gazetteer: Gazetteer,
    values: Lexicon,
    /// Words after which a place name is a place (normalized).
    prepositions: Vec<String>,
}

/// Prepositions and place adverbs after which a word spelled as both a place and a
/// nationality is the place.
const PREPOSITIONS: &[&str] = &[
    "في",
    "من",
    "إلى",
    "الى",
    "على",
    "عن",
    "داخل",
    "خارج",
    "شمال",
    "جنوب",
    "شرق",
    "غرب",
    "شمالي",
    "جنوبي",
    "شرقي",
    "غربي",
    "نحو",
    "باتجاه",
    "عبر",
    "حول",
    "قرب",
    "مع",
    "بين",
    "حتى",
    "تجاه",
    "ضد",
    "لصالح",
    "أنحاء",
    "مناطق",
    "كامل",
    "وسط",
];

/// Roles after which a bare name is common enough to take («القيادي X», «الباحث X»).
const NAME_ROLES: &[&str] = &[
    "القيادي",
    "الباحث",
    "الناشط",
    "الصحفي",
    "الإعلامي",
    "المحلل العسكري",
    "الشيخ",
];

/// A mention proposed by one component, in normalized byte offsets.
struct Candidate {
    start: usize,
    end: usize,
    /// The knowledge-base entry it comes from, if any.
    entry: Option<usize>,
    /// Higher wins between candidates with the same span.
    priority: u8,
    mention: Mention,
}

impl Extractor {
    /// A pipeline over the knowledge base compiled into the binary.
    pub fn builtin() -> Result<Self, KbError> {
        Ok(Self::new(KnowledgeBase::builtin()?))
    }

    /// A pipeline over a knowledge base.
    pub fn new(kb: KnowledgeBase) -> Self {
        let normalizer = Normalizer::for_profile(Profile::Extraction);
        let gazetteer = Gazetteer::build(&kb, &normalizer);
        let values = Lexicon::new(&normalizer);
        let prepositions = PREPOSITIONS
            .iter()
            .map(|p| normalizer.normalize_text(p))
            .collect();
        Extractor {
            normalizer,
            kb,
            gazetteer,
            values,
            prepositions,
        }
    }

    /// The knowledge base the pipeline links to.
    pub fn knowledge_base(&self) -> &KnowledgeBase {
        &self.kb
    }

    fn names(&self, normalized: &str, tokens: &[Token<'_>], out: &mut Vec<Candidate>) {
        for m in self.gazetteer.find(normalized, tokens) {
            let entry_index = match m.target.lexical {
                Some(lexical) if self.reads_as_adjective(normalized, &m) => lexical,
                _ => m.target.entry,
            };
            let entry = &self.kb.entries()[entry_index];
            let lexical = entry.is_lexical();
            out.push(Candidate {
                start: m.start,
                end: m.end,
                entry: Some(entry_index),
                priority: if lexical { 1 } else { 3 },
                mention: Mention {
                    range: 0..0,
                    entity_type: entry.entity_type,
                    // Filled in for the candidates that are kept (see `extract`).
                    link: None,
                    value: None,
                    confidence: if lexical { 0.8 } else { 0.9 },
                    component: if lexical {
                        Component::Lexicon
                    } else {
                        Component::Gazetteer
                    },
                },
            });
        }
    }

    /// A word spelled both as a place and as a nationality («سورية») reads as the adjective
    /// after a noun («منظمات حقوقية سورية», «جنسيات سورية وغير سورية») and as the place after a
    /// preposition, with a proclitic, or at the start of a sentence («في سورية», «بسورية»).
    fn reads_as_adjective(&self, normalized: &str, m: &NameMatch) -> bool {
        if m.prefix_len > 0 {
            return false;
        }
        match previous_word(normalized, m.start) {
            Some(word) => !self.prepositions.iter().any(|p| p == word),
            None => false,
        }
    }

    fn patterns(&self, normalized: &str, tokens: &[Token<'_>], out: &mut Vec<Candidate>) {
        let heads: Vec<PersonHead> = out
            .iter()
            .filter(|c| c.mention.entity_type == EntityType::Occ)
            .map(|c| PersonHead {
                start: c.start,
                end: c.end,
                bare_name: c.entry.is_some_and(|e| {
                    let entry = &self.kb.entries()[e];
                    matches!(entry.subtype.as_str(), "rank" | "title")
                        || NAME_ROLES.contains(&entry.name_ar.as_str())
                }),
            })
            .collect();
        let entities: Vec<(usize, usize)> = out
            .iter()
            .filter(|c| c.entry.is_some_and(|e| !self.kb.entries()[e].is_lexical()))
            .map(|c| (c.start, c.end))
            .collect();
        for p in find_patterns(normalized, tokens, &heads) {
            // A name the knowledge base knows is not an unknown name, even inside a longer one.
            if entities.iter().any(|&(s, e)| s < p.end && p.start < e) {
                continue;
            }
            out.push(Candidate {
                start: p.start,
                end: p.end,
                entry: None,
                priority: 2,
                mention: Mention {
                    range: 0..0,
                    entity_type: p.entity_type,
                    link: Some(Link {
                        name_ar: normalized[p.start..p.end].to_owned(),
                        id: p.id,
                        name_en: String::new(),
                        subtype: String::new(),
                        location: None,
                    }),
                    value: None,
                    confidence: 0.6,
                    component: Component::Pattern,
                },
            });
        }
    }

    fn values(
        &self,
        normalized: &str,
        tokens: &[Token<'_>],
        options: &ExtractOptions,
        out: &mut Vec<Candidate>,
    ) {
        let today = options.reference_time.map(day_of);
        for v in find_values(normalized, tokens, &self.values, today) {
            out.push(Candidate {
                start: v.start,
                end: v.end,
                entry: None,
                priority: 2,
                mention: Mention {
                    range: 0..0,
                    entity_type: v.entity_type,
                    link: None,
                    value: Some(v.value),
                    confidence: 0.85,
                    component: Component::Value,
                },
            });
        }
    }

    /// Every mention in `text`, ordered by start, flat (no two overlap). Spans are UTF-8 byte
    /// ranges of `text` on character boundaries. Never panics, whatever the text.
    ///
    /// Overlaps are resolved left to right: the candidate that starts first wins, then the
    /// longest, then the one with the higher priority (knowledge-base entities, then values, then
    /// lexicon words).
    pub fn extract(&self, text: &str, options: &ExtractOptions) -> Vec<Mention> {
        let normalized = self.normalizer.normalize(text);
        let mut candidates = Vec::new();
        let tokens: Vec<Token<'_>> = tokenize(&normalized.text).collect();
        self.names(&normalized.text, &tokens, &mut candidates);
        self.patterns(&normalized.text, &tokens, &mut candidates);
        self.values(&normalized.text, &tokens, options, &mut candidates);
        candidates.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then(b.end.cmp(&a.end))
                .then(b.priority.cmp(&a.priority))
        });
        let mut mentions = Vec::new();
        let mut taken_until = 0;
        for c in candidates {
            if c.start < taken_until {
                continue;
            }
            let range = whole_graphemes(text, normalized.alignment.to_original(c.start..c.end));
            if range.is_empty()
                || !text.is_char_boundary(range.start)
                || !text.is_char_boundary(range.end)
            {
                continue;
            }
            taken_until = c.end;
            if !options.wants(c.mention.entity_type) {
                continue;
            }
            let mut mention = Mention { range, ..c.mention };
            if let Some(entry) = c
                .entry
                .map(|e| &self.kb.entries()[e])
                .filter(|e| !e.is_lexical())
            {
                mention.link = Some(Link {
                    id: entry.id.clone(),
                    name_ar: entry.name_ar.clone(),
                    name_en: entry.name_en.clone(),
                    subtype: entry.subtype.clone(),
                    location: entry.location,
                });
            }
            mentions.push(mention);
        }
        mentions
    }
}

/// True for the combining marks that normalization deletes but that belong to the letter before
/// them (harakat, tanween, shadda, Quranic marks, generic combining diacritics).
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}'
        | '\u{08D3}'..='\u{08FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

/// Widens a span over the combining marks that follow its last letter, so that a mention never
/// splits a letter from its marks («عنصراً» keeps its tanween).
fn whole_graphemes(text: &str, mut range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    if range.is_empty() || !text.is_char_boundary(range.end) {
        return range;
    }
    for c in text[range.end..].chars() {
        if !is_combining_mark(c) {
            break;
        }
        range.end += c.len_utf8();
    }
    range
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extractor() -> Extractor {
        Extractor::builtin().unwrap()
    }

    fn found<'a>(
        text: &'a str,
        mentions: &[Mention],
    ) -> Vec<(&'a str, EntityType, Option<String>)> {
        mentions
            .iter()
            .map(|m| {
                (
                    &text[m.range.clone()],
                    m.entity_type,
                    m.link.as_ref().map(|l| l.id.clone()),
                )
            })
            .collect()
    }

    #[test]
    fn proclitics_stay_outside_and_obfuscation_links() {
        let text = "هاجم عناصر لداعش مواقع بدير الزور، وقال إن دا.عــش انسحب.";
        let mentions = extractor().extract(text, &ExtractOptions::default());
        let got = found(text, &mentions);
        assert!(
            got.contains(&("داعش", EntityType::Org, Some("org/isis".into()))),
            "{got:?}"
        );
        assert!(
            got.contains(&("دير الزور", EntityType::Gpe, Some("gpe/deir-ez-zor".into()))),
            "{got:?}"
        );
        assert!(
            got.contains(&("دا.عــش", EntityType::Org, Some("org/isis".into()))),
            "{got:?}"
        );
    }

    #[test]
    fn values_are_found_with_their_normalized_value() {
        let text = "قُتل أكثر من 30 عنصراً و ستة أشخاص في تشرين الثاني عام 2017، وسقطت قذائف على بعد 100 كلم، وبلغت الخسائر 1500 و2000 دولار أمريكي بنسبة 2%.";
        let mentions = extractor().extract(text, &ExtractOptions::default());
        let values: Vec<(&str, EntityType, Option<f64>, Option<String>)> = mentions
            .iter()
            .filter_map(|m| {
                let v = m.value.as_ref()?;
                Some((
                    &text[m.range.clone()],
                    m.entity_type,
                    v.number,
                    v.iso8601.clone(),
                ))
            })
            .collect();
        assert!(
            values.contains(&("أكثر من 30 عنصراً", EntityType::Cardinal, Some(30.0), None)),
            "{values:?}"
        );
        assert!(
            values.contains(&("ستة أشخاص", EntityType::Cardinal, Some(6.0), None)),
            "{values:?}"
        );
        assert!(
            values.contains(&(
                "تشرين الثاني عام 2017",
                EntityType::Date,
                None,
                Some("2017-11".into())
            )),
            "{values:?}"
        );
        assert!(
            values.contains(&("100 كلم", EntityType::Quantity, Some(100.0), None)),
            "{values:?}"
        );
        assert!(
            values.contains(&("2%", EntityType::Percent, Some(2.0), None)),
            "{values:?}"
        );
        let money = mentions
            .iter()
            .find(|m| m.entity_type == EntityType::Money)
            .unwrap();
        assert_eq!(&text[money.range.clone()], "1500 و2000 دولار أمريكي");
        let value = money.value.as_ref().unwrap();
        assert_eq!(
            (value.number, value.number_max, value.currency.as_deref()),
            (Some(1500.0), Some(2000.0), Some("USD"))
        );
    }

    #[test]
    fn relative_dates_are_anchored_to_the_reference_time() {
        let text = "وقع الهجوم يوم أمس، وسبقه هجوم آخر السبت الماضي وفي الثاني من نيسان / أبريل الفائت من العام الجاري 2014.";
        // 2014-04-10 12:00 UTC, a Thursday.
        let options = ExtractOptions {
            reference_time: Some(1_397_131_200),
            ..Default::default()
        };
        let mentions = extractor().extract(text, &options);
        let dates: Vec<(&str, Option<String>)> = mentions
            .iter()
            .filter(|m| m.entity_type == EntityType::Date)
            .map(|m| {
                (
                    &text[m.range.clone()],
                    m.value.as_ref().and_then(|v| v.iso8601.clone()),
                )
            })
            .collect();
        assert_eq!(
            dates,
            vec![
                ("يوم أمس", Some("2014-04-09".to_owned())),
                ("السبت الماضي", Some("2014-04-05".to_owned())),
                (
                    "الثاني من نيسان / أبريل الفائت من العام الجاري 2014",
                    Some("2014-04-02".to_owned())
                ),
            ]
        );
    }

    #[test]
    fn type_filter_applies() {
        let text = "قصفت طائرات روسية مواقع لداعش في دير الزور";
        let options = ExtractOptions {
            types: vec![EntityType::Gpe],
            ..Default::default()
        };
        let mentions = extractor().extract(text, &options);
        assert!(!mentions.is_empty());
        assert!(mentions.iter().all(|m| m.entity_type == EntityType::Gpe));
    }

    #[test]
    fn spans_are_flat_and_on_boundaries() {
        let text = "«قسد» و“قوات سوريا الديمقراطية” في الرقة والرقه 🙂 ﷲ";
        let mentions = extractor().extract(text, &ExtractOptions::default());
        let mut last_end = 0;
        for m in &mentions {
            assert!(m.range.start >= last_end);
            assert!(text.is_char_boundary(m.range.start) && text.is_char_boundary(m.range.end));
            last_end = m.range.end;
        }
    }
}
