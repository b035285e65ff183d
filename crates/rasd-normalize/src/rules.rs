//! The named rules and sets of them.
//!
//! Every rule has a stable snake_case name (used on the command line, in the gRPC API and in
//! stored configuration) and a one-line description. A [`RuleSet`] is a bitset of rules; the
//! order in which rules apply is fixed by the engine, not by the set, so two equal sets always
//! normalize the same way.

use std::fmt;
use std::str::FromStr;

use crate::error::UnknownName;

/// One named, switchable normalization rule.
///
/// The character sets are spelled out in each variant's documentation and in
/// [`Rule::description`]; where a rule reproduces Lucene, CAMeL Tools or charabia the source is
/// named there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Compatibility characters to their NFKC form: Arabic presentation forms A and B
    /// (U+FB50–U+FDFF, U+FE70–U+FEFC), Arabic mathematical letters (U+1EE00–U+1EEFF), Latin
    /// ligatures (U+FB00–U+FB4F), small and full-width forms (U+FE50–U+FE6F, U+FF00–U+FFEF) and
    /// mathematical alphanumerics (U+1D400–U+1D7FF). Lam-alef ligatures become two letters;
    /// ﷲ becomes الله; ﷼ becomes ريال with the Arabic yeh (as CAMeL Tools' `normalize_unicode`,
    /// where plain NFKC would give the Persian yeh); ﷽ (no decomposition in Unicode) becomes
    /// بسم الله الرحمن الرحيم; the isolated and medial harakat forms (U+FE70–U+FE7F) become the
    /// bare combining mark instead of NFKC's space or tatweel carrier.
    PresentationForms,
    /// A letter followed by a combining maddah or hamza (U+0653–U+0655) is composed as NFC
    /// composes it (ا+ٓ → آ, ا+ٔ → أ, ا+ٕ → إ, و+ٔ → ؤ, ي+ٔ → ئ, ە/ہ/ے+ٔ → ۀ/ۂ/ۓ), before the
    /// letter rules apply, so decomposed (NFD) text normalizes like precomposed text. Deleted
    /// characters between the letter and the mark do not block the composition.
    ComposeHamza,
    /// أ إ آ (U+0623, U+0625, U+0622) → ا (Lucene, CAMeL `normalize_alef_ar`, charabia).
    HamzaAlef,
    /// Alef wasla ٱ (U+0671) → ا (CAMeL `normalize_alef_ar`, charabia; not Lucene).
    AlefWasla,
    /// ؤ (U+0624) → و (charabia, through NFKD and mark removal; not Lucene, not CAMeL).
    HamzaWaw,
    /// ئ (U+0626) → ي (charabia, through NFKD and mark removal; not Lucene, not CAMeL).
    HamzaYeh,
    /// ى alef maksura (U+0649) → ي (Lucene, CAMeL `normalize_alef_maksura_ar`, charabia).
    AlefMaksura,
    /// ة teh marbuta (U+0629) → ه (Lucene, CAMeL `normalize_teh_marbuta_ar`, charabia).
    TehMarbuta,
    /// The eight harakat U+064B–U+0652 (tanween, fatha, damma, kasra, shadda, sukun) removed
    /// (Lucene, CAMeL `dediac_ar`, charabia).
    Harakat,
    /// Superscript (dagger) alef U+0670 removed (CAMeL `dediac_ar`, charabia; not Lucene).
    SuperscriptAlef,
    /// The other Arabic combining marks removed: U+0610–U+061A, U+0653–U+065F, the Quranic
    /// annotation marks U+06D6–U+06DC, U+06DF–U+06E4, U+06E7–U+06E8, U+06EA–U+06ED and the
    /// extended-A marks U+0898–U+089F, U+08CA–U+08E1, U+08E3–U+08FF (CAMeL `arclean`, charabia).
    QuranicMarks,
    /// Tatweel (kashida) U+0640 removed (Lucene, CAMeL `arclean`, charabia).
    Tatweel,
    /// Every decimal digit (Unicode `Nd`: Arabic-Indic U+0660–U+0669, Persian U+06F0–U+06F9 and
    /// all other scripts) → ASCII 0–9, as Lucene's `DecimalDigitFilter`.
    Digits,
    /// Arabic number signs: ٫ decimal separator (U+066B) → `.`, ٬ thousands separator (U+066C)
    /// → `,`, ٪ percent sign (U+066A) → `%`.
    NumberSigns,
    /// Persian, Urdu, Kurdish and other letters of the Arabic script → the Arabic letter they
    /// stand for in Arabic text (ٲ ٳ ٵ → ا, ک گ ڭ → ك, ی ې ے → ي, ۀ ہ ھ ە → ه, ۃ → ة, پ → ب, چ → ج, ژ → ز, ڤ → ف, ٹ → ت, ڈ → د,
    /// ڑ ڕ → ر, ں → ن, ڵ → ل, ۆ ۇ ۋ … → و), following CAMeL `arclean` where it has a rule.
    PersianLetters,
    /// Invisible characters removed: zero-width space, non-joiner and joiner (U+200B–U+200D),
    /// word joiner and invisible operators (U+2060–U+2064), bidi marks (U+200E, U+200F, U+061C),
    /// embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), soft hyphen (U+00AD),
    /// combining grapheme joiner (U+034F) and the byte-order mark (U+FEFF).
    Invisibles,
    /// Unicode space separators (U+00A0, U+1680, U+2000–U+200A, U+202F, U+205F, U+3000) → an
    /// ASCII space. Tabs and line breaks are kept.
    Spaces,
    /// Quotation marks unified: “ ” „ ‟ « » ‹ › ″ 〝 〞 〟 → `"` and ‘ ’ ‚ ‛ ′ → `'`.
    Quotes,
    /// Obfuscation inside a word undone: a run of one to three dots or similar stray marks
    /// (`.` `·` `•` `_` `*` `~` …) between two Arabic letter groups of at most three letters
    /// each is removed («دا.عــش» → «داعش»), and single spaces inside a sequence of three or
    /// more one-letter Arabic groups are removed («د ا ع ش» → «داعش»). Real words are never
    /// merged across punctuation or spaces otherwise («البادية السورية.. خلط» stays three
    /// words). News abbreviations spelled letter by letter are joined the same way, which
    /// keeps them one token however they are written: «أ ف ب», «أ.ف.ب» → «افب».
    Obfuscation,
    /// Latin letters (Basic Latin, Latin-1, Latin Extended A/B and Additional) lower-cased.
    Lowercase,
}

