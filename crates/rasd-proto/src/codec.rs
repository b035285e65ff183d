//! The prost codec with one change: a request that fails to decode is `INVALID_ARGUMENT` with a
//! `BadRequest` detail naming the field, instead of tonic's `INTERNAL`.

use std::marker::PhantomData;

use prost::Message;
use tonic::codec::{BufferSettings, Codec, DecodeBuf, Decoder};
use tonic::Status;
use tonic_prost::ProstEncoder;

use crate::ApiError;

/// Codec of every generated service and client of `rasd.v1`.
#[derive(Debug, Clone)]
pub struct RasdCodec<T, U> {
    _types: PhantomData<(T, U)>,
}

impl<T, U> Default for RasdCodec<T, U> {
    fn default() -> Self {
        RasdCodec {
            _types: PhantomData,
        }
    }
}

impl<T, U> Codec for RasdCodec<T, U>
where
    T: Message + Send + 'static,
    U: Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = ProstEncoder<T>;
    type Decoder = RasdDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        ProstEncoder::new(BufferSettings::default())
    }

    fn decoder(&mut self) -> Self::Decoder {
        RasdDecoder { _type: PhantomData }
    }
}

/// Decodes a prost message; decode failures name the field.
#[derive(Debug, Clone)]
pub struct RasdDecoder<U> {
    _type: PhantomData<U>,
}

impl<U: Message + Default> Decoder for RasdDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        U::decode(buf).map(Some).map_err(|error| {
            let (field, reason) = describe_decode_error(&error.to_string());
            ApiError::InvalidArgument { field, reason }.into()
        })
    }
}

/// Splits prost's message (`failed to decode Protobuf message: Outer.items: Inner.text: invalid
/// string value: data is not UTF-8 encoded`) into a field path (`items.text`) and a reason.
pub fn describe_decode_error(message: &str) -> (String, String) {
    let rest = message
        .strip_prefix("failed to decode Protobuf message: ")
        .unwrap_or(message);
    let mut fields = Vec::new();
    let mut remaining = rest;
    while let Some((segment, tail)) = remaining.split_once(": ") {
        match segment.rsplit_once('.') {
            Some((message_name, field))
                if !message_name.is_empty()
                    && !field.is_empty()
                    && !segment.contains(' ')
                    && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                fields.push(field.to_owned());
                remaining = tail;
            }
            _ => break,
        }
    }
    let field = if fields.is_empty() {
        "request".to_owned()
    } else {
        fields.join(".")
    };
    let reason = if remaining.contains("UTF-8") {
        "is not valid UTF-8".to_owned()
    } else {
        format!("cannot be decoded: {remaining}")
    };
    (field, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_errors_name_the_field_path() {
        let (field, reason) = describe_decode_error(
            "failed to decode Protobuf message: BatchExtractEntitiesRequest.requests: ExtractEntitiesRequest.text: invalid string value: data is not UTF-8 encoded",
        );
        assert_eq!(field, "requests.text");
        assert_eq!(reason, "is not valid UTF-8");
        let (field, _) =
            describe_decode_error("failed to decode Protobuf message: buffer underflow");
        assert_eq!(field, "request");
    }
}
