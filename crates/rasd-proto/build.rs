//! Compiles `proto/rasd/v1/*.proto` with the pure-Rust `protox` (no `protoc` needed), generates
//! the prost messages and tonic services, and writes the encoded descriptor set to `OUT_DIR` for
//! server reflection.

use std::path::PathBuf;

const PROTOS: &[&str] = &[
    "rasd/v1/common.proto",
    "rasd/v1/extraction.proto",
    "rasd/v1/document.proto",
    "rasd/v1/entity.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let proto_root = manifest.join("../../proto").canonicalize()?;
    let files: Vec<PathBuf> = PROTOS.iter().map(|p| proto_root.join(p)).collect();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    println!(
        "cargo:rerun-if-changed={}",
        proto_root.join("google/rpc/status.proto").display()
    );

    let fds = protox::compile(&files, [&proto_root])?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(
        out_dir.join("rasd_descriptor.bin"),
        prost::Message::encode_to_vec(&fds),
    )?;

    tonic_prost_build::configure()
        .extern_path(".google.rpc.Status", "::tonic_types::pb::Status")
        .codec_path("crate::codec::RasdCodec")
        .emit_rerun_if_changed(false)
        .compile_fds(fds)?;
    Ok(())
}
