#!/usr/bin/env bash
# Measures the full extraction of rasd-extract (one thread and every core) and the Python name
# matchers users would write instead (pyahocorasick with word boundaries, flashtext) over the
# same article contents and the same knowledge-base names, in one run, and prints every figure
# and the ratios.
#
#   bench/extract/run.sh            # uses ../shared/data/news/saudinewsnet/syria_subset.jsonl
#   RASD_BENCH_CORPUS=file.jsonl ROUNDS=3 ROUNDS_OUTER=1 bench/extract/run.sh
#
# Each side reports the best of ROUNDS passes (default 3) after one warm-up pass; with
# ROUNDS_OUTER > 1 the two sides run alternately that many times and the best of each counts,
# so that both see the same machine load. pyahocorasick and flashtext are installed from PyPI on
# first use into target/bench-extract/venv (set EXTRACT_VENV to use another virtual environment).
# The criterion benchmark (one thread) is separate: cargo bench -p rasd-extract --bench extract
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
corpus="${RASD_BENCH_CORPUS:-$repo/../shared/data/news/saudinewsnet/syria_subset.jsonl}"
work="$repo/target/bench-extract"
venv="${EXTRACT_VENV:-$work/venv}"
rounds="${ROUNDS:-3}"
outer="${ROUNDS_OUTER:-1}"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"

if [ ! -f "$corpus" ]; then
    echo "corpus not found: $corpus (set RASD_BENCH_CORPUS)" >&2
    exit 2
fi
mkdir -p "$work"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import ahocorasick, flashtext' 2>/dev/null; then
    echo "== installing pyahocorasick and flashtext into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet pyahocorasick flashtext
fi

echo "== exporting the knowledge base's names" >&2
python3 "$here/export_names.py" --kb "$repo/data/kb" --output "$work/names.tsv"

echo "== building the extract_throughput example (release)" >&2
(cd "$repo" && cargo build --quiet --release -p rasd-extract --example extract_throughput)

echo "== load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
ours=""
python=""
for i in $(seq "$outer"); do
    echo "== round $i/$outer: rasd-extract, best of $rounds (one thread, one thread with the tagger off, then every core)" >&2
    out="$("$target_dir/release/examples/extract_throughput" "$corpus" "$rounds")"
    echo "$out" | grep -v '^{' >&2
    ours+="$(echo "$out" | grep '^{')"$'\n'
    echo "== round $i/$outer: pyahocorasick and flashtext, best of $rounds" >&2
    line="$("$venv/bin/python" "$here/bench_python.py" --names "$work/names.tsv" \
        --corpus "$corpus" --rounds "$rounds" --json)"
    python3 -c 'import json, sys
r = json.loads(sys.argv[1])
for k in ("pyahocorasick", "flashtext"):
    m = r[k]
    print("%-14s %7.1f MB/s  %8.0f articles/s  %d matches" % (k, m["mb_per_s"], m["articles_per_s"], m["matches"]))' "$line" >&2
    python+="$line"$'\n'
done

echo "== load average after the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2

RASD_OURS="$ours" RASD_PYTHON="$python" python3 - <<'PY'
import json, os

ours = [json.loads(l) for l in os.environ["RASD_OURS"].splitlines() if l.strip()]
py = [json.loads(l) for l in os.environ["RASD_PYTHON"].splitlines() if l.strip()]
o = ours[0]
single = max(r["single_mb_per_s"] for r in ours)
single_a = max(r["single_articles_per_s"] for r in ours)
par = max(r["parallel_mb_per_s"] for r in ours)
par_a = max(r["parallel_articles_per_s"] for r in ours)
kb_only = max(r["single_no_tagger_mb_per_s"] for r in ours)
aho = max(r["pyahocorasick"]["mb_per_s"] for r in py)
aho_a = max(r["pyahocorasick"]["articles_per_s"] for r in py)
flash = max(r["flashtext"]["mb_per_s"] for r in py)
flash_a = max(r["flashtext"]["articles_per_s"] for r in py)

print(f"corpus: {o['articles']} articles, {o['bytes'] / 1e6:.2f} MB of UTF-8 content")
print(f"knowledge base: {o['kb_entries']} entries, {o['kb_names']} names and aliases "
      f"({py[0]['names']} distinct, exported for the Python matchers)")
print()
print(f"{'':<38} {'MB/s':>7} {'articles/s':>11} {'found':>8}")
print(f"{'rasd-extract, full extraction, 1 thread':<38} {single:7.1f} {single_a:11.0f} {o['mentions']:8d}")
print(f"{'rasd-extract, full extraction, ' + str(o['threads']) + ' threads':<38} {par:7.1f} {par_a:11.0f} {o['mentions']:8d}")
print(f"{'rasd-extract, tagger off, 1 thread':<38} {kb_only:7.1f} {'':>11} {o['mentions_no_tagger']:8d}")
print(f"{'pyahocorasick, word boundaries':<38} {aho:7.1f} {aho_a:11.0f} {py[0]['pyahocorasick']['matches']:8d}")
print(f"{'flashtext':<38} {flash:7.1f} {flash_a:11.0f} {py[0]['flashtext']['matches']:8d}")
print()
print(f"ratio, rasd-extract 1 thread / pyahocorasick: {single / aho:.2f}")
print(f"ratio, rasd-extract 1 thread / flashtext:     {single / flash:.2f}")
print(f"ratio, rasd-extract {o['threads']} threads / pyahocorasick: {par / aho:.2f}")
print(f"ratio, tagger on / tagger off (1 thread):     {single / kb_only:.2f}")
print(f"goal, full pipeline with the tagger at least 5 MB/s on one core: {'met' if single >= 5 else 'NOT met'} ({single:.1f} MB/s)")
print(f"goal, knowledge-based pipeline (tagger off) at least 50 MB/s on one core: {'met' if kb_only >= 50 else 'NOT met'} ({kb_only:.1f} MB/s)")
PY
