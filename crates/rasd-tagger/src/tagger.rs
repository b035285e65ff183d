//! Tagging a normalized text: read the tokens, score each label from the features, decode each
//! sentence, and turn label runs into names.

use rasd_normalize::Token;

use crate::analysis::analyze_word;
use crate::analysis::{breaks_names, gaps, sentence_ranges, BOUNDARY};
use crate::decode::{Decoder, FORBIDDEN};
use crate::error::ModelError;
use crate::features::{context, Offset};
use crate::labels::{is_inside, kind_of, Kind, Label, LABELS};
use crate::model::Model;
use crate::prepared::{word_scores, WordScores};

/// A name found by the tagger, in UTF-8 byte offsets of the normalized text, proclitics left
/// out.
#[derive(Clone, Debug, PartialEq)]
pub struct TaggedName {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// In (0, 1): how clearly the label scores preferred this reading, averaged over the words.
    pub confidence: f32,
    /// The tokens of the name (indexes into the tokens given to [`Tagger::tag`]).
    pub tokens: std::ops::Range<usize>,
    /// The frequency class (`1 + log2` of the count in the unlabelled news) of the name's
    /// rarest word, proclitics aside: a name made only of very common words is often a noun.
    pub rarest: u8,
}

/// Token references at or above this are words summed on the spot.
const MISS_BASE: u32 = 1 << 31;

/// A trained tagger (`Send + Sync`, shared by every request).
#[derive(Clone, Debug)]
pub struct Tagger {
    model: Model,
}

/// Per-call scratch space.
#[derive(Default)]
struct Scratch {
    gaps: Vec<(u8, u8)>,
    /// Per token: an index into the words summed ahead, or `MISS_BASE +` an index into `misses`.
    words: Vec<u32>,
    misses: Vec<WordScores>,
    features: Vec<u64>,
    emissions: Vec<[i32; LABELS]>,
    labels: Vec<Label>,
    margins: Vec<i32>,
    decoder: Decoder,
}

impl Tagger {
    /// A tagger over a model.
    pub fn new(model: Model) -> Tagger {
        Tagger { model }
    }

