#!/usr/bin/env bash
# Measures rasd-normalize (criterion benchmark, alignment on) and CAMeL Tools' normalization
# (bench_camel.py) on the same articles, one after the other, and prints both figures in MB/s
# and their ratio. The issue-3 goal is a ratio of at least 3 for the search profile.
#
#   bench/camel/run.sh            # uses ../shared/data/news/saudinewsnet/syria_subset.jsonl
#   RASD_BENCH_CORPUS=file.jsonl bench/camel/run.sh
#
# CAMeL Tools is installed on first use into bench/camel/.venv (pip install --no-deps
# camel-tools six emoji); set CAMEL_VENV to use another virtual environment.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
corpus="${RASD_BENCH_CORPUS:-$repo/../shared/data/news/saudinewsnet/syria_subset.jsonl}"
venv="${CAMEL_VENV:-$here/.venv}"

if [ ! -f "$corpus" ]; then
    echo "corpus not found: $corpus (set RASD_BENCH_CORPUS)" >&2
    exit 2
fi
if [ ! -x "$venv/bin/python" ]; then
    echo "installing CAMeL Tools into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --no-deps camel-tools six emoji
fi

echo "== rasd-normalize (criterion, one call per article, alignment on)" >&2
ours="$(cd "$repo" && RASD_BENCH_CORPUS="$corpus" cargo bench -p rasd-normalize --bench normalize -- 'normalize$' 2>&1)"
echo "== CAMeL Tools (dediac_ar + normalize_alef_ar + normalize_alef_maksura_ar + normalize_teh_marbuta_ar + tatweel)" >&2
camel="$("$venv/bin/python" "$here/bench_camel.py" --corpus "$corpus" --json)"

RASD_FIGURES="$ours" python3 - "$camel" <<'PY'
import json, os, re, sys

camel = json.loads(sys.argv[1])["mb_per_s"]
text = os.environ["RASD_FIGURES"]
units = {"B/s": 1, "KiB/s": 1024, "MiB/s": 1024**2, "GiB/s": 1024**3}
ours = {}
for profile in ("lucene", "search", "extraction"):
    m = re.search(profile + r"/normalize\s.*?thrpt:\s*\[\S+ \S+ (\S+) (\S+)", text, re.S)
    if m:
        ours[profile] = float(m.group(1)) * units[m.group(2)] / 1e6
if "search" not in ours:
    sys.exit("could not read the criterion figures:\n" + text[-2000:])
for profile, mbs in ours.items():
    print(f"rasd-normalize {profile:<10} {mbs:7.1f} MB/s  ({mbs / camel:.2f}x CAMeL)")
print(f"CAMeL Tools               {camel:7.1f} MB/s")
print(f"ratio (search / CAMeL): {ours['search'] / camel:.2f}  (goal: >= 3)")
PY
