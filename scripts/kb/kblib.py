"""Shared helpers for the knowledge-base scripts (standard library only).

The knowledge base is a set of UTF-8 TSV files with one common 11-column schema
(see data/kb/SOURCES.md).  This module holds the column list, a reader and a
writer for that schema, the Arabic folding the matcher applies (used here to
detect duplicate and ambiguous aliases), and the slug rules for ids.
"""
import re
import unicodedata

COLUMNS = ["id", "type", "subtype", "name_ar", "name_en", "aliases",
           "wikidata", "lat", "lon", "parent", "country"]

ENTITY_TYPES = {"PERS": "pers", "ORG": "org", "GPE": "gpe", "LOC": "loc",
                "FAC": "fac", "WEBSITE": "website"}
LEXICON_TYPES = {"NORP": "norp", "OCC": "occ", "WEAPON": "weapon"}
ALL_TYPES = dict(ENTITY_TYPES, **LEXICON_TYPES)

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans({"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627",
                       "\u0671": "\u0627", "\u0649": "\u064a", "\u0629": "\u0647"})
_SPACES = re.compile(r"\s+")


def fold(text):
    """Fold a surface form the way the matcher does: alef variants to bare alef,
    alef maksura to yeh, teh marbuta to heh, no diacritics or tatweel, Latin
    case-folded, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = _DIACRITICS.sub("", text)
    text = text.translate(_FOLD)
    text = _SPACES.sub(" ", text).strip()
    return text.casefold()


def read_tsv(path):
    """Yield (line_number, row_dict, raw_fields) for every data line of a KB file.
    Comment lines (#) and empty lines are skipped; the first other line is the header."""
    header = None
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if header is None:
                header = fields
                continue
            row = dict(zip(COLUMNS, fields + [""] * (len(COLUMNS) - len(fields))))
            yield n, row, fields


def read_header(path):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n").rstrip("\r")
            if line.strip() and not line.startswith("#"):
                return line.split("\t")
    return None


def clean_field(value):
    return _SPACES.sub(" ", (value or "").replace("\t", " ")).strip()


def write_tsv(path, rows, comments=()):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for c in comments:
            fh.write("# " + c + "\n")
        fh.write("\t".join(COLUMNS) + "\n")
        for row in rows:
            fh.write("\t".join(clean_field(row.get(c, "")) for c in COLUMNS) + "\n")


# --- slugs -----------------------------------------------------------------

_LATIN_FOLD = str.maketrans({"ı": "i", "ß": "ss", "æ": "ae", "ø": "o", "đ": "d",
                             "ł": "l", "ʿ": "", "ʾ": "", "‘": "", "’": "", "'": "",
                             "`": "", "´": ""})
_ARTICLE = r"(?:al|el|ar|as|ash|at|ath|ad|adh|az|an|ad|ed|es|esh|et|er|en|ez)"


def ascii_fold(text):
    text = text.translate(_LATIN_FOLD)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).encode(
        "ascii", "ignore").decode("ascii")


def slugify(name):
    """Slug from a GeoNames-style English name: ASCII, lower case, hyphenated, the
    Arabic article written 'al-' whatever the sun-letter assimilation
    ('Ash Shaḩīl' -> 'al-shahil'), 'Tall' -> 'tal', 'Dayr' -> 'deir'."""
    s = ascii_fold(name).lower()
    s = re.sub(r"[^a-z0-9]+", " ", s).strip()
    words = s.split()
    while words and words[0] in ("nahiyat", "nahiyah", "qada", "markaz", "madinat") and len(words) > 1:
        words = words[1:]
    out = []
    for i, w in enumerate(words):
        if re.fullmatch(_ARTICLE, w) and i + 1 < len(words):
            out.append("al")
            continue
        if w == "tall" or w == "tell":
            w = "tal"
        if w == "dayr":
            w = "deir"
        out.append(w)
    return "-".join(out)


ID_RE = re.compile(r"^[a-z]+/[a-z0-9]+(?:-[a-z0-9]+)*$")

# Persian, Kurdish and Urdu letters that standard Arabic does not use.
NON_ARABIC_LETTERS = set("پچژگکیۆێەڵڕۊۋۏھےۓڤڠڨټډړږښځۍې")


def is_arabic_form(name):
    """True for a name written in Arabic script with Arabic letters only."""
    if not name or any(ch in NON_ARABIC_LETTERS for ch in name):
        return False
    letters = [ch for ch in name if ch.isalpha()]
    if not letters:
        return False
    return all("\u0621" <= ch <= "\u064a" or ch in "\u0671" for ch in letters)
