//! `rasd-bench`: the scale and speed benchmark of the Rasd store, through the public gRPC API
//! only.
//!
//! It starts `rasd serve` as its own process on `127.0.0.1:0` over a temporary data directory,
//! ingests the SaudiNewsNet articles (repeated under new ids until the store holds the number of
//! documents asked for) with many concurrent `BatchCreateDocuments` clients, then measures the
//! reads under concurrent load, and reports throughput, latency percentiles, the store's size on
//! disk and the server's peak resident memory. The server is stopped with SIGTERM and the data
//! directory removed at the end, also on errors and Ctrl-C.

mod corpus;
mod ingest;
mod query;
mod query_sets;
mod server;
mod stats;
mod sys;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use serde_json::{json, Value};
use tonic::transport::{Channel, Endpoint};

use crate::server::ServerProcess;
use crate::sys::{round2, CpuSample};

/// Scale and speed benchmark of the Rasd store through its gRPC API.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Folder of the SaudiNewsNet daily archives (*.zip of JSON arrays of articles).
    #[arg(long, default_value = "../shared/data/news/saudinewsnet")]
    data: PathBuf,
    /// The `rasd` binary to start [default: $CARGO_TARGET_DIR/release/rasd, or
    /// target/release/rasd].
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Documents the store holds at the end of the ingest phase (the corpus is repeated under new
    /// ids `r{round}-{n}`).
    #[arg(long, default_value_t = 1_000_000)]
    documents: u64,
    /// Concurrent ingest clients, each on its own connection.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Documents per BatchCreateDocuments request.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,
    /// Longest ingest phase in seconds; no batch starts after it (the report says so).
    #[arg(long, default_value_t = 5400)]
    max_ingest_seconds: u64,
    /// Concurrent query clients, each on its own connection.
    #[arg(long, default_value_t = 8)]
    query_clients: usize,
    /// Requests per kind of query.
    #[arg(long, default_value_t = 2000)]
    queries: u64,
    /// Only these kinds of query (repeatable): get_document, list_documents_by_entity,
    /// search_one_word, search_phrase, search_with_entity_filter, list_related_entities.
    #[arg(long = "query-kind", value_parser = [
        "get_document", "list_documents_by_entity", "search_one_word", "search_phrase",
        "search_with_entity_filter", "list_related_entities",
    ])]
    query_kinds: Vec<String>,
    /// Longest time per kind of query, in seconds.
    #[arg(long, default_value_t = 120)]
    max_query_seconds: u64,
    /// Longest wait after ingest, in seconds, for the server's background work (merging the
    /// postings of the last write groups) to end before the queries: until it uses under 0.2
    /// cores over 2 s. 0 queries at once.
    #[arg(long, default_value_t = 900)]
    max_settle_seconds: u64,
    /// Seed of the random document ids of GetDocument.
    #[arg(long, default_value_t = 5)]
    seed: u64,
    /// Parent folder of the temporary data directory [default: the system's temporary folder].
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Keep the store in this directory instead of a temporary one. A store already there is
    /// reused: the documents it holds come back from the ingest as "already stored" (a quick
    /// way to run the queries again over the same million documents).
    #[arg(long, conflicts_with = "work_dir")]
    data_dir: Option<PathBuf>,
    /// With --data-dir: no ingest, the queries run over the store already there, which holds
    /// the first --documents ids of the corpus.
    #[arg(long, requires = "data_dir")]
    skip_ingest: bool,
    /// RASD_LOG of the server (`info`, its default, logs every call).
    #[arg(long, default_value = "info")]
    server_log: String,
    /// Extra flag for `rasd serve` (repeatable), e.g. `--server-arg=--cache-capacity-bytes=1073741824`.
    #[arg(long, allow_hyphen_values = true)]
    server_arg: Vec<String>,
    /// Stop ingesting once the server's resident memory exceeds this many GiB [default: two
    /// thirds of the machine's memory].
    #[arg(long)]
    max_server_rss_gib: Option<f64>,
    /// Stop ingesting once the data directory's file system has less free space than this (GiB).
    #[arg(long, default_value_t = 10.0)]
    min_free_disk_gib: f64,
    /// Seconds between progress lines on standard error.
    #[arg(long, default_value_t = 10)]
    progress_seconds: u64,
    /// Print the report as JSON on standard output (the text report then goes to standard error).
    #[arg(long)]
    json: bool,
    /// Also write the JSON report to this file.
    #[arg(long)]
    json_file: Option<PathBuf>,
}

