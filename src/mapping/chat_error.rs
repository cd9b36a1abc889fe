//! The chat API's error answers: `{"error": {"code", "message", …}}`, and a
//! refusal worded in the caller's `Accept-Language` (English without one).

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::i18n::Lang;

/// The caller's language: `Accept-Language`, English without one.
pub fn caller_lang(headers: &HeaderMap) -> Lang {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::En, Lang::from_accept_language)
}

pub fn error(
    status: StatusCode,
    code: &str,
    message: impl Into<String>,
    extra: Option<(&str, Value)>,
) -> Response {
    let mut body = json!({ "error": { "code": code, "message": message.into() } });
    if let (Some((k, v)), Some(obj)) = (extra, body["error"].as_object_mut()) {
        obj.insert(k.to_owned(), v);
    }
    (status, Json(body)).into_response()
}

/// A refusal worded in the caller's `Accept-Language` (English without one).
pub fn worded(e: crate::error::AppError, headers: &HeaderMap) -> Response {
    let mut api = crate::error::ApiError::from(e.clone());
    api.body.message = e.text(caller_lang(headers));
    api.into_response()
}
