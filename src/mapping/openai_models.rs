//! `GET /api/v1/models` for OpenAI clients (Open WebUI, LibreChat and the
//! official SDKs ask for it first): with a user token, the models its scope
//! may use, in OpenAI's list shape. Admins keep the catalog at
//! `/api/v1/llm/models`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::chat::{scope_of, ChatGateway};
use super::chat_error::{worded, ChatError, OpenAiError};
use super::chat_guard::{bind_scope, user_claims};

/// OpenAI's model list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelList {
    /// Always `list`.
    pub object: &'static str,
    pub data: Vec<ModelEntry>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelEntry {
    /// The model id to send as `model`.
    pub id: String,
    /// Always `model`.
    pub object: &'static str,
    /// Not tracked: always 0.
    pub created: i64,
    /// Always `model-suite`.
    pub owned_by: &'static str,
}

/// The models the user token's scope may use, as OpenAI lists models: the
/// most specific active mapping's models that an active endpoint serves,
/// or with no mapping the global default model. The scope comes from the
/// token's `tenant` / `module` claims and the `X-Scope-*` headers, as for a
/// chat.
#[utoipa::path(get, path = "/api/v1/models", tag = "chat",
    params(
        ("X-Scope-Prompt" = Option<i64>, Header, description = "Prompt id of the scope"),
        ("X-Scope-Tenant" = Option<String>, Header, description = "Tenant key of the scope"),
        ("X-Scope-Module" = Option<String>, Header, description = "Module key of the scope"),
    ),
    responses(
        (status = 200, description = "The models this scope may use", body = ModelList),
        (status = 401, description = "No user JWT, or one that is not valid (OpenAI's error shape, in the caller's language)", body = OpenAiError),
        (status = 403, description = "The token is bound to another tenant or module than the headers ask for", body = OpenAiError),
        (status = 422, description = "A bad scope header (`param` names it)", body = OpenAiError),
    ),
    security(("user_jwt" = [])))]
pub async fn list_models(State(state): State<ChatGateway>, headers: HeaderMap) -> Response {
    let claims = match user_claims(&state.jwt, &headers) {
        Ok(c) => c,
        Err(refused) => return *refused,
    };
    let scope = match scope_of(&headers, None) {
        Ok(s) => s,
        Err(refused) => return *refused,
    };
    let scope = match bind_scope(&claims, scope) {
        Ok(s) => s,
        Err(why) => {
            return ChatError::new(StatusCode::FORBIDDEN, "scope_forbidden", why).answer(&headers)
        }
    };
    match state.mappings.allowed_models(&scope).await {
        Ok(models) => Json(ModelList {
            object: "list",
            data: models
                .into_iter()
                .map(|id| ModelEntry {
                    id,
                    object: "model",
                    created: 0,
                    owned_by: "model-suite",
                })
                .collect(),
        })
        .into_response(),
        Err(e) => worded(e, &headers),
    }
}