    /// A tagger over a model file's bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Tagger, ModelError> {
        Model::from_bytes(bytes).map(Tagger::new)
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The label of every token of `text` (normalized with the extraction profile), and the
    /// margin of each (how much worse the best reading with another kind there is), in model
    /// units.
    pub fn labels(&self, text: &str, tokens: &[Token<'_>]) -> (Vec<Label>, Vec<i32>) {
        let mut scratch = Scratch::default();
        let mut labels = Vec::with_capacity(tokens.len());
        let mut margins = Vec::with_capacity(tokens.len());
        self.run(
            text,
            tokens,
            &mut scratch,
            |_, sentence_labels, sentence_margins| {
                labels.extend_from_slice(sentence_labels);
                margins.extend_from_slice(sentence_margins);
            },
        );
        (labels, margins)
    }

    /// The names in `text`, a text normalized with the extraction profile, and its tokens
    /// (`rasd_normalize::tokenize`), in order.
    pub fn tag(&self, text: &str, tokens: &[Token<'_>]) -> Vec<TaggedName> {
        let mut scratch = Scratch::default();
        let mut names = Vec::new();
        let unit = self.model.confidence_unit.max(1.0);
        self.run(text, tokens, &mut scratch, |range, labels, margins| {
            let mut i = 0;
            while i < labels.len() {
                let Some(kind) = kind_of(labels[i]) else {
                    i += 1;
                    continue;
                };
                let start = i;
                let mut sum = confidence(margins[i], unit);
                i += 1;
                while i < labels.len() && is_inside(labels[i]) && kind_of(labels[i]) == Some(kind) {
                    sum += confidence(margins[i], unit);
                    i += 1;
                }
                let first = range.start + start;
                let last = range.start + i - 1;
                names.push(TaggedName {
                    start: tokens[first].range.start,
                    end: tokens[last].range.end,
                    kind,
                    confidence: sum / (i - start) as f32,
                    tokens: first..last + 1,
                    rarest: 0,
                });
            }
        });
        // Proclitics stay outside the name.
        for name in &mut names {
            let word = |i: u32| {
                if i >= MISS_BASE {
                    &scratch.misses[(i - MISS_BASE) as usize]
                } else {
                    self.model.prepared.get(i)
                }
            };
            let words = &scratch.words[name.tokens.clone()];
            name.rarest = words.iter().map(|w| word(*w).frequency).min().unwrap_or(0);
            name.start += usize::from(word(words[0]).core.proclitic_len);
        }
        names
    }

    fn run(
        &self,
        text: &str,
        tokens: &[Token<'_>],
        scratch: &mut Scratch,
        mut each: impl FnMut(std::ops::Range<usize>, &[Label], &[i32]),
    ) {
        let Scratch {
            gaps: classes,
            words,
            misses,
            features: keys,
            emissions,
            labels,
            margins,
            decoder,
        } = scratch;
        let model = &self.model;
        let prepared = &model.prepared;
        gaps(text, tokens, classes);
        words.clear();
        misses.clear();
        for token in tokens {
            words.push(match prepared.find(token.text) {
                Some(i) => i,
                None => {
                    misses.push(word_scores(model, &analyze_word(token.text, &model.vocab)));
                    MISS_BASE + misses.len() as u32 - 1
                }
            });
        }
        let at = |i: u32| -> &WordScores {
            if i >= MISS_BASE {
                &misses[(i - MISS_BASE) as usize]
            } else {
                prepared.get(i)
            }
        };
        for range in sentence_ranges(classes.iter().map(|(_, after)| *after)) {
            let sentence = &words[range.clone()];
            let sentence_gaps = &classes[range.clone()];
            emissions.clear();
            for (i, &w) in sentence.iter().enumerate() {
                let word = at(w);
                let mut scores = word.own;
                for (k, offset) in Offset::ALL.iter().enumerate() {
                    let j = i as isize + offset.delta();
                    let add = if j >= 0 && (j as usize) < sentence.len() {
                        &at(sentence[j as usize]).neighbour[k]
                    } else {
                        &prepared.missing[k]
                    };
                    for (s, a) in scores.iter_mut().zip(add) {
                        *s += a;
                    }
                }
                let (before, after) = sentence_gaps[i];
                for (s, (b, a)) in scores.iter_mut().zip(
                    prepared.gap_before[usize::from(before)]
                        .iter()
                        .zip(&prepared.gap_after[usize::from(after)]),
                ) {
                    *s += b + a;
                }
                keys.clear();
                let previous = i.checked_sub(1).map(|p| &at(sentence[p]).core);
                let next = sentence.get(i + 1).map(|n| &at(*n).core);
                let gap = if i == 0 { BOUNDARY } else { before };
                context(&word.core, previous, next, gap, keys);
                model.score(keys, &mut scores);
                if breaks_names(gap) {
                    for (label, score) in scores.iter_mut().enumerate() {
                        if is_inside(label as u8) {
                            *score = FORBIDDEN;
                        }
                    }
                }
                emissions.push(scores);
            }
            decoder.viterbi(emissions, &model.constrained, labels);
            decoder.margins(emissions, &model.constrained, labels, margins);
            each(range, labels, margins);
        }
    }
}

/// A logistic reading of a margin: 0.5 at no margin, 0.88 at one `unit` (the median margin of
/// the name words of the development set).
fn confidence(margin: i32, unit: f32) -> f32 {
    let x = 2.0 * margin as f32 / unit;
    (1.0 / (1.0 + (-x).exp())).clamp(0.01, 0.99)
}

/// The model trained by `scripts/train-tagger.sh`, compiled into the binary.
const BUILTIN_MODEL: &[u8] = include_bytes!("../../../data/tagger/model.bin");

/// The tagger over the model compiled into the binary, read once on first use.
pub fn builtin() -> Result<&'static Tagger, ModelError> {
    static BUILTIN: std::sync::LazyLock<Result<Tagger, ModelError>> =
        std::sync::LazyLock::new(|| Tagger::from_bytes(BUILTIN_MODEL));
    BUILTIN.as_ref().map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rasd_normalize::{tokenize, Normalizer, Profile};

    fn names(text: &str) -> Vec<(String, Kind)> {
        let normalized = Normalizer::for_profile(Profile::Extraction).normalize_text(text);
        let tokens: Vec<Token<'_>> = tokenize(&normalized).collect();
        builtin()
            .unwrap()
            .tag(&normalized, &tokens)
            .into_iter()
            .map(|n| (normalized[n.start..n.end].to_owned(), n.kind))
            .collect()
    }

    #[test]
    fn the_builtin_model_loads_and_finds_names() {
        let found =
            names("وقال الرئيس الفرنسي جاك شيراك في باريس إن الحكومة ستدعم الاتحاد الأوروبي.");
        assert!(
            found.contains(&("جاك شيراك".to_owned(), Kind::Pers)),
            "{found:?}"
        );
        assert!(
            found.contains(&("باريس".to_owned(), Kind::Loc)),
            "{found:?}"
        );
    }

    #[test]
    fn proclitics_stay_outside_names() {
        let found = names("التقى الوزير بوزير خارجية فرنسا وبالرئيس جاك شيراك في بيروت ولندن.");
        for (name, _) in &found {
            assert!(
                !name.starts_with("وب") && !name.starts_with("ول"),
                "{found:?}"
            );
        }
    }

    #[test]
    fn no_name_continues_across_a_comma_a_quotation_mark_a_bracket_or_a_colon() {
        // Sentences of the ANERcorp development split where a model joined «نيسان « أورفان»
        // and «وأودي « ايه 6» into one name each.
        for text in [
            "وتأتي نيسان « أورفان » الجديدة بخيارين من محركين قويين واقتصاديين .",
            "وبتوفرها بثلاثة اختيارات تقدم نيسان « أورفان » الجديد كحل عملي لنقل الأفراد .",
            "السيارات التي لم يتم بيعها من طرز بولو وغولف وأودي « ايه 6 » كان أعلى من المعتاد .",
            "التقى جاك شيراك ، توني بلير ( رئيس الوزراء ) : في باريس « لندن » .",
        ] {
            for (name, _) in names(text) {
                assert!(
                    !name.contains(['،', ',', '«', '»', '"', '(', ')', ':']),
                    "{name} in {text}"
                );
            }
        }
    }

    #[test]
    fn any_text_is_tagged_without_panicking() {
        for text in ["", " ", "...", "و", "ل ل ل", "«»", "abc 123 ٣", "\n\n", "ﷲ"] {
            let _ = names(text);
        }
    }

    #[test]
    fn confidences_are_probabilities() {
        let normalized = Normalizer::for_profile(Profile::Extraction)
            .normalize_text("أعلن وزير الخارجية السعودي سعود الفيصل في الرياض.");
        let tokens: Vec<Token<'_>> = tokenize(&normalized).collect();
        for name in builtin().unwrap().tag(&normalized, &tokens) {
            assert!(name.confidence > 0.0 && name.confidence < 1.0);
            assert!(name.start < name.end && name.end <= normalized.len());
        }
    }
}
