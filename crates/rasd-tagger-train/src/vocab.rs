//! The tagger's vocabulary: corpus counts and clusters, and name-list flags, keyed by word
//! hash. The counts and clusters take minutes to compute, so they can be cached in a TSV file
//! (`word count cluster`, after a first line of the coarser clusters).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{bail, Context, Result};
use rasd_tagger::{frequency_class, hash_bytes, Vocabulary, WordInfo};
use rustc_hash::FxHashMap;

/// Words with their corpus count and fine cluster (`1 +`, 0 for none).
pub struct Counted {
    pub words: Vec<(String, u64, u16)>,
    pub coarser: Vec<(u16, u16)>,
}

impl Counted {
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut out = String::new();
        for (m, c) in &self.coarser {
            let _ = write!(out, "{m},{c} ");
        }
        out.push('\n');
        for (word, count, cluster) in &self.words {
            let _ = writeln!(out, "{word}\t{count}\t{cluster}");
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
            if cols.len() != 3 {
                bail!("bad vocabulary line {line:?}");
            }
            words.push((cols[0].to_owned(), cols[1].parse()?, cols[2].parse()?));
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
        for (word, count, cluster) in &self.words {
            infos.insert(
                word,
                WordInfo {
                    frequency: frequency_class(*count),
                    lists: 0,
                    cluster: *cluster,
                    tagged: tagged.get(word).copied().unwrap_or(0),
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
