//! axum's `Json`, `Path` and `Query`, with rejections in the one error shape:
//! input that does not parse is a 422 naming the problem, a body over the
//! size limit a 413 — never a bare text answer. JSON routes use these instead
//! of axum's (same names, so the OpenAPI document reads them the same way).

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::ApiError;

/// A JSON body in (always an object: serde would also read a struct from
/// an array), or a JSON answer out.
#[derive(Debug, Clone)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(value) = axum::Json::<Value>::from_request(req, state).await?;
        if !value.is_object() {
            return Err(invalid("the body must be a JSON object"));
        }
        serde_json::from_value(value)
            .map(Json)
            .map_err(|e| invalid(format!("the JSON body does not fit: {e}")))
    }
}

/// Path parameters.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// Query-string parameters.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// A list as a JSON array, with `X-Total-Count`: how many match, which is
/// more than the array holds when it is one page of them.
pub struct Counted<T>(pub i64, pub Vec<T>);

impl<T> Counted<T> {
    /// The whole list: the count is its length.
    pub fn all(items: Vec<T>) -> Self {
        Counted(items.len() as i64, items)
    }
}

impl<T: Serialize> IntoResponse for Counted<T> {
    fn into_response(self) -> Response {
        ([("x-total-count", self.0.to_string())], axum::Json(self.1)).into_response()
    }
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", message)
}

/// What axum would have answered, in the one error shape.
fn rejected(status: StatusCode, text: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(status, "payload_too_large", text)
    } else if status.is_server_error() {
        ApiError::new(status, "internal", text)
    } else {
        invalid(text)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> ApiError {
        rejected(r.status(), r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> ApiError {
        rejected(r.status(), r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> ApiError {
        rejected(r.status(), r.body_text())
    }
}
