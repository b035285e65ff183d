//! Trigger patterns for names the knowledge base does not hold.
//!
//! A head word announces the type of the name after it: a title or role («النقيب», «الباحث»,
//! found by the OCC lexicon) announces a person; «مدينة», «بلدة», «قرية» a populated place;
//! «بادية», «حي», «جبل» a region; «ميليشيا», «لواء», «فصيل» an armed group. The name is taken
//! from the quotes that follow the head («النقيب “منذر ديواني”», «بادية “الحصين”»), or, after a
//! place head, the one word that follows it («قرية الصبحة»). A later quoted word that repeats the
//! last name of a person found this way is the same person («وقال “ديواني”»).
//!
//! Unknown names are linked to `new/<type>/<normalized name>`, so the same unknown name links to
//! itself across documents.

use std::sync::LazyLock;

use rasd_normalize::Token;
use rustc_hash::FxHashMap;

use crate::gazetteer::QUOTES;
use crate::types::EntityType;

/// A name found by a pattern, in normalized byte offsets.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternMatch {
    pub start: usize,
    pub end: usize,
    pub entity_type: EntityType,
    pub id: String,
}

/// Heads followed by a place name of a type, and whether a bare word may follow (no quotes).
const PLACE_HEADS: &[(&str, EntityType, bool)] = &[
    ("مدينه", EntityType::Gpe, true),
    ("مدينة", EntityType::Gpe, true),
    ("بلده", EntityType::Gpe, true),
    ("بلدة", EntityType::Gpe, true),
    ("قريه", EntityType::Gpe, true),
    ("قرية", EntityType::Gpe, true),
    ("بلدات", EntityType::Gpe, false),
    ("قرى", EntityType::Gpe, false),
    ("ناحيه", EntityType::Gpe, false),
    ("ناحية", EntityType::Gpe, false),
    ("منطقه", EntityType::Gpe, false),
    ("منطقة", EntityType::Gpe, false),
    ("باديه", EntityType::Loc, false),
    ("بادية", EntityType::Loc, false),
    ("حي", EntityType::Loc, false),
    ("جبل", EntityType::Loc, false),
    ("سجن", EntityType::Fac, false),
    ("مطار", EntityType::Fac, false),
    ("ميليشيا", EntityType::Org, false),
    ("مليشيا", EntityType::Org, false),
    ("لواء", EntityType::Org, false),
    ("فصيل", EntityType::Org, false),
    ("كتيبه", EntityType::Org, false),
    ("كتيبة", EntityType::Org, false),
    ("حركه", EntityType::Org, false),
    ("حركة", EntityType::Org, false),
    ("جماعه", EntityType::Org, false),
    ("جماعة", EntityType::Org, false),
];

/// The first letters of [`PLACE_HEADS`] (a test checks that the list is complete).
const HEAD_INITIALS: [char; 10] = ['م', 'ب', 'ق', 'ن', 'ح', 'ج', 'س', 'ل', 'ف', 'ك'];

/// [`PLACE_HEADS`] by word: every word of every text is looked up.
fn place_heads() -> &'static FxHashMap<&'static str, (EntityType, bool)> {
    static HEADS: LazyLock<FxHashMap<&'static str, (EntityType, bool)>> = LazyLock::new(|| {
        PLACE_HEADS
            .iter()
            .map(|&(head, entity_type, bare)| (head, (entity_type, bare)))
            .collect()
    });
    &HEADS
}

/// Words that cannot be a bare name after a place head.
const NOT_NAMES: &[&str] = &[
    "في",
    "من",
    "الى",
    "إلى",
    "على",
    "عن",
    "التي",
    "الذي",
    "ذاتها",
    "نفسها",
    "كبيره",
    "كبيرة",
    "صغيره",
    "صغيرة",
    "واحده",
    "واحدة",
    "اخرى",
    "أخرى",
    "الواقعه",
    "الواقعة",
];

