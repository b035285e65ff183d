//! The tagger's vocabulary: corpus counts and clusters, and name-list flags, keyed by word
//! hash. The counts and clusters take minutes to compute, so they can be cached in a TSV file
//! (`word count cluster e1,e2,e3`, after a first line of the coarser clusters).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{bail, Context, Result};
use rasd_tagger::{frequency_class, hash_bytes, Vocabulary, WordInfo, EMBEDDING_CLUSTERINGS};
use rustc_hash::FxHashMap;

/// A word with its corpus count, fine cluster and embedding clusters (`1 +`, 0 for none).
pub struct Word {
    pub word: String,
    pub count: u64,
    pub cluster: u16,
    pub embedding: [u16; EMBEDDING_CLUSTERINGS],
}

/// The counted words, most frequent first, and the coarser clusters of each fine cluster.
pub struct Counted {
    pub words: Vec<Word>,
    pub coarser: Vec<(u16, u16)>,
}

impl Counted {
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut out = String::new();
        for (m, c) in &self.coarser {
            let _ = write!(out, "{m},{c} ");
        }
        out.push('\n');
        for w in &self.words {
            let e: Vec<String> = w.embedding.iter().map(u16::to_string).collect();
            let _ = writeln!(
                out,
                "{}\t{}\t{}\t{}",
                w.word,
                w.count,
                w.cluster,
                e.join(",")
            );
        }
        std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))
    }

    pub fn load(path: &Path) -> Result<Counted> {
        let text = std::fs::read_to_string(path)?;
        let mut lines = text.lines();
        let mut coarser = Vec::new();
        for pair in lines.next().unwrap_or("").split_whitespace() {
            let Some((m, c)) = pair.split_once(',') else {
                bail!("bad cluster pair {pair}")
            };
            coarser.push((m.parse()?, c.parse()?));
        }
        let mut words = Vec::new();
        for line in lines {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() != 4 {
                bail!("bad vocabulary line {line:?}");
            }
            let mut embedding = [0u16; EMBEDDING_CLUSTERINGS];
            for (e, x) in embedding.iter_mut().zip(cols[3].split(',')) {
                *e = x.parse()?;
            }
            words.push(Word {
                word: cols[0].to_owned(),
                count: cols[1].parse()?,
                cluster: cols[2].parse()?,
                embedding,
            });
        }
        Ok(Counted { words, coarser })
    }

    /// The tagger's vocabulary: every counted word and every listed word.
    pub fn vocabulary(
        &self,
        lists: &FxHashMap<String, u16>,
        tagged: &FxHashMap<String, u16>,
    ) -> Vocabulary {
        let mut infos: FxHashMap<&str, WordInfo> = FxHashMap::default();
        for w in &self.words {
            infos.insert(
                &w.word,
                WordInfo {
                    frequency: frequency_class(w.count),
                    lists: 0,
                    cluster: w.cluster,
                    tagged: tagged.get(&w.word).copied().unwrap_or(0),
                    embedding: w.embedding,
                },
            );
        }
        for (word, packed) in tagged {
            infos.entry(word).or_default().tagged = *packed;
        }
        for (word, flags) in lists {
            infos.entry(word).or_default().lists |= flags;
        }
        let mut entries: Vec<(u64, WordInfo)> = infos
            .into_iter()
            .map(|(w, info)| (hash_bytes(w.as_bytes()), info))
            .collect();
        entries.sort_unstable_by_key(|(k, _)| *k);
        Vocabulary::new(entries, self.coarser.clone())
    }
}
