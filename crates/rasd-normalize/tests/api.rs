//! The public API as other crates use it.

use rasd_normalize::{
    search_term, tokenize, Alignment, Normalized, Normalizer, OffsetIndex, OffsetUnit, Profile,
    Rule, RuleSet, UnknownName,
};

fn shareable<T: Send + Sync + Clone + std::fmt::Debug>() {}

#[test]
fn types_are_shareable() {
    shareable::<Normalizer>();
    shareable::<Normalized>();
    shareable::<Alignment>();
    shareable::<RuleSet>();
    shareable::<UnknownName>();
    shareable::<OffsetIndex<'static>>();
}

#[test]
fn rules_and_profiles_by_name() {
    let mut rules = "extraction".parse::<Profile>().unwrap().rules();
    rules = rules.with("alef_maksura".parse::<Rule>().unwrap());
    rules = rules.without("obfuscation".parse::<Rule>().unwrap());
    let n = Normalizer::new(rules);
    assert_eq!(n.rules(), rules);
    assert_eq!(n.normalize_text("على دا.عش"), "علي دا.عش");
    assert_eq!(
        Normalizer::for_profile(Profile::Search).rules(),
        RuleSet::all()
    );
    let err = "nope".parse::<Profile>().unwrap_err();
    assert_eq!((err.kind, err.name.as_str()), ("profile", "nope"));
    // The same rule set gives the same normalizer, built once.
    assert_eq!(
        Normalizer::new(rules).normalize_text("ـأـ"),
        n.normalize_text("ـأـ")
    );
}

#[test]
fn search_pipeline() {
    let n = Normalizer::for_profile(Profile::Search);
    let doc = n.normalize("أعلنت «الدولة الإسلامية» (داعش) مسؤوليتها؛ وقال مصدر لداعش...");
    let keys: Vec<String> = tokenize(&doc.text)
        .map(|t| search_term(t.text).into_owned())
        .collect();
    assert!(
        keys.iter().filter(|k| *k == "داعش").count() == 2,
        "{keys:?}"
    );
    let query = n.normalize_text("الداعشية");
    let query_keys: Vec<String> = tokenize(&query)
        .map(|t| search_term(t.text).into_owned())
        .collect();
    assert_eq!(query_keys, ["داعش"]);
}

#[test]
fn offsets_of_a_mention() {
    let original = "🇸🇾 قصف على «الرقّة»";
    let n = Normalizer::for_profile(Profile::Extraction);
    let normalized = n.normalize(original);
    let at = normalized.text.find("الرقه").unwrap();
    let span = normalized.alignment.to_original(at..at + "الرقه".len());
    assert_eq!(&original[span.clone()], "الرقّة");
    let index = OffsetIndex::new(original);
    let cp = (
        index.from_byte(span.start, OffsetUnit::CodePoint),
        index.from_byte(span.end, OffsetUnit::CodePoint),
    );
    let u16 = (
        index.from_byte(span.start, OffsetUnit::Utf16CodeUnit),
        index.from_byte(span.end, OffsetUnit::Utf16CodeUnit),
    );
    assert_eq!(cp, (12, 18));
    assert_eq!(u16, (14, 20));
    assert_eq!(index.to_byte(cp.0, OffsetUnit::CodePoint), Some(span.start));
}
