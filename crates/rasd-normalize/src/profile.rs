//! Profiles: the named rule sets the rest of the system uses.

use std::fmt;
use std::str::FromStr;

use crate::error::UnknownName;
use crate::rules::{Rule, RuleSet};

/// A named set of rules.
///
/// | profile | purpose |
/// | --- | --- |
/// | [`Profile::Lucene`] | exactly Lucene's `ArabicNormalizer`, nothing else |
/// | [`Profile::Search`] | indexing and queries: every rule, so spelling variants meet |
/// | [`Profile::Extraction`] | the gazetteer matcher: every rule except ى → ي, ؤ → و, ئ → ي and quotes |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Reproduces Lucene's `ArabicNormalizer.normalize` exactly (apache/lucene,
    /// `lucene/analysis/common/src/java/org/apache/lucene/analysis/ar/ArabicNormalizer.java`):
    /// أ إ آ → ا, ى → ي, ة → ه, tatweel removed, the eight harakat U+064B–U+0652 removed.
    /// Nothing else: no alef wasla, no superscript alef, no presentation forms, no digits and no
    /// lower-casing (those belong to other filters of Lucene's `ArabicAnalyzer` chain).
    Lucene,
    /// The default for indexing and for queries: every rule of [`Rule::ALL`], including ى → ي,
    /// ة → ه, ؤ → و and ئ → ي (the hamza seats are misspelled so often in news text that
    /// recall wins), quotes unified and Latin lower-cased.
    Search,
    /// What the extraction crate's gazetteer matches on: presentation forms, hamza
    /// composition, hamza-alef and alef-wasla folding, all diacritics, tatweel, digits and
    /// number signs, Persian letters, invisible characters, Unicode spaces, obfuscation and
    /// Latin lower-case, **and ة → ه** (so «الرقة» and «الرقه» match the same name).
    ///
    /// It **keeps ى** (U+0649) distinct from ي: folding it would make the preposition «على»
    /// match the name «علي» everywhere. It also keeps ؤ and ئ (they separate real names) and
    /// leaves quotation marks alone. Matches are mapped back to the original text through the
    /// alignment, so what is folded here never shows in a reported span.
    Extraction,
}

const LUCENE: RuleSet = RuleSet::of(&[
    Rule::HamzaAlef,
    Rule::AlefMaksura,
    Rule::TehMarbuta,
    Rule::Tatweel,
    Rule::Harakat,
]);

const EXTRACTION: RuleSet = RuleSet::of(&[
    Rule::PresentationForms,
    Rule::ComposeHamza,
    Rule::HamzaAlef,
    Rule::AlefWasla,
    Rule::TehMarbuta,
    Rule::Harakat,
    Rule::SuperscriptAlef,
    Rule::QuranicMarks,
    Rule::Tatweel,
    Rule::Digits,
    Rule::NumberSigns,
    Rule::PersianLetters,
    Rule::Invisibles,
    Rule::Spaces,
    Rule::Obfuscation,
    Rule::Lowercase,
]);

impl Profile {
    /// Every profile.
    pub const ALL: &'static [Profile] = &[Profile::Lucene, Profile::Search, Profile::Extraction];

    /// The stable name of the profile: `"lucene"`, `"search"` or `"extraction"`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Lucene => "lucene",
            Profile::Search => "search",
            Profile::Extraction => "extraction",
        }
    }

    /// The rules of the profile.
    pub fn rules(self) -> RuleSet {
        match self {
            Profile::Lucene => LUCENE,
            Profile::Search => RuleSet::all(),
            Profile::Extraction => EXTRACTION,
        }
    }
}

impl Default for Profile {
    /// [`Profile::Search`], the default for indexing and queries.
    fn default() -> Self {
        Profile::Search
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Profile {
    type Err = UnknownName;

    /// Parses `"lucene"`, `"search"` or `"extraction"` (case and surrounding spaces ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Profile::ALL
            .iter()
            .copied()
            .find(|p| p.name() == wanted)
            .ok_or_else(|| UnknownName {
                name: s.to_owned(),
                kind: "profile",
                known: Profile::ALL.iter().map(|p| p.name()).collect(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Profile::ALL {
            assert_eq!(p.name().parse::<Profile>().unwrap(), *p);
        }
        let err = "solr".parse::<Profile>().unwrap_err();
        assert_eq!(err.kind, "profile");
        assert_eq!(err.name, "solr");
    }

    #[test]
    fn profile_contents() {
        let lucene: Vec<&str> = Profile::Lucene.rules().iter().map(Rule::name).collect();
        assert_eq!(
            lucene,
            [
                "hamza_alef",
                "alef_maksura",
                "teh_marbuta",
                "harakat",
                "tatweel"
            ]
        );
        assert_eq!(Profile::Search.rules(), RuleSet::all());
        let extraction = Profile::Extraction.rules();
        assert!(extraction.contains(Rule::TehMarbuta));
        assert!(!extraction.contains(Rule::AlefMaksura));
        assert!(!extraction.contains(Rule::HamzaWaw) && !extraction.contains(Rule::HamzaYeh));
        assert!(!extraction.contains(Rule::Quotes));
        assert_eq!(Profile::default(), Profile::Search);
    }
}
