//! For each rule shared with Lucene, CAMeL Tools or charabia (see
//! `shared/notes/arabic-normalization.md`), a test that ours does the same, with the vectors
//! those projects publish where there are some.

use rasd_normalize::{Normalizer, Profile, Rule, RuleSet};

fn with(rules: &[Rule]) -> Normalizer {
    Normalizer::new(RuleSet::of(rules))
}

fn check(n: &Normalizer, cases: &[(&str, &str)]) {
    for (input, expected) in cases {
        assert_eq!(n.normalize_text(input), *expected, "input {input:?}");
        assert_eq!(
            n.normalize(input).text,
            *expected,
            "input {input:?} (with alignment)"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Lucene: ArabicNormalizer, vectors of TestArabicNormalizationFilter.

#[test]
fn lucene_normalization_filter_vectors() {
    let lucene = Normalizer::for_profile(Profile::Lucene);
    check(
        &lucene,
        &[
            ("آجن", "اجن"),          // testAlifMadda
            ("أحمد", "احمد"),        // testAlifHamzaAbove
            ("إعاذ", "اعاذ"),        // testAlifHamzaBelow
            ("بنى", "بني"),          // testAlifMaksura
            ("فاطمة", "فاطمه"),      // testTehMarbuta
            ("روبرـــــت", "روبرت"), // testTatweel
            ("مَبنا", "مبنا"),        // testFatha
            ("علِي", "علي"),          // testKasra
            ("بُوات", "بوات"),        // testDamma
            ("ولداً", "ولدا"),        // testFathatan
            ("ولدٍ", "ولد"),          // testKasratan
            ("ولدٌ", "ولد"),          // testDammatan
            ("نلْسون", "نلسون"),      // testSukun
            ("هتميّ", "هتمي"),        // testShaddah
        ],
    );
}

/// What Lucene's ArabicNormalizer does *not* touch, ours (Lucene profile) leaves too.
#[test]
fn lucene_profile_leaves_the_rest() {
    let lucene = Normalizer::for_profile(Profile::Lucene);
    for untouched in [
        "ٱلله",                        // alef wasla
        "هٰذا",                         // superscript alef
        "ا\u{0653}ا\u{0654}ا\u{0655}", // maddah and hamza marks
        "مؤمن سائل ء",                 // ؤ ئ ء
        "\u{06D6}\u{06E1}",            // Quranic marks
        "ﻻ ﷲ ﷼",                       // presentation forms (need ICU in Lucene)
        "٣٤ ۵ Abc",                    // digits and case (other filters of the analyzer)
        "\u{200C}\u{00A0}«»",
    ] {
        assert_eq!(lucene.normalize_text(untouched), untouched);
    }
}

/// A transcription of `ArabicNormalizer.normalize` (one UTF-16 char at a time, in place),
/// compared with the Lucene profile on many strings.
fn lucene_reference(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\u{0622}' | '\u{0623}' | '\u{0625}' => Some('\u{0627}'),
            '\u{0649}' => Some('\u{064A}'),
            '\u{0629}' => Some('\u{0647}'),
            '\u{0640}' | '\u{064B}'..='\u{0652}' => None,
            c => Some(c),
        })
        .collect()
}

#[test]
fn lucene_profile_equals_reference_on_the_arabic_block() {
    let lucene = Normalizer::for_profile(Profile::Lucene);
    let block: String = ('\u{0600}'..='\u{06FF}')
        .chain('\u{FB50}'..='\u{FEFF}')
        .collect();
    assert_eq!(lucene.normalize_text(&block), lucene_reference(&block));
    for c in '\u{0}'..='\u{FFFF}' {
        let s = format!("ب{c}ب");
        assert_eq!(
            lucene.normalize_text(&s),
            lucene_reference(&s),
            "U+{:04X}",
            c as u32
        );
    }
}

// ---------------------------------------------------------------------------------------------
// CAMeL Tools: normalize_alef_ar, normalize_alef_maksura_ar, normalize_teh_marbuta_ar,
// dediac_ar, normalize_unicode and the arclean map.

/// The CAMeL pipeline of the speed comparison, transcribed: `dediac_ar` (U+064B–U+0652 and
/// U+0670), `normalize_alef_ar` ([إأٱآ] → ا), `normalize_alef_maksura_ar`,
/// `normalize_teh_marbuta_ar`, and tatweel removal.
fn camel_reference(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\u{064B}'..='\u{0652}' | '\u{0670}' | '\u{0640}' => None,
            '\u{0625}' | '\u{0623}' | '\u{0671}' | '\u{0622}' => Some('\u{0627}'),
            '\u{0649}' => Some('\u{064A}'),
            '\u{0629}' => Some('\u{0647}'),
            c => Some(c),
        })
        .collect()
}

