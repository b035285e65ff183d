//! The knowledge base: canonical entities with their names and aliases, and the lexicons of
//! nationalities, occupations and weapons.
//!
//! The data lives in `data/kb/*.tsv` at the root of the repository, one schema for every file
//! (see `data/kb/SOURCES.md`), and is compiled into the binary so that the service needs no file
//! at run time. `places.tsv` is derived by `scripts/kb/build_places.py`; the other files are
//! curated by hand. A curated row replaces a derived row with the same id.

use std::collections::HashMap;

use crate::types::EntityType;

/// One row of a knowledge-base file.
#[derive(Clone, Debug, PartialEq)]
pub struct KbEntry {
    /// Canonical id, `prefix/slug` (`org/isis`); lexicon ids (`norp/iranian`) are internal.
    pub id: String,
    pub entity_type: EntityType,
    pub subtype: String,
    pub name_ar: String,
    pub name_en: String,
    /// Every other surface form (Arabic spellings, abbreviations, transliterations).
    pub aliases: Vec<String>,
    pub wikidata: String,
    /// Latitude and longitude, for places.
    pub location: Option<(f64, f64)>,
    /// Id of the containing entity.
    pub parent: String,
    /// ISO 3166-1 alpha-2 code.
    pub country: String,
}

impl KbEntry {
    /// True for lexicon entries (NORP, OCC, WEAPON), which are matched but not linked.
    pub fn is_lexical(&self) -> bool {
        matches!(
            self.entity_type,
            EntityType::Norp | EntityType::Occ | EntityType::Weapon
        )
    }

    /// Every name of the entry: Arabic and English canonical names, then the aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        [self.name_ar.as_str(), self.name_en.as_str()]
            .into_iter()
            .chain(self.aliases.iter().map(String::as_str))
            .filter(|name| !name.trim().is_empty())
    }
}

/// A row of a knowledge-base file that cannot be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KbError {
    #[error("{file}:{line}: expected 11 tab-separated columns, found {found}")]
    Columns {
        file: String,
        line: usize,
        found: usize,
    },
    #[error("{file}:{line}: {reason}")]
    Field {
        file: String,
        line: usize,
        reason: String,
    },
}

/// The knowledge base: entries by id, in a stable order.
#[derive(Clone, Debug, Default)]
pub struct KnowledgeBase {
    entries: Vec<KbEntry>,
    by_id: HashMap<String, usize>,
}

/// The files compiled into the binary, in load order (later rows replace earlier ones with the
/// same id).
const BUILTIN_FILES: &[(&str, &str)] = &[
    ("places.tsv", include_str!("../../../data/kb/places.tsv")),
    (
        "places_curated.tsv",
        include_str!("../../../data/kb/places_curated.tsv"),
    ),
    ("actors.tsv", include_str!("../../../data/kb/actors.tsv")),
    ("norp.tsv", include_str!("../../../data/kb/norp.tsv")),
    ("occ.tsv", include_str!("../../../data/kb/occ.tsv")),
    ("weapon.tsv", include_str!("../../../data/kb/weapon.tsv")),
];

impl KnowledgeBase {
    /// The knowledge base compiled into the binary.
    pub fn builtin() -> Result<Self, KbError> {
        let mut kb = KnowledgeBase::default();
        for (name, contents) in BUILTIN_FILES {
            kb.load_tsv(name, contents)?;
        }
        Ok(kb)
    }

    /// Reads one file of the common schema; rows replace earlier entries with the same id.
    pub fn load_tsv(&mut self, file: &str, contents: &str) -> Result<(), KbError> {
        let mut header_seen = false;
        for (index, line) in contents.lines().enumerate() {
            let line_no = index + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            if !header_seen {
                header_seen = true;
                if line.starts_with("id\t") {
                    continue;
                }
            }
            let entry = parse_row(file, line_no, line)?;
            self.insert(entry);
        }
        Ok(())
    }

    /// Adds an entry, replacing any entry with the same id.
    pub fn insert(&mut self, entry: KbEntry) {
        match self.by_id.get(&entry.id) {
            Some(&index) => self.entries[index] = entry,
            None => {
                self.by_id.insert(entry.id.clone(), self.entries.len());
                self.entries.push(entry);
            }
        }
    }

