//! Why a model cannot be read.

/// A model file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("not a tagger model (bad magic bytes)")]
    BadMagic,
    #[error("tagger model format {found}, this build reads {expected}")]
    Version { found: u32, expected: u32 },
    #[error("tagger model truncated at byte {0}")]
    Truncated(usize),
    #[error("tagger model has {0} labels, this build has {1}")]
    Labels(u32, u32),
    #[error("tagger model is inconsistent: {0}")]
    Inconsistent(&'static str),
}
