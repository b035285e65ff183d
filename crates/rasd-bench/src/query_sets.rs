//! The rotating sets of reads, realistic queries for the news of the corpus (Syria, Iraq,
//! Yemen, the Islamic State, the Gulf): measured under load through gRPC by `rasd-bench`, and
//! one at a time on a store by `query-cost`.

/// Entities whose documents are listed (`ListDocuments` with `filter.entity_id`).
pub const LIST_ENTITIES: &[&str] = &[
    "org/isis",
    "gpe/syria",
    "gpe/damascus",
    "gpe/yemen",
    "gpe/iraq",
    "org/houthis",
    "gpe/iran",
    "org/united-nations",
];

/// One-word searches.
pub const WORDS: &[&str] = &[
    "داعش",
    "دمشق",
    "الحوثيين",
    "صنعاء",
    "حلب",
    "النفط",
    "الإرهاب",
    "اللاجئين",
];

/// Two-word phrases.
pub const PHRASES: &[&str] = &[
    "\"الدولة الإسلامية\"",
    "\"مجلس الأمن\"",
    "\"الأمم المتحدة\"",
    "\"التحالف العربي\"",
    "\"وزارة الداخلية\"",
    "\"خادم الحرمين\"",
    "\"البيت الأبيض\"",
    "\"الشرق الأوسط\"",
];

/// One-word searches restricted to the documents that mention an entity.
pub const FILTERED: &[(&str, &str)] = &[
    ("هجوم", "org/isis"),
    ("غارات", "gpe/syria"),
    ("مفاوضات", "gpe/yemen"),
    ("النفط", "gpe/iraq"),
    ("الاتفاق", "gpe/iran"),
    ("قصف", "org/houthis"),
    ("اللاجئين", "gpe/syria"),
    ("انتحاري", "org/isis"),
];

/// Entities whose co-occurring entities are listed.
pub const RELATED: &[&str] = &[
    "org/isis",
    "gpe/syria",
    "gpe/yemen",
    "gpe/iraq",
    "gpe/iran",
    "org/houthis",
    "gpe/damascus",
    "gpe/saudi-arabia",
];

/// Page size of every listing and search.
pub const PAGE_SIZE: usize = 20;
