//! The trained model and its file format.
//!
//! A model is a vocabulary (word hash → frequency class, cluster, list flags), the coarser
//! clusters of each fine cluster, label-transition scores, and one row of nine quantized
//! weights per feature. The file is little-endian:
//!
//! ```text
//! "RTAG" u32:version u32:labels f32:confidence_unit
//! u32:words     words × (u64:hash u8:frequency u16:lists u16:cluster u16:tagged
//!                         u16 × 3 (embedding clusters))
//! u32:clusters  clusters × (u16:middle u16:coarse)
//! i32 × labels (start) · i32 × labels × labels (pairs)
//! u32:features  features × (u64:key i16 × labels)
//! u32:frequent  frequent × (u8:length UTF-8 bytes)
//! ```
//!
//! The frequent words are the only strings: their scores are summed when the model is loaded
//! ([`crate::prepared`]).

use crate::decode::Transitions;
use crate::error::ModelError;
use crate::hash::U64Map;
use crate::labels::LABELS;
use crate::prepared::Prepared;
use crate::words::{Vocabulary, WordInfo, EMBEDDING_CLUSTERINGS};

const MAGIC: &[u8; 4] = b"RTAG";
const VERSION: u32 = 4;

/// One feature's weights, one per label.
pub type Row = [i16; LABELS];

/// A trained model, ready to score.
#[derive(Clone, Debug)]
pub struct Model {
    pub vocab: Vocabulary,
    pub(crate) weights: U64Map<Row>,
    pub transitions: Transitions,
    /// The transitions with the BIO constraint written in, as decoding reads them.
    pub(crate) constrained: Transitions,
    /// The label-score margin that reads as a confidence of about 0.88 (see [`crate::Tagger`]).
    pub confidence_unit: f32,
    /// The words whose scores are summed ahead (normalized spellings, most frequent first).
    frequent: Vec<String>,
    pub(crate) prepared: Prepared,
}

impl Model {
    /// A model from its parts.
    pub fn new(
        vocab: Vocabulary,
        weights: impl IntoIterator<Item = (u64, Row)>,
        transitions: Transitions,
        confidence_unit: f32,
        frequent: Vec<String>,
    ) -> Model {
        let weights: Vec<(u64, Row)> = weights.into_iter().collect();
        let mut map = U64Map::with_capacity(weights.len());
        for (key, row) in weights {
            map.insert(key, row);
        }
        let mut model = Model {
            vocab,
            weights: map,
            constrained: transitions.constrained(),
            transitions,
            confidence_unit,
            frequent,
            prepared: Prepared::default(),
        };
        model.prepared = Prepared::new(&model, &model.frequent);
        model
    }

    /// Adds the weights of `features` to `scores`.
    #[inline]
    pub fn score(&self, features: &[u64], scores: &mut [i32; LABELS]) {
        for &f in features {
            if let Some(row) = self.weights.get(f) {
                for (s, w) in scores.iter_mut().zip(row) {
                    *s += i32::from(*w);
                }
            }
        }
    }

    /// The number of features with weights.
    pub fn feature_count(&self) -> usize {
        self.weights.len()
    }

    /// Bytes of memory held by the model's tables.
    pub fn heap_bytes(&self) -> usize {
        self.vocab.heap_bytes()
            + self.weights.heap_bytes()
            + self.prepared.heap_bytes()
            + self.frequent.iter().map(|w| w.len() + 24).sum::<usize>()
    }

    /// The number of words whose scores are summed ahead.
    pub fn frequent_words(&self) -> usize {
        self.frequent.len()
    }

