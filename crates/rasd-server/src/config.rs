//! Server configuration: where to listen, where the data lives, and the request limits.
//!
//! The same structure is read from a TOML file (unknown keys are errors), overridden by
//! `RASD_*` environment variables and command-line flags in the binary, and checked by
//! [`ServerConfig::validate`] before anything starts.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Explicit limits on what one request may ask. Every limit is documented in the README.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest gRPC message accepted or sent, in bytes.
    pub max_message_bytes: usize,
    /// Largest `text` of one request or batch item, in UTF-8 bytes.
    pub max_text_bytes: usize,
    /// Most items in one batch request.
    pub max_batch_items: usize,
    /// Largest `page_size` of a List or Search request.
    pub max_page_size: usize,
    /// `page_size` used when a request leaves it at 0.
    pub default_page_size: usize,
    /// Largest search `query`, in UTF-8 bytes.
    pub max_query_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 16 * 1024 * 1024,
            max_text_bytes: 1024 * 1024,
            max_batch_items: 100,
            max_page_size: 1000,
            default_page_size: 50,
            max_query_bytes: 4096,
        }
    }
}

/// Log line format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!(
                "unknown log format {other:?} (expected text or json)"
            )),
        }
    }
}

/// Everything `rasd serve` needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Directory of the embedded store (created if missing).
    pub data_dir: PathBuf,
    /// sled page cache, in bytes.
    pub cache_capacity_bytes: u64,
    /// Requests whose CPU-bound part (extraction, reading the store) runs at once; the others
    /// wait their turn in arrival order. 0: one per CPU.
    pub work_threads: usize,
    pub log_format: LogFormat,
    pub limits: Limits,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            data_dir: PathBuf::from("./rasd-data"),
            cache_capacity_bytes: 1024 * 1024 * 1024,
            work_threads: 0,
            log_format: LogFormat::Text,
            limits: Limits::default(),
        }
    }
}

/// A configuration value that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid configuration: {key}: {reason}")]
pub struct ConfigError {
    pub key: &'static str,
    pub reason: String,
}

impl ServerConfig {
    /// [`ServerConfig::work_threads`], with 0 resolved to the number of CPUs.
    pub fn resolved_work_threads(&self) -> usize {
        match self.work_threads {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        }
    }

    /// Checks every value; the error names the key and why.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let l = &self.limits;
        let err = |key: &'static str, reason: String| Err(ConfigError { key, reason });
        if l.max_message_bytes < 4096 {
            return err(
                "limits.max_message_bytes",
                format!("{} is below the minimum of 4096", l.max_message_bytes),
            );
        }
        if l.max_text_bytes == 0 {
            return err("limits.max_text_bytes", "must be at least 1".into());
        }
        if l.max_text_bytes > l.max_message_bytes {
            return err(
                "limits.max_text_bytes",
                format!(
                    "{} is larger than limits.max_message_bytes ({})",
                    l.max_text_bytes, l.max_message_bytes
                ),
            );
        }
        if l.max_batch_items == 0 {
            return err("limits.max_batch_items", "must be at least 1".into());
        }
        if l.max_page_size == 0 {
            return err("limits.max_page_size", "must be at least 1".into());
        }
        if l.default_page_size == 0 || l.default_page_size > l.max_page_size {
            return err(
                "limits.default_page_size",
                format!(
                    "{} must be between 1 and limits.max_page_size ({})",
                    l.default_page_size, l.max_page_size
                ),
            );
        }
        if l.max_query_bytes == 0 {
            return err("limits.max_query_bytes", "must be at least 1".into());
        }
        if self.data_dir.as_os_str().is_empty() {
            return err("data_dir", "must not be empty".into());
        }
        if self.work_threads > 4096 {
            return err(
                "work_threads",
                format!("{} is above the maximum of 4096", self.work_threads),
            );
        }
        if self.cache_capacity_bytes < 1024 * 1024 {
            return err(
                "cache_capacity_bytes",
                format!(
                    "{} is below the minimum of 1048576",
                    self.cache_capacity_bytes
                ),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        ServerConfig::default().validate().unwrap();
    }

    #[test]
    fn inconsistent_limits_are_named() {
        let mut config = ServerConfig::default();
        config.limits.default_page_size = 5000;
        assert_eq!(
            config.validate().unwrap_err().key,
            "limits.default_page_size"
        );
    }

    #[test]
    fn work_threads_default_to_the_cpus_and_are_bounded() {
        let mut config = ServerConfig::default();
        assert!(config.resolved_work_threads() >= 1);
        config.work_threads = 3;
        assert_eq!(config.resolved_work_threads(), 3);
        config.work_threads = 100_000;
        assert_eq!(config.validate().unwrap_err().key, "work_threads");
    }
}