impl Rule {
    /// Every rule, in the order the engine documents them.
    pub const ALL: &'static [Rule] = &[
        Rule::PresentationForms,
        Rule::ComposeHamza,
        Rule::HamzaAlef,
        Rule::AlefWasla,
        Rule::HamzaWaw,
        Rule::HamzaYeh,
        Rule::AlefMaksura,
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
        Rule::Quotes,
        Rule::Obfuscation,
        Rule::Lowercase,
    ];

    /// The stable snake_case name of the rule, as accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            Rule::PresentationForms => "presentation_forms",
            Rule::ComposeHamza => "compose_hamza",
            Rule::HamzaAlef => "hamza_alef",
            Rule::AlefWasla => "alef_wasla",
            Rule::HamzaWaw => "hamza_waw",
            Rule::HamzaYeh => "hamza_yeh",
            Rule::AlefMaksura => "alef_maksura",
            Rule::TehMarbuta => "teh_marbuta",
            Rule::Harakat => "harakat",
            Rule::SuperscriptAlef => "superscript_alef",
            Rule::QuranicMarks => "quranic_marks",
            Rule::Tatweel => "tatweel",
            Rule::Digits => "digits",
            Rule::NumberSigns => "number_signs",
            Rule::PersianLetters => "persian_letters",
            Rule::Invisibles => "invisibles",
            Rule::Spaces => "spaces",
            Rule::Quotes => "quotes",
            Rule::Obfuscation => "obfuscation",
            Rule::Lowercase => "lowercase",
        }
    }

    /// A one-line human description of what the rule does.
    pub fn description(self) -> &'static str {
        match self {
            Rule::PresentationForms => {
                "presentation forms and compatibility characters to base letters (NFKC-style; lam-alef to two letters; ﷲ ﷼ ﷽ spelled out)"
            }
            Rule::ComposeHamza => {
                "letter + combining maddah/hamza (U+0653-0655) composed as in NFC before the other rules"
            }
            Rule::HamzaAlef => "أ إ آ to ا",
            Rule::AlefWasla => "alef wasla ٱ to ا",
            Rule::HamzaWaw => "ؤ to و",
            Rule::HamzaYeh => "ئ to ي",
            Rule::AlefMaksura => "alef maksura ى to ي",
            Rule::TehMarbuta => "teh marbuta ة to ه",
            Rule::Harakat => "harakat U+064B-0652 (tanween, fatha, damma, kasra, shadda, sukun) removed",
            Rule::SuperscriptAlef => "superscript alef U+0670 removed",
            Rule::QuranicMarks => "other Arabic combining marks (Quranic annotation, maddah, hamza marks) removed",
            Rule::Tatweel => "tatweel U+0640 removed",
            Rule::Digits => "every decimal digit (Arabic-Indic, Persian, others) to ASCII",
            Rule::NumberSigns => "Arabic decimal separator, thousands separator and percent sign to . , %",
            Rule::PersianLetters => "Persian and Urdu letters (ک گ ی ۀ پ چ ژ ...) to Arabic letters",
            Rule::Invisibles => "zero-width characters, bidi controls, soft hyphen and BOM removed",
            Rule::Spaces => "Unicode space separators to an ASCII space",
            Rule::Quotes => "quotation marks unified to \" and '",
            Rule::Obfuscation => "dots and single spaces splitting the letters of one Arabic word removed",
            Rule::Lowercase => "Latin letters lower-cased",
        }
    }

    const fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Rule {
    type Err = UnknownName;

    /// Parses a rule name as given by [`Rule::name`]; `-` is accepted for `_` and case is
    /// ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.name() == wanted)
            .ok_or_else(|| UnknownName {
                name: s.to_owned(),
                kind: "rule",
                known: Rule::ALL.iter().map(|r| r.name()).collect(),
            })
    }
}

