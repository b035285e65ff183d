//! Name lists as word flags: the knowledge base's names (`data/kb/*.tsv`) and the ANERGazet
//! person, place and organization lists, each name normalized and split into words.

use std::path::Path;

use anyhow::{Context, Result};
use rasd_normalize::{tokenize, Normalizer};
use rasd_tagger::{gazetteer_bit, Position, NORP_BIT, OCC_BIT};
use rustc_hash::FxHashMap;

fn flag_name(
    flags: &mut FxHashMap<String, u16>,
    normalizer: &Normalizer,
    name: &str,
    list: Option<u8>,
    other: u16,
) {
    let normalized = normalizer.normalize_text(name);
    let words: Vec<&str> = tokenize(&normalized).map(|t| t.text).collect();
    for (i, word) in words.iter().enumerate() {
        let bit = match list {
            Some(list) => gazetteer_bit(
                list,
                match (words.len(), i) {
                    (1, _) => Position::Only,
                    (_, 0) => Position::First,
                    _ => Position::Later,
                },
            ),
            None => other,
        };
        *flags.entry((*word).to_owned()).or_default() |= bit;
    }
}

/// Word flags from the knowledge base and the ANERGazet lists.
pub fn read(
    kb: &Path,
    anergazet: &Path,
    normalizer: &Normalizer,
) -> Result<FxHashMap<String, u16>> {
    let mut flags = FxHashMap::default();
    let mut files: Vec<_> = std::fs::read_dir(kb)
        .with_context(|| format!("cannot list {}", kb.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path)?;
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("id\t"))
        {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 6 {
                continue;
            }
            let (list, other) = match cols[1] {
                "PERS" => (Some(0), 0),
                "GPE" | "LOC" | "FAC" => (Some(1), 0),
                "ORG" => (Some(2), 0),
                "OCC" => (None, OCC_BIT),
                "NORP" => (None, NORP_BIT),
                _ => continue,
            };
            for name in std::iter::once(cols[3]).chain(cols[5].split('|')) {
                if !name.is_empty() {
                    flag_name(&mut flags, normalizer, name, list, other);
                }
            }
        }
    }
    for (file, list) in [
        ("AlignedPersGazetteer.txt", 0),
        ("AlignedLocGazetteer.txt", 1),
        ("AlignedOrgGazetteer.txt", 2),
    ] {
        let path = anergazet.join(file);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        for line in text.lines() {
            let line = line.trim();
            if !line.is_empty() && !line.starts_with("====") {
                flag_name(&mut flags, normalizer, line, Some(list), 0);
            }
        }
    }
    Ok(flags)
}
