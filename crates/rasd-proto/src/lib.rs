//! The `rasd.v1` API: generated messages and services, the descriptor set for reflection, and
//! the one place where errors become gRPC statuses.
//!
//! The key decision: **domain crates never see tonic.** Normalization, extraction and storage
//! report typed errors; [`ApiError`] is the API's view of a failure (the canonical gRPC code,
//! the field at fault, the reason) and its conversion to `tonic::Status` attaches the
//! `google.rpc` details (`BadRequest`, `ErrorInfo`, `ResourceInfo`, `QuotaFailure`) that
//! polyglot clients decode. Request decoding goes through [`codec::RasdCodec`], so a message
//! that does not decode (a `string` field that is not UTF-8) is `INVALID_ARGUMENT` naming the
//! field, not `INTERNAL`.

pub mod codec;
mod convert;
mod error;

pub use convert::{entity_type_from_proto, entity_type_to_proto};
pub use error::{ApiError, ERROR_DOMAIN};

/// Generated code of package `rasd.v1`.
#[allow(clippy::all, missing_debug_implementations)]
pub mod v1 {
    tonic::include_proto!("rasd.v1");
}

/// Encoded `FileDescriptorSet` of the `rasd.v1` protos, for server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/rasd_descriptor.bin"));
