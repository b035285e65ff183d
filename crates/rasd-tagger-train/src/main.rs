//! `rasd-tagger-train`: builds the tagger model the service loads (`data/tagger/model.bin`).
//!
//! Word counts and clusters come from the unlabelled news corpus, name-list flags from the
//! knowledge base and ANERGazet, labels from ANERcorp (its last tenth held out, never trained
//! on) and optionally AQMAR train. Everything is deterministic for a given seed.

mod clusters;
mod conll;
mod embeddings;
mod eval;
mod lists;
mod news;
mod predict;
mod selftrain;
mod vocab;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use rasd_normalize::{Normalizer, Profile};
use rasd_tagger::{Rng, Tagger, Trainer};

use crate::conll::{block, Tagged};
use crate::vocab::{Counted, Word};

#[derive(Parser, Debug)]
#[command(about = "Trains the rasd-tagger model")]
struct Args {
    /// ANERcorp train file (CoNLL); its last tenth of sentences is the development set.
    #[arg(long)]
    anercorp: PathBuf,
    /// AQMAR directory (train.txt is trained on with --with-aqmar, dev.txt is scored).
    #[arg(long)]
    aqmar: PathBuf,
    /// Self-training rounds: each model's tags over the news become features of the next.
    #[arg(long, default_value_t = 2)]
    self_train: usize,
    /// Folds of the jackknifed self-training shares (0: the shares of the model trained on
    /// every sentence).
    #[arg(long, default_value_t = 0)]
    folds: usize,
    /// Train on AQMAR train as well as ANERcorp.
    #[arg(long)]
    with_aqmar: bool,
    /// Directory of the SaudiNewsNet day archives (*.zip).
    #[arg(long)]
    news: PathBuf,
    /// Knowledge-base directory (data/kb).
    #[arg(long)]
    kb: PathBuf,
    /// ANERGazet directory.
    #[arg(long)]
    anergazet: PathBuf,
    /// Where to write the model.
    #[arg(long)]
    output: PathBuf,
    /// Where to write the development sentences (CoNLL), for score.py.
    #[arg(long)]
    dev_output: Option<PathBuf>,
    /// Cache of the corpus counts and clusters (read if present, written if not).
    #[arg(long)]
    vocab_cache: Option<PathBuf>,
    #[arg(long, default_value_t = 15)]
    epochs: usize,
    /// Perceptrons trained on different orders of the examples (seeds seed, seed + 1, ...)
    /// whose mean weights make the model.
    #[arg(long, default_value_t = 3)]
    ensemble: usize,
    /// Probability of hiding a token's own word features in training.
    #[arg(long, default_value_t = 0.3)]
    dropout: f64,
    #[arg(long, default_value_t = 20251122)]
    seed: u64,
    /// Instead of training, tag these JSON-lines documents with the model at --output and write
    /// the names to --predictions (for score.py).
    #[arg(long, requires = "predictions")]
    predict: Option<PathBuf>,
    #[arg(long)]
    predictions: Option<PathBuf>,
    /// Words that get a cluster.
    #[arg(long, default_value_t = 60_000)]
    cluster_words: usize,
    #[arg(long, default_value_t = 1_000)]
    fine_clusters: usize,
    /// The most frequent words, whose scores the model sums when it is loaded.
    #[arg(long, default_value_t = 50_000)]
    frequent_words: usize,
    /// The granularities of the independent clusterings of the word vectors (0: none).
    #[arg(long, value_delimiter = ',', default_values_t = [100, 500, 2_500])]
    embedding_clusters: Vec<usize>,
    /// Context words of the word vectors, at each of the positions −2, −1, +1, +2.
    #[arg(long, default_value_t = 1_500)]
    contexts: usize,
    /// Dimensions of the word vectors.
    #[arg(long, default_value_t = 128)]
    dimensions: usize,
    /// Words seen fewer times are left out of the vocabulary.
    #[arg(long, default_value_t = 3)]
    min_count: u64,
}

