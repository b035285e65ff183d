#!/usr/bin/env python3
"""Throughput of CAMeL Tools' Arabic normalization, for comparison with rasd-normalize.

The pipeline compared against: dediacritization (`dediac_ar`: the harakat
U+064B-U+0652 and the superscript alef U+0670), alef folding (`normalize_alef_ar`: إ أ ٱ آ -> ا),
alef maksura (`normalize_alef_maksura_ar`: ى -> ي), teh marbuta (`normalize_teh_marbuta_ar`:
ة -> ه) and tatweel removal (`str.replace`, CAMeL has no function of its own for it outside its
`arclean` map). Each article is normalized by one call of the pipeline, as the service does;
throughput is UTF-8 bytes of original text per second, best of several rounds.

Install (no dependencies are needed for these modules):
    python3 -m venv .venv && .venv/bin/pip install --no-deps camel-tools six emoji
"""

import argparse
import json
import os
import sys
import time

from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(
    HERE, "..", "..", "..", "shared", "data", "news", "saudinewsnet", "syria_subset.jsonl"
)


def camel_normalize(text):
    text = dediac_ar(text)
    text = normalize_alef_ar(text)
    text = normalize_alef_maksura_ar(text)
    text = normalize_teh_marbuta_ar(text)
    return text.replace("\u0640", "")


def load(path):
    docs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                content = json.loads(line).get("content")
            except ValueError:
                continue
            if isinstance(content, str):
                docs.append(content)
    return docs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=DEFAULT_CORPUS, help="JSON lines with a 'content' field")
    parser.add_argument("--rounds", type=int, default=5, help="rounds over the corpus; the best counts")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args()

    if not os.path.exists(args.corpus):
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    docs = load(args.corpus)
    total = sum(len(d.encode("utf-8")) for d in docs)

    best = float("inf")
    for _ in range(args.rounds):
        start = time.perf_counter()
        for doc in docs:
            camel_normalize(doc)
        best = min(best, time.perf_counter() - start)
    mb_per_s = total / best / 1e6

    if args.json:
        print(json.dumps({"articles": len(docs), "bytes": total, "seconds": best, "mb_per_s": mb_per_s}))
    else:
        print(f"CAMeL Tools normalization: {len(docs)} articles, {total / 1e6:.1f} MB, "
              f"best of {args.rounds}: {best * 1e3:.1f} ms = {mb_per_s:.1f} MB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
