//! The unlabelled news corpus: every article of the SaudiNewsNet day files (zip archives of one
//! JSON array each), normalized and tokenized, as word ids with their counts.

use std::path::Path;

use anyhow::{Context, Result};
use rasd_normalize::{tokenize, Normalizer};
use rustc_hash::FxHashMap;
use serde::Deserialize;

#[derive(Deserialize)]
struct Article {
    #[serde(default)]
    title: String,
    #[serde(default)]
    content: String,
}

/// The corpus as word ids, one sequence per article (title, then content).
pub struct Corpus {
    pub words: Vec<String>,
    pub counts: Vec<u64>,
    pub articles: Vec<Vec<u32>>,
}

impl Corpus {
    /// Reads every `*.zip` of `dir`, in name order.
    pub fn read(dir: &Path, normalizer: &Normalizer) -> Result<Corpus> {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "zip"))
            .collect();
        paths.sort();
        let mut ids: FxHashMap<String, u32> = FxHashMap::default();
        let mut corpus = Corpus {
            words: Vec::new(),
            counts: Vec::new(),
            articles: Vec::new(),
        };
        for path in &paths {
            let file = std::fs::File::open(path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
                .with_context(|| format!("{}: not a zip archive", path.display()))?;
            for i in 0..archive.len() {
                let entry = archive.by_index(i)?;
                let articles: Vec<Article> =
                    serde_json::from_reader(std::io::BufReader::new(entry)).with_context(|| {
                        format!("{}: not a JSON array of articles", path.display())
                    })?;
                for article in articles {
                    let mut seq = Vec::new();
                    for part in [&article.title, &article.content] {
                        let normalized = normalizer.normalize_text(part);
                        for token in tokenize(&normalized) {
                            let id = match ids.get(token.text) {
                                Some(id) => *id,
                                None => {
                                    let id = corpus.words.len() as u32;
                                    ids.insert(token.text.to_owned(), id);
                                    corpus.words.push(token.text.to_owned());
                                    corpus.counts.push(0);
                                    id
                                }
                            };
                            corpus.counts[id as usize] += 1;
                            seq.push(id);
                        }
                        seq.push(u32::MAX);
                    }
                    corpus.articles.push(seq);
                }
            }
        }
        Ok(corpus)
    }

    /// The number of word tokens.
    pub fn tokens(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Word ids by decreasing count (ties by spelling, so the order is deterministic).
    pub fn by_frequency(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.words.len() as u32).collect();
        order.sort_by(|a, b| {
            self.counts[*b as usize]
                .cmp(&self.counts[*a as usize])
                .then_with(|| self.words[*a as usize].cmp(&self.words[*b as usize]))
        });
        order
    }
}

/// The texts of every article (title, a new line, content), in the order of [`Corpus::read`].
pub fn texts(dir: &Path) -> Result<Vec<String>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in &paths {
        let file = std::fs::File::open(path)?;
        let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))?;
        for i in 0..archive.len() {
            let entry = archive.by_index(i)?;
            let articles: Vec<Article> = serde_json::from_reader(std::io::BufReader::new(entry))?;
            out.extend(
                articles
                    .into_iter()
                    .map(|a| format!("{}\n{}", a.title, a.content)),
            );
        }
    }
    Ok(out)
}
