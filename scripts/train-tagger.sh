#!/usr/bin/env bash
# Trains the name tagger and writes the model the service compiles in: data/tagger/model.bin.
#
#   scripts/train-tagger.sh              # one to four minutes on 2 cores, most of it word clusters
#   SEED=7 scripts/train-tagger.sh       # another seed (the same seed gives the same model)
#
# Reads ../shared/data (ANERcorp train with its last tenth held out, AQMAR dev for scoring,
# SaudiNewsNet for word counts and clusters, ANERGazet) and data/kb. Then scores the tagger
# alone with score.py on the ANERcorp development split and AQMAR dev (PER/LOC/ORG, --snap);
# bench/tagger/eval.sh scores the whole pipeline. Work files go to
# $CARGO_TARGET_DIR/tagger-train (default target/tagger-train). Data and licenses:
# data/tagger/SOURCES.md.
set -euo pipefail
cd "$(dirname "$0")/.."

shared="../shared"
target_dir="${CARGO_TARGET_DIR:-target}"
work="$target_dir/tagger-train"
seed="${SEED:-20251122}"
mkdir -p "$work"

cargo build --release --locked -q -p rasd-tagger-train
train="$target_dir/release/rasd-tagger-train"
common=(
    --anercorp "$shared/data/ner/anercorp/train.txt"
    --aqmar "$shared/data/ner/aqmar"
    --news "$shared/data/news/saudinewsnet"
    --kb data/kb
    --anergazet "$shared/data/gazetteers/anergazet"
    --output data/tagger/model.bin
)

start=$(date +%s)
"$train" "${common[@]}" --seed "$seed" --dev-output "$work/anercorp-dev.txt"
echo "trained in $(( $(date +%s) - start )) s; model $(du -h data/tagger/model.bin | cut -f1)"

python3 "$shared/tools/conll2jsonl.py" "$work/anercorp-dev.txt" "$work/anercorp-docs.jsonl" "$work/anercorp-gold.jsonl"
python3 "$shared/tools/conll2jsonl.py" "$shared/data/ner/aqmar/dev.txt" "$work/aqmar-docs.jsonl" "$work/aqmar-gold.jsonl"
for set in anercorp aqmar; do
    "$train" "${common[@]}" --predict "$work/$set-docs.jsonl" --predictions "$work/$set-pred.jsonl"
    echo "== the tagger alone on $set (score.py --map conll4 --snap)"
    python3 "$shared/tools/score.py" --map conll4 --snap "$work/$set-docs.jsonl" \
        "$work/$set-gold.jsonl" "$work/$set-pred.jsonl" | grep -v -e linking -e 'linked entities'
done