fn default_server_bin() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    target.join("release").join("rasd")
}

fn max_server_rss(args: &Args) -> u64 {
    match args.max_server_rss_gib {
        Some(gib) => (gib * 1024.0 * 1024.0 * 1024.0) as u64,
        None => sys::memory_total().unwrap_or(16 << 30) / 3 * 2,
    }
}

async fn connect(addr: std::net::SocketAddr, n: usize) -> Result<Vec<Channel>> {
    let mut channels = Vec::with_capacity(n);
    for _ in 0..n {
        let channel = Endpoint::from_shared(format!("http://{addr}"))?
            .connect_timeout(Duration::from_secs(10))
            .tcp_nodelay(true)
            .connect()
            .await
            .with_context(|| format!("cannot connect to the server at {addr}"))?;
        channels.push(channel);
    }
    Ok(channels)
}

fn utc_now() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mib(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.2} GiB", b / (1024.0 * 1024.0 * 1024.0))
    } else {
        format!("{:.0} MiB", b / (1024.0 * 1024.0))
    }
}

fn cores(v: &Value) -> String {
    format!(
        "server {:.2}, benchmark {:.2}, other processes {:.2} (machine busy {:.0}%)",
        v["server_cores"].as_f64().unwrap_or(0.0),
        v["bench_cores"].as_f64().unwrap_or(0.0),
        v["other_cores"].as_f64().unwrap_or(0.0),
        100.0 * v["machine_busy_fraction"].as_f64().unwrap_or(0.0),
    )
}

