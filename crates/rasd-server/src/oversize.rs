//! Over-size request messages are `RESOURCE_EXHAUSTED`, as the gRPC status-code guide says.
//!
//! tonic refuses a request message over `max_decoding_message_size` before any service code
//! runs, and answers `OUT_OF_RANGE`. This layer sees that answer on its way out and replaces it
//! with the service's own `RESOURCE_EXHAUSTED` (with `QuotaFailure`, `BadRequest` and
//! `ErrorInfo` details naming the limit), so every limit is reported the same way.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use rasd_proto::ApiError;
use tonic::body::Body;
use tonic::{Code, Status};
use tower::{Layer, Service};

/// Wraps the router; `limit` is the configured `max_message_bytes`.
#[derive(Debug, Clone, Copy)]
pub struct OversizeLayer {
    pub limit: usize,
}

impl<S> Layer<S> for OversizeLayer {
    type Service = Oversize<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Oversize {
            inner,
            limit: self.limit,
        }
    }
}

/// The service [`OversizeLayer`] makes.
#[derive(Debug, Clone)]
pub struct Oversize<S> {
    inner: S,
    limit: usize,
}

type BoxFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

impl<S, B> Service<http::Request<B>> for Oversize<S>
where
    S: Service<http::Request<B>, Response = http::Response<Body>>,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let response = self.inner.call(request);
        let limit = self.limit;
        Box::pin(async move { Ok(rewrite(response.await?, limit)) })
    }
}

fn rewrite(response: http::Response<Body>, limit: usize) -> http::Response<Body> {
    let oversize = Status::from_header_map(response.headers()).is_some_and(|status| {
        status.code() == Code::OutOfRange && status.message().contains("message length too large")
    });
    if !oversize {
        return response;
    }
    let error = ApiError::LimitExceeded {
        field: "request".to_owned(),
        reason: format!("the request message is larger than the limit of {limit} bytes"),
        limit: limit as u64,
    };
    Status::from(error).into_http()
}
