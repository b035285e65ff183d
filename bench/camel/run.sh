#!/usr/bin/env bash
# Measures rasd-normalize and CAMeL Tools' normalization on the same articles and prints both
# figures in MB/s and their ratio (the goal: at least 3 for the search profile, alignment on).
#
#   bench/camel/run.sh            # uses ../shared/data/news/saudinewsnet/syria_subset.jsonl
#   RASD_BENCH_CORPUS=file.jsonl bench/camel/run.sh
#
# Two measurements of ours: the criterion benchmark (mean time per pass over the corpus) and,
# for the ratio, the `throughput` example, best of ROUNDS passes, run alternately with the
# CAMeL script (also best of ROUNDS passes) ROUNDS_OUTER times, so that both see the same
# machine load. CAMeL Tools is installed on first use into bench/camel/.venv (pip install
# --no-deps camel-tools six emoji); set CAMEL_VENV to use another virtual environment.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
corpus="${RASD_BENCH_CORPUS:-$repo/../shared/data/news/saudinewsnet/syria_subset.jsonl}"
venv="${CAMEL_VENV:-$here/.venv}"
rounds="${ROUNDS:-5}"
outer="${ROUNDS_OUTER:-3}"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"

if [ ! -f "$corpus" ]; then
    echo "corpus not found: $corpus (set RASD_BENCH_CORPUS)" >&2
    exit 2
fi
if [ ! -x "$venv/bin/python" ]; then
    echo "installing CAMeL Tools into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --no-deps camel-tools six emoji
fi

echo "== criterion benchmark of rasd-normalize (alignment on)" >&2
criterion="$(cd "$repo" && RASD_BENCH_CORPUS="$corpus" cargo bench -p rasd-normalize --bench normalize -- 'normalize$' 2>&1)"

echo "== alternating best-of-$rounds passes: rasd-normalize example / CAMeL Tools, $outer times" >&2
(cd "$repo" && cargo build --quiet --release -p rasd-normalize --example throughput)
ours=""
camel=""
for _ in $(seq "$outer"); do
    ours+="$("$target_dir/release/examples/throughput" "$corpus" "$rounds")"$'\n'
    camel+="$("$venv/bin/python" "$here/bench_camel.py" --corpus "$corpus" --rounds "$rounds" --json)"$'\n'
done

RASD_CRITERION="$criterion" RASD_OURS="$ours" RASD_CAMEL="$camel" python3 - <<'PY'
import json, os, re

units = {"B/s": 1, "KiB/s": 1024, "MiB/s": 1024**2, "GiB/s": 1024**3}
criterion = {}
for profile in ("lucene", "search", "extraction"):
    m = re.search(profile + r"/normalize\s.*?thrpt:\s*\[\S+ \S+ (\S+) (\S+)", os.environ["RASD_CRITERION"], re.S)
    if m:
        criterion[profile] = float(m.group(1)) * units[m.group(2)] / 1e6
best = {}
for line in os.environ["RASD_OURS"].splitlines():
    m = re.match(r"(\w+)\s+normalize\s+([\d.]+) MB/s\s+normalize_text\s+([\d.]+) MB/s", line)
    if m:
        p = m.group(1)
        best[p] = max(best.get(p, (0, 0)), (float(m.group(2)), float(m.group(3))))
camel = max(json.loads(l)["mb_per_s"] for l in os.environ["RASD_CAMEL"].splitlines() if l.strip())

print("profile      criterion mean   best pass (alignment)   best pass (text only)")
for p in ("lucene", "search", "extraction"):
    c = criterion.get(p, float("nan"))
    a, t = best.get(p, (float("nan"), float("nan")))
    print(f"{p:<12} {c:8.1f} MB/s    {a:8.1f} MB/s ({a / camel:.2f}x)     {t:8.1f} MB/s ({t / camel:.2f}x)")
print(f"CAMeL Tools best pass: {camel:.1f} MB/s")
ratio = best["search"][0] / camel
print(f"ratio, search with alignment / CAMeL: {ratio:.2f} (goal >= 3: {'met' if ratio >= 3 else 'NOT met'})")
PY
