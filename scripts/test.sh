#!/usr/bin/env bash
# The test command of the project: formatting, lints, the knowledge-base check, and every test,
# including the Python client generated from proto/ (which needs its own venv, made here).
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${RASD_VENV:-target/py-venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== knowledge base check"
python3 scripts/kb/check_kb.py data/kb
echo "== cargo build (the rasd binary the CLI tests run)"
cargo build --locked -p rasd
echo "== cargo test"
RASD_TEST_PYTHON="$PWD/$venv/bin/python" cargo test --workspace --locked
