//! The `rasd` binary: ingest, get, search, entities, offline extraction and normalization,
//! and a second server refused on a data directory in use.

use std::io::Write;
use std::process::{Command, Stdio};

use rasd_tests::{rasd_binary, repo_root, TestServer};
use serde_json::Value;

/// The `rasd` binary, without the caller's server setting.
fn rasd() -> Command {
    let mut command = Command::new(rasd_binary());
    command.env_remove("RASD_SERVER");
    command
}

fn run(args: &[&str]) -> (bool, String, String) {
    let output = rasd().args(args).output().unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_get_search_and_entities_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let url = server.url();
    let articles = repo_root().join("examples/articles");
    let articles = articles.to_str().unwrap();

    let (ok, out, err) = tokio::task::spawn_blocking({
        let url = url.clone();
        let articles = articles.to_owned();
        move || run(&["ingest", &articles, "--server", &url])
    })
    .await
    .unwrap();
    assert!(ok, "{err}");
    assert!(
        out.contains("created 4, already stored 0, failed 0"),
        "{out}"
    );

    let url2 = url.clone();
    let articles2 = articles.to_owned();
    let (ok, out, _) =
        tokio::task::spawn_blocking(move || run(&["ingest", &articles2, "--server", &url2]))
            .await
            .unwrap();
    assert!(ok);
    assert!(
        out.contains("created 0, already stored 4"),
        "re-running skips what is stored: {out}"
    );

    let url2 = url.clone();
    let (ok, out, err) = tokio::task::spawn_blocking(move || {
        run(&[
            "get",
            "badia-ambush.txt",
            "--server",
            &url2,
            "--format",
            "json",
        ])
    })
    .await
    .unwrap();
    assert!(ok, "{err}");
    let doc: Value = serde_json::from_str(out.trim()).unwrap();
    let text = doc["text"].as_str().unwrap();
    let mentions = doc["mentions"].as_array().unwrap();
    assert!(mentions.iter().any(|m| m["id"] == "org/isis"));
    for m in mentions {
        let (start, end) = (
            m["start"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        let covered: String = text.chars().skip(start).take(end - start).collect();
        assert_eq!(covered, m["text"].as_str().unwrap());
    }

    let url2 = url.clone();
    let (ok, out, err) = tokio::task::spawn_blocking(move || {
        run(&["search", "داعش", "--server", &url2, "--format", "json"])
    })
    .await
    .unwrap();
    assert!(ok, "{err}");
    let hits: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(hits.len() >= 2);

    let url2 = url.clone();
    let (ok, out, err) = tokio::task::spawn_blocking(move || {
        run(&[
            "entities", "--type", "ORG", "--server", &url2, "--format", "json",
        ])
    })
    .await
    .unwrap();
    assert!(ok, "{err}");
    let entities: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(entities.iter().any(|e| e["entity_id"] == "org/sdf"));
    assert!(entities.iter().all(|e| e["type"] == "ORG"));

    let url2 = url.clone();
    let (ok, out, _) = tokio::task::spawn_blocking(move || run(&["entities", "--server", &url2]))
        .await
        .unwrap();
    assert!(ok);
    assert!(
        out.lines().next().unwrap().contains("docs"),
        "a table has a header: {out}"
    );
    server.stop().await;
}

#[test]
fn offline_extraction_writes_the_scorer_format() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("docs.jsonl");
    let output = dir.path().join("pred.jsonl");
    let mut file = std::fs::File::create(&input).unwrap();
    for (i, (_, text)) in rasd_tests::example_articles().iter().enumerate() {
        writeln!(
            file,
            "{}",
            serde_json::json!({"doc": format!("d{i}"), "text": text})
        )
        .unwrap();
    }
    drop(file);
    let (ok, _, err) = run(&[
        "extract",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let lines: Vec<Value> = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["doc"], "d0");
    let e = &lines[0]["entities"][0];
    for key in ["start", "end", "type", "id", "text"] {
        assert!(e.get(key).is_some(), "{key} missing in {e}");
    }
}

#[test]
fn normalize_reads_stdin_and_writes_stdout() {
    let mut child = rasd()
        .args(["normalize", "--profile", "search"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("دا.عــش في الرَّقَّة\n".as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let out = String::from_utf8(output.stdout).unwrap();
    assert!(out.contains("داعش"), "{out}");
    let (ok, _, err) = run(&["normalize", "--profile", "nonsense"]);
    assert!(!ok);
    assert!(err.contains("nonsense"), "{err}");
}

#[tokio::test]
async fn a_second_server_on_the_same_data_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let data_dir = dir.path().to_str().unwrap().to_owned();
    let (ok, _, err) = tokio::task::spawn_blocking(move || {
        run(&["serve", "--listen", "127.0.0.1:0", "--data-dir", &data_dir])
    })
    .await
    .unwrap();
    assert!(!ok, "the second server must not start");
    assert!(err.contains("in use by another process"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    server.stop().await;
}

#[test]
fn invalid_configuration_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("rasd.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:0\"\nunknown_key = 1\n").unwrap();
    let (ok, _, err) = run(&["serve", "--config", config.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("unknown_key"), "{err}");
    let (ok, _, err) = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--default-page-size",
        "5000",
    ]);
    assert!(!ok);
    assert!(err.contains("limits.default_page_size"), "{err}");
}

#[test]
fn serve_logs_its_address_and_stops_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = rasd()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--log-format",
            "json",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let serving = lines
        .by_ref()
        .map(|l| l.unwrap())
        .find(|l| l.contains("\"serving\""))
        .expect("the server logs that it is serving");
    let event: Value = serde_json::from_str(&serving).unwrap();
    let addr = event["fields"]["addr"].as_str().unwrap().to_owned();
    assert!(
        addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
        "{addr}"
    );
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status:?}: {rest:?}");
    assert!(rest.iter().any(|l| l.contains("\"stopped\"")), "{rest:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_reads_json_lines_with_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path()).await;
    let input = dir.path().join("news.jsonl");
    let mut file = std::fs::File::create(&input).unwrap();
    for (i, (_, text)) in rasd_tests::example_articles().iter().enumerate() {
        let mut row = serde_json::json!({"text": text, "title": format!("t{i}"), "source": "wire",
                                         "published": format!("2024-05-0{}T10:00:00Z", i + 1)});
        if i == 0 {
            row["id"] = serde_json::json!("first");
        }
        writeln!(file, "{row}").unwrap();
    }
    drop(file);
    let url = server.url();
    let path = input.to_str().unwrap().to_owned();
    let (ok, out, err) = tokio::task::spawn_blocking(move || {
        run(&[
            "ingest",
            &path,
            "--server",
            &url,
            "--format",
            "json",
            "--batch-size",
            "2",
        ])
    })
    .await
    .unwrap();
    assert!(ok, "{err}");
    let summary: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(summary["created"], 4);
    let ids = rasd_tests::list_all(
        &server,
        rasd_proto::v1::DocumentFilter {
            source: "wire".into(),
            published_after: Some(prost_types::Timestamp {
                seconds: 1_714_730_400,
                nanos: 0,
            }),
            ..Default::default()
        },
        10,
    )
    .await;
    // 2024-05-03T10:00Z and later: the third and fourth lines, ids from the file stem and line.
    assert_eq!(ids, vec!["news-3".to_owned(), "news-4".to_owned()]);
    let first = rasd_tests::list_all(&server, rasd_proto::v1::DocumentFilter::default(), 10).await;
    assert!(first.contains(&"first".to_owned()));

    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"text\": \"نص\", \"published\": \"yesterday\"}\n").unwrap();
    let url = server.url();
    let path = bad.to_str().unwrap().to_owned();
    let (ok, _, err) =
        tokio::task::spawn_blocking(move || run(&["ingest", &path, "--server", &url]))
            .await
            .unwrap();
    assert!(!ok);
    assert!(
        err.contains("RFC 3339") && err.contains("bad.jsonl:1"),
        "{err}"
    );
    server.stop().await;
}
