#!/usr/bin/env bash
# The scale and speed benchmark of the store: builds the release binaries, then runs
# rasd-bench, which starts `rasd serve` on 127.0.0.1:0 over a temporary data directory, ingests
# the SaudiNewsNet articles through BatchCreateDocuments until the store holds 1,000,000
# documents (50,000 with --quick), queries it under concurrent load, and prints the report.
#
#   scripts/bench-store.sh [--quick] [rasd-bench flags…]      e.g. --json, --documents 200000
#
# CARGO_TARGET_DIR is honoured (default: target/). The data folder defaults to
# ../shared/data/news/saudinewsnet (relative to the repository root); override with --data DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=()
if [ "${1:-}" = "--quick" ]; then
  quick=(--documents 50000)
  shift
fi

target="${CARGO_TARGET_DIR:-target}"
# One cargo invocation for both binaries, so dependencies are built once with the same features.
cargo build --release --locked -p rasd -p rasd-bench
exec "$target/release/rasd-bench" --server-bin "$target/release/rasd" "${quick[@]}" "$@"
