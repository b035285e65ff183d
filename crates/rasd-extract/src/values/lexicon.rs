//! The words of the value grammar: numbers, months, weekdays, units, currencies, counted nouns
//! and the words that make dates relative. Every word is normalized with the extraction profile
//! when the grammar is built, so spelling variants the normalizer folds need no entry of their
//! own.

use rasd_normalize::Normalizer;
use rustc_hash::FxHashMap;

use crate::word_filter::WordFilter;

/// What a word can be in the value grammar (a word may be several things).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Word {
    /// A number word (ثلاثة 3, عشرين 20).
    Number(f64),
    /// A multiplier after a number (آلاف ×1000, مليون ×1e6) or alone (ألف 1000).
    Multiplier(f64),
    /// A vague count (عشرات, مئات, بضعة).
    Vague(f64),
    /// A noun whose dual means two of it: a counted noun (عنصرين) or a unit (ساعتين).
    DualNoun(Noun),
    /// A counted noun (عنصرا, مقاتل, أشخاص, غارات).
    Counted,
    /// A unit of measure, with its symbol.
    Unit(&'static str),
    /// A currency, with its ISO 4217 code.
    Currency(&'static str),
    /// An adjective after a currency («دولار أمريكي»).
    CurrencyQualifier,
    /// A month, 1 to 12 (Syriac or Western name).
    Month(u32),
    /// The first word of a two-word Syriac month (تشرين, كانون).
    MonthHead,
    /// A weekday, 0 = Sunday.
    Weekday(u32),
    /// A season (صيف).
    Season,
    /// A part of a period (مطلع, أواخر, منتصف).
    PeriodPart,
    /// «عام», «العام», «سنة».
    YearNoun,
    /// «شهر».
    MonthNoun,
    /// «يوم».
    DayNoun,
    /// A day ordinal (الأول, الثاني... for «الثاني من نيسان»).
    DayOrdinal(u32),
    /// A word that makes a calendar unit relative (الماضي, المقبل, الجاري, الأخيرة...).
    Relative(i32),
    /// A calendar unit that takes a relative word (الأيام, الأسبوع, الشهر, الأشهر, العام).
    CalendarUnit,
    /// «أمس» (-1), «اليوم» (0), «غدا» (+1).
    DayDeixis(i32),
    /// A part of the day (صباح, مساء, ليل, فجر, ظهر).
    DayPart,
    /// «متأخرة» in «ساعة متأخرة من مساء…».
    Late,
    /// «ساعة», «وقت» before «متأخرة».
    Hour,
    /// «الساعات», which with a relative word is a TIME («الساعات الماضية»).
    HoursUnit,
    /// «قبل», «منذ» (before a number of calendar units).
    Ago,
    /// «أكثر», «أقل» (before «من» and a number).
    Bound,
    /// «من».
    Of,
    /// «و» as a separate word (in «1500 و 2000»).
    And,
    /// The percent word («بالمئة», «المئة»).
    PercentNoun,
}

/// Which counted thing a dual noun names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Noun {
    Counted,
    Unit(&'static str),
}

const ONES: &[(&str, f64)] = &[
    ("واحد", 1.0),
    ("واحدة", 1.0),
    ("اثنان", 2.0),
    ("اثنين", 2.0),
    ("اثنتان", 2.0),
    ("اثنتين", 2.0),
    ("ثلاث", 3.0),
    ("ثلاثة", 3.0),
    ("أربع", 4.0),
    ("أربعة", 4.0),
    ("خمس", 5.0),
    ("خمسة", 5.0),
    ("ست", 6.0),
    ("ستة", 6.0),
    ("سبع", 7.0),
    ("سبعة", 7.0),
    ("ثمان", 8.0),
    ("ثماني", 8.0),
    ("ثمانية", 8.0),
    ("تسع", 9.0),
    ("تسعة", 9.0),
    ("عشر", 10.0),
    ("عشرة", 10.0),
    ("عشرون", 20.0),
    ("عشرين", 20.0),
    ("ثلاثون", 30.0),
    ("ثلاثين", 30.0),
    ("أربعون", 40.0),
    ("أربعين", 40.0),
    ("خمسون", 50.0),
    ("خمسين", 50.0),
    ("ستون", 60.0),
    ("ستين", 60.0),
    ("سبعون", 70.0),
    ("سبعين", 70.0),
    ("ثمانون", 80.0),
    ("ثمانين", 80.0),
    ("تسعون", 90.0),
    ("تسعين", 90.0),
    ("مئة", 100.0),
    ("مائة", 100.0),
    ("مئتان", 200.0),
    ("مئتين", 200.0),
    ("مائتين", 200.0),
    ("ثلاثمئة", 300.0),
    ("ثلاثمائة", 300.0),
    ("أربعمئة", 400.0),
    ("أربعمائة", 400.0),
    ("خمسمئة", 500.0),
    ("خمسمائة", 500.0),
    ("ستمئة", 600.0),
    ("ستمائة", 600.0),
    ("سبعمئة", 700.0),
    ("سبعمائة", 700.0),
    ("ثمانمئة", 800.0),
    ("ثمانمائة", 800.0),
    ("تسعمئة", 900.0),
    ("تسعمائة", 900.0),
    ("ألفين", 2000.0),
    ("ألفان", 2000.0),
];

const MULTIPLIERS: &[(&str, f64)] = &[
    ("ألف", 1000.0),
    ("آلاف", 1000.0),
    ("الف", 1000.0),
    ("مليون", 1e6),
    ("ملايين", 1e6),
    ("مليار", 1e9),
    ("مليارات", 1e9),
];

const VAGUE: &[(&str, f64)] = &[
    ("عشرات", 10.0),
    ("مئات", 100.0),
    ("بضع", 3.0),
    ("بضعة", 3.0),
    ("عدة", 3.0),
];

const COUNTED: &[&str] = &[
    "عنصر",
    "عنصرا",
    "عناصر",
    "مقاتل",
    "مقاتلا",
    "مقاتلين",
    "مقاتلون",
    "شخص",
    "شخصا",
    "أشخاص",
    "مدني",
    "مدنيا",
    "مدنيين",
    "مدنيون",
    "قتيل",
    "قتيلا",
    "قتلى",
    "جريح",
    "جريحا",
    "جرحى",
    "ضابط",
    "ضابطا",
    "ضباط",
    "جندي",
    "جنديا",
    "جنود",
    "غارة",
    "غارات",
    "باص",
    "باصات",
    "حافلة",
    "حافلات",
    "سيارة",
    "سيارات",
    "آلية",
    "آليات",
    "عائلة",
    "عائلات",
    "طفل",
    "طفلا",
    "أطفال",
    "امرأة",
    "نساء",
    "معتقل",
    "معتقلا",
    "معتقلين",
    "سجين",
    "سجينا",
    "سجناء",
    "مسلح",
    "مسلحا",
    "مسلحين",
    "عسكري",
    "عسكريا",
    "عسكريين",
    "عملية",
    "عمليات",
    "هجوم",
    "هجمات",
    "هجوما",
    "قرية",
    "قرى",
    "منزل",
    "منازل",
    "منزلا",
    "صاروخ",
    "صاروخا",
    "صواريخ",
    "قذيفة",
    "قذائف",
    "نازح",
    "نازحا",
    "نازحين",
    "لاجئ",
    "لاجئا",
    "لاجئين",
    "عامل",
    "عاملا",
    "عمال",
    "مواطن",
    "مواطنا",
    "مواطنين",
    "رجل",
    "رجلا",
    "رجال",
    "شاب",
    "شابا",
    "شبان",
    "موقع",
    "مواقع",
    "موقعا",
    "نقطة",
    "نقاط",
    "حاجز",
    "حواجز",
    "دبابة",
    "دبابات",
    "طائرة",
    "طائرات",
    "جثة",
    "جثث",
    "عبوة",
    "عبوات",
    "لغم",
    "ألغام",
    "مدرعة",
    "مدرعات",
    "عربة",
    "عربات",
    "ميليشياوي",
    "ميليشياويين",
    "قيادي",
    "قياديين",
    "قياديا",
    "أسير",
    "أسرى",
    "رهينة",
    "رهائن",
];

/// Duals that are not also the oblique plural (as «مسلحين» or «مدنيين» are).
const DUAL_COUNTED: &[&str] = &[
    "عنصرين",
    "شخصين",
    "قتيلين",
    "جريحين",
    "ضابطين",
    "جنديين",
    "طفلين",
    "غارتين",
    "صاروخين",
    "سيارتين",
    "هجومين",
    "طائرتين",
    "قذيفتين",
];

const UNITS: &[(&str, &str)] = &[
    ("كلم", "km"),
    ("كم", "km"),
    ("كيلومتر", "km"),
    ("كيلومترا", "km"),
    ("كيلومترات", "km"),
    ("متر", "m"),
    ("مترا", "m"),
    ("أمتار", "m"),
    ("ساعة", "h"),
    ("ساعات", "h"),
    ("يوم", "d"),
    ("يوما", "d"),
    ("أيام", "d"),
    ("أسبوع", "wk"),
    ("أسابيع", "wk"),
    ("أسبوعا", "wk"),
    ("شهر", "mo"),
    ("شهرا", "mo"),
    ("أشهر", "mo"),
    ("شهور", "mo"),
    ("دقيقة", "min"),
    ("دقائق", "min"),
    ("طن", "t"),
    ("أطنان", "t"),
    ("كغ", "kg"),
    ("كيلوغرام", "kg"),
    ("لتر", "l"),
    ("ليتر", "l"),
    ("هكتار", "ha"),
    ("دونم", "dunam"),
    ("دونما", "dunam"),
];

const DUAL_UNITS: &[(&str, &str)] = &[
    ("ساعتين", "h"),
    ("الساعتين", "h"),
    ("يومين", "d"),
    ("اليومين", "d"),
    ("أسبوعين", "wk"),
    ("الأسبوعين", "wk"),
    ("شهرين", "mo"),
    ("الشهرين", "mo"),
    ("دقيقتين", "min"),
];

const CURRENCIES: &[(&str, &str)] = &[
    ("دولار", "USD"),
    ("دولارا", "USD"),
    ("دولارات", "USD"),
    ("يورو", "EUR"),
    ("ليرة", "SYP"),
    ("ليرات", "SYP"),
    ("دينار", "IQD"),
    ("دينارا", "IQD"),
    ("ريال", "SAR"),
    ("ريالا", "SAR"),
    ("جنيه", "EGP"),
    ("تومان", "IRR"),
    ("روبل", "RUB"),
];

const MONTHS: &[(&str, u32)] = &[
    ("يناير", 1),
    ("كانون الثاني", 1),
    ("فبراير", 2),
    ("شباط", 2),
    ("مارس", 3),
    ("آذار", 3),
    ("أبريل", 4),
    ("إبريل", 4),
    ("نيسان", 4),
    ("مايو", 5),
    ("أيار", 5),
    ("يونيو", 6),
    ("يونيه", 6),
    ("حزيران", 6),
    ("يوليو", 7),
    ("يوليه", 7),
    ("تموز", 7),
    ("أغسطس", 8),
    ("آب", 8),
    ("سبتمبر", 9),
    ("أيلول", 9),
    ("أكتوبر", 10),
    ("تشرين الأول", 10),
    ("نوفمبر", 11),
    ("تشرين الثاني", 11),
    ("ديسمبر", 12),
    ("كانون الأول", 12),
];

const WEEKDAYS: &[(&str, u32)] = &[
    ("الأحد", 0),
    ("الاثنين", 1),
    ("الإثنين", 1),
    ("الثلاثاء", 2),
    ("الأربعاء", 3),
    ("الخميس", 4),
    ("الجمعة", 5),
    ("السبت", 6),
];

const DAY_ORDINALS: &[(&str, u32)] = &[
    ("الأول", 1),
    ("الثاني", 2),
    ("الثالث", 3),
    ("الرابع", 4),
    ("الخامس", 5),
    ("السادس", 6),
    ("السابع", 7),
    ("الثامن", 8),
    ("التاسع", 9),
    ("العاشر", 10),
];

const RELATIVE: &[(&str, i32)] = &[
    ("الماضي", -1),
    ("الماضية", -1),
    ("الفائت", -1),
    ("الفائتة", -1),
    ("المنصرم", -1),
    ("المنصرمة", -1),
    ("السابق", -1),
    ("الأخير", -1),
    ("الأخيرة", -1),
    ("المقبل", 1),
    ("المقبلة", 1),
    ("القادم", 1),
    ("القادمة", 1),
    ("الجاري", 0),
    ("الحالي", 0),
    ("الحالية", 0),
];

const CALENDAR_UNITS: &[&str] = &[
    "الأيام",
    "الأسبوع",
    "الأسابيع",
    "الشهر",
    "الأشهر",
    "الشهور",
    "العام",
    "الأعوام",
    "السنة",
    "السنوات",
    "أيام",
    "أسابيع",
    "أشهر",
    "الأسبوع",
    "الأسبوعين",
    "يومين",
    "أسبوع",
];

const SIMPLE: &[(&str, Word)] = &[
    ("الثلث", Word::PeriodPart),
    ("النصف", Word::PeriodPart),
    ("الربع", Word::PeriodPart),
    ("متأخرة", Word::Late),
    ("متأخر", Word::Late),
    ("ساعة", Word::Hour),
    ("ساعات", Word::Hour),
    ("وقت", Word::Hour),
    ("صيف", Word::Season),
    ("شتاء", Word::Season),
    ("ربيع", Word::Season),
    ("خريف", Word::Season),
    ("مطلع", Word::PeriodPart),
    ("أواخر", Word::PeriodPart),
    ("آواخر", Word::PeriodPart),
    ("أوائل", Word::PeriodPart),
    ("منتصف", Word::PeriodPart),
    ("نهاية", Word::PeriodPart),
    ("بداية", Word::PeriodPart),
    ("مطلع", Word::PeriodPart),
    ("عام", Word::YearNoun),
    ("العام", Word::YearNoun),
    ("سنة", Word::YearNoun),
    ("شهر", Word::MonthNoun),
    ("يوم", Word::DayNoun),
    ("أمس", Word::DayDeixis(-1)),
    ("البارحة", Word::DayDeixis(-1)),
    ("اليوم", Word::DayDeixis(0)),
    ("غدا", Word::DayDeixis(1)),
    ("صباح", Word::DayPart),
    ("مساء", Word::DayPart),
    ("ليل", Word::DayPart),
    ("ليلة", Word::DayPart),
    ("فجر", Word::DayPart),
    ("ظهر", Word::DayPart),
    ("ظهيرة", Word::DayPart),
    ("عصر", Word::DayPart),
    ("الساعات", Word::HoursUnit),
    ("قبل", Word::Ago),
    ("منذ", Word::Ago),
    ("أكثر", Word::Bound),
    ("أقل", Word::Bound),
    ("من", Word::Of),
    ("و", Word::And),
    ("بالمئة", Word::PercentNoun),
    ("بالمائة", Word::PercentNoun),
    ("المئة", Word::PercentNoun),
    ("المائة", Word::PercentNoun),
    ("أمريكي", Word::CurrencyQualifier),
    ("أميركي", Word::CurrencyQualifier),
    ("سورية", Word::CurrencyQualifier),
    ("سوري", Word::CurrencyQualifier),
    ("عراقي", Word::CurrencyQualifier),
];

/// Normalized word → what it can be.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Keyed by normalized word; a multiplicative hash, as every word of every text is looked up.
    words: FxHashMap<String, Vec<Word>>,
    /// The keys of `words`, asked first: most words of a text are none of these.
    filter: WordFilter,
}