/// A set of [`Rule`]s, stored as a bitset. `Default` is the empty set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub struct RuleSet(u32);

impl RuleSet {
    /// The set with no rule: normalization is the identity.
    pub const fn empty() -> Self {
        RuleSet(0)
    }

    /// The set with every rule.
    pub fn all() -> Self {
        Rule::ALL
            .iter()
            .fold(RuleSet::empty(), |set, &r| set.with(r))
    }

    /// A set built from a list of rules.
    pub const fn of(rules: &[Rule]) -> Self {
        let mut bits = 0;
        let mut i = 0;
        while i < rules.len() {
            bits |= rules[i].bit();
            i += 1;
        }
        RuleSet(bits)
    }

    /// This set plus `rule`.
    #[must_use]
    pub const fn with(self, rule: Rule) -> Self {
        RuleSet(self.0 | rule.bit())
    }

    /// This set minus `rule`.
    #[must_use]
    pub const fn without(self, rule: Rule) -> Self {
        RuleSet(self.0 & !rule.bit())
    }

    /// Whether `rule` is in the set.
    pub const fn contains(self, rule: Rule) -> bool {
        self.0 & rule.bit() != 0
    }

    /// Whether the set has no rule.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The rules of the set, in the order of [`Rule::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Rule> {
        Rule::ALL.iter().copied().filter(move |r| self.contains(*r))
    }
}

impl FromIterator<Rule> for RuleSet {
    fn from_iter<I: IntoIterator<Item = Rule>>(iter: I) -> Self {
        iter.into_iter().fold(RuleSet::empty(), RuleSet::with)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut names: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
        for rule in Rule::ALL {
            assert_eq!(rule.name().parse::<Rule>().unwrap(), *rule);
            assert!(!rule.description().is_empty());
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Rule::ALL.len());
        assert!(Rule::ALL.len() <= 32);
    }

    #[test]
    fn serde_names_are_the_stable_names() {
        for rule in Rule::ALL {
            let json = serde_json::to_string(rule).unwrap();
            assert_eq!(json, format!("\"{}\"", rule.name()));
            assert_eq!(serde_json::from_str::<Rule>(&json).unwrap(), *rule);
        }
    }

    #[test]
    fn unknown_rule_is_a_typed_error() {
        let err = "no_such_rule".parse::<Rule>().unwrap_err();
        assert_eq!(err.kind, "rule");
        assert_eq!(err.name, "no_such_rule");
        assert!(err.to_string().contains("tatweel"));
        assert_eq!("Hamza-Alef".parse::<Rule>().unwrap(), Rule::HamzaAlef);
    }

    #[test]
    fn set_operations() {
        let set = RuleSet::empty().with(Rule::Tatweel).with(Rule::Digits);
        assert!(set.contains(Rule::Tatweel) && set.contains(Rule::Digits));
        assert!(!set.contains(Rule::Quotes));
        assert_eq!(
            set.without(Rule::Tatweel).iter().collect::<Vec<_>>(),
            vec![Rule::Digits]
        );
        assert_eq!(RuleSet::all().iter().count(), Rule::ALL.len());
        assert!(RuleSet::default().is_empty());
        assert_eq!(RuleSet::of(&[Rule::Digits, Rule::Tatweel]), set);
        assert_eq!(set.iter().collect::<RuleSet>(), set);
    }
}
