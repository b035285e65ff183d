//! The tagger alone over JSON-lines documents (`{"doc", "text"}`), written as `score.py` reads
//! predictions: code-point offsets into the original text, proclitics outside, types PERS, LOC,
//! ORG (MISC left out).

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context, Result};
use rasd_normalize::{tokenize, Normalizer, OffsetIndex, OffsetUnit, Token};
use rasd_tagger::{Kind, Tagger};
use serde_json::{json, Value};

pub fn predict(tagger: &Tagger, normalizer: &Normalizer, docs: &Path, output: &Path) -> Result<()> {
    let input = std::io::BufReader::new(
        std::fs::File::open(docs).with_context(|| format!("cannot open {}", docs.display()))?,
    );
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(output)
            .with_context(|| format!("cannot create {}", output.display()))?,
    );
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let row: Value = serde_json::from_str(&line)?;
        let text = row["text"].as_str().unwrap_or("");
        let normalized = normalizer.normalize(text);
        let tokens: Vec<Token<'_>> = tokenize(&normalized.text).collect();
        let index = OffsetIndex::new(text);
        let entities: Vec<Value> = tagger
            .tag(&normalized.text, &tokens)
            .into_iter()
            .filter(|n| n.kind != Kind::Misc)
            .map(|n| {
                let range = normalized.alignment.to_original(n.start..n.end);
                json!({
                    "start": index.from_byte(range.start, OffsetUnit::CodePoint),
                    "end": index.from_byte(range.end, OffsetUnit::CodePoint),
                    "type": n.kind.as_str(),
                    "confidence": n.confidence,
                })
            })
            .collect();
        serde_json::to_writer(&mut out, &json!({"doc": row["doc"], "entities": entities}))?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