/// Words that end a bare name after a title (particles, pronouns, reporting verbs).
const NAME_STOPS: &[&str] = &[
    "في",
    "من",
    "على",
    "عن",
    "الى",
    "إلى",
    "ان",
    "أن",
    "إن",
    "قد",
    "لا",
    "ما",
    "لم",
    "لن",
    "هو",
    "هي",
    "الذي",
    "التي",
    "الذين",
    "و",
    "او",
    "أو",
    "ثم",
    "قال",
    "قالت",
    "اكد",
    "أكد",
    "اشار",
    "أشار",
    "اعلن",
    "أعلن",
    "ذكر",
    "اوضح",
    "أوضح",
    "مع",
    "بين",
    "عند",
    "لدى",
    "خلال",
    "بعد",
    "قبل",
    "حول",
    "ضد",
    "عبر",
    "باسم",
    "لها",
    "له",
    "انه",
    "أنه",
    "انها",
    "أنها",
    "كان",
    "كانت",
    "يكن",
    "ليس",
    "هذا",
    "هذه",
    "ذلك",
    "تلك",
    "السابق",
    "الحالي",
    "العام",
    "الميداني",
    "بأن",
    "بان",
    "بأنه",
    "بانه",
    "بأنها",
    "وزير",
    "رئيس",
    "امير",
    "أمير",
    "استاذ",
    "أستاذ",
    "قائد",
    "المرشح",
    "مدينة",
    "مدينه",
    "بلدة",
    "بلده",
    "قرية",
    "قريه",
    "منطقة",
    "منطقه",
    "محافظة",
    "محافظه",
    "حيال",
    "عقب",
    "اثر",
    "إثر",
];

/// Given names that start with «و», which otherwise marks a conjunction.
const WAW_NAMES: &[&str] = &[
    "وليد", "وائل", "وسام", "وفاء", "وديع", "وحيد", "وجدي", "وهيب", "وصفي",
];

/// Two or three name-like words right after `at` (white space only between): no particle, no
/// digit, the first without the article. The byte range of the name.
fn bare_name_after(text: &str, at: usize) -> Option<(usize, usize)> {
    let rest = &text[at..];
    if !rest.starts_with(' ') {
        return None;
    }
    let mut words = Vec::new();
    let mut offset = at;
    for piece in rest.split(' ') {
        if piece.is_empty() {
            offset += 1;
            continue;
        }
        let word: &str = piece
            .split(|c: char| !is_letter(c))
            .next()
            .unwrap_or_default();
        let whole = word.len() == piece.len();
        let first = words.is_empty();
        let particle = NAME_STOPS.contains(&word)
            || ["وال", "بال", "لل", "فال", "كال"]
                .iter()
                .any(|p| word.starts_with(p))
            || (word.starts_with('و') && !WAW_NAMES.contains(&word));
        // The first word has no article and is followed by white space.
        let bad_first = first && (word.starts_with("ال") || !whole);
        let name_like = word.chars().count() >= 2 && !particle && !bad_first;
        if !name_like {
            break;
        }
        words.push((offset, offset + word.len()));
        if !whole || words.len() == 3 {
            break;
        }
        offset += piece.len() + 1;
    }
    (words.len() >= 2).then(|| (words[0].0, words[words.len() - 1].1))
}

