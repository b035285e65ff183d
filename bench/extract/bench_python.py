#!/usr/bin/env python3
"""Throughput of the name matchers users would write in Python, for comparison with rasd-extract.

Both match the knowledge base's names (export_names.py: every name_ar, name_en and alias of
data/kb/*.tsv) over the same article contents as the Rust benchmark, one call per article,
collecting (start, end, id) for each match, on the raw text (no normalization, no clitics, no
patterns, values or linking beyond the id stored with the name):

- pyahocorasick (C): one Automaton of all names; every match of `iter()` is kept when the
  character before and the character after it are not letters or digits (`str.isalnum`).
- flashtext (pure Python, the usual keyword extractor): a KeywordProcessor with every name
  added (default options, case-insensitive); Arabic letters and digits are added to its
  non-word-boundary characters, whose default is ASCII only, so that it too matches whole
  Arabic words (the same cost per character; without it «داعش» would match inside «لداعش»).

Throughput is UTF-8 bytes of original text per second, best of ROUNDS passes after one
warm-up pass. Install: `python3 -m venv VENV && VENV/bin/pip install pyahocorasick flashtext`.

    python3 bench/extract/bench_python.py --names names.tsv [--corpus FILE.jsonl] [--rounds 3] [--json]
"""

import argparse
import json
import os
import sys
import time

import ahocorasick
from flashtext import KeywordProcessor

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(
    HERE, "..", "..", "..", "shared", "data", "news", "saudinewsnet", "syria_subset.jsonl"
)

# Letters and digits of the Arabic block and its presentation forms: word characters for
# flashtext, like ASCII letters and digits are by default.
ARABIC_WORD_CHARS = {
    chr(c)
    for lo, hi in ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
    for c in range(lo, hi + 1)
    if chr(c).isalnum()
}


def load_docs(path):
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


def load_names(path):
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            name, _, entity_id = line.rstrip("\n").partition("\t")
            if name:
                pairs.append((name, entity_id))
    return pairs


def build_aho(pairs):
    automaton = ahocorasick.Automaton()
    for name, entity_id in pairs:
        automaton.add_word(name, (len(name), entity_id))
    automaton.make_automaton()
    return automaton


def aho_extract(automaton, text):
    """Matches on word boundaries: (start, end, id), code-point offsets, end exclusive."""
    found = []
    last = len(text) - 1
    for end, (length, entity_id) in automaton.iter(text):
        start = end - length + 1
        if start > 0 and text[start - 1].isalnum():
            continue
        if end < last and text[end + 1].isalnum():
            continue
        found.append((start, end + 1, entity_id))
    return found


def build_flashtext(pairs):
    processor = KeywordProcessor()
    processor.set_non_word_boundaries(processor.non_word_boundaries | ARABIC_WORD_CHARS)
    for name, entity_id in pairs:
        processor.add_keyword(name, entity_id)
    return processor


def flashtext_extract(processor, text):
    return processor.extract_keywords(text, span_info=True)


def measure(docs, extract, rounds):
    """(best seconds, matches of one pass): one warm-up pass, then `rounds` timed passes."""
    matches = sum(len(extract(doc)) for doc in docs)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for doc in docs:
            extract(doc)
        best = min(best, time.perf_counter() - start)
    return best, matches


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", required=True, help="names file written by export_names.py")
    parser.add_argument("--corpus", default=DEFAULT_CORPUS, help="JSON lines with a 'content' field")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes; the best counts")
    parser.add_argument("--only", choices=["pyahocorasick", "flashtext"], help="run one matcher")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args()

    if not os.path.exists(args.corpus):
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    docs = load_docs(args.corpus)
    pairs = load_names(args.names)
    total = sum(len(d.encode("utf-8")) for d in docs)

    results = {"articles": len(docs), "bytes": total, "names": len(pairs), "rounds": args.rounds}
    matchers = [
        ("pyahocorasick", build_aho, aho_extract),
        ("flashtext", build_flashtext, flashtext_extract),
    ]
    for label, build, extract in matchers:
        if args.only and args.only != label:
            continue
        start = time.perf_counter()
        matcher = build(pairs)
        build_seconds = time.perf_counter() - start
        seconds, matches = measure(docs, lambda text: extract(matcher, text), args.rounds)
        results[label] = {
            "seconds": seconds,
            "mb_per_s": total / seconds / 1e6,
            "articles_per_s": len(docs) / seconds,
            "matches": matches,
            "build_seconds": build_seconds,
        }

    if args.json:
        print(json.dumps(results))
    else:
        print(f"{len(docs)} articles, {total / 1e6:.2f} MB, {len(pairs)} names, best of {args.rounds}")
        for label, _, _ in matchers:
            if label in results:
                r = results[label]
                print(f"{label:<14} {r['mb_per_s']:7.1f} MB/s  {r['articles_per_s']:8.0f} articles/s  "
                      f"{r['matches']} matches  (built in {r['build_seconds'] * 1e3:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
