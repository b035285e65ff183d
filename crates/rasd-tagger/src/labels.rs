//! The tag set: BIO labels over four name kinds.

/// The kind of a tagged name. `Misc` is learned (the corpora mark it) so that the tagger does not
/// confuse it with the others, but the pipeline does not emit it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Pers,
    Loc,
    Org,
    Misc,
}

impl Kind {
    /// Every kind, in label order.
    pub const ALL: [Kind; 4] = [Kind::Pers, Kind::Loc, Kind::Org, Kind::Misc];

    /// Reads a corpus tag's type (`PER`, `PERS`, `LOC`, `ORG`, `MISC`, `MIS`).
    pub fn parse(name: &str) -> Option<Kind> {
        match name {
            "PER" | "PERS" => Some(Kind::Pers),
            "LOC" | "GPE" | "FAC" => Some(Kind::Loc),
            "ORG" => Some(Kind::Org),
            "MISC" | "MIS" => Some(Kind::Misc),
            _ => None,
        }
    }

    /// `PERS`, `LOC`, `ORG` or `MISC`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pers => "PERS",
            Kind::Loc => "LOC",
            Kind::Org => "ORG",
            Kind::Misc => "MISC",
        }
    }

    fn index(self) -> u8 {
        match self {
            Kind::Pers => 0,
            Kind::Loc => 1,
            Kind::Org => 2,
            Kind::Misc => 3,
        }
    }
}

/// The number of labels: `O`, then `B-` and `I-` of each kind.
pub const LABELS: usize = 9;

/// A label: 0 is `O`, `1 + 2k` is `B-k`, `2 + 2k` is `I-k`.
pub type Label = u8;

/// The `O` label.
pub const OUTSIDE: Label = 0;

/// The `B-` label of a kind.
pub fn begin(kind: Kind) -> Label {
    1 + 2 * kind.index()
}

/// The `I-` label of a kind.
pub fn inside(kind: Kind) -> Label {
    2 + 2 * kind.index()
}

/// The kind of a label (`None` for `O`).
pub fn kind_of(label: Label) -> Option<Kind> {
    if label == OUTSIDE {
        return None;
    }
    Kind::ALL.get(usize::from((label - 1) / 2)).copied()
}

/// True for `I-` labels.
pub fn is_inside(label: Label) -> bool {
    label != OUTSIDE && label.is_multiple_of(2)
}

/// True when `next` may follow `previous`: an `I-k` only continues a `B-k` or an `I-k`.
pub fn may_follow(previous: Option<Label>, next: Label) -> bool {
    if !is_inside(next) {
        return true;
    }
    matches!(previous, Some(p) if p != OUTSIDE && kind_of(p) == kind_of(next))
}

/// Reads a BIO or IOB1 tag (`B-PER`, `I-LOC`, `O`); IOB1's `I-` that opens a name and types
/// this tag set does not know are the caller's to fix.
pub fn parse_tag(tag: &str) -> Option<(bool, Kind)> {
    let (prefix, name) = tag.split_once('-')?;
    let kind = Kind::parse(name)?;
    match prefix {
        "B" => Some((true, kind)),
        "I" => Some((false, kind)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(kind_of(begin(kind)), Some(kind));
            assert_eq!(kind_of(inside(kind)), Some(kind));
            assert!(is_inside(inside(kind)) && !is_inside(begin(kind)));
        }
        assert_eq!(kind_of(OUTSIDE), None);
        assert!(usize::from(inside(Kind::Misc)) == LABELS - 1);
    }

    #[test]
    fn inside_needs_its_begin() {
        assert!(!may_follow(None, inside(Kind::Pers)));
        assert!(!may_follow(Some(OUTSIDE), inside(Kind::Pers)));
        assert!(!may_follow(Some(begin(Kind::Loc)), inside(Kind::Pers)));
        assert!(may_follow(Some(begin(Kind::Pers)), inside(Kind::Pers)));
        assert!(may_follow(Some(inside(Kind::Pers)), inside(Kind::Pers)));
        assert!(may_follow(Some(inside(Kind::Pers)), begin(Kind::Org)));
        assert_eq!(parse_tag("B-PERS"), Some((true, Kind::Pers)));
        assert_eq!(parse_tag("I-MIS"), Some((false, Kind::Misc)));
        assert_eq!(parse_tag("O"), None);
    }
}
