//! Commands that run without a server: `rasd normalize`, and `rasd extract` in its offline
//! modes (the `--input/--output` JSON-lines mode is how extraction quality is measured).

use std::io::{BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rasd_extract::{ExtractOptions, Extractor, Mention};
use rasd_normalize::{Normalizer, OffsetIndex, OffsetUnit, Profile, Rule};
use serde_json::{json, Value};

use crate::{client, is_stdin, output, ClientArgs};

/// Flags of `rasd normalize`.
#[derive(Debug, clap::Args)]
pub struct NormalizeArgs {
    /// Profile: lucene, search or extraction.
    #[arg(long, default_value = "search")]
    profile: String,
    /// Rules to switch on in addition to the profile's (repeatable).
    #[arg(long = "enable")]
    enable: Vec<String>,
    /// Rules to switch off (repeatable).
    #[arg(long = "disable")]
    disable: Vec<String>,
    /// List the rules and profiles, then exit.
    #[arg(long)]
    list_rules: bool,
}

pub fn normalize(args: NormalizeArgs) -> Result<()> {
    if args.list_rules {
        for rule in Rule::ALL {
            let in_profiles: Vec<&str> = Profile::ALL
                .iter()
                .filter(|p| p.rules().contains(*rule))
                .map(|p| p.name())
                .collect();
            println!(
                "{:<28} {:<30} {}",
                rule.name(),
                in_profiles.join(","),
                rule.description()
            );
        }
        return Ok(());
    }
    let profile: Profile = args
        .profile
        .parse()
        .map_err(|e| anyhow::anyhow!("--profile: {e}"))?;
    let mut rules = profile.rules();
    for name in &args.enable {
        rules = rules.with(name.parse().map_err(|e| anyhow::anyhow!("--enable: {e}"))?);
    }
    for name in &args.disable {
        rules = rules.without(
            name.parse()
                .map_err(|e| anyhow::anyhow!("--disable: {e}"))?,
        );
    }
    let normalizer = Normalizer::new(rules);
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line.context("standard input is not UTF-8 text")?;
        writeln!(out, "{}", normalizer.normalize_text(&line))?;
    }
    out.flush()?;
    Ok(())
}

/// Flags of `rasd extract`.
#[derive(Debug, clap::Args)]
pub struct ExtractArgs {
    /// Text files to read (`-` for standard input).
    files: Vec<PathBuf>,
    /// JSON-lines documents `{"doc", "text"}` to extract from offline.
    #[arg(long, requires = "output")]
    input: Option<PathBuf>,
    /// Where to write `{"doc", "entities": [...]}` lines (code-point offsets).
    #[arg(long, requires = "input")]
    output: Option<PathBuf>,
    /// Run the extraction in this process instead of calling a server.
    #[arg(long)]
    offline: bool,
    /// Leave the statistical name tagger out: only knowledge-base matches, patterns and values.
    #[arg(long)]
    no_tagger: bool,
    #[command(flatten)]
    client: ClientArgs,
}

impl ExtractArgs {
    fn options(&self) -> ExtractOptions {
        ExtractOptions {
            disable_tagger: self.no_tagger,
            ..ExtractOptions::default()
        }
    }
}

/// A mention as a JSON object with code-point offsets (the format `score.py` reads).
pub fn mention_json(text: &str, index: &OffsetIndex<'_>, m: &Mention) -> Value {
    let mut out = json!({
        "start": index.from_byte(m.range.start, OffsetUnit::CodePoint),
        "end": index.from_byte(m.range.end, OffsetUnit::CodePoint),
        "text": &text[m.range.clone()],
        "type": m.entity_type.as_str(),
        "id": m.link.as_ref().map(|l| l.id.clone()),
        "component": m.component.as_str(),
        "confidence": m.confidence,
    });
    if let Some(value) = &m.value {
        out["value"] = serde_json::to_value(value).unwrap_or(Value::Null);
    }
    out
}

fn read_text(path: &Path) -> Result<String> {
    if is_stdin(path) {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("standard input is not UTF-8 text")?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
    }
}

fn extract_jsonl(
    extractor: &Extractor,
    options: &ExtractOptions,
    input: &Path,
    output: &Path,
) -> Result<()> {
    let reader = std::io::BufReader::new(
        std::fs::File::open(input).with_context(|| format!("cannot open {}", input.display()))?,
    );
    let mut out = BufWriter::new(
        std::fs::File::create(output)
            .with_context(|| format!("cannot create {}", output.display()))?,
    );
    for (n, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}: not UTF-8", input.display(), n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let row: Value = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not a JSON object", input.display(), n + 1))?;
        let (Some(doc), Some(text)) = (row.get("doc"), row.get("text").and_then(Value::as_str))
        else {
            bail!(
                "{}:{}: expected {{\"doc\", \"text\"}}",
                input.display(),
                n + 1
            );
        };
        let index = OffsetIndex::new(text);
        let entities: Vec<Value> = extractor
            .extract(text, options)
            .iter()
            .map(|m| mention_json(text, &index, m))
            .collect();
        let doc = match doc {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        serde_json::to_writer(&mut out, &json!({"doc": doc, "entities": entities}))?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

pub async fn extract(args: ExtractArgs) -> Result<()> {
    if let (Some(input), Some(output)) = (&args.input, &args.output) {
        let extractor = Extractor::builtin()?;
        return extract_jsonl(&extractor, &args.options(), input, output);
    }
    if args.files.is_empty() {
        bail!("give files to read (or - for standard input), or --input DOCS.jsonl --output PRED.jsonl");
    }
    let mut results = Vec::new();
    if args.offline {
        let extractor = Extractor::builtin()?;
        for path in &args.files {
            let text = read_text(path)?;
            let index = OffsetIndex::new(&text);
            let mentions: Vec<Value> = extractor
                .extract(&text, &args.options())
                .iter()
                .map(|m| mention_json(&text, &index, m))
                .collect();
            results.push((path.display().to_string(), mentions));
        }
    } else {
        let texts = args
            .files
            .iter()
            .map(|p| Ok((p.display().to_string(), read_text(p)?)))
            .collect::<Result<Vec<_>>>()?;
        results = client::extract(&args.client, texts, args.no_tagger).await?;
    }
    output::print_extractions(&results, args.client.format)
}
