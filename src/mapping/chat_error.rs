//! The chat API's error answers, in OpenAI's shape —
//! `{"error": {"message", "type", "param", "code"}}` — so OpenAI clients show
//! them as they would OpenAI's own; the message in the caller's
//! `Accept-Language` (English without one).

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::error::{AppError, Msg};
use crate::i18n::Lang;

/// Every error answer of the chat API and the model list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpenAiError {
    pub error: OpenAiErrorBody,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpenAiErrorBody {
    /// What went wrong, in the caller's language (`Accept-Language`;
    /// English without one).
    pub message: String,
    /// `invalid_request_error`, `authentication_error`, `permission_error`,
    /// `rate_limit_error` or `server_error`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The request field the error is about, if any.
    pub param: Option<String>,
    /// Stable: `unauthorized`, `invalid_token`, `rate_limited`,
    /// `validation`, `scope_forbidden`, `no_route`, `upstream_error`,
    /// `upstream_timeout`, `upstream_unreachable`.
    pub code: String,
    /// The endpoint's own HTTP status, when it answered with an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_status: Option<u16>,
}

/// The caller's language: `Accept-Language`, English without one.
pub fn caller_lang(headers: &HeaderMap) -> Lang {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::En, Lang::from_accept_language)
}

fn kind_of(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "authentication_error",
        403 => "permission_error",
        429 => "rate_limit_error",
        s if s >= 500 => "server_error",
        _ => "invalid_request_error",
    }
}

/// One error answer, worded for the caller.
pub struct ChatError {
    pub status: StatusCode,
    pub code: String,
    pub message: Msg,
    pub param: Option<String>,
    pub upstream_status: Option<u16>,
}

impl ChatError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<Msg>) -> ChatError {
        ChatError {
            status,
            code: code.to_owned(),
            message: message.into(),
            param: None,
            upstream_status: None,
        }
    }

    pub fn param(mut self, field: &str) -> ChatError {
        self.param = Some(field.to_owned());
        self
    }

    /// The answer in the language the caller's headers ask for.
    pub fn answer(self, headers: &HeaderMap) -> Response {
        let body = OpenAiError {
            error: OpenAiErrorBody {
                message: self.message.render(caller_lang(headers)),
                kind: kind_of(self.status),
                param: self.param,
                code: self.code,
                upstream_status: self.upstream_status,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// An error of our own (no route, a bad scope), worded for the caller.
pub fn worded(e: AppError, headers: &HeaderMap) -> Response {
    let status = crate::error::ApiError::from(e.clone()).status;
    ChatError {
        status,
        code: e.code().to_owned(),
        param: e.field_name().map(str::to_owned),
        message: e.msg().clone(),
        upstream_status: None,
    }
    .answer(headers)
}
