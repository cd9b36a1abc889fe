//! Errors as the admin sees them. [`AppError`] is shared by server and
//! browser (server functions carry it as JSON, so a field error reaches the
//! right input); on JSON routes it becomes one shape:
//! `{"error": {"code", "message", "field"?}}`. What an error says is a
//! [`Msg`], put into words in the admin's language by the page.

mod msg;
mod reason;

pub use msg::{pick, Common, Msg, Thing, Write};
pub use reason::reason_text;

use crate::i18n::Lang;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Bad input: which field, and the rule it broke.
    #[error("{field}: {message}")]
    Validation { field: String, message: Msg },
    #[error("{0}")]
    NotFound(Msg),
    /// The request is valid but the current state forbids it.
    #[error("{0}")]
    Conflict(Msg),
    /// The authority (Supabase) refused or could not be reached; nothing changed.
    #[error("{0}")]
    Unavailable(Msg),
    /// An upstream endpoint failed.
    #[error("{0}")]
    Upstream(Msg),
    /// The resolver found no model or endpoint for the request.
    #[error("{0}")]
    NoRoute(Msg),
    #[error("{0}")]
    Unauthorized(Msg),
    #[error("{0}")]
    Internal(Msg),
    /// The call itself failed (network, encoding).
    #[error("{0}")]
    Transport(Msg),
}

impl AppError {
    pub fn field(field: &str, message: impl Into<Msg>) -> AppError {
        AppError::Validation {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The field this error is about, if any.
    pub fn field_name(&self) -> Option<&str> {
        match self {
            AppError::Validation { field, .. } => Some(field),
            _ => None,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { .. } => "validation",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Unavailable(_) => "authority_unavailable",
            AppError::Upstream(_) => "upstream_error",
            AppError::NoRoute(_) => "no_route",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Internal(_) => "internal",
            AppError::Transport(_) => "transport",
        }
    }

    /// A record that does not exist.
    pub fn missing(thing: Thing, id: impl ToString) -> AppError {
        AppError::NotFound(
            Common::Missing {
                thing,
                id: id.to_string(),
            }
            .into(),
        )
    }

    /// Supabase refused a write; nothing was changed anywhere.
    pub fn refused(write: Write, detail: impl ToString) -> AppError {
        AppError::Unavailable(
            Common::Refused {
                write,
                detail: detail.to_string(),
            }
            .into(),
        )
    }

    /// Supabase could not be read; the local store answers meanwhile.
    pub fn unreadable(detail: impl ToString) -> AppError {
        AppError::Unavailable(
            Common::SupabaseUnreadable {
                detail: detail.to_string(),
            }
            .into(),
        )
    }

    /// Something that should not happen; `detail` is for the operator.
    pub fn internal(detail: impl ToString) -> AppError {
        AppError::Internal(
            Common::Internal {
                detail: detail.to_string(),
            }
            .into(),
        )
    }

    /// What the error says, without the field name.
    pub fn msg(&self) -> &Msg {
        match self {
            AppError::Validation { message, .. } => message,
            AppError::NotFound(m)
            | AppError::Conflict(m)
            | AppError::Unavailable(m)
            | AppError::Upstream(m)
            | AppError::NoRoute(m)
            | AppError::Unauthorized(m)
            | AppError::Internal(m)
            | AppError::Transport(m) => m,
        }
    }

    /// The message in English without the field prefix (JSON routes, logs).
    pub fn message(&self) -> String {
        self.msg().to_string()
    }

    /// The message in the admin's language, for the page.
    pub fn text(&self, lang: Lang) -> String {
        self.msg().render(lang)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(
            Common::Transport {
                detail: value.to_string(),
            }
            .into(),
        )
    }
}

#[cfg(feature = "ssr")]
mod http {
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};
    use axum::Json;
    use serde::Serialize;

    use super::AppError;

    /// What went wrong: a stable `code`, English words, and the input field
    /// the error is about, when it is about one.
    #[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
    pub struct ApiErrorBody {
        /// `validation`, `not_found`, `conflict`, `unauthorized`, …
        pub code: String,
        pub message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub field: Option<String>,
    }

    /// The one error shape of every JSON route: `{"error": {…}}`.
    #[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
    pub struct ApiErrorResponse {
        pub error: ApiErrorBody,
    }

    /// An error response of a JSON route.
    #[derive(Debug, Clone)]
    pub struct ApiError {
        pub status: StatusCode,
        pub body: ApiErrorBody,
    }

    impl ApiError {
        pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
            ApiError {
                status,
                body: ApiErrorBody {
                    code: code.to_owned(),
                    message: message.into(),
                    field: None,
                },
            }
        }

        pub fn with_field(mut self, field: &str) -> ApiError {
            self.body.field = Some(field.to_owned());
            self
        }
    }

    impl IntoResponse for ApiError {
        fn into_response(self) -> Response {
            (self.status, Json(ApiErrorResponse { error: self.body })).into_response()
        }
    }

    impl From<AppError> for ApiError {
        fn from(e: AppError) -> ApiError {
            let status = match &e {
                AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
                AppError::Upstream(_) => StatusCode::BAD_GATEWAY,
                AppError::NoRoute(_) => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
                AppError::Internal(_) | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
            };
            let api = ApiError::new(status, e.code(), e.message());
            match e.field_name() {
                Some(f) => api.with_field(f),
                None => api,
            }
        }
    }

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            ApiError::from(self).into_response()
        }
    }

    impl From<sqlx::Error> for AppError {
        fn from(e: sqlx::Error) -> AppError {
            tracing::error!(error = %e, "SQLite error");
            AppError::Internal(
                super::Common::LocalStore {
                    detail: e.to_string(),
                }
                .into(),
            )
        }
    }
}

#[cfg(feature = "ssr")]
pub mod extract;
#[cfg(feature = "ssr")]
pub use http::{ApiError, ApiErrorBody, ApiErrorResponse};

#[cfg(test)]
pub(crate) mod tests;
