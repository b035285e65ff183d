//! The server under test, in its own process: `rasd serve` on `127.0.0.1:0` over a temporary
//! data directory, so that its memory (VmHWM) and CPU time can be read from `/proc`, and so that
//! it stops the way it does in production (SIGTERM: drain, flush, exit).

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

/// Log lines at WARN or ERROR kept for the report when something goes wrong.
const KEPT_LOG_LINES: usize = 20;

/// What the log reader saw after start-up.
#[derive(Debug, Default)]
pub struct LogTail {
    pub lines: u64,
    pub warnings: u64,
    pub errors: u64,
    pub last_problems: VecDeque<String>,
}

/// A running `rasd serve`. Dropping it kills the process if [`ServerProcess::stop`] was not
/// called (an error path), so no server outlives the benchmark.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
    pub log: Arc<Mutex<LogTail>>,
}

/// How the server stopped.
#[derive(Debug)]
pub struct Stopped {
    pub status: ExitStatus,
    /// From SIGTERM to exit: draining calls and flushing the store.
    pub shutdown: Duration,
}

fn event_message(event: &Value) -> Option<&str> {
    event
        .pointer("/fields/message")
        .or_else(|| event.get("message"))
        .and_then(Value::as_str)
}

fn event_field<'a>(event: &'a Value, name: &str) -> Option<&'a str> {
    event
        .get("fields")
        .and_then(|f| f.get(name))
        .or_else(|| event.get(name))
        .and_then(Value::as_str)
}

impl ServerProcess {
    /// Starts `binary serve` and waits (at most `timeout`) for its "serving" log event, which
    /// carries the bound address. `log_filter` becomes `RASD_LOG`; every other `RASD_*`
    /// variable of the environment is removed so that only the flags given here configure it.
    pub fn start(
        binary: &Path,
        data_dir: &Path,
        log_filter: &str,
        extra_args: &[String],
        timeout: Duration,
    ) -> Result<ServerProcess> {
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--log-format")
            .arg("json")
            .args(extra_args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("RASD_") {
                command.env_remove(key);
            }
        }
        // The "serving" event carries the address: it stays on whatever the filter says.
        command.env("RASD_LOG", format!("{log_filter},rasd_server::serve=info"));
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let stderr = child.stderr.take().context("no stderr pipe")?;
        let log = Arc::new(Mutex::new(LogTail::default()));
        let (ready_tx, ready_rx) = mpsc::channel::<Result<SocketAddr, String>>();
        let tail = Arc::clone(&log);
        // Reads the log for the whole life of the server: finds the address, then keeps draining
        // the pipe (a full pipe would block the server) and counts problems.
        std::thread::Builder::new()
            .name("server-log".into())
            .spawn(move || {
                let mut ready = Some(ready_tx);
                let mut before_ready = Vec::new();
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    let event: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
                    let level = event.get("level").and_then(Value::as_str).unwrap_or("");
                    {
                        let mut tail = tail.lock().unwrap();
                        tail.lines += 1;
                        match level {
                            "WARN" => tail.warnings += 1,
                            "ERROR" => tail.errors += 1,
                            _ => {}
                        }
                        if matches!(level, "WARN" | "ERROR") || event.is_null() {
                            if tail.last_problems.len() == KEPT_LOG_LINES {
                                tail.last_problems.pop_front();
                            }
                            tail.last_problems.push_back(line.clone());
                        }
                    }
                    if let Some(tx) = &ready {
                        if before_ready.len() < KEPT_LOG_LINES {
                            before_ready.push(line.clone());
                        }
                        if event_message(&event) == Some("serving") {
                            let addr = event_field(&event, "addr")
                                .ok_or_else(|| format!("no addr in {line}"))
                                .and_then(|a| a.parse().map_err(|e| format!("addr {a:?}: {e}")));
                            let _ = tx.send(addr);
                            ready = None;
                        }
                    }
                }
                if let Some(tx) = ready {
                    let _ = tx.send(Err(format!(
                        "the server exited before serving; its log:\n{}",
                        before_ready.join("\n")
                    )));
                }
            })
            .context("cannot start the log reader")?;
        let addr = match ready_rx.recv_timeout(timeout) {
            Ok(Ok(addr)) => addr,
            Ok(Err(message)) => {
                let _ = child.kill();
                let _ = child.wait();
                bail!("{message}");
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                bail!("the server did not report \"serving\" within {timeout:?}");
            }
        };
        if !addr.ip().is_loopback() {
            let _ = child.kill();
            let _ = child.wait();
            bail!("the server bound {addr}, not a loopback address");
        }
        Ok(ServerProcess { child, addr, log })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Fails if the server has exited.
    pub fn check_alive(&mut self) -> Result<()> {
        match self.child.try_wait()? {
            None => Ok(()),
            Some(status) => Err(anyhow!("the server exited unexpectedly ({status})")),
        }
    }

    /// `VmHWM` (peak resident set) and `VmRSS`, in bytes.
    pub fn memory(&self) -> Result<(u64, u64)> {
        memory_of(self.pid())
    }

    /// User plus system CPU time of the server so far, in clock ticks.
    pub fn cpu_ticks(&self) -> Result<u64> {
        crate::sys::process_cpu_ticks(&format!("/proc/{}/stat", self.pid()))
    }

    /// Sends SIGTERM and waits (at most `timeout`) for the server to drain and flush; kills it
    /// if it does not stop in time.
    pub fn stop(mut self, timeout: Duration) -> Result<Stopped> {
        let started = Instant::now();
        let pid = self.pid().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .context("cannot run `kill`")?;
        if !sent.success() {
            bail!("kill -TERM {pid} failed");
        }
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(Stopped {
                    status,
                    shutdown: started.elapsed(),
                });
            }
            if started.elapsed() > timeout {
                let _ = self.child.kill();
                let _ = self.child.wait();
                bail!("the server did not stop within {timeout:?} of SIGTERM; killed");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `VmHWM` (peak resident set) and `VmRSS` of a process, in bytes.
pub fn memory_of(pid: u32) -> Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib = |name: &str| -> Option<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok())
            .map(|k| k * 1024)
    };
    match (kib("VmHWM:"), kib("VmRSS:")) {
        (Some(hwm), Some(rss)) => Ok((hwm, rss)),
        _ => bail!("no VmHWM/VmRSS in /proc/{}/status", pid),
    }
}
