//! The extraction pipeline: normalize once, run every component over the normalized text, map
//! each span back to the original, and resolve overlaps into one flat list.

use std::sync::Arc;

use rasd_normalize::{tokenize, Normalizer, Profile, Token};
use rasd_tagger::Tagger;

use crate::gazetteer::{previous_word, Gazetteer, NameMatch};
use crate::kb::{KbError, KnowledgeBase};
use crate::patterns::{find_patterns, new_id, PersonHead};
use crate::tagged::{candidate as tagger_candidate, TaggerCandidate};
use crate::types::{Component, EntityType, Link, Mention, Value};
use crate::values::{day_of, find_values, Lexicon};

/// What a caller asks of one extraction.
#[derive(Clone, Debug, Default)]
pub struct ExtractOptions {
    /// Only these types; empty means every type.
    pub types: Vec<EntityType>,
    /// Unix time (seconds) that anchors relative dates, usually the publication time.
    pub reference_time: Option<i64>,
    /// Leaves the statistical tagger out: only the knowledge base, the patterns and the values
    /// find mentions (the tagger is on by default).
    pub disable_tagger: bool,
}

impl ExtractOptions {
    fn wants(&self, entity_type: EntityType) -> bool {
        self.types.is_empty() || self.types.contains(&entity_type)
    }

    /// True when the tagger may add a mention of a type this extraction returns.
    fn wants_tagger(&self) -> bool {
        !self.disable_tagger
            && [
                EntityType::Pers,
                EntityType::Org,
                EntityType::Gpe,
                EntityType::Loc,
                EntityType::Fac,
            ]
            .iter()
            .any(|t| self.wants(*t))
    }
}

/// The extraction pipeline, built once and shared by every request (it is `Send + Sync`).
#[derive(Debug, Clone)]
pub struct Extractor {
    normalizer: Normalizer,
    kb: KnowledgeBase,
    /// The link of each knowledge-base entry (`None` for lexicon entries), built once.
    links: Vec<Option<Arc<Link>>>,
    gazetteer: Gazetteer,
    values: Lexicon,
    /// Words after which a place name is a place (normalized).
    prepositions: Vec<String>,
    /// The statistical tagger, shared by every pipeline built from the same model.
    tagger: Option<&'static Tagger>,
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

/// A mention proposed by one component, in normalized byte offsets. Small, as every component
/// proposes many and they are sorted: what only kept mentions need stays in [`Proposals`].
struct Candidate {
    start: usize,
    end: usize,
    /// Higher wins between candidates with the same span.
    priority: u8,
    entity_type: EntityType,
    source: Source,
}

/// Where a candidate comes from, and so what its mention carries.
#[derive(Clone, Copy)]
enum Source {
    /// An entry of the knowledge base (an entity, or a lexicon word).
    Entry(usize),
    /// A pattern; its link is `Proposals::pattern_links[i]`.
    Pattern(usize),
    /// A value; it is `Proposals::values[i]`.
    Value(usize),
    /// A tagged name; it is `Proposals::tagged[i]`.
    Tagged(usize),
}

/// The candidates of one text and what their mentions carry.
#[derive(Default)]
struct Proposals {
    candidates: Vec<Candidate>,
    pattern_links: Vec<Option<Arc<Link>>>,
    values: Vec<Option<Value>>,
    tagged: Vec<TaggerCandidate>,
}

impl Extractor {
    /// A pipeline over the knowledge base and the tagger model compiled into the binary.
    pub fn builtin() -> Result<Self, KbError> {
        Ok(Self::new(KnowledgeBase::builtin()?))
    }

    /// A pipeline over a knowledge base, with the tagger model compiled into the binary (read
    /// once per process, on the first call).
    pub fn new(kb: KnowledgeBase) -> Self {
        Self::with_tagger(kb, builtin_tagger())
    }

