//! The SaudiNewsNet articles: one zip per day, each holding one JSON file, a JSON array of
//! articles (`title`, `content`, `url`, `source`, `date_extracted`, `author`). The archives are
//! read with `unzip -p`, so no zip library is needed.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// One article, ready to become a `CreateDocumentRequest`.
#[derive(Debug, Clone)]
pub struct Article {
    pub title: String,
    pub content: String,
    pub url: String,
    pub source: String,
    /// `date_extracted` as seconds since the Unix epoch (the dataset gives no time zone; read as
    /// UTC).
    pub published_s: Option<i64>,
}

/// The corpus, and what was left out of it.
#[derive(Debug)]
pub struct Corpus {
    pub articles: Vec<Article>,
    pub files: usize,
    /// Articles in the archives, before skipping.
    pub read: usize,
    /// Articles without text (the server refuses an empty text).
    pub skipped_empty: usize,
    /// UTF-8 bytes of all `content` fields kept.
    pub text_bytes: u64,
}

fn field(row: &Value, name: &str) -> String {
    row.get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2015-07-21 02:51:32` (or a bare date) as seconds since the epoch, UTC.
pub fn parse_date(value: &str) -> Option<i64> {
    let value = value.trim();
    let (date, time) = value.split_once([' ', 'T']).unwrap_or((value, "00:00:00"));
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let mut t = time.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let h = t.next().flatten().unwrap_or(0);
    let min = t.next().flatten().unwrap_or(0);
    let s = t.next().flatten().unwrap_or(0);
    if !(0..24).contains(&h) || !(0..60).contains(&min) || !(0..=60).contains(&s) {
        return None;
    }
    Some(days_from_civil(y, m, day) * 86_400 + h * 3600 + min * 60 + s)
}

/// Reads every `*.zip` of `dir`, in name order (so ids are the same from run to run).
pub fn load(dir: &Path) -> Result<Corpus> {
    let mut zips: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the data folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    zips.sort();
    if zips.is_empty() {
        bail!("no .zip files in {}", dir.display());
    }
    let mut corpus = Corpus {
        articles: Vec::new(),
        files: zips.len(),
        read: 0,
        skipped_empty: 0,
        text_bytes: 0,
    };
    for zip in &zips {
        let output = Command::new("unzip")
            .arg("-p")
            .arg(zip)
            .output()
            .context("cannot run `unzip` (is it installed?)")?;
        if !output.status.success() {
            bail!(
                "unzip -p {} failed: {}",
                zip.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        // An archive may hold several JSON files; `unzip -p` concatenates them.
        let stream = serde_json::Deserializer::from_slice(&output.stdout).into_iter::<Value>();
        for value in stream {
            let value = value.with_context(|| format!("{}: not JSON", zip.display()))?;
            let Value::Array(rows) = value else {
                bail!("{}: expected a JSON array of articles", zip.display());
            };
            for row in rows {
                corpus.read += 1;
                let content = field(&row, "content");
                if content.trim().is_empty() {
                    corpus.skipped_empty += 1;
                    continue;
                }
                corpus.text_bytes += content.len() as u64;
                corpus.articles.push(Article {
                    title: field(&row, "title"),
                    url: field(&row, "url"),
                    source: field(&row, "source"),
                    published_s: parse_date(&field(&row, "date_extracted")),
                    content,
                });
            }
        }
    }
    if corpus.articles.is_empty() {
        bail!("no articles with text in {}", dir.display());
    }
    Ok(corpus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01 00:00:00"), Some(0));
        assert_eq!(parse_date("2015-07-21 02:51:32"), Some(1_437_447_092));
        assert_eq!(parse_date("2000-03-01"), Some(951_868_800));
        assert_eq!(parse_date("2015-13-01 00:00:00"), None);
        assert_eq!(parse_date(""), None);
    }
}
