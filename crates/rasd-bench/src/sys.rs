//! What the machine says about itself: CPU time from `/proc`, load, memory, disk usage.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

/// User plus system CPU time of a process (`/proc/<pid>/stat` or `/proc/self/stat`), in clock
/// ticks.
pub fn process_cpu_ticks(stat_path: &str) -> Result<u64> {
    let stat =
        std::fs::read_to_string(stat_path).with_context(|| format!("cannot read {stat_path}"))?;
    // The command name is in parentheses and may hold spaces: count fields after the last ')'.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .context("malformed stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state(3) ppid(4) … utime(14) stime(15); index 0 here is field 3.
    if fields.len() < 13 {
        bail!("malformed {stat_path}");
    }
    let utime: u64 = fields[11].parse()?;
    let stime: u64 = fields[12].parse()?;
    Ok(utime + stime)
}

/// Busy and total CPU ticks of the whole machine (first line of `/proc/stat`); I/O wait counts
/// as idle.
pub fn machine_cpu_ticks() -> Result<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat")?;
    let line = stat.lines().next().context("empty /proc/stat")?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|n| n.parse().unwrap_or(0))
        .collect();
    if v.len() < 8 {
        bail!("malformed /proc/stat");
    }
    // user nice system idle iowait irq softirq steal
    let busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    let total = busy + v[3] + v[4];
    Ok((busy, total))
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux).
pub fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .filter(|&t| t > 0)
        .unwrap_or(100)
}

/// The three load averages.
pub fn loadavg() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = text.split_whitespace().map(|n| n.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

/// Allocated bytes (what `du` counts) and apparent bytes of every file under `dir`.
pub fn disk_usage(dir: &Path) -> Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let (mut allocated, mut apparent) = (0u64, 0u64);
    let mut stack = vec![dir.to_owned()];
    // The server deletes files while it runs (sled's blobs and log segments): a file gone
    // between listing and reading counts as nothing.
    let gone = |e: &std::io::Error| e.kind() == std::io::ErrorKind::NotFound;
    while let Some(path) = stack.pop() {
        let meta = match std::fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) if gone(&e) && path != dir => continue,
            Err(e) => return Err(e.into()),
        };
        allocated += meta.blocks() * 512;
        if meta.is_dir() {
            let entries = match std::fs::read_dir(&path) {
                Ok(entries) => entries,
                Err(e) if gone(&e) && path != dir => continue,
                Err(e) => return Err(e.into()),
            };
            for entry in entries {
                match entry {
                    Ok(entry) => stack.push(entry.path()),
                    Err(e) if gone(&e) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        } else {
            apparent += meta.len();
        }
    }
    Ok((allocated, apparent))
}

pub fn memory_total() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib: u64 = text
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kib * 1024)
}

fn cpu_model() -> Option<String> {
    let text = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_owned())
}

fn command_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The machine and the code being measured.
pub fn machine() -> Value {
    json!({
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "cpu_model": cpu_model(),
        "memory_bytes": memory_total(),
        "kernel": command_line("uname", &["-sr"]),
        "git_commit": command_line("git", &["rev-parse", "--short=12", "HEAD"]),
        "git_dirty": command_line("git", &["status", "--porcelain", "--untracked-files=no"])
            .map(|s| !s.is_empty()),
    })
}

/// CPU used by the server, by this benchmark and by everything else between two samples.
#[derive(Debug, Clone, Copy)]
pub struct CpuSample {
    server: u64,
    bench: u64,
    busy: u64,
    total: u64,
}

impl CpuSample {
    pub fn take(server_ticks: u64) -> CpuSample {
        let bench = process_cpu_ticks("/proc/self/stat").unwrap_or(0);
        let (busy, total) = machine_cpu_ticks().unwrap_or((0, 0));
        CpuSample {
            server: server_ticks,
            bench,
            busy,
            total,
        }
    }

    /// Average cores used over the interval since `earlier`: server, benchmark, other
    /// processes, and the cores the machine has.
    pub fn since(&self, earlier: &CpuSample, ticks_per_second: u64, seconds: f64) -> Value {
        let cores = |ticks: u64| {
            if seconds > 0.0 {
                ticks as f64 / ticks_per_second as f64 / seconds
            } else {
                0.0
            }
        };
        let server = self.server.saturating_sub(earlier.server);
        let bench = self.bench.saturating_sub(earlier.bench);
        let busy = self.busy.saturating_sub(earlier.busy);
        let total = self.total.saturating_sub(earlier.total);
        let other = busy.saturating_sub(server + bench);
        json!({
            "server_cores": round2(cores(server)),
            "bench_cores": round2(cores(bench)),
            "other_cores": round2(cores(other)),
            "machine_busy_fraction": if total > 0 { round2(busy as f64 / total as f64) } else { 0.0 },
        })
    }
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