/// A name in apposition before a role: «X، قائد …», «X، القيادي في …»: two or three name-like
/// words right before «، » (or «,») that comes right before the head at `head_start`.
fn name_before_apposition(text: &str, head_start: usize) -> Option<(usize, usize)> {
    let before = text[..head_start].strip_suffix(' ')?;
    let before = before
        .strip_suffix('،')
        .or_else(|| before.strip_suffix(','))?;
    let words: Vec<(usize, &str)> = before
        .rsplit(' ')
        .scan(before.len(), |end, w| {
            let start = *end - w.len();
            *end = start.saturating_sub(1);
            Some((start, w))
        })
        .take(3)
        .collect();
    let mut first = None;
    for (count, (start, word)) in words.iter().enumerate() {
        let name_like = word.chars().count() >= 2
            && word.chars().all(is_letter)
            && !NAME_STOPS.contains(word)
            && (!word.starts_with('و') || WAW_NAMES.contains(word));
        if !name_like {
            break;
        }
        first = Some((count, *start));
    }
    // The name begins after a word that is not part of it: a sentence or clause start.
    let (count, start) = first?;
    let preceded_by_boundary = text[..start]
        .trim_end_matches(' ')
        .ends_with(['.', '،', ',', ':', '\n', '(', '-'])
        || start == 0;
    (count >= 1 && preceded_by_boundary).then_some((start, before.len()))
}

/// A quoted name right after `at` (white space may come first): the byte range of its content,
/// which is one to four words of letters (and «-») on one line, at least two letters.
///
/// One pass that stops at the closing quote, or as soon as the content cannot be a name (a
/// line break, a character other than a letter, a fifth word): heads are frequent, and what
/// follows a quote after them is often a long quoted sentence.
fn quoted_after(text: &str, at: usize) -> Option<(usize, usize)> {
    let start = after_opening_quote(text, at)?;
    // The content, trimmed: from its first to its last character that is not white space.
    let (mut first, mut last) = (None, start);
    let (mut words, mut letters) = (0, 0);
    // White space other than « » inside the content is not allowed; at its ends it is.
    let (mut in_word, mut odd_space) = (false, false);
    for (offset, c) in text[start..].char_indices() {
        if QUOTES.contains(&c) {
            return (letters >= 2).then(|| (first.unwrap_or(start), last));
        }
        if c == '\n' {
            return None;
        }
        if c.is_whitespace() {
            in_word = false;
            odd_space |= first.is_some() && c != ' ';
            continue;
        }
        if odd_space || !(is_letter(c) || c == '-') {
            return None;
        }
        if !in_word {
            words += 1;
            if words > 4 {
                return None;
            }
            in_word = true;
        }
        letters += 1;
        first.get_or_insert(start + offset);
        last = start + offset + c.len_utf8();
    }
    None
}

/// Where the content of a quotation opened right after `at` begins (white space may come
/// before the opening mark).
fn after_opening_quote(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at..];
    let skipped = rest.len() - rest.trim_start().len();
    let open = rest[skipped..]
        .chars()
        .next()
        .filter(|c| QUOTES.contains(c))?;
    Some(at + skipped + open.len_utf8())
}

/// `char::is_alphabetic`, with the Arabic and ASCII letters answered without a table search.
fn is_letter(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '\u{0620}'..='\u{064A}' => true,
        '\0'..='\u{7F}' => false,
        _ => c.is_alphabetic(),
    }
}

/// The quotation marks of `text` and where they are. The bytes are scanned, not the
/// characters: every mark of [`QUOTES`] begins with one of four bytes.
fn quote_marks(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    text.bytes().enumerate().filter_map(|(at, byte)| {
        if !matches!(byte, b'"' | b'\'' | 0xC2 | 0xE2) {
            return None;
        }
        let c = text.get(at..)?.chars().next()?;
        QUOTES.contains(&c).then_some((at, c))
    })
}

/// The id of a name the knowledge base does not hold: `new/<type>/<normalized name>`, words
/// separated by one space.
pub fn new_id(entity_type: EntityType, name: &str) -> String {
    let name: Vec<&str> = name.split_whitespace().collect();
    format!("new/{}/{}", entity_type.id_prefix(), name.join(" "))
}

/// A title or role before a name: where it ends (normalized bytes), and whether a bare
/// (unquoted) name may follow it, which only ranks, titles and a few roles allow («النقيب X»,
/// «القيادي X»; not «رئيس» or «وزير», which a noun follows more often than a name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PersonHead {
    pub start: usize,
    pub end: usize,
    pub bare_name: bool,
}