fn counted(args: &Args, normalizer: &Normalizer) -> Result<Counted> {
    if let Some(cache) = &args.vocab_cache {
        if cache.exists() {
            eprintln!("reading counts and clusters from {}", cache.display());
            return Counted::load(cache);
        }
    }
    let started = Instant::now();
    let corpus = news::Corpus::read(&args.news, normalizer)?;
    eprintln!(
        "news: {} articles, {} words, {} distinct ({:.1} s)",
        corpus.articles.len(),
        corpus.tokens(),
        corpus.words.len(),
        started.elapsed().as_secs_f64()
    );
    let settings = clusters::Settings {
        words: args.cluster_words,
        contexts: args.contexts,
        dimensions: args.dimensions,
        fine: args.fine_clusters,
        middle: 200,
        coarse: 40,
        iterations: 10,
        seed: args.seed,
        embedding: args.embedding_clusters.clone(),
    };
    let c = clusters::build(&corpus, &settings);
    eprintln!("clusters built ({:.1} s)", started.elapsed().as_secs_f64());
    let mut words: Vec<Word> = corpus
        .by_frequency()
        .into_iter()
        .filter(|id| corpus.counts[*id as usize] >= args.min_count)
        .map(|id| Word {
            word: corpus.words[id as usize].clone(),
            count: corpus.counts[id as usize],
            cluster: c.of_word.get(&id).map_or(0, |f| f + 1),
            embedding: c.embedding.get(&id).copied().unwrap_or_default(),
        })
        .collect();
    words.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.word.cmp(&b.word)));
    let counted = Counted {
        words,
        coarser: c.coarser,
    };
    if let Some(cache) = &args.vocab_cache {
        counted.save(cache)?;
    }
    Ok(counted)
}

fn write_conll(
    path: &PathBuf,
    sentences: &[Vec<Tagged>],
    raw: &[Vec<(String, String)>],
) -> Result<()> {
    let _ = sentences;
    let mut out = String::new();
    for sentence in raw {
        for (token, tag) in sentence {
            out.push_str(token);
            out.push(' ');
            out.push_str(tag);
            out.push('\n');
        }
        out.push('\n');
    }
    std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))
}

/// The raw lines of the sentences of a CoNLL file (for writing the development split back).
fn raw_sentences(path: &PathBuf) -> Result<Vec<Vec<(String, String)>>> {
    let text = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    let mut sentence = Vec::new();
    for line in text.trim_start_matches('\u{feff}').lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.is_empty() || line.starts_with("-DOCSTART-") {
            if !sentence.is_empty() {
                out.push(std::mem::take(&mut sentence));
            }
            continue;
        }
        if cols.len() >= 2 {
            sentence.push((cols[0].to_owned(), cols[cols.len() - 1].to_owned()));
        }
    }
    if !sentence.is_empty() {
        out.push(sentence);
    }
    Ok(out)
}

/// Trains a perceptron over `vocabulary` on the training sentences, scoring the development
/// sentences every few epochs.
fn train(
    vocabulary: rasd_tagger::Vocabulary,
    folds: &[rasd_tagger::Vocabulary],
    training: &[Vec<Tagged>],
    aner_dev: &[Vec<Tagged>],
    args: &Args,
    normalizer: &Normalizer,
    started: Instant,
) -> Vec<Trainer> {
    let mut trainer = Trainer::new(vocabulary);
    let mut examples = Vec::new();
    for (i, chunk) in training.chunks(eval::BLOCK).enumerate() {
        let b = block(chunk, normalizer);
        let tokens = b.tokens();
        let vocab = (!folds.is_empty()).then(|| &folds[i % folds.len()]);
        examples.extend(trainer.examples_in(vocab, &b.normalized, &tokens, &b.labels));
    }
    eprintln!("{} training sentences as examples", examples.len());
    let mut members = vec![trainer; args.ensemble.max(1)];
    for (k, trainer) in members.iter_mut().enumerate() {
        let mut rng = Rng::new(args.seed + k as u64);
        let mut order = examples.clone();
        for epoch in 1..=args.epochs {
            rng.shuffle(&mut order);
            let errors = trainer.epoch(&order, args.dropout, &mut rng);
            if epoch == args.epochs {
                let tagger = Tagger::new(trainer.model(1.0, Vec::new()));
                let dev = eval::evaluate(&tagger, aner_dev, normalizer);
                eprintln!(
                    "member {k}, epoch {epoch}: {errors} token errors; ANERcorp dev P {:.3} R {:.3} F1 {:.3} ({:.0} s)",
                    dev.precision, dev.recall, dev.f1, started.elapsed().as_secs_f64()
                );
            }
        }
    }
    members
}

/// The model of trained members (their mean weights).
fn model_of(
    members: &[Trainer],
    confidence_unit: f32,
    frequent: Vec<String>,
) -> rasd_tagger::Model {
    let members: Vec<&Trainer> = members.iter().collect();
    Trainer::ensemble(&members, confidence_unit, frequent)
}

