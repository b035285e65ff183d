#!/usr/bin/env python3
"""Validate the knowledge-base TSV files.

    python3 scripts/kb/check_kb.py data/kb [--quiet] [--strict-ambiguity]

Hard errors (exit status 1):
  * a file without the 11-column header, or a data line whose field count is not 11;
  * an id not matching ^[a-z]+/[a-z0-9-]+$, or whose prefix disagrees with the type;
  * an unknown type; an entity type in a lexicon file or a lexicon type in an entity file;
  * the same id twice, within a file or across files -- except that a row of
    places_curated.tsv may replace a row of places.tsv with the same id (the loader
    applies places_curated.tsv after places.tsv);
  * lat/lon not numeric or out of range, or only one of them given;
  * a parent id that no file defines;
  * an empty alias ('a||b', leading or trailing '|'), an alias with quotes or brackets,
    or an alias that carries an attached proclitic: a single letter, a letter followed by
    tatweel («لـ»), or a form that is another name of the same entity with one of
    و ف ب ل ك glued in front («والرقة» next to «الرقة»);
  * a row with neither an Arabic nor an English name;
  * a wikidata value that is not a Q-id; a country value that is not two capital letters.

Reported, not fatal:
  * ambiguities: one folded form (أإآٱ→ا, ى→ي, ة→ه, no diacritics or tatweel, Latin
    case-folded) naming two different ids in the entity files;
  * entity forms that are also lexicon forms (e.g. «سورية» as gpe/syria and norp/syrian);
  * aliases starting with a proclitic letter followed by the article («بال…», «وال…»,
    «لل…»), or equal to another entity's form with one of و ف ب ل ك in front: usually a
    glued proclitic, sometimes a real name;
  * duplicate forms within one row.
"""
import os
import re
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from kblib import (ALL_TYPES, COLUMNS, ENTITY_TYPES, ID_RE, LEXICON_TYPES,  # noqa: E402
                   fold, read_header, read_tsv)

LEXICON_FILES = {"norp.tsv", "occ.tsv", "weapon.tsv"}
DERIVED = "places.tsv"
CURATED_OVERRIDE = "places_curated.tsv"
PROCLITICS = "وفبلك"
BAD_CHARS = re.compile("[\"«»“”„()\\[\\]{}<>\t]")


