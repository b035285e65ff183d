//! Opaque page tokens.
//!
//! A token carries a cursor (where the next page starts, as a key of the index being walked), a
//! fingerprint of the request it was issued for, and a keyed checksum. A token that does not
//! decode, fails its checksum or belongs to another request (other filters, another entity) is
//! rejected with [`StoreError::InvalidPageToken`]. Pages walk an ordered index and resume
//! strictly after the cursor, so documents written between two pages cause neither duplicates nor
//! skips of documents that existed before the first page.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::{Result, StoreError};

const TOKEN_VERSION: u8 = 1;

/// A page of results and where the next one starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `None` on the last page.
    pub next_token: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Body {
    version: u8,
    fingerprint: u64,
    cursor: Vec<u8>,
}

/// FNV-1a, 64 bits: a fingerprint of request parameters and a checksum keyed by the store's
/// secret. Not a cryptographic MAC: it rejects tokens that were altered or made up, which is all
/// a cursor into data the caller may read anyway needs.
pub fn fnv64(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.iter().chain(&[0xff]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Signs and encodes a cursor.
pub fn encode_token(secret: &[u8], fingerprint: u64, cursor: Vec<u8>) -> String {
    let body = postcard::to_stdvec(&Body {
        version: TOKEN_VERSION,
        fingerprint,
        cursor,
    })
    .unwrap_or_default();
    let mut bytes = body.clone();
    bytes.extend_from_slice(&fnv64(&[secret, &body]).to_be_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Checks and decodes a token issued for a request with this fingerprint; an empty token is the
/// first page (`None`).
pub fn decode_token(secret: &[u8], fingerprint: u64, token: &str) -> Result<Option<Vec<u8>>> {
    if token.is_empty() {
        return Ok(None);
    }
    let invalid = |reason: &str| StoreError::InvalidPageToken {
        reason: reason.to_owned(),
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| invalid("not a token issued by this service"))?;
    if bytes.len() < 9 {
        return Err(invalid("not a token issued by this service"));
    }
    let (body, checksum) = bytes.split_at(bytes.len() - 8);
    if fnv64(&[secret, body]).to_be_bytes() != checksum {
        return Err(invalid("not a token issued by this service"));
    }
    let body: Body =
        postcard::from_bytes(body).map_err(|_| invalid("not a token issued by this service"))?;
    if body.version != TOKEN_VERSION {
        return Err(invalid("issued by another version of the service"));
    }
    if body.fingerprint != fingerprint {
        return Err(invalid("issued for a request with other parameters"));
    }
    Ok(Some(body.cursor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_tampering() {
        let token = encode_token(b"secret", 7, b"doc-42".to_vec());
        assert_eq!(
            decode_token(b"secret", 7, &token).unwrap(),
            Some(b"doc-42".to_vec())
        );
        assert_eq!(decode_token(b"secret", 7, "").unwrap(), None);
        assert!(decode_token(b"secret", 8, &token).is_err());
        assert!(decode_token(b"other", 7, &token).is_err());
        assert!(decode_token(b"secret", 7, "not-a-token!").is_err());
        let mut forged = token.clone().into_bytes();
        let last = forged.len() - 3;
        forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
        assert!(decode_token(b"secret", 7, &String::from_utf8(forged).unwrap()).is_err());
    }
}