    /// A pipeline over a knowledge base and, if given, a tagger.
    pub fn with_tagger(kb: KnowledgeBase, tagger: Option<&'static Tagger>) -> Self {
        let normalizer = Normalizer::for_profile(Profile::Extraction);
        let gazetteer = Gazetteer::build(&kb, &normalizer);
        let values = Lexicon::new(&normalizer);
        let prepositions = PREPOSITIONS
            .iter()
            .map(|p| normalizer.normalize_text(p))
            .collect();
        let links = kb
            .entries()
            .iter()
            .map(|entry| {
                (!entry.is_lexical()).then(|| {
                    Arc::new(Link {
                        id: entry.id.clone(),
                        name_ar: entry.name_ar.clone(),
                        name_en: entry.name_en.clone(),
                        subtype: entry.subtype.clone(),
                        location: entry.location,
                    })
                })
            })
            .collect();
        Extractor {
            normalizer,
            kb,
            links,
            gazetteer,
            values,
            prepositions,
            tagger,
        }
    }

    /// The tagger, if the pipeline has one.
    pub fn tagger(&self) -> Option<&'static Tagger> {
        self.tagger
    }

    /// The knowledge base the pipeline links to.
    pub fn knowledge_base(&self) -> &KnowledgeBase {
        &self.kb
    }