def split_aliases(s):
    return s.split("|") if s else []


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    quiet = "--quiet" in argv
    kbdir = args[0] if args else "data/kb"
    errors, notes = [], []
    files = sorted(f for f in os.listdir(kbdir) if f.endswith(".tsv"))
    if not files:
        print("no .tsv files in %s" % kbdir)
        return 1
    # files in load order: derived places first, curated places after them
    files.sort(key=lambda f: (f != DERIVED, f))
    rows = {}          # id -> (file, line, row)
    all_rows = []
    for fname in files:
        path = os.path.join(kbdir, fname)
        header = read_header(path)
        if header != COLUMNS:
            errors.append("%s: header is %r, expected %r" % (fname, header, COLUMNS))
            continue
        lexicon = fname in LEXICON_FILES
        for n, row, fields in read_tsv(path):
            where = "%s:%d" % (fname, n)
            if len(fields) != len(COLUMNS):
                errors.append("%s: %d fields, expected %d" % (where, len(fields), len(COLUMNS)))
                continue
            ident, typ = row["id"], row["type"]
            if typ not in ALL_TYPES:
                errors.append("%s: unknown type %r" % (where, typ))
            elif lexicon and typ not in LEXICON_TYPES:
                errors.append("%s: entity type %s in lexicon file" % (where, typ))
            elif not lexicon and typ not in ENTITY_TYPES:
                errors.append("%s: lexicon type %s in entity file" % (where, typ))
            if not ID_RE.match(ident):
                errors.append("%s: malformed id %r" % (where, ident))
            elif typ in ALL_TYPES and ident.split("/")[0] != ALL_TYPES[typ]:
                errors.append("%s: id %s does not agree with type %s" % (where, ident, typ))
            if ident in rows:
                prev = rows[ident]
                if not (prev[0] == DERIVED and fname == CURATED_OVERRIDE):
                    errors.append("%s: duplicate id %s (first at %s:%d)" % (where, ident, prev[0], prev[1]))
                else:
                    notes.append("override: %s replaces %s:%d" % (where, prev[0], prev[1]))
            rows[ident] = (fname, n, row)
            if not row["name_ar"] and not row["name_en"]:
                errors.append("%s: %s has no name" % (where, ident))
            lat, lon = row["lat"], row["lon"]
            if bool(lat) != bool(lon):
                errors.append("%s: only one of lat/lon" % where)
            elif lat:
                try:
                    la, lo = float(lat), float(lon)
                    if not (-90 <= la <= 90 and -180 <= lo <= 180):
                        errors.append("%s: coordinates out of range %s,%s" % (where, lat, lon))
                except ValueError:
                    errors.append("%s: non-numeric coordinates %r,%r" % (where, lat, lon))
            if row["wikidata"] and not re.fullmatch(r"Q[1-9][0-9]*", row["wikidata"]):
                errors.append("%s: wikidata %r is not a Q-id" % (where, row["wikidata"]))
            if row["country"] and not re.fullmatch(r"[A-Z]{2}", row["country"]):
                errors.append("%s: country %r is not ISO alpha-2" % (where, row["country"]))
            aliases = split_aliases(row["aliases"])
            forms = [row["name_ar"]] + aliases
            folded_forms = {fold(f) for f in forms if f}
            seen = set()
            for a in aliases:
                if a.strip() == "" or a != a.strip():
                    errors.append("%s: empty or padded alias in %s: %r" % (where, ident, row["aliases"]))
                    continue
                if BAD_CHARS.search(a):
                    errors.append("%s: alias with quote/bracket %r" % (where, a))
                fa = fold(a)
                if fa in seen:
                    notes.append("%s: duplicate alias %r in %s" % (where, a, ident))
                seen.add(fa)
                if len(a) == 1 or re.match("^[%s]\u0640" % PROCLITICS, a):
                    errors.append("%s: proclitic artifact alias %r in %s" % (where, a, ident))
                elif a[0] in PROCLITICS and fold(a[1:]) in folded_forms and len(a) > 3:
                    errors.append("%s: alias %r is another name of %s with a glued proclitic" % (where, a, ident))
                elif re.match("^[%s]ال|^لل" % PROCLITICS, a):
                    notes.append("%s: alias %r starts with proclitic+article (check)" % (where, a))
            all_rows.append((fname, row))
    # parents
    for ident, (fname, n, row) in rows.items():
        if row["parent"] and row["parent"] not in rows:
            errors.append("%s:%d: parent %s of %s is not defined" % (fname, n, row["parent"], ident))
        if row["parent"] == ident:
            errors.append("%s:%d: %s is its own parent" % (fname, n, ident))
    # ambiguity over the effective rows (after overrides)
    form_ids = defaultdict(set)
    lex_forms = defaultdict(set)
    for ident, (fname, n, row) in rows.items():
        forms = [row["name_ar"], row["name_en"]] + split_aliases(row["aliases"])
        for f in forms:
            if not f:
                continue
            if fname in LEXICON_FILES:
                lex_forms[fold(f)].add(ident)
            else:
                form_ids[fold(f)].add(ident)
    # forms that look like another entity's form with a proclitic glued in front («لداعش»)
    for ident, (fname, n, row) in rows.items():
        if fname in LEXICON_FILES:
            continue
        for a in split_aliases(row["aliases"]):
            fa = fold(a)
            if len(fa) > 3 and fa[0] in PROCLITICS and fa[1:] in form_ids and ident not in form_ids[fa[1:]]:
                notes.append("%s:%d: alias %r of %s looks like %s with a glued proclitic (check)"
                             % (fname, n, a, ident, ", ".join(sorted(form_ids[fa[1:]]))))
    ambiguous = {f: ids for f, ids in form_ids.items() if len(ids) > 1}
    overlap = {f: (form_ids[f], lex_forms[f]) for f in form_ids if f in lex_forms}
    lex_amb = {f: ids for f, ids in lex_forms.items() if len(ids) > 1}
    counts = defaultdict(int)
    for fname, row in all_rows:
        counts[fname] += 1
    print("files: " + ", ".join("%s %d" % (f, counts[f]) for f in files))
    print("ids: %d effective" % len(rows))
    if ambiguous:
        print("ambiguous forms in entity files (%d):" % len(ambiguous))
        for f in sorted(ambiguous):
            print("  %s -> %s" % (f, ", ".join(sorted(ambiguous[f]))))
    if overlap:
        print("entity forms that are also lexicon forms (%d):" % len(overlap))
        for f in sorted(overlap):
            ents, lex = overlap[f]
            print("  %s -> %s / %s" % (f, ", ".join(sorted(ents)), ", ".join(sorted(lex))))
    if lex_amb:
        print("forms in two lexicon entries (%d):" % len(lex_amb))
        for f in sorted(lex_amb):
            print("  %s -> %s" % (f, ", ".join(sorted(lex_amb[f]))))
    if notes and not quiet:
        print("notes (%d):" % len(notes))
        for n in notes:
            print("  " + n)
    if errors:
        print("ERRORS (%d):" % len(errors))
        for e in errors:
            print("  " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