/// Names after heads.
pub fn find_patterns(
    text: &str,
    tokens: &[Token<'_>],
    person_heads: &[PersonHead],
) -> Vec<PatternMatch> {
    let mut found = Vec::new();
    for head in person_heads {
        let bare = || {
            head.bare_name
                .then(|| bare_name_after(text, head.end))
                .flatten()
        };
        let before = || {
            head.bare_name
                .then(|| name_before_apposition(text, head.start))
                .flatten()
        };
        for (start, end) in [quoted_after(text, head.end).or_else(bare), before()]
            .into_iter()
            .flatten()
        {
            found.push(PatternMatch {
                start,
                end,
                entity_type: EntityType::Pers,
                id: new_id(EntityType::Pers, &text[start..end]),
            });
        }
    }
    for (i, token) in tokens.iter().enumerate() {
        // The heads begin with a few letters: most words are answered by their first byte pair.
        if !token.text.starts_with(HEAD_INITIALS) {
            continue;
        }
        let Some(&(entity_type, bare)) = place_heads().get(token.text) else {
            continue;
        };
        let (start, end) = match quoted_after(text, token.range.end) {
            Some(span) => span,
            None if bare => {
                let Some(next) = tokens.get(i + 1) else {
                    continue;
                };
                let between = &text[token.range.end..next.range.start];
                if !between.trim().is_empty()
                    || NOT_NAMES.contains(&next.text)
                    || next.text.chars().count() < 3
                {
                    continue;
                }
                (next.range.start, next.range.end)
            }
            None => continue,
        };
        found.push(PatternMatch {
            start,
            end,
            entity_type,
            id: new_id(entity_type, &text[start..end]),
        });
    }
    // Later quoted repetitions of a person's last name.
    let people: Vec<(String, String)> = found
        .iter()
        .filter(|m| m.entity_type == EntityType::Pers)
        .filter_map(|m| {
            let name = &text[m.start..m.end];
            let last = name.split_whitespace().last()?;
            (name.split_whitespace().count() > 1).then(|| (last.to_owned(), m.id.clone()))
        })
        .collect();
    if !people.is_empty() {
        for (at, c) in quote_marks(text) {
            let Some((start, end)) = quoted_after(text, at) else {
                continue;
            };
            if start != at + c.len_utf8() {
                continue;
            }
            if let Some((_, id)) = people.iter().find(|(last, _)| *last == text[start..end]) {
                if !found.iter().any(|m| m.start == start) {
                    found.push(PatternMatch {
                        start,
                        end,
                        entity_type: EntityType::Pers,
                        id: id.clone(),
                    });
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<Token<'_>> {
        rasd_normalize::tokenize(text).collect()
    }

    /// `quoted_after` as the rule reads: the content up to the closing quote, trimmed, one to
    /// four words of letters, « » and «-», at least two characters.
    fn quoted_after_by_definition(text: &str, at: usize) -> Option<(usize, usize)> {
        let start = after_opening_quote(text, at)?;
        let content_len = text[start..].find(|c: char| QUOTES.contains(&c) || c == '\n')?;
        if !text[start + content_len..].starts_with(|c: char| QUOTES.contains(&c)) {
            return None;
        }
        let content = text[start..start + content_len].trim();
        let words = content.split_whitespace().count();
        let letters = content
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '-');
        if !(1..=4).contains(&words) || !letters || content.chars().count() < 2 {
            return None;
        }
        let lead = text[start..].len() - text[start..].trim_start().len();
        Some((start + lead, start + lead + content.len()))
    }

    #[test]
    fn every_place_head_begins_with_a_listed_initial() {
        for (head, _, _) in PLACE_HEADS {
            assert!(head.starts_with(HEAD_INITIALS), "{head}");
        }
    }

    #[test]
    fn quote_marks_are_every_quotation_mark() {
        let text = "a\"b“c”d«e»f„g‹h›i'j é ب “";
        let by_chars: Vec<(usize, char)> = text
            .char_indices()
            .filter(|(_, c)| QUOTES.contains(c))
            .collect();
        assert_eq!(quote_marks(text).collect::<Vec<_>>(), by_chars);
        assert_eq!(by_chars.len(), 10);
    }

    proptest::proptest! {
        #[test]
        fn quoted_after_is_its_definition(
            text in r#"[ \t\n"«»“”'a-z٠-٩0-9قسد\-.،]{0,40}"#,
        ) {
            for (at, _) in text.char_indices() {
                proptest::prop_assert_eq!(
                    quoted_after(&text, at),
                    quoted_after_by_definition(&text, at),
                    "at {}", at
                );
            }
        }
    }

    #[test]
    fn quoted_names_after_heads_and_repetitions() {
        let text = "قال النقيب \"منذر ديواني\" ان القصف طال بادية \"الحصين\" وقرية الصبحه. وقال \"ديواني\" ايضا";
        let head = PersonHead {
            start: text.find("النقيب").unwrap(),
            end: text.find("النقيب").unwrap() + "النقيب".len(),
            bare_name: true,
        };
        let found = find_patterns(text, &tokens(text), &[head]);
        let got: Vec<(&str, EntityType, &str)> = found
            .iter()
            .map(|m| (&text[m.start..m.end], m.entity_type, m.id.as_str()))
            .collect();
        assert!(
            got.contains(&("منذر ديواني", EntityType::Pers, "new/pers/منذر ديواني")),
            "{got:?}"
        );
        assert!(
            got.contains(&("الحصين", EntityType::Loc, "new/loc/الحصين")),
            "{got:?}"
        );
        assert!(
            got.contains(&("ديواني", EntityType::Pers, "new/pers/منذر ديواني")),
            "{got:?}"
        );
    }

    #[test]
    fn bare_names_after_titles_stop_at_particles() {
        let text = "واكد القيادي عبد الستار الشعيطي في تصريح ان الباحث في مجال الاسلحه لم يرد";
        let heads: Vec<PersonHead> = ["القيادي", "الباحث"]
            .iter()
            .map(|h| PersonHead {
                start: text.find(h).unwrap(),
                end: text.find(h).unwrap() + h.len(),
                bare_name: true,
            })
            .collect();
        let found = find_patterns(text, &tokens(text), &heads);
        let names: Vec<&str> = found.iter().map(|m| &text[m.start..m.end]).collect();
        assert_eq!(names, vec!["عبد الستار الشعيطي"]);
    }

    #[test]
    fn names_in_apposition_before_a_role() {
        let text = "وصل. ابو محمد الجولاني، قائد الهيئه، الى المدينه";
        let head = text.find("قائد").unwrap();
        let heads = [PersonHead {
            start: head,
            end: head + "قائد".len(),
            bare_name: true,
        }];
        let found = find_patterns(text, &tokens(text), &heads);
        let names: Vec<&str> = found.iter().map(|m| &text[m.start..m.end]).collect();
        assert_eq!(names, vec!["ابو محمد الجولاني"]);
        // Without a clause boundary before it, the words may be anything.
        let text = "اجتمع الوفد مع الشعب، قائد الهيئه";
        let head = text.find("قائد").unwrap();
        let heads = [PersonHead {
            start: head,
            end: head + "قائد".len(),
            bare_name: true,
        }];
        assert!(find_patterns(text, &tokens(text), &heads).is_empty());
    }

    #[test]
    fn unbalanced_or_long_quotes_are_not_names() {
        assert!(quoted_after("\"بلا نهاية", 0).is_none());
        assert!(quoted_after("\"كلمة واحدة اثنتان ثلاث اربع خمس\"", 0).is_none());
    }
}
