//! The value grammar: a left-to-right scan over the words of a normalized text that recognizes
//! dates, times, counts, quantities, percentages and money, each with its normalized value.
//!
//! At each word the rules are tried from the most specific (a full date) to the least (a bare
//! number); the first that matches consumes its words. Rules look at word classes from the
//! [`Lexicon`] and at the characters between words (`/`, `%`, `.`).

use rasd_normalize::Token;

use super::calendar::{iso_day, weekday};
use super::lexicon::{pair_key, Lexicon, Noun, Word};
use crate::types::{EntityType, Value};

/// A value found in a normalized text; offsets are normalized UTF-8 bytes, half-open.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueMatch {
    pub start: usize,
    pub end: usize,
    pub entity_type: EntityType,
    pub value: Value,
}

/// «بعد» («بعد ظهر اليوم»), the one word a rule starts with that is not in the lexicon.
const AFTER: &str = "بعد";

struct Tok<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    /// The number a digit token holds (an «ال» before the digits is allowed: «الـ24»).
    digits: Option<f64>,
    /// What the word can be, looked up once.
    classes: &'a [Word],
}

/// A scan over the words of one text.
struct Scan<'a> {
    text: &'a str,
    toks: Vec<Tok<'a>>,
    lexicon: &'a Lexicon,
    /// Reference day (days since the epoch) for relative dates.
    today: Option<i64>,
}

/// Date parts found by the date rules.
#[derive(Default, Clone, Copy)]
struct DateParts {
    year: Option<i64>,
    month: Option<u32>,
    day: Option<u32>,
}

impl DateParts {
    fn iso(self) -> Option<String> {
        match (self.year, self.month, self.day) {
            (Some(y), Some(m), Some(d)) => Some(format!("{y:04}-{m:02}-{d:02}")),
            (Some(y), Some(m), None) => Some(format!("{y:04}-{m:02}")),
            (Some(y), None, _) => Some(format!("{y:04}")),
            _ => None,
        }
    }
}