    /// The model as a file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(LABELS as u32).to_le_bytes());
        out.extend_from_slice(&self.confidence_unit.to_le_bytes());
        let mut words: Vec<(u64, WordInfo)> =
            self.vocab.words.iter().map(|(k, v)| (k, *v)).collect();
        words.sort_unstable_by_key(|(k, _)| *k);
        out.extend_from_slice(&(words.len() as u32).to_le_bytes());
        for (key, info) in words {
            out.extend_from_slice(&key.to_le_bytes());
            out.push(info.frequency);
            out.extend_from_slice(&info.lists.to_le_bytes());
            out.extend_from_slice(&info.cluster.to_le_bytes());
            out.extend_from_slice(&info.tagged.to_le_bytes());
            for e in info.embedding {
                out.extend_from_slice(&e.to_le_bytes());
            }
        }
        out.extend_from_slice(&(self.vocab.coarser.len() as u32).to_le_bytes());
        for (middle, coarse) in &self.vocab.coarser {
            out.extend_from_slice(&middle.to_le_bytes());
            out.extend_from_slice(&coarse.to_le_bytes());
        }
        for s in self.transitions.start {
            out.extend_from_slice(&s.to_le_bytes());
        }
        for row in &self.transitions.pairs {
            for s in row {
                out.extend_from_slice(&s.to_le_bytes());
            }
        }
        let mut weights: Vec<(u64, Row)> = self.weights.iter().map(|(k, v)| (k, *v)).collect();
        weights.sort_unstable_by_key(|(k, _)| *k);
        out.extend_from_slice(&(weights.len() as u32).to_le_bytes());
        for (key, row) in weights {
            out.extend_from_slice(&key.to_le_bytes());
            for w in row {
                out.extend_from_slice(&w.to_le_bytes());
            }
        }
        let frequent: Vec<&String> = self.frequent.iter().filter(|w| w.len() < 256).collect();
        out.extend_from_slice(&(frequent.len() as u32).to_le_bytes());
        for word in frequent {
            out.push(word.len() as u8);
            out.extend_from_slice(word.as_bytes());
        }
        out
    }

    /// Reads a model file.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(4)? != MAGIC {
            return Err(ModelError::BadMagic);
        }
        let version = r.u32()?;
        if version != VERSION {
            return Err(ModelError::Version {
                found: version,
                expected: VERSION,
            });
        }
        let labels = r.u32()?;
        if labels != LABELS as u32 {
            return Err(ModelError::Labels(labels, LABELS as u32));
        }
        let confidence_unit = f32::from_le_bytes(r.array()?);
        let n = r.count(15 + 2 * EMBEDDING_CLUSTERINGS)?;
        let mut words = Vec::with_capacity(n);
        for _ in 0..n {
            let key = r.u64()?;
            let frequency = r.take(1)?[0];
            let lists = u16::from_le_bytes(r.array()?);
            let cluster = u16::from_le_bytes(r.array()?);
            let tagged = u16::from_le_bytes(r.array()?);
            let mut embedding = [0u16; EMBEDDING_CLUSTERINGS];
            for e in &mut embedding {
                *e = u16::from_le_bytes(r.array()?);
            }
            if key == 0 {
                return Err(ModelError::Inconsistent("a word with hash 0"));
            }
            words.push((
                key,
                WordInfo {
                    frequency,
                    lists,
                    cluster,
                    tagged,
                    embedding,
                },
            ));
        }
        let n = r.count(4)?;
        let mut coarser = Vec::with_capacity(n);
        for _ in 0..n {
            coarser.push((
                u16::from_le_bytes(r.array()?),
                u16::from_le_bytes(r.array()?),
            ));
        }
        if words
            .iter()
            .any(|(_, w)| usize::from(w.cluster) > coarser.len())
        {
            return Err(ModelError::Inconsistent(
                "a word in a cluster that does not exist",
            ));
        }
        let mut transitions = Transitions::default();
        for s in &mut transitions.start {
            *s = r.i32()?;
        }
        for row in &mut transitions.pairs {
            for s in row.iter_mut() {
                *s = r.i32()?;
            }
        }
        let n = r.count(8 + 2 * LABELS)?;
        let mut weights = Vec::with_capacity(n);
        for _ in 0..n {
            let key = r.u64()?;
            let mut row = [0i16; LABELS];
            for w in &mut row {
                *w = i16::from_le_bytes(r.array()?);
            }
            if key == 0 {
                return Err(ModelError::Inconsistent("a feature with key 0"));
            }
            weights.push((key, row));
        }
        let n = r.count(2)?;
        let mut frequent = Vec::with_capacity(n);
        for _ in 0..n {
            let len = usize::from(r.take(1)?[0]);
            let word = std::str::from_utf8(r.take(len)?)
                .map_err(|_| ModelError::Inconsistent("a frequent word that is not UTF-8"))?;
            frequent.push(word.to_owned());
        }
        if r.at != bytes.len() {
            return Err(ModelError::Inconsistent("bytes after the last feature"));
        }
        Ok(Model::new(
            Vocabulary::new(words, coarser),
            weights,
            transitions,
            confidence_unit,
            frequent,
        ))
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or(ModelError::Truncated(self.at))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ModelError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn i32(&mut self) -> Result<i32, ModelError> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, ModelError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A count of records of `size` bytes, checked against the bytes left.
    fn count(&mut self, size: usize) -> Result<usize, ModelError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(size) > self.bytes.len() - self.at {
            return Err(ModelError::Truncated(self.at));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Model {
        let vocab = Vocabulary::new(
            [(
                7,
                WordInfo {
                    frequency: 3,
                    lists: 1,
                    cluster: 2,
                    tagged: 5,
                    embedding: [1, 2, 3],
                },
            )],
            vec![(0, 0), (1, 0)],
        );
        let mut transitions = Transitions::default();
        transitions.start[1] = 5;
        transitions.pairs[1][2] = 9;
        Model::new(
            vocab,
            [(42, [1, -2, 3, 0, 0, 0, 0, 0, 7])],
            transitions,
            1.5,
            vec!["داعش".to_owned()],
        )
    }

    #[test]
    fn a_model_survives_its_file() {
        let model = tiny();
        let bytes = model.to_bytes();
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(back.vocab.info(7).cluster, 2);
        assert_eq!(back.vocab.info(7).embedding, [1, 2, 3]);
        assert_eq!(back.frequent_words(), 1);
        assert_eq!(back.transitions, model.transitions);
        let mut scores = [0; LABELS];
        back.score(&[42, 43], &mut scores);
        assert_eq!(scores, [1, -2, 3, 0, 0, 0, 0, 0, 7]);
    }

    #[test]
    fn damaged_files_are_errors() {
        let bytes = tiny().to_bytes();
        assert!(matches!(
            Model::from_bytes(b"XXXX"),
            Err(ModelError::BadMagic)
        ));
        for cut in [3, 10, 20, bytes.len() - 1] {
            assert!(Model::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
    }
}
