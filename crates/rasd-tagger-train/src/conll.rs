//! CoNLL corpora (a token and its BIO or IOB1 tag a line, a blank line between sentences), and
//! their labels carried over to the tokens the service reads: the sentences are joined into one
//! text with spaces, normalized and tokenized like any request, and each service token takes the
//! label of the corpus token it lies in (the first one in it takes `B-`, the others `I-`).

use std::path::Path;

use anyhow::{Context, Result};
use rasd_normalize::{tokenize, Normalizer, Token};
use rasd_tagger::{begin, inside, is_inside, kind_of, parse_tag, Kind, Label, OUTSIDE};

/// One corpus token and its tag, `None` for `O` (or a type the tagger does not learn), else
/// whether it opens a name and the name's kind.
pub type Tagged = (String, Option<(bool, Kind)>);

/// The sentences of a CoNLL file. IOB1 is read as BIO: an `I-` tag that continues no name of
/// its kind opens one.
pub fn read(path: &Path) -> Result<Vec<Vec<Tagged>>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    let mut sentence: Vec<Tagged> = Vec::new();
    for line in text.trim_start_matches('\u{feff}').lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with("-DOCSTART-") {
            if !sentence.is_empty() {
                out.push(std::mem::take(&mut sentence));
            }
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 2 {
            continue;
        }
        let mut tag = parse_tag(cols[cols.len() - 1]);
        if let Some((false, kind)) = tag {
            let continues = matches!(sentence.last(), Some((_, Some((_, k)))) if *k == kind);
            if !continues {
                tag = Some((true, kind));
            }
        }
        sentence.push((cols[0].to_owned(), tag));
    }
    if !sentence.is_empty() {
        out.push(sentence);
    }
    Ok(out)
}

/// A block of sentences as the service sees it: the normalized text, and for each service
/// token its byte range, its label and the index of the corpus token it lies in.
pub struct Block {
    pub normalized: String,
    pub ranges: Vec<std::ops::Range<usize>>,
    pub labels: Vec<Label>,
    pub corpus_token: Vec<usize>,
}

impl Block {
    /// The service's tokens of the normalized text.
    pub fn tokens(&self) -> Vec<Token<'_>> {
        self.ranges
            .iter()
            .map(|r| Token {
                text: &self.normalized[r.clone()],
                range: r.clone(),
            })
            .collect()
    }
}

/// Joins sentences into one text and carries their labels over to the service's tokens.
pub fn block(sentences: &[Vec<Tagged>], normalizer: &Normalizer) -> Block {
    let mut text = String::new();
    let mut starts = Vec::new();
    let mut tags = Vec::new();
    for sentence in sentences {
        for (token, tag) in sentence {
            if !text.is_empty() {
                text.push(' ');
            }
            starts.push(text.len());
            text.push_str(token);
            tags.push(*tag);
        }
    }
    let normalized = normalizer.normalize(&text);
    let mut block = Block {
        normalized: String::new(),
        ranges: Vec::new(),
        labels: Vec::new(),
        corpus_token: Vec::new(),
    };
    let mut last_corpus_token = usize::MAX;
    for token in tokenize(&normalized.text) {
        let original = normalized.alignment.to_original(token.range.clone());
        let c = starts
            .partition_point(|s| *s <= original.start)
            .saturating_sub(1);
        let label = match tags[c] {
            None => OUTSIDE,
            Some((opens, kind)) if opens && c != last_corpus_token => begin(kind),
            Some((_, kind)) => inside(kind),
        };
        // An I- that continues nothing («و» split off a name's first token) opens the name.
        let continues = matches!(block.labels.last(),
            Some(&p) if p != OUTSIDE && kind_of(p) == kind_of(label));
        let label = if is_inside(label) && !continues {
            label - 1
        } else {
            label
        };
        block.ranges.push(token.range);
        block.labels.push(label);
        block.corpus_token.push(c);
        last_corpus_token = c;
    }
    block.normalized = normalized.text;
    block
}

/// The names of a sentence list as (first, last + 1) corpus-token ranges with their kind.
pub fn gold_names(sentences: &[Vec<Tagged>]) -> Vec<(usize, usize, Kind)> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut open: Option<(usize, Kind)> = None;
    for sentence in sentences {
        for (_, tag) in sentence {
            match tag {
                Some((false, kind)) if matches!(open, Some((_, k)) if k == *kind) => {}
                _ => {
                    if let Some((s, k)) = open.take() {
                        out.push((s, at, k));
                    }
                    if let Some((_, kind)) = tag {
                        open = Some((at, *kind));
                    }
                }
            }
            at += 1;
        }
        if let Some((s, k)) = open.take() {
            out.push((s, at, k));
        }
    }
    out
}