/// The text report, from the JSON report.
fn text_report(r: &Value) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    let m = &r["machine"];
    line(format!(
        "Rasd store benchmark, {}",
        r["date"].as_str().unwrap_or("")
    ));
    line(format!(
        "machine: {} CPUs ({}), {} memory, {}; code {}{}",
        m["cpus"],
        m["cpu_model"].as_str().unwrap_or("?"),
        mib(m["memory_bytes"].as_u64().unwrap_or(0)),
        m["kernel"].as_str().unwrap_or("?"),
        m["git_commit"].as_str().unwrap_or("?"),
        if m["git_dirty"].as_bool() == Some(true) {
            " (with uncommitted changes)"
        } else {
            ""
        },
    ));
    let c = &r["corpus"];
    line(format!(
        "corpus: SaudiNewsNet, {} articles with text from {} archives ({} empty skipped), {:.1} MB of text, read in {:.1} s",
        grouped(c["articles"].as_u64().unwrap_or(0)),
        c["files"],
        c["skipped_empty"],
        c["text_bytes"].as_u64().unwrap_or(0) as f64 / 1e6,
        c["load_seconds"].as_f64().unwrap_or(0.0),
    ));
    line(format!(
        "server: {} (RASD_LOG={}{})",
        r["server"]["binary"].as_str().unwrap_or(""),
        r["server"]["log_filter"].as_str().unwrap_or(""),
        r["server"]["extra_args"]
            .as_array()
            .filter(|a| !a.is_empty())
            .map(|a| format!(
                ", flags {}",
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" ")
            ))
            .unwrap_or_default(),
    ));
    let load = &r["load_average"];
    line(format!(
        "load average (1, 5, 15 min): before {}, after ingest {}, at end {}",
        load["start"], load["after_ingest"], load["end"]
    ));

    let i = &r["ingest"];
    line(String::new());
    line(format!(
        "Ingest: BatchCreateDocuments, {} clients x {} documents per request",
        r["config"]["clients"], r["config"]["batch_size"]
    ));
    line(format!(
        "  documents        {} acknowledged of {} ({} created, {} already stored, {} failed) in {:.1} s{}",
        grouped(i["documents_acknowledged"].as_u64().unwrap_or(0)),
        grouped(i["documents_requested"].as_u64().unwrap_or(0)),
        grouped(i["created"].as_u64().unwrap_or(0)),
        grouped(i["already_stored"].as_u64().unwrap_or(0)),
        grouped(i["failed_items"].as_u64().unwrap_or(0)),
        i["seconds"].as_f64().unwrap_or(0.0),
        i["stopped_early_because"].as_str().map(|r| format!(" -- STOPPED EARLY: {r}")).unwrap_or_default(),
    ));
    line(format!(
        "  throughput       {:.0} documents/s, {:.2} MB/s of text (acknowledged = durable)",
        i["documents_per_second"].as_f64().unwrap_or(0.0),
        i["text_megabytes_per_second"].as_f64().unwrap_or(0.0),
    ));
    let b = &i["batch_latency"];
    line(format!(
        "  batch latency    p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        b["p50_ms"].as_f64().unwrap_or(0.0),
        b["p99_ms"].as_f64().unwrap_or(0.0),
        b["max_ms"].as_f64().unwrap_or(0.0)
    ));
    line(format!(
        "  mentions         {} per document",
        i["mentions_per_document"]
    ));
    let s = &r["store"];
    line(format!(
        "  store on disk    {} (du) = {:.1} kB per document; apparent size {}; after shutdown {} (du)",
        mib(s["du_bytes_after_ingest"].as_u64().unwrap_or(0)),
        s["du_bytes_per_document"].as_f64().unwrap_or(0.0) / 1e3,
        mib(s["apparent_bytes_after_ingest"].as_u64().unwrap_or(0)),
        mib(s["du_bytes_after_shutdown"].as_u64().unwrap_or(0)),
    ));
    line(format!("  CPU (cores)      {}", cores(&r["cpu"]["ingest"])));
    if let Some(examples) = i["failed_examples"].as_array().filter(|a| !a.is_empty()) {
        for e in examples {
            line(format!("  failed item      {}", e.as_str().unwrap_or("")));
        }
    }

    line(String::new());
    line(format!(
        "Queries: {} clients, {} requests per kind (at most {} s each), page size 20, over {} stored documents",
        r["config"]["query_clients"],
        grouped(r["config"]["queries"].as_u64().unwrap_or(0)),
        r["config"]["max_query_seconds"],
        grouped(r["stored_documents"].as_u64().unwrap_or(0)),
    ));
    line(format!(
        "  {:<34} {:>7} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7} {:>8}",
        "kind", "ok", "p50 ms", "p99 ms", "max ms", "req/s", "errors", "items", "srv CPU"
    ));
    if let Some(kinds) = r["queries"].as_array() {
        for k in kinds {
            let l = &k["latency"];
            line(format!(
                "  {:<34} {:>7} {:>9.2} {:>9.2} {:>9.2} {:>9.1} {:>7} {:>7.1} {:>8.2}{}",
                k["name"].as_str().unwrap_or(""),
                l["count"].as_u64().unwrap_or(0),
                l["p50_ms"].as_f64().unwrap_or(0.0),
                l["p99_ms"].as_f64().unwrap_or(0.0),
                l["max_ms"].as_f64().unwrap_or(0.0),
                k["requests_per_second"].as_f64().unwrap_or(0.0),
                k["errors"].as_u64().unwrap_or(0),
                k["mean_items_per_response"].as_f64().unwrap_or(0.0),
                k["cpu"]["server_cores"].as_f64().unwrap_or(0.0),
                if k["stopped_by_time_bound"].as_bool() == Some(true) {
                    "  (time bound)"
                } else {
                    ""
                },
            ));
            let slowest = k["by_query"].as_array().and_then(|qs| {
                qs.iter().max_by(|a, b| {
                    let p99 = |v: &Value| v["latency"]["p99_ms"].as_f64().unwrap_or(0.0);
                    p99(a).total_cmp(&p99(b))
                })
            });
            if let Some(q) = slowest {
                line(format!(
                    "      slowest query by p99: {} (p50 {:.2} ms, p99 {:.2} ms)",
                    q["query"].as_str().unwrap_or(""),
                    q["latency"]["p50_ms"].as_f64().unwrap_or(0.0),
                    q["latency"]["p99_ms"].as_f64().unwrap_or(0.0),
                ));
            }
            if let Some(examples) = k["error_examples"].as_array().filter(|a| !a.is_empty()) {
                for e in examples {
                    line(format!("      error: {}", e.as_str().unwrap_or("")));
                }
            }
        }
    }
    line(format!(
        "  CPU (cores)      {}",
        cores(&r["cpu"]["queries"])
    ));
    line(format!(
        "  idle baseline    server {:.2} cores in 5 s before the queries, after waiting {:.0} s for the background merge to end",
        r["cpu"]["idle_after_ingest"]["server_cores"]
            .as_f64()
            .unwrap_or(0.0),
        r["cpu"]["settle_seconds"].as_f64().unwrap_or(0.0)
    ));

    line(String::new());
    let mem = &r["server"]["memory"];
    line(format!(
        "Server: peak RSS (VmHWM) {}; RSS at end {}; SIGTERM to exit {:.2} s ({}); log: {} lines, {} warnings, {} errors",
        mib(mem["peak_rss_bytes"].as_u64().unwrap_or(0)),
        mib(mem["rss_at_end_bytes"].as_u64().unwrap_or(0)),
        r["server"]["shutdown_seconds"].as_f64().unwrap_or(0.0),
        r["server"]["exit_status"].as_str().unwrap_or("?"),
        r["server"]["log"]["lines"],
        r["server"]["log"]["warnings"],
        r["server"]["log"]["errors"],
    ));
    out
}

