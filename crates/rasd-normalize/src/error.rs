//! The one error type of the crate: a name that is not a known rule or profile.

/// A rule or profile name that this crate does not know.
///
/// Returned by the [`FromStr`](std::str::FromStr) implementations of [`Rule`](crate::Rule) and
/// [`Profile`](crate::Profile). `kind` says what was asked for (`"rule"` or `"profile"`) and
/// `known` lists the accepted names, so the message can be shown to a user as it is.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {name:?}; known: {}", .known.join(", "))]
pub struct UnknownName {
    /// The name that was not recognised, as given.
    pub name: String,
    /// What kind of name was expected: `"rule"` or `"profile"`.
    pub kind: &'static str,
    /// Every accepted name of that kind.
    pub known: Vec<&'static str>,
}