#[test]
fn camel_functions_are_our_rules() {
    let camel = with(&[
        Rule::Harakat,
        Rule::SuperscriptAlef,
        Rule::HamzaAlef,
        Rule::AlefWasla,
        Rule::AlefMaksura,
        Rule::TehMarbuta,
        Rule::Tatweel,
    ]);
    // normalize_alef_ar covers exactly إ أ ٱ آ.
    check(
        &with(&[Rule::HamzaAlef, Rule::AlefWasla]),
        &[("إأٱآ", "اااا"), ("ؤئى", "ؤئى")],
    );
    check(&with(&[Rule::AlefMaksura]), &[("مستشفى على", "مستشفي علي")]);
    check(&with(&[Rule::TehMarbuta]), &[("المدرسة", "المدرسه")]);
    // dediac_ar: the eight harakat and the superscript alef, nothing else.
    check(
        &with(&[Rule::Harakat, Rule::SuperscriptAlef]),
        &[("هٰذَا كِتَابٌ", "هذا كتاب"), ("ـ\u{0653}", "ـ\u{0653}")],
    );
    for c in '\u{0}'..='\u{FFFF}' {
        let s = format!("ب{c}ة");
        assert_eq!(
            camel.normalize_text(&s),
            camel_reference(&s),
            "U+{:04X}",
            c as u32
        );
    }
}

#[test]
fn camel_normalize_unicode_and_arclean() {
    let forms = with(&[Rule::PresentationForms]);
    check(
        &forms,
        &[
            // normalize_unicode pre-maps these two before NFKC.
            ("\u{FDFC}", "ريال"),
            ("\u{FDFD}", "بسم الله الرحمن الرحيم"),
            // arclean: U+FDF2 → الله, lam-alef ligatures → two characters.
            ("\u{FDF2}", "الله"),
            ("\u{FEFB}\u{FEFC}", "لالا"),
            ("\u{FEF5}\u{FEF7}\u{FEF9}", "لآلألإ"),
            // arclean: U+FE80–U+FEF4 → base letters, keeping hamza carriers.
            ("\u{FE83}\u{FE84}\u{FE8D}\u{FEE1}", "أأام"),
        ],
    );
    // arclean: digits of both Arabic sets to ASCII; U+066A → %.
    check(
        &with(&[Rule::Digits, Rule::NumberSigns]),
        &[("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ ٪", "0123456789 0123456789 %")],
    );
    // arclean: tatweel, the marks U+0653–U+065E, U+0610–U+061A and U+06D6–U+06ED removed.
    check(
        &with(&[
            Rule::Tatweel,
            Rule::QuranicMarks,
            Rule::SuperscriptAlef,
            Rule::Harakat,
        ]),
        &[("ـ\u{0653}\u{065E}\u{0610}\u{061A}\u{06D6}\u{06ED}ب", "ب")],
    );
    // arclean: U+0671–U+0673 and U+0675 → ا.
    check(
        &with(&[Rule::AlefWasla, Rule::PersianLetters]),
        &[("\u{0671}\u{0672}\u{0673}\u{0675}", "اااا")],
    );
    // arclean: Persian letters.
    check(
        &with(&[Rule::PersianLetters]),
        &[(
            "\u{06A9}\u{06AF}\u{067E}\u{0686}\u{06A4}\u{06C0}\u{06C1}\u{06D2}",
            "ككبجفههي",
        )],
    );
}

// ---------------------------------------------------------------------------------------------
// charabia: ArabicNormalizer plus the lossy pipeline (NFKD, then non-spacing mark removal).

#[test]
fn charabia_arabic_normalizer() {
    // The four arms of charabia's `ArabicNormalizer` match.
    let n = with(&[
        Rule::Tatweel,
        Rule::HamzaAlef,
        Rule::AlefWasla,
        Rule::AlefMaksura,
        Rule::TehMarbuta,
    ]);
    check(
        &n,
        &[
            ("الشـــمس", "الشمس"),
            ("أحمد إبراهيم آمنة ٱلله", "احمد ابراهيم امنه الله"),
            ("مستشفى", "مستشفي"),
            ("المدرسة", "المدرسه"),
        ],
    );
}

