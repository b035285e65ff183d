//! The Rasd gRPC server: a thin layer that implements the generated `rasd.v1` service traits
//! over the domain crates.
//!
//! The key decision: **the server only validates, converts and delegates.** Each RPC checks its
//! request (every check names the field), converts it to domain types, runs CPU-bound work
//! (normalization, extraction, search) on the blocking pool, and converts the result back, with
//! offsets in the unit the caller chose. Errors become `tonic::Status` in one place,
//! `rasd_proto::ApiError`. Health checking reports `NOT_SERVING` until the store is open, and
//! server reflection (v1 and v1alpha) lets clients with no proto files discover the API.

pub mod config;
mod convert;
mod documents;
mod entities;
mod extraction;
mod knowledge;
mod oversize;
mod serve;
mod state;
mod validate;

pub use config::{ConfigError, Limits, LogFormat, ServerConfig};
pub use serve::{bind_and_start, start, RunningServer, ServerError};