    fn names(&self, normalized: &str, tokens: &[Token<'_>], out: &mut Proposals) {
        for m in self.gazetteer.find(normalized, tokens) {
            let entry_index = match m.target.lexical {
                Some(lexical) if self.reads_as_adjective(normalized, &m) => lexical,
                _ => m.target.entry,
            };
            let entry = &self.kb.entries()[entry_index];
            out.candidates.push(Candidate {
                start: m.start,
                end: m.end,
                priority: if entry.is_lexical() { 1 } else { 3 },
                entity_type: entry.entity_type,
                source: Source::Entry(entry_index),
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

    fn patterns(&self, normalized: &str, tokens: &[Token<'_>], out: &mut Proposals) {
        let mut heads = Vec::new();
        let mut entities = Vec::new();
        for c in &out.candidates {
            let Source::Entry(e) = c.source else {
                continue;
            };
            let entry = &self.kb.entries()[e];
            if c.entity_type == EntityType::Occ {
                heads.push(PersonHead {
                    start: c.start,
                    end: c.end,
                    bare_name: matches!(entry.subtype.as_str(), "rank" | "title")
                        || NAME_ROLES.contains(&entry.name_ar.as_str()),
                });
            }
            if !entry.is_lexical() {
                entities.push((c.start, c.end));
            }
        }
        for p in find_patterns(normalized, tokens, &heads) {
            // A name the knowledge base knows is not an unknown name, even inside a longer one.
            if entities.iter().any(|&(s, e)| s < p.end && p.start < e) {
                continue;
            }
            out.candidates.push(Candidate {
                start: p.start,
                end: p.end,
                priority: 2,
                entity_type: p.entity_type,
                source: Source::Pattern(out.pattern_links.len()),
            });
            out.pattern_links.push(Some(Arc::new(Link {
                name_ar: normalized[p.start..p.end].to_owned(),
                id: p.id,
                name_en: String::new(),
                subtype: String::new(),
                location: None,
            })));
        }
    }

    fn values(
        &self,
        normalized: &str,
        tokens: &[Token<'_>],
        options: &ExtractOptions,
        out: &mut Proposals,
    ) {
        let today = options.reference_time.map(day_of);
        for v in find_values(normalized, tokens, &self.values, today) {
            out.candidates.push(Candidate {
                start: v.start,
                end: v.end,
                priority: 2,
                entity_type: v.entity_type,
                source: Source::Value(out.values.len()),
            });
            out.values.push(Some(v.value));
        }
    }

    /// The tagger's names that the merge policy keeps (see [`crate::tagged`]): those that
    /// overlap no knowledge-base entity and no pattern's name.
    fn tagged(&self, normalized: &str, tokens: &[Token<'_>], out: &mut Proposals) {
        let Some(tagger) = self.tagger else { return };
        let names = tagger.tag(normalized, tokens);
        if names.is_empty() {
            return;
        }
        let known: Vec<(usize, usize)> = out
            .candidates
            .iter()
            .filter(|c| match c.source {
                Source::Entry(e) => !self.kb.entries()[e].is_lexical(),
                Source::Pattern(_) => true,
                _ => false,
            })
            .map(|c| (c.start, c.end))
            .collect();
        for name in &names {
            let Some(candidate) = tagger_candidate(normalized, name, &known) else {
                continue;
            };
            out.candidates.push(Candidate {
                start: candidate.start,
                end: candidate.end,
                priority: 0,
                entity_type: candidate.entity_type,
                source: Source::Tagged(out.tagged.len()),
            });
            out.tagged.push(candidate);
        }
    }

    /// Every mention in `text`, ordered by start, flat (no two overlap). Spans are UTF-8 byte
    /// ranges of `text` on character boundaries. Never panics, whatever the text.
    ///
    /// Overlaps are resolved left to right: the candidate that starts first wins, then the
    /// longest, then the one with the higher priority (knowledge-base entities, then values, then
    /// lexicon words, then tagged names). Tagged names that overlap a knowledge-base entity or a
    /// pattern's name never enter (see [`crate::tagged`] for the whole policy).
    pub fn extract(&self, text: &str, options: &ExtractOptions) -> Vec<Mention> {
        let normalized = self.normalizer.normalize(text);
        let normalized_text = normalized.text.as_str();
        // About one word in eight bytes of Arabic text, and a candidate in ten words.
        let mut tokens: Vec<Token<'_>> = Vec::with_capacity(normalized_text.len() / 8 + 1);
        tokens.extend(tokenize(normalized_text));
        let mut proposals = Proposals {
            candidates: Vec::with_capacity(tokens.len() / 8 + 1),
            ..Proposals::default()
        };
        self.names(normalized_text, &tokens, &mut proposals);
        self.patterns(normalized_text, &tokens, &mut proposals);
        self.values(normalized_text, &tokens, options, &mut proposals);
        if options.wants_tagger() {
            self.tagged(normalized_text, &tokens, &mut proposals);
        }
        let Proposals {
            mut candidates,
            mut pattern_links,
            mut values,
            tagged,
        } = proposals;
        candidates.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then(b.end.cmp(&a.end))
                .then(b.priority.cmp(&a.priority))
        });
        let mut mentions = Vec::with_capacity(candidates.len());
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
            if !options.wants(c.entity_type) {
                continue;
            }
            let (link, value, confidence, component) = match c.source {
                Source::Entry(e) if self.kb.entries()[e].is_lexical() => {
                    (None, None, 0.8, Component::Lexicon)
                }
                Source::Entry(e) => (self.links[e].clone(), None, 0.9, Component::Gazetteer),
                Source::Pattern(i) => (pattern_links[i].take(), None, 0.6, Component::Pattern),
                Source::Value(i) => (None, values[i].take(), 0.85, Component::Value),
                Source::Tagged(i) => {
                    let name = &normalized_text[c.start..c.end];
                    let link = Link {
                        id: new_id(c.entity_type, name),
                        name_ar: name.to_owned(),
                        name_en: String::new(),
                        subtype: String::new(),
                        location: None,
                    };
                    (
                        Some(Arc::new(link)),
                        None,
                        tagged[i].confidence,
                        Component::Tagger,
                    )
                }
            };
            mentions.push(Mention {
                range,
                entity_type: c.entity_type,
                link,
                value,
                confidence,
                component,
            });
        }
        mentions
    }
}

/// The tagger compiled into the binary, or `None` (logged once) if its model cannot be read.
fn builtin_tagger() -> Option<&'static Tagger> {
    static LOGGED: std::sync::Once = std::sync::Once::new();
    let started = std::time::Instant::now();
    let tagger = rasd_tagger::builtin();
    LOGGED.call_once(|| match &tagger {
        Ok(t) => tracing::info!(
            load_ms = started.elapsed().as_secs_f64() * 1e3,
            features = t.model().feature_count(),
            words = t.model().vocab.len(),
            memory_bytes = t.model().heap_bytes(),
            "tagger model loaded"
        ),
        Err(error) => tracing::error!(%error, "the built-in tagger model cannot be read; extracting without it"),
    });
    tagger.ok()
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