fn parse_digits(token: &str) -> Option<f64> {
    let digits = token.strip_prefix("ال").unwrap_or(token);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

impl<'a> Scan<'a> {
    fn new(text: &'a str, tokens: &[Token<'a>], lexicon: &'a Lexicon, today: Option<i64>) -> Self {
        let toks = tokens
            .iter()
            .map(|t| Tok {
                text: t.text,
                start: t.range.start,
                end: t.range.end,
                digits: parse_digits(t.text),
                classes: lexicon.classes(t.text),
            })
            .collect();
        Scan {
            text,
            toks,
            lexicon,
            today,
        }
    }

    fn classes(&self, i: usize) -> &[Word] {
        self.toks.get(i).map_or(&[], |t| t.classes)
    }

    fn has(&self, i: usize, f: impl Fn(&Word) -> bool) -> bool {
        self.classes(i).iter().any(f)
    }

    fn find<T>(&self, i: usize, f: impl Fn(&Word) -> Option<T>) -> Option<T> {
        self.classes(i).iter().find_map(f)
    }

    /// The characters between word `i - 1` and word `i`, trimmed.
    fn gap(&self, i: usize) -> &'a str {
        match (
            i.checked_sub(1).and_then(|p| self.toks.get(p)),
            self.toks.get(i),
        ) {
            (Some(a), Some(b)) => self.text[a.end..b.start].trim(),
            _ => "",
        }
    }

    /// Word `i` follows word `i - 1` with only white space between.
    fn adjacent(&self, i: usize) -> bool {
        i < self.toks.len() && self.gap(i).is_empty()
    }

    /// A number starting at word `i`: digits (with a decimal part), number words with «و»
    /// compounds, an optional multiplier. Returns the value, whether it is vague, and the next
    /// word.
    fn number(&self, i: usize) -> Option<(f64, bool, usize)> {
        let tok = self.toks.get(i)?;
        let (mut value, mut next, vague) = if let Some(d) = tok.digits {
            let mut value = d;
            let mut next = i + 1;
            if let Some(frac) = self.toks.get(next) {
                let gap = self.gap(next);
                if (gap == "." || gap == ",")
                    && frac.digits.is_some()
                    && !frac.text.starts_with("ال")
                {
                    let joined = format!("{}.{}", tok.text.trim_start_matches("ال"), frac.text);
                    if gap == "." {
                        value = joined.parse().unwrap_or(value);
                    } else if frac.text.len() == 3 {
                        value = value * 1000.0 + frac.digits.unwrap_or(0.0);
                    }
                    if gap == "." || frac.text.len() == 3 {
                        next += 1;
                    }
                }
            }
            (value, next, false)
        } else if let Some(n) = self.find(i, |w| match w {
            Word::Number(n) => Some(*n),
            _ => None,
        }) {
            let mut value = n;
            let mut next = i + 1;
            // «خمسة وعشرين»: the tens come after «و».
            if let Some(t) = self.toks.get(next) {
                if let Some(rest) = t.text.strip_prefix('و') {
                    if let Some(Word::Number(tens)) = self.lexicon.classes(rest).first() {
                        if *tens >= 20.0 && n < 10.0 && self.adjacent(next) {
                            value += tens;
                            next += 1;
                        }
                    }
                }
            }
            (value, next, false)
        } else if let Some(v) = self.find(i, |w| match w {
            Word::Vague(v) => Some(*v),
            _ => None,
        }) {
            return Some((v, true, i + 1));
        } else {
            let m = self.find(i, |w| match w {
                Word::Multiplier(m) => Some(*m),
                _ => None,
            })?;
            (m, i + 1, false)
        };
        if self.adjacent(next) {
            if let Some(m) = self.find(next, |w| match w {
                Word::Multiplier(m) => Some(*m),
                _ => None,
            }) {
                value *= m;
                next += 1;
            }
        }
        Some((value, vague, next))
    }

    /// A month name at word `i` (one word, or a head and its second word), then «/» and another
    /// month name. Returns the month and the next word.
    fn month(&self, i: usize) -> Option<(u32, usize)> {
        let single = |j: usize| -> Option<(u32, usize)> {
            if let Some(m) = self.find(j, |w| match w {
                Word::Month(m) => Some(*m),
                _ => None,
            }) {
                return Some((m, j + 1));
            }
            if self.has(j, |w| matches!(w, Word::MonthHead)) {
                let (a, b) = (self.toks.get(j)?, self.toks.get(j + 1)?);
                if let Some(Word::Month(m)) =
                    self.lexicon.classes(&pair_key(a.text, b.text)).first()
                {
                    return Some((*m, j + 2));
                }
            }
            None
        };
        let (month, mut next) = single(i)?;
        if self.gap(next) == "/" || self.gap(next) == "-" {
            if let Some((_, after)) = single(next) {
                next = after;
            }
        }
        Some((month, next))
    }

    fn year_number(&self, i: usize) -> Option<i64> {
        let t = self.toks.get(i)?;
        let d = t.digits?;
        (t.text.len() == 4 && (1900.0..=2100.0).contains(&d)).then_some(d as i64)
    }

    /// «[من] [العام|عام|سنة] [الجاري] 2014», or a bare four-digit year.
    fn year_tail(&self, i: usize) -> Option<(Option<i64>, usize)> {
        let mut j = i;
        if self.has(j, |w| matches!(w, Word::Of))
            && self.has(j + 1, |w| matches!(w, Word::YearNoun))
        {
            j += 1;
        }
        if self.has(j, |w| matches!(w, Word::YearNoun)) {
            j += 1;
            if self.has(j, |w| matches!(w, Word::Relative(_))) {
                j += 1;
            }
            return match self.year_number(j) {
                Some(y) => Some((Some(y), j + 1)),
                None if j > i + 1 => Some((None, j)),
                None => None,
            };
        }
        self.year_number(j).map(|y| (Some(y), j + 1))
    }

    /// A month expression with its tail: «نيسان / أبريل الفائت من العام الجاري 2014».
    fn month_phrase(&self, i: usize, mut parts: DateParts) -> Option<(DateParts, usize)> {
        let mut j = i;
        if self.has(j, |w| matches!(w, Word::MonthNoun)) {
            j += 1;
        }
        let (month, mut next) = self.month(j)?;
        parts.month = Some(month);
        if self.has(next, |w| matches!(w, Word::Relative(_))) {
            next += 1;
        }
        if let Some((year, after)) = self.year_tail(next) {
            parts.year = year;
            next = after;
        }
        Some((parts, next))
    }

    fn date_with_day(&self, i: usize) -> Option<(DateParts, usize)> {
        let day = match self.toks.get(i)?.digits {
            Some(d) if (1.0..=31.0).contains(&d) && self.toks[i].text.len() <= 4 => d as u32,
            Some(_) => return None,
            None => self.find(i, |w| match w {
                Word::DayOrdinal(d) => Some(*d),
                _ => None,
            })?,
        };
        let mut j = i + 1;
        if self.has(j, |w| matches!(w, Word::Of)) {
            j += 1;
        }
        self.month_phrase(
            j,
            DateParts {
                day: Some(day),
                ..Default::default()
            },
        )
    }

    /// A date: with a day, a month, a season or period of a year, or a year.
    fn date(&self, i: usize) -> Option<(usize, Value)> {
        let date = |parts: DateParts, next: usize| {
            Some((
                next,
                Value {
                    iso8601: parts.iso(),
                    ..Default::default()
                },
            ))
        };
        if let Some((parts, next)) = self.date_with_day(i) {
            return date(parts, next);
        }
        if let Some((parts, next)) = self.month_phrase(i, DateParts::default()) {
            return date(parts, next);
        }
        // «مطلع / أواخر / الثلث الأخير من [شهر] نيسان», «صيف العام 2014», «أواخر العام المنصرم».
        if self.has(i, |w| matches!(w, Word::PeriodPart | Word::Season)) {
            let mut j = i + 1;
            if self.has(j, |w| matches!(w, Word::Relative(_) | Word::DayOrdinal(_))) {
                j += 1;
            }
            if self.has(j, |w| matches!(w, Word::Of)) {
                j += 1;
            }
            if let Some((parts, next)) = self.month_phrase(j, DateParts::default()) {
                return date(parts, next);
            }
            if let Some((year, next)) = self.year_tail(j) {
                return date(
                    DateParts {
                        year,
                        ..Default::default()
                    },
                    next,
                );
            }
            if self.has(j, |w| matches!(w, Word::CalendarUnit))
                && self.has(j + 1, |w| matches!(w, Word::Relative(_)))
            {
                return date(DateParts::default(), j + 2);
            }
        }
        // «عام 2014».
        if self.has(i, |w| matches!(w, Word::YearNoun)) {
            if let Some(y) = self.year_number(i + 1) {
                return date(
                    DateParts {
                        year: Some(y),
                        ..Default::default()
                    },
                    i + 2,
                );
            }
        }
        None
    }

    /// Relative dates: «الأيام الأخيرة», «قبل أيام», «منذ قرابة الأسبوع», «يوم أمس»,
    /// «السبت الماضي», «يوم الأربعاء».
    fn relative_date(&self, i: usize) -> Option<(usize, Value)> {
        if self.has(i, |w| matches!(w, Word::CalendarUnit))
            && self.has(i + 1, |w| matches!(w, Word::Relative(_)))
        {
            return Some((i + 2, Value::default()));
        }
        if self.has(i, |w| matches!(w, Word::Ago)) {
            let mut j = i + 1;
            if self.has(j, |w| matches!(w, Word::Vague(_)))
                || self
                    .toks
                    .get(j)
                    .is_some_and(|t| t.text == "قرابه" || t.text == "قرابة" || t.text == "نحو")
            {
                j += 1;
            }
            if self.has(j, |w| matches!(w, Word::CalendarUnit)) {
                return Some((j + 1, Value::default()));
            }
        }
        let mut j = i;
        let day_word = self.has(j, |w| matches!(w, Word::DayNoun));
        if day_word {
            j += 1;
        }
        if let Some(offset) = self.find(j, |w| match w {
            Word::DayDeixis(d) => Some(*d),
            _ => None,
        }) {
            // Bare «اليوم» is too common a word to be a date on its own.
            if offset != 0 || day_word {
                let value = Value {
                    iso8601: self.today.map(|t| iso_day(t + i64::from(offset))),
                    ..Default::default()
                };
                return Some((j + 1, value));
            }
        }
        if let Some(day) = self.find(j, |w| match w {
            Word::Weekday(d) => Some(*d),
            _ => None,
        }) {
            let relative = self.find(j + 1, |w| match w {
                Word::Relative(r) => Some(*r),
                _ => None,
            });
            let text = self.toks[j].text;
            // A bare weekday needs its article («الخميس»), or «يوم» before it.
            if !day_word && relative.is_none() && !text.starts_with("ال") {
                return None;
            }
            let next = if relative.is_some() { j + 2 } else { j + 1 };
            let value = Value {
                iso8601: self.today.map(|today| {
                    let back = (i64::from(weekday(today)) - i64::from(day)).rem_euclid(7);
                    let days = match relative {
                        Some(r) if r > 0 => today + (7 - back) % 7 + if back == 0 { 7 } else { 0 },
                        Some(r) if r < 0 && back == 0 => today - 7,
                        _ => today - back,
                    };
                    iso_day(days)
                }),
                ..Default::default()
            };
            return Some((next, value));
        }
        None
    }

    /// Times: «مساء يوم أمس», «بعد ظهر اليوم», «ليل الـ 5 من شهر حزيران», «الساعات الماضية».
    fn time(&self, i: usize) -> Option<(usize, Value)> {
        if self.has(i, |w| matches!(w, Word::HoursUnit)) {
            let mut j = i + 1;
            if self.toks.get(j).is_some_and(|t| t.digits.is_some()) {
                j += 1;
            } else if self.toks.get(j).is_some_and(|t| t.text == "ال")
                && self.toks.get(j + 1).is_some_and(|t| t.digits.is_some())
            {
                j += 2;
            }
            if self.has(j, |w| matches!(w, Word::Relative(_))) {
                return Some((j + 1, Value::default()));
            }
            return None;
        }
        // «ساعة متأخرة من مساء…», «بعد ظهر…».
        let start = if self.has(i, |w| matches!(w, Word::Hour))
            && self.has(i + 1, |w| matches!(w, Word::Late))
            && self.has(i + 2, |w| matches!(w, Word::Of))
        {
            i + 3
        } else if self.toks.get(i).is_some_and(|t| t.text == AFTER)
            && self.has(i + 1, |w| matches!(w, Word::DayPart))
        {
            i + 1
        } else {
            i
        };
        if !self.has(start, |w| matches!(w, Word::DayPart)) {
            return None;
        }
        let j = start + 1;
        // «ظهر اليوم»: after a part of the day, «اليوم» is today.
        let k = if self.has(j, |w| matches!(w, Word::DayNoun)) {
            j + 1
        } else {
            j
        };
        if let Some(offset) = self.find(k, |w| match w {
            Word::DayDeixis(d) => Some(*d),
            _ => None,
        }) {
            let value = Value {
                iso8601: self.today.map(|t| iso_day(t + i64::from(offset))),
                ..Default::default()
            };
            return Some((k + 1, value));
        }
        if let Some((next, value)) = self.relative_date(j) {
            return Some((next, value));
        }
        let k = if self.toks.get(j).is_some_and(|t| t.text == "ال") {
            j + 1
        } else {
            j
        };
        if let Some((next, value)) = self.date(k) {
            return Some((next, value));
        }
        None
    }

    fn counted_noun(&self, i: usize) -> bool {
        self.has(i, |w| matches!(w, Word::Counted))
            || self
                .toks
                .get(i)
                .and_then(|t| t.text.strip_prefix("ال"))
                .is_some_and(|bare| self.lexicon.classes(bare).contains(&Word::Counted))
    }

    /// Numbers with what they count or measure.
    fn amount(&self, i: usize) -> Option<(usize, EntityType, Value)> {
        if let Some(noun) = self.find(i, |w| match w {
            Word::DualNoun(n) => Some(*n),
            _ => None,
        }) {
            let (entity_type, unit) = match noun {
                Noun::Counted => (EntityType::Cardinal, None),
                Noun::Unit(u) => (EntityType::Quantity, Some(u.to_owned())),
            };
            return Some((
                i + 1,
                entity_type,
                Value {
                    number: Some(2.0),
                    unit,
                    ..Default::default()
                },
            ));
        }
        let mut j = i;
        let bounded =
            self.has(j, |w| matches!(w, Word::Bound)) && self.has(j + 1, |w| matches!(w, Word::Of));
        if bounded {
            j += 2;
        }
        let (number, vague, mut next) = self.number(j)?;
        let mut value = Value {
            number: Some(number),
            approximate: vague || bounded,
            ..Default::default()
        };
        // A percentage: «2%», «5 بالمئة», «5 في المئة».
        if self.text[self.toks[next - 1].end..]
            .trim_start()
            .starts_with(['%', '٪'])
        {
            return Some((next, EntityType::Percent, value));
        }
        if self.has(next, |w| matches!(w, Word::PercentNoun)) {
            return Some((next + 1, EntityType::Percent, value));
        }
        if self.toks.get(next).is_some_and(|t| t.text == "في")
            && self.has(next + 1, |w| matches!(w, Word::PercentNoun))
        {
            return Some((next + 2, EntityType::Percent, value));
        }
        // A range «1500 و2000» before a currency.
        let mut range_end = None;
        if let Some(t) = self.toks.get(next) {
            if let Some(rest) = t.text.strip_prefix('و') {
                if let Some(d) = parse_digits(rest) {
                    range_end = Some((d, next + 1));
                }
            }
        }
        let currency_at = range_end.map_or(next, |(_, n)| n);
        if let Some(code) = self.find(currency_at, |w| match w {
            Word::Currency(c) => Some(*c),
            _ => None,
        }) {
            value.currency = Some(code.to_owned());
            value.number_max = range_end.map(|(d, _)| d);
            let mut end = currency_at + 1;
            if self.has(end, |w| matches!(w, Word::CurrencyQualifier)) {
                end += 1;
            }
            return Some((end, EntityType::Money, value));
        }
        if let Some(unit) = self.find(next, |w| match w {
            Word::Unit(u) => Some(*u),
            _ => None,
        }) {
            value.unit = Some(unit.to_owned());
            return Some((next + 1, EntityType::Quantity, value));
        }
        if vague {
            // «عشرات الآليات», «عدة غارات»: vague amounts are not counts.
            return None;
        }
        if self.counted_noun(next) {
            next += 1;
        } else if let Some(t) = self.toks.get(j) {
            // A bare year is not a count.
            if t.digits.is_some() && t.text.len() == 4 && (1900.0..=2100.0).contains(&number) {
                return None;
            }
        }
        Some((next, EntityType::Cardinal, value))
    }

    fn run(&self) -> Vec<ValueMatch> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.toks.len() {
            // Every rule starts at a word of the lexicon, at digits, or at «بعد»: skip the rest
            // (most words) without trying each rule.
            let tok = &self.toks[i];
            if tok.classes.is_empty() && tok.digits.is_none() && tok.text != AFTER {
                i += 1;
                continue;
            }
            let found = self
                .time(i)
                .map(|(n, v)| (n, EntityType::Time, v))
                .or_else(|| self.date(i).map(|(n, v)| (n, EntityType::Date, v)))
                .or_else(|| self.relative_date(i).map(|(n, v)| (n, EntityType::Date, v)))
                .or_else(|| self.amount(i));
            match found {
                Some((next, entity_type, value)) if next > i => {
                    let mut end = self.toks[next - 1].end;
                    if entity_type == EntityType::Percent {
                        let rest = &self.text[end..];
                        let trimmed = rest.trim_start();
                        if let Some(sign) =
                            trimmed.chars().next().filter(|c| *c == '%' || *c == '٪')
                        {
                            end += rest.len() - trimmed.len() + sign.len_utf8();
                        }
                    }
                    out.push(ValueMatch {
                        start: self.toks[i].start,
                        end,
                        entity_type,
                        value,
                    });
                    i = next;
                }
                _ => i += 1,
            }
        }
        out
    }
}

/// Finds every value in a normalized text, given its word tokens. `reference_day` (days since
/// the epoch) anchors relative dates.
pub fn find_values(
    text: &str,
    tokens: &[Token<'_>],
    lexicon: &Lexicon,
    reference_day: Option<i64>,
) -> Vec<ValueMatch> {
    Scan::new(text, tokens, lexicon, reference_day).run()
}

/// Days since the epoch of a Unix time in seconds.
pub fn day_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(86_400)
}
