#!/usr/bin/env bash
# Scores the full extraction pipeline with and without the tagger, as score.py reads it:
#   * ANERcorp development split (the last tenth of ../shared/data/ner/anercorp/train.txt,
#     never trained on) and AQMAR dev, PER/LOC/ORG exact spans after --snap to whole tokens;
#   * the seed articles against ../shared/gold/seeds.jsonl (plain score.py).
#
#   bench/tagger/eval.sh            # builds the rasd binary (release) first
#
# Work files go to $CARGO_TARGET_DIR/tagger-eval (default target/tagger-eval).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
shared="$repo/../shared"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
work="$target_dir/tagger-eval"
mkdir -p "$work"

cargo build --release --locked -q -p rasd --manifest-path "$repo/Cargo.toml"
rasd="$target_dir/release/rasd"
score="$shared/tools/score.py"

# The development split: the last tenth of ANERcorp's sentences (as rasd-tagger-train holds out).
python3 - "$shared/data/ner/anercorp/train.txt" "$work/anercorp-dev.txt" <<'PY'
import sys
sents, cur = [], []
for line in open(sys.argv[1], encoding="utf-8-sig"):
    line = line.rstrip("\n").rstrip("\r")
    if not line.strip() or line.startswith("-DOCSTART-"):
        if cur:
            sents.append(cur)
            cur = []
        continue
    if len(line.split()) >= 2:
        cur.append(line)
if cur:
    sents.append(cur)
dev = sents[len(sents) - len(sents) // 10:]
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for s in dev:
        f.write("\n".join(s) + "\n\n")
PY
python3 "$shared/tools/conll2jsonl.py" "$work/anercorp-dev.txt" "$work/anercorp-docs.jsonl" "$work/anercorp-gold.jsonl"
python3 "$shared/tools/conll2jsonl.py" "$shared/data/ner/aqmar/dev.txt" "$work/aqmar-docs.jsonl" "$work/aqmar-gold.jsonl"
python3 - "$shared/corpus/seeds" "$work/seeds-docs.jsonl" <<'PY'
import json, pathlib, sys
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for p in sorted(pathlib.Path(sys.argv[1]).glob("*.txt")):
        out.write(json.dumps({"doc": p.name, "text": p.read_text(encoding="utf-8")}, ensure_ascii=False) + "\n")
PY

for mode in tagger no-tagger; do
    flag=""
    [ "$mode" = no-tagger ] && flag="--no-tagger"
    for set in anercorp aqmar seeds; do
        "$rasd" extract $flag --input "$work/$set-docs.jsonl" --output "$work/$set-pred-$mode.jsonl"
    done
    echo "== ANERcorp development split, PER/LOC/ORG (--map conll4 --snap), $mode"
    python3 "$score" --map conll4 --snap "$work/anercorp-docs.jsonl" "$work/anercorp-gold.jsonl" "$work/anercorp-pred-$mode.jsonl"
    echo "== AQMAR dev, PER/LOC/ORG (--map conll4 --snap), $mode"
    python3 "$score" --map conll4 --snap "$work/aqmar-docs.jsonl" "$work/aqmar-gold.jsonl" "$work/aqmar-pred-$mode.jsonl"
    echo "== seeds gold, $mode"
    python3 "$score" "$shared/gold/seeds.jsonl" "$work/seeds-pred-$mode.jsonl"
done