#[test]
fn charabia_pipeline_net_effect() {
    // NFKD + mark removal also folds ؤ → و and ئ → ي, removes diacritics and Quranic marks,
    // and maps presentation forms (ﻻ → لا). Our search profile does the same.
    let search = Normalizer::for_profile(Profile::Search);
    check(
        &search,
        &[
            ("مؤتمر مسائل", "موتمر مسايل"),
            ("كِتَابٌ هٰذا\u{06D6}", "كتاب هذا"),
            ("\u{FEFB}", "لا"),
            ("ـمـن", "من"),
        ],
    );
    // charabia's offset map records a deleted tatweel as (2, 0): here, the tatweel belongs to
    // no normalized span, and the letters around it map to themselves.
    let original = "مـن";
    let normalized = search.normalize(original);
    assert_eq!(normalized.text, "من");
    assert_eq!(normalized.alignment.to_original(0..2), 0..2);
    assert_eq!(normalized.alignment.to_original(2..4), 4..6);
    assert_eq!(normalized.alignment.to_original(0..4), 0..6);
}

// ---------------------------------------------------------------------------------------------
// Rules of our own.

#[test]
fn hamza_seats_and_composition() {
    check(
        &with(&[Rule::HamzaWaw, Rule::HamzaYeh]),
        &[("مسؤول مسئول", "مسوول مسيول")],
    );
    let compose = with(&[Rule::ComposeHamza]);
    check(
        &compose,
        &[
            ("ا\u{0654}حمد", "أحمد"),
            ("ا\u{0655}", "إ"),
            ("ا\u{0653}", "آ"),
            ("و\u{0654}", "ؤ"),
            ("ي\u{0654}", "ئ"),
            ("ب\u{0654}", "ب\u{0654}"),
        ],
    );
    let search = Normalizer::for_profile(Profile::Search);
    check(
        &search,
        &[("ا\u{0654}حمد", "احمد"), ("ا\u{064E}\u{0654}", "ا")],
    );
    let extraction = Normalizer::for_profile(Profile::Extraction);
    // Decomposed and precomposed ؤ meet in the extraction profile, which keeps ؤ.
    check(
        &extraction,
        &[("مسو\u{0654}ول", "مسؤول"), ("مسؤول", "مسؤول")],
    );
}

#[test]
fn invisibles_spaces_quotes_case() {
    check(
        &with(&[Rule::Invisibles]),
        &[("دا\u{200C}عش\u{200D}\u{200E}\u{200F}\u{202B}x\u{202C}\u{2067}y\u{2069}\u{00AD}\u{FEFF}", "داعشxy")],
    );
    check(
        &with(&[Rule::Spaces]),
        &[(
            "a\u{00A0}b\u{2009}c\u{3000}d\u{202F}e\tf\ng",
            "a b c d e\tf\ng",
        )],
    );
    check(
        &with(&[Rule::Quotes]),
        &[("“a” «b» „c‟ ‹d› ‘e’", "\"a\" \"b\" \"c\" \"d\" 'e'")],
    );
    check(
        &with(&[Rule::Lowercase]),
        &[("ISIS Ünal İstanbul ΑΒΓ", "isis ünal istanbul ΑΒΓ")],
    );
    check(
        &with(&[Rule::NumberSigns, Rule::Digits]),
        &[("٣٫٥٪ و١٬٠٠٠", "3.5% و1,000")],
    );
}

#[test]
fn obfuscation_is_undone_inside_words_only() {
    let search = Normalizer::for_profile(Profile::Search);
    check(
        &search,
        &[
            ("دا.عــش", "داعش"),
            ("د ا ع ش", "داعش"),
            ("د.ا.ع.ش", "داعش"),
            ("دا_عش", "داعش"),
            ("دا•عش", "داعش"),
            ("البادية السورية.. خلط", "الباديه السوريه.. خلط"),
            ("السورية..خلط", "السوريه..خلط"),
            ("سوريا.العراق", "سوريا.العراق"),
            ("و قال", "و قال"),
            ("د ا", "د ا"),
            ("قال د ا ع ش إنه", "قال داعش انه"),
            ("دا....عش", "دا....عش"),
            ("U.S.A", "u.s.a"),
            ("ب 3 ت", "ب 3 ت"),
            ("(أ ف ب)", "(افب)"),
            ("(أ.ف.ب)", "(افب)"),
        ],
    );
    let without = Normalizer::new(Profile::Search.rules().without(Rule::Obfuscation));
    assert_eq!(without.normalize_text("دا.عــش"), "دا.عش");
}

#[test]
fn extraction_profile_documented_choices() {
    let extraction = Normalizer::for_profile(Profile::Extraction);
    assert_eq!(
        extraction.normalize_text("الرقة"),
        extraction.normalize_text("الرقه")
    );
    assert_ne!(
        extraction.normalize_text("على"),
        extraction.normalize_text("علي")
    );
    assert_eq!(
        extraction.normalize_text("«أَحـمد» ٢٠١٥ ISIS"),
        "«احمد» 2015 isis"
    );
}