impl Lexicon {
    /// Builds the lexicon, normalizing every word with `normalizer`.
    pub fn new(normalizer: &Normalizer) -> Self {
        let mut lexicon = Lexicon::default();
        let mut add_key = |key: String, class: Word| {
            let entry = lexicon.words.entry(key).or_default();
            if !entry.contains(&class) {
                entry.push(class);
            }
        };
        let norm = |word: &str| normalizer.normalize_text(word);
        for &(w, n) in ONES {
            add_key(norm(w), Word::Number(n));
        }
        for &(w, n) in MULTIPLIERS {
            add_key(norm(w), Word::Multiplier(n));
        }
        for &(w, n) in VAGUE {
            add_key(norm(w), Word::Vague(n));
        }
        for &w in COUNTED {
            add_key(norm(w), Word::Counted);
        }
        for &w in DUAL_COUNTED {
            add_key(norm(w), Word::DualNoun(Noun::Counted));
        }
        for &(w, u) in UNITS {
            add_key(norm(w), Word::Unit(u));
        }
        for &(w, u) in DUAL_UNITS {
            add_key(norm(w), Word::DualNoun(Noun::Unit(u)));
        }
        for &(w, c) in CURRENCIES {
            add_key(norm(w), Word::Currency(c));
        }
        for &(w, m) in MONTHS {
            match w.split_once(' ') {
                // A two-word name is its head (a MonthHead) and the pair `head#tail`, which the
                // grammar looks up after a head.
                Some((head, tail)) => {
                    add_key(norm(head), Word::MonthHead);
                    add_key(pair_key(&norm(head), &norm(tail)), Word::Month(m));
                }
                None => add_key(norm(w), Word::Month(m)),
            }
        }
        for &(w, d) in WEEKDAYS {
            add_key(norm(w), Word::Weekday(d));
            if let Some(bare) = w.strip_prefix("ال") {
                add_key(norm(bare), Word::Weekday(d));
            }
        }
        for &(w, d) in DAY_ORDINALS {
            add_key(norm(w), Word::DayOrdinal(d));
        }
        for &(w, r) in RELATIVE {
            add_key(norm(w), Word::Relative(r));
        }
        for &w in CALENDAR_UNITS {
            add_key(norm(w), Word::CalendarUnit);
        }
        for &(w, class) in SIMPLE {
            add_key(norm(w), class);
        }
        lexicon.filter = WordFilter::of(lexicon.words.keys().map(String::as_str));
        lexicon
    }

    /// What a normalized word can be.
    pub fn classes(&self, word: &str) -> &[Word] {
        if !self.filter.may_contain(word) {
            return &[];
        }
        self.words.get(word).map_or(&[], Vec::as_slice)
    }
}

/// The lookup key of a two-word name, from its two normalized words.
pub fn pair_key(head: &str, tail: &str) -> String {
    format!("{head}#{tail}")
}