    /// Adds names to the entry with this id (names it has already are skipped); `false` when
    /// there is no such entry.
    pub fn add_aliases(&mut self, id: &str, aliases: &[String]) -> bool {
        let Some(&index) = self.by_id.get(id) else {
            return false;
        };
        let entry = &mut self.entries[index];
        for alias in aliases {
            let alias = alias.trim();
            if !alias.is_empty() && !entry.names().any(|n| n == alias) {
                entry.aliases.push(alias.to_owned());
            }
        }
        true
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&KbEntry> {
        self.by_id.get(id).map(|&index| &self.entries[index])
    }

    /// Every entry, in load order.
    pub fn entries(&self) -> &[KbEntry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn parse_row(file: &str, line: usize, row: &str) -> Result<KbEntry, KbError> {
    let cols: Vec<&str> = row.split('\t').map(str::trim).collect();
    if cols.len() != 11 {
        return Err(KbError::Columns {
            file: file.to_owned(),
            line,
            found: cols.len(),
        });
    }
    let field_error = |reason: String| KbError::Field {
        file: file.to_owned(),
        line,
        reason,
    };
    let entity_type: EntityType = cols[1]
        .parse()
        .map_err(|e: crate::types::UnknownEntityType| field_error(e.to_string()))?;
    if cols[0].is_empty() {
        return Err(field_error("empty id".to_owned()));
    }
    let coordinate = |s: &str, what: &str| -> Result<Option<f64>, KbError> {
        if s.is_empty() {
            return Ok(None);
        }
        s.parse::<f64>()
            .map(Some)
            .map_err(|_| field_error(format!("{what} {s:?} is not a number")))
    };
    let location = match (coordinate(cols[7], "lat")?, coordinate(cols[8], "lon")?) {
        (Some(lat), Some(lon)) => Some((lat, lon)),
        _ => None,
    };
    Ok(KbEntry {
        id: cols[0].to_owned(),
        entity_type,
        subtype: cols[2].to_owned(),
        name_ar: cols[3].to_owned(),
        name_en: cols[4].to_owned(),
        aliases: cols[5]
            .split('|')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
        wikidata: cols[6].to_owned(),
        location,
        parent: cols[9].to_owned(),
        country: cols[10].to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "id\ttype\tsubtype\tname_ar\tname_en\taliases\twikidata\tlat\tlon\tparent\tcountry\n";

    #[test]
    fn rows_parse_and_later_rows_replace_earlier_ones() {
        let mut kb = KnowledgeBase::default();
        let first = format!("{HEADER}gpe/x\tGPE\ttown\tإكس\tX\tاكس|اكس2\t\t35.1\t40.2\t\tSY\n");
        kb.load_tsv("a.tsv", &first).unwrap();
        let second = format!("{HEADER}# comment\ngpe/x\tGPE\tcity\tإكس\tX\t\t\t\t\t\tSY\n");
        kb.load_tsv("b.tsv", &second).unwrap();
        assert_eq!(kb.len(), 1);
        let entry = kb.get("gpe/x").unwrap();
        assert_eq!(entry.subtype, "city");
        assert_eq!(entry.location, None);
    }

    #[test]
    fn bad_rows_name_file_and_line() {
        let mut kb = KnowledgeBase::default();
        let err = kb
            .load_tsv("a.tsv", &format!("{HEADER}gpe/x\tGPE\n"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.tsv:2: expected 11 tab-separated columns, found 2"
        );
        let err = kb
            .load_tsv("a.tsv", &format!("{HEADER}gpe/x\tXYZ\t\t\t\t\t\t\t\t\t\n"))
            .unwrap_err();
        assert!(err.to_string().contains("unknown entity type"));
    }

    #[test]
    fn builtin_knowledge_base_loads() {
        let kb = KnowledgeBase::builtin().unwrap();
        assert!(kb.get("org/isis").is_some());
        assert!(kb.get("gpe/deir-ez-zor").is_some());
    }
}
