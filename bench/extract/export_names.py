#!/usr/bin/env python3
"""Writes every name of the knowledge base, for the Python matchers of bench_python.py.

Reads data/kb/*.tsv (11 tab-separated columns with a header: id type subtype name_ar name_en
aliases wikidata lat lon parent country; aliases are |-separated; lines starting with # are
comments) and writes one `name<TAB>id` line per distinct name: every name_ar, name_en and
alias, in file order, the first entry that holds a name keeping it. These are the surface
forms the Rust gazetteer and lexicons compile, before its normalization.

    python3 bench/extract/export_names.py [--kb data/kb] [--output names.tsv]
"""

import argparse
import glob
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_KB = os.path.join(HERE, "..", "..", "data", "kb")


def names(kb_dir):
    """(name, id) pairs, first occurrence of each name, in file and column order."""
    seen = set()
    for path in sorted(glob.glob(os.path.join(kb_dir, "*.tsv"))):
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                line = line.rstrip("\n").rstrip("\r")
                if not line.strip() or line.startswith("#") or line.startswith("id\t"):
                    continue
                cols = line.split("\t")
                if len(cols) != 11:
                    raise SystemExit(f"{path}:{number}: expected 11 columns, found {len(cols)}")
                entity_id, name_ar, name_en, aliases = cols[0], cols[3], cols[4], cols[5]
                for name in [name_ar, name_en, *aliases.split("|")]:
                    name = name.strip()
                    if name and name not in seen:
                        seen.add(name)
                        yield name, entity_id


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", default=DEFAULT_KB, help="folder of the knowledge-base TSV files")
    parser.add_argument("--output", default="-", help="file to write (default: standard output)")
    args = parser.parse_args()

    pairs = list(names(args.kb))
    if not pairs:
        print(f"no names found in {args.kb}", file=sys.stderr)
        return 2
    text = "".join(f"{name}\t{entity_id}\n" for name, entity_id in pairs)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    print(f"{len(pairs)} names of the knowledge base written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
