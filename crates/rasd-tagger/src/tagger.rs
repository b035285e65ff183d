//! Tagging a normalized text: read the tokens, score each label from the features, decode each
//! sentence, and turn label runs into names.

use rasd_normalize::Token;

use crate::analysis::{analyze, sentences, Analysis};
use crate::decode::Decoder;
use crate::error::ModelError;
use crate::features::features;
use crate::labels::{is_inside, kind_of, Kind, Label, LABELS};
use crate::model::Model;

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
}

/// A trained tagger (`Send + Sync`, shared by every request).
#[derive(Clone, Debug)]
pub struct Tagger {
    model: Model,
}

/// Per-call scratch space.
#[derive(Default)]
struct Scratch {
    analyses: Vec<Analysis>,
    features: Vec<u64>,
    emissions: Vec<[i32; LABELS]>,
    labels: Vec<Label>,
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
    /// margin of each label over the next best, in model units.
    pub fn labels(&self, text: &str, tokens: &[Token<'_>]) -> (Vec<Label>, Vec<i32>) {
        let mut scratch = Scratch::default();
        let mut labels = Vec::with_capacity(tokens.len());
        let mut margins = Vec::with_capacity(tokens.len());
        self.run(
            text,
            tokens,
            &mut scratch,
            |_, sentence_labels, emissions| {
                for (label, scores) in sentence_labels.iter().zip(emissions) {
                    labels.push(*label);
                    margins.push(margin(scores, *label));
                }
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
        self.run(text, tokens, &mut scratch, |range, labels, emissions| {
            let mut i = 0;
            while i < labels.len() {
                let Some(kind) = kind_of(labels[i]) else {
                    i += 1;
                    continue;
                };
                let start = i;
                let mut sum = confidence(margin(&emissions[i], labels[i]), unit);
                i += 1;
                while i < labels.len() && is_inside(labels[i]) && kind_of(labels[i]) == Some(kind) {
                    sum += confidence(margin(&emissions[i], labels[i]), unit);
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
                });
            }
        });
        // Proclitics stay outside the name.
        for name in &mut names {
            name.start += usize::from(scratch.analyses[name.tokens.start].proclitic_len);
        }
        names
    }

    fn run(
        &self,
        text: &str,
        tokens: &[Token<'_>],
        scratch: &mut Scratch,
        mut each: impl FnMut(std::ops::Range<usize>, &[Label], &[[i32; LABELS]]),
    ) {
        let Scratch {
            analyses,
            features: feats,
            emissions,
            labels,
            decoder,
        } = scratch;
        analyze(text, tokens, &self.model.vocab, analyses);
        for range in sentences(analyses) {
            let sentence = &analyses[range.clone()];
            emissions.clear();
            for i in 0..sentence.len() {
                feats.clear();
                features(&self.model.vocab, sentence, i, feats);
                let mut scores = [0i32; LABELS];
                self.model.score(feats, &mut scores);
                emissions.push(scores);
            }
            decoder.viterbi(emissions, &self.model.transitions, labels);
            each(range, labels, emissions);
        }
    }
}

/// How far the chosen label's score is above the best other label's.
fn margin(scores: &[i32; LABELS], label: Label) -> i32 {
    let chosen = scores[usize::from(label)];
    let other = scores
        .iter()
        .enumerate()
        .filter(|(l, _)| *l != usize::from(label))
        .map(|(_, s)| *s)
        .max()
        .unwrap_or(chosen);
    chosen - other
}

/// A logistic reading of a margin: 0.5 at no margin, 0.88 at one `unit`.
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
