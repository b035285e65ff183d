//! [`ApiError`]: a failure as the API reports it, and its single mapping to `tonic::Status`.

use std::collections::HashMap;

use prost::Message;
use rasd_store::StoreError;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// The `domain` of every `google.rpc.ErrorInfo` this service sends.
pub const ERROR_DOMAIN: &str = "rasd.v1";

/// A failed request, with what a client needs to act on it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// A request field is wrong whatever the state of the system.
    #[error("{field}: {reason}")]
    InvalidArgument { field: String, reason: String },
    /// A request field is over a configured limit.
    #[error("{field}: {reason}")]
    LimitExceeded {
        field: String,
        reason: String,
        limit: u64,
    },
    /// The named resource does not exist.
    #[error("{resource_type} {name:?} not found")]
    NotFound {
        resource_type: &'static str,
        name: String,
    },
    /// The named resource exists and the request conflicts with it; `field` is the request
    /// field that names it.
    #[error("{resource_type} {name:?} already exists: {reason}")]
    AlreadyExists {
        resource_type: &'static str,
        name: String,
        field: String,
        reason: String,
    },
    /// The service cannot answer now (starting, shutting down).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A failure of the service itself.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// Shorthand for [`ApiError::InvalidArgument`].
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        ApiError::InvalidArgument {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The canonical gRPC code.
    pub fn code(&self) -> Code {
        match self {
            ApiError::InvalidArgument { .. } => Code::InvalidArgument,
            ApiError::LimitExceeded { .. } => Code::ResourceExhausted,
            ApiError::NotFound { .. } => Code::NotFound,
            ApiError::AlreadyExists { .. } => Code::AlreadyExists,
            ApiError::Unavailable(_) => Code::Unavailable,
            ApiError::Internal(_) => Code::Internal,
        }
    }

    /// The `ErrorInfo.reason`: a stable UPPER_SNAKE_CASE identifier clients can branch on.
    pub fn reason(&self) -> &'static str {
        match self {
            ApiError::InvalidArgument { .. } => "INVALID_ARGUMENT",
            ApiError::LimitExceeded { .. } => "LIMIT_EXCEEDED",
            ApiError::NotFound { .. } => "NOT_FOUND",
            ApiError::AlreadyExists { .. } => "ALREADY_EXISTS",
            ApiError::Unavailable(_) => "UNAVAILABLE",
            ApiError::Internal(_) => "INTERNAL",
        }
    }

    fn details(&self) -> ErrorDetails {
        let mut metadata = HashMap::new();
        let mut details = ErrorDetails::new();
        match self {
            ApiError::InvalidArgument { field, reason } => {
                details.add_bad_request_violation(field.clone(), reason.clone());
                metadata.insert("field".to_owned(), field.clone());
            }
            ApiError::LimitExceeded {
                field,
                reason,
                limit,
            } => {
                details.add_bad_request_violation(field.clone(), reason.clone());
                details.add_quota_failure_violation(field.clone(), reason.clone());
                metadata.insert("field".to_owned(), field.clone());
                metadata.insert("limit".to_owned(), limit.to_string());
            }
            ApiError::NotFound {
                resource_type,
                name,
            } => {
                details.set_resource_info(*resource_type, name.clone(), "", "not found");
                metadata.insert("resource_type".to_owned(), (*resource_type).to_owned());
            }
            ApiError::AlreadyExists {
                resource_type,
                name,
                field,
                reason,
            } => {
                details.set_resource_info(*resource_type, name.clone(), "", reason.clone());
                details.add_bad_request_violation(field.clone(), reason.clone());
                metadata.insert("resource_type".to_owned(), (*resource_type).to_owned());
                metadata.insert("field".to_owned(), field.clone());
            }
            ApiError::Unavailable(_) | ApiError::Internal(_) => {}
        }
        details.set_error_info(self.reason(), ERROR_DOMAIN, metadata);
        details
    }

    /// The same error as a `google.rpc.Status`, for per-item results of batch RPCs.
    pub fn to_rpc_status(&self) -> tonic_types::pb::Status {
        let status = Status::from(self.clone());
        tonic_types::pb::Status::decode(status.details()).unwrap_or_else(|_| {
            tonic_types::pb::Status {
                code: self.code() as i32,
                message: self.to_string(),
                details: Vec::new(),
            }
        })
    }
}

impl From<ApiError> for Status {
    fn from(error: ApiError) -> Status {
        Status::with_error_details(error.code(), error.to_string(), error.details())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        match error {
            StoreError::Conflict { id } => ApiError::AlreadyExists {
                resource_type: "rasd.v1.Document",
                name: id,
                field: "document_id".to_owned(),
                reason: "a document with this document_id exists with a different text".to_owned(),
            },
            StoreError::DocumentNotFound { id } => ApiError::NotFound {
                resource_type: "rasd.v1.Document",
                name: id,
            },
            StoreError::InvalidPageToken { reason } => ApiError::invalid("page_token", reason),
            StoreError::InvalidQuery { reason } => ApiError::invalid("query", reason),
            StoreError::Closed => ApiError::Unavailable("the store is shutting down".to_owned()),
            other @ (StoreError::Locked { .. }
            | StoreError::Open { .. }
            | StoreError::SchemaVersion { .. }
            | StoreError::Engine(_)
            | StoreError::Corrupt { .. }) => ApiError::Internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_argument_carries_bad_request_and_error_info() {
        let status = Status::from(ApiError::invalid("text", "must not be empty"));
        assert_eq!(status.code(), Code::InvalidArgument);
        let details = status.get_error_details();
        let bad = details.bad_request().unwrap();
        assert_eq!(bad.field_violations[0].field, "text");
        assert_eq!(details.error_info().unwrap().domain, ERROR_DOMAIN);
    }

    #[test]
    fn rpc_status_keeps_code_and_details() {
        let error = ApiError::LimitExceeded {
            field: "text".into(),
            reason: "is 2000000 bytes, over the limit of 1048576".into(),
            limit: 1_048_576,
        };
        let status = error.to_rpc_status();
        assert_eq!(status.code, Code::ResourceExhausted as i32);
        assert!(!status.details.is_empty());
    }
}