fn main() -> Result<()> {
    let args = Args::parse();
    let started = Instant::now();
    let normalizer = Normalizer::for_profile(Profile::Extraction);
    if let (Some(docs), Some(predictions)) = (&args.predict, &args.predictions) {
        let bytes = std::fs::read(&args.output)
            .with_context(|| format!("cannot read {}", args.output.display()))?;
        let tagger = Tagger::from_bytes(&bytes)?;
        return predict::predict(&tagger, &normalizer, docs, predictions);
    }
    let counted = counted(&args, &normalizer)?;
    let lists = lists::read(&args.kb, &args.anergazet, &normalizer)?;
    let vocabulary = counted.vocabulary(&lists, &Default::default());
    eprintln!("vocabulary: {} words", vocabulary.len());

    let aner = conll::read(&args.anercorp)?;
    let dev_start = aner.len() - aner.len() / 10;
    let (aner_train, aner_dev) = aner.split_at(dev_start);
    eprintln!(
        "ANERcorp: {} training sentences, {} development sentences",
        aner_train.len(),
        aner_dev.len()
    );
    if let Some(path) = &args.dev_output {
        let raw = raw_sentences(&args.anercorp)?;
        write_conll(path, aner_dev, &raw[dev_start..])?;
    }
    let aqmar_dev = conll::read(&args.aqmar.join("dev.txt"))?;
    let mut training: Vec<Vec<Tagged>> = aner_train.to_vec();
    if args.with_aqmar {
        training.extend(conll::read(&args.aqmar.join("train.txt"))?);
    }

    let mut trainer = train(
        vocabulary.clone(),
        &[],
        &training,
        aner_dev,
        &args,
        &normalizer,
        started,
    );
    let frequent: Vec<String> = counted
        .words
        .iter()
        .take(args.frequent_words)
        .map(|w| w.word.clone())
        .collect();
    let texts = if args.self_train > 0 {
        news::texts(&args.news)?
    } else {
        Vec::new()
    };
    // Jackknifed shares: the sentences of fold k (sentence index mod `folds`) read the shares
    // of a model trained without them, so the final model learns how far to trust the shares
    // of names it has not seen.
    let mut fold_vocabularies: Vec<rasd_tagger::Vocabulary> = Vec::new();
    for _ in 0..args.self_train {
        let first = Tagger::new(model_of(&trainer, 1.0, frequent.clone()));
        let tagged = selftrain::tagged_shares(&first, &texts, &normalizer, &counted);
        eprintln!(
            "self-training: {} words tagged in {} articles ({:.0} s)",
            tagged.len(),
            texts.len(),
            started.elapsed().as_secs_f64()
        );
        let mut next_folds = Vec::new();
        for k in 0..args.folds {
            let held_in: Vec<Vec<Tagged>> = training
                .iter()
                .enumerate()
                .filter(|(i, _)| i % args.folds != k)
                .map(|(_, s)| s.clone())
                .collect();
            let base = fold_vocabularies
                .get(k)
                .cloned()
                .unwrap_or_else(|| vocabulary.clone());
            let member = train(base, &[], &held_in, aner_dev, &args, &normalizer, started);
            let tagger = Tagger::new(model_of(&member, 1.0, frequent.clone()));
            let shares = selftrain::tagged_shares(&tagger, &texts, &normalizer, &counted);
            next_folds.push(counted.vocabulary(&lists, &shares));
        }
        fold_vocabularies = next_folds;
        let vocabulary = counted.vocabulary(&lists, &tagged);
        trainer = train(
            vocabulary,
            &fold_vocabularies,
            &training,
            aner_dev,
            &args,
            &normalizer,
            started,
        );
    }
    // The confidence unit: the median margin of the labels of name tokens on the development set.
    let draft = Tagger::new(model_of(&trainer, 1.0, Vec::new()));
    let mut margins = Vec::new();
    for chunk in aner_dev.chunks(eval::BLOCK) {
        let b = block(chunk, &normalizer);
        let tokens = b.tokens();
        let (labels, m) = draft.labels(&b.normalized, &tokens);
        margins.extend(
            labels
                .iter()
                .zip(m)
                .filter(|(l, _)| **l != 0)
                .map(|(_, m)| m),
        );
    }
    margins.sort_unstable();
    let unit = margins.get(margins.len() / 2).copied().unwrap_or(1).max(1) as f32;
    let model = model_of(&trainer, unit, frequent);
    let tagger = Tagger::new(model.clone());
    let dev = eval::evaluate(&tagger, aner_dev, &normalizer);
    let aq = eval::evaluate(&tagger, &aqmar_dev, &normalizer);
    eprintln!(
        "ANERcorp dev (PER/LOC/ORG, whole tokens): P {:.3} R {:.3} F1 {:.3} over {} names",
        dev.precision, dev.recall, dev.f1, dev.gold
    );
    eprintln!(
        "AQMAR dev (PER/LOC/ORG, whole tokens): P {:.3} R {:.3} F1 {:.3} over {} names",
        aq.precision, aq.recall, aq.f1, aq.gold
    );
    let bytes = model.to_bytes();
    std::fs::write(&args.output, &bytes)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    eprintln!(
        "model: {} features, {} words, {:.1} MB written to {} ({:.0} s in all)",
        model.feature_count(),
        model.vocab.len(),
        bytes.len() as f64 / 1e6,
        args.output.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