async fn run(args: &Args) -> Result<Value> {
    if args.documents == 0 || args.clients == 0 || args.batch_size == 0 || args.query_clients == 0 {
        bail!("--documents, --clients, --batch-size and --query-clients must be at least 1");
    }
    let date = utc_now();
    let machine = sys::machine();
    let ticks = sys::clock_ticks_per_second();
    let load_start = sys::loadavg();

    let binary = args.server_bin.clone().unwrap_or_else(default_server_bin);
    if !binary.is_file() {
        bail!(
            "no server binary at {} (build it with `cargo build --release -p rasd`, or pass --server-bin)",
            binary.display()
        );
    }

    eprintln!("reading {} ...", args.data.display());
    let loading = Instant::now();
    let data = args.data.clone();
    let corpus = tokio::task::spawn_blocking(move || corpus::load(&data)).await??;
    let load_seconds = loading.elapsed().as_secs_f64();
    eprintln!(
        "{} articles with text ({} empty skipped) from {} archives, {:.1} MB of text, in {:.1} s",
        corpus.articles.len(),
        corpus.skipped_empty,
        corpus.files,
        corpus.text_bytes as f64 / 1e6,
        load_seconds
    );
    let corpus_json = json!({
        "name": "SaudiNewsNet",
        "path": args.data.display().to_string(),
        "files": corpus.files,
        "articles_read": corpus.read,
        "articles": corpus.articles.len(),
        "skipped_empty": corpus.skipped_empty,
        "text_bytes": corpus.text_bytes,
        "load_seconds": round2(load_seconds),
    });
    let corpus_len = corpus.articles.len() as u64;
    let articles = Arc::new(corpus.articles);

    let temp = match (&args.data_dir, &args.work_dir) {
        (Some(_), _) => None,
        (None, Some(dir)) => Some(
            tempfile::Builder::new()
                .prefix("rasd-bench-")
                .tempdir_in(dir),
        ),
        (None, None) => Some(tempfile::Builder::new().prefix("rasd-bench-").tempdir()),
    }
    .transpose()
    .context("cannot create the temporary data directory")?;
    let data_dir = match (&args.data_dir, &temp) {
        (Some(dir), _) => dir.clone(),
        (None, Some(temp)) => temp.path().join("data"),
        (None, None) => unreachable!("a temporary directory exists when no --data-dir is given"),
    };
    let mut server = ServerProcess::start(
        &binary,
        &data_dir,
        &args.server_log,
        &args.server_arg,
        Duration::from_secs(120),
    )?;
    eprintln!(
        "server pid {} serving on {} with data in {}",
        server.pid(),
        server.addr,
        data_dir.display()
    );

    // Ingest.
    let channels = connect(server.addr, args.clients).await?;
    let before_ingest = CpuSample::take(server.cpu_ticks()?);
    let ingest_config = ingest::IngestConfig {
        documents: args.documents,
        batch_size: args.batch_size,
        max_duration: Duration::from_secs(args.max_ingest_seconds),
        request_timeout: Duration::from_secs(300),
        progress_every: Duration::from_secs(args.progress_seconds.max(1)),
        max_server_rss: max_server_rss(args),
        min_free_disk: (args.min_free_disk_gib * 1024.0 * 1024.0 * 1024.0) as u64,
        data_dir: data_dir.clone(),
    };
    let ingested = if args.skip_ingest {
        ingest::IngestResult::skipped(args.documents)
    } else {
        ingest::run(channels, Arc::clone(&articles), ingest_config, server.pid()).await?
    };
    let after_ingest = CpuSample::take(server.cpu_ticks()?);
    server.check_alive()?;
    let load_after_ingest = sys::loadavg();
    let (du_ingest, apparent_ingest) = sys::disk_usage(&data_dir)?;
    let (_, rss_after_ingest) = server.memory()?;
    eprintln!(
        "ingested {} documents in {:.1} s: {:.0} documents/s, {:.2} MB/s; store {} on disk",
        ingested.acknowledged,
        ingested.elapsed.as_secs_f64(),
        ingested.docs_per_second(),
        ingested.megabytes_per_second(),
        mib(du_ingest)
    );

    // The background merge of the last write groups ends, then a few idle seconds: what the
    // server still does in the background (sled's flusher), the baseline of the query phase's
    // CPU figures.
    let settle_started = Instant::now();
    while settle_started.elapsed() < Duration::from_secs(args.max_settle_seconds) {
        let before = server.cpu_ticks()?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let cores = (server.cpu_ticks()? - before) as f64 / ticks as f64 / 2.0;
        if cores < 0.2 {
            break;
        }
    }
    let settle_seconds = settle_started.elapsed().as_secs_f64();
    eprintln!("background work after ingest ended after {settle_seconds:.0} s");
    let idle_seconds = 5.0;
    let before_idle = CpuSample::take(server.cpu_ticks()?);
    tokio::time::sleep(Duration::from_secs_f64(idle_seconds)).await;
    let after_idle = CpuSample::take(server.cpu_ticks()?);

    // Queries.
    let channels = connect(server.addr, args.query_clients).await?;
    let ids = query::IdSpace {
        corpus: corpus_len,
        stored: ingested.issued.max(1),
    };
    let query_config = query::QueryConfig {
        requests: args.queries,
        max_duration: Duration::from_secs(args.max_query_seconds),
        request_timeout: Duration::from_secs(60),
        seed: args.seed,
        kinds: args.query_kinds.clone(),
    };
    let query_started = Instant::now();
    let queries = query::run(channels, ids, query_config, server.pid()).await?;
    let query_seconds = query_started.elapsed().as_secs_f64();
    let after_queries = CpuSample::take(server.cpu_ticks()?);
    server.check_alive()?;
    let load_end = sys::loadavg();

    // Stop the server, then measure what it left on disk.
    let (peak_rss, rss_end) = server.memory()?;
    let log = Arc::clone(&server.log);
    let stopped = server.stop(Duration::from_secs(300))?;
    let (du_shutdown, apparent_shutdown) = sys::disk_usage(&data_dir)?;
    let log = {
        // The reader thread sees the end of the log once the process has exited.
        std::thread::sleep(Duration::from_millis(100));
        let tail = log.lock().unwrap();
        json!({
            "lines": tail.lines,
            "warnings": tail.warnings,
            "errors": tail.errors,
            "last_problems": tail.last_problems.iter().collect::<Vec<_>>(),
        })
    };
    if let Some(temp) = temp {
        temp.close()
            .context("cannot remove the temporary data directory")?;
    }

    let stored = ingested.acknowledged.max(ingested.issued).max(1);
    Ok(json!({
        "date": date,
        "machine": machine,
        "config": {
            "documents": args.documents,
            "clients": args.clients,
            "batch_size": args.batch_size,
            "max_ingest_seconds": args.max_ingest_seconds,
            "max_server_rss_bytes": max_server_rss(args),
            "min_free_disk_bytes": (args.min_free_disk_gib * 1024.0 * 1024.0 * 1024.0) as u64,
            "query_clients": args.query_clients,
            "queries": args.queries,
            "max_query_seconds": args.max_query_seconds,
            "max_settle_seconds": args.max_settle_seconds,
            "seed": args.seed,
        },
        "corpus": corpus_json,
        "server": {
            "binary": binary.display().to_string(),
            "log_filter": args.server_log,
            "extra_args": args.server_arg,
            "memory": {
                "peak_rss_bytes": peak_rss,
                "rss_after_ingest_bytes": rss_after_ingest,
                "rss_at_end_bytes": rss_end,
                "max_rss_sampled_during_ingest_bytes": ingested.max_rss_sampled,
            },
            "shutdown_seconds": round2(stopped.shutdown.as_secs_f64()),
            "exit_status": stopped.status.to_string(),
            "log": log,
        },
        "load_average": {
            "start": load_start,
            "after_ingest": load_after_ingest,
            "end": load_end,
        },
        "cpu": {
            "ingest": after_ingest.since(&before_ingest, ticks, ingested.elapsed.as_secs_f64()),
            "idle_after_ingest": after_idle.since(&before_idle, ticks, idle_seconds),
            "settle_seconds": sys::round2(settle_seconds),
            "queries": after_queries.since(&after_idle, ticks, query_seconds),
        },
        "ingest": ingested.json(),
        "stored_documents": stored,
        "store": {
            "du_bytes_after_ingest": du_ingest,
            "apparent_bytes_after_ingest": apparent_ingest,
            "du_bytes_per_document": round2(du_ingest as f64 / stored as f64),
            "du_bytes_after_shutdown": du_shutdown,
            "apparent_bytes_after_shutdown": apparent_shutdown,
        },
        "queries": queries.iter().map(query::KindResult::json).collect::<Vec<_>>(),
    }))
}

fn write_json(path: &Path, report: &Value) -> Result<()> {
    let text = serde_json::to_string_pretty(report)?;
    std::fs::write(path, text + "\n").with_context(|| format!("cannot write {}", path.display()))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    // Ctrl-C or SIGTERM drops the work in progress: the server process is killed and the temporary data
    // directory removed by their destructors.
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let report = tokio::select! {
        report = run(&args) => report?,
        _ = tokio::signal::ctrl_c() => bail!("interrupted"),
        _ = terminate.recv() => bail!("terminated"),
    };
    let text = text_report(&report);
    if args.json {
        eprint!("{text}");
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{text}");
    }
    if let Some(path) = &args.json_file {
        write_json(path, &report)?;
    }
    Ok(())
}
