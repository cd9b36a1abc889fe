//! The OpenAPI 3 document of the JSON API, served at `/api/openapi.json`.
//! It is generated: each feature's `api.rs` describes its routes next to
//! them (from the handlers' own request and response types), and what every
//! route shares is added here from the code that does it — the admin gate's
//! bearer token and 401/403 (from the gate's own list of public paths), the
//! extractors' 422/413 for input that does not parse. Not for pages or
//! server functions.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response, ResponseBuilder};
use utoipa::OpenApi;

use crate::auth::gate::is_public;
use crate::catalog::api::CatalogApi;
use crate::error::ApiErrorResponse;
use crate::mapping::api::MappingApi;
use crate::simulation::api::SimulationApi;

/// Where the document is served (behind the admin gate, like all of `/api`).
pub const DOCUMENT_PATH: &str = "/api/openapi.json";

/// The admin session token: `Authorization: Bearer <jwt>` from
/// `POST /api/v1/auth/login` (or the `ms_session` cookie).
const ADMIN_JWT: &str = "admin_jwt";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Model Suite",
        description = "The JSON API of the Model Suite admin console: the endpoint catalog, \
            model mappings and the resolver, JWT load tests, and the OpenAI-compatible chat API. \
            Every error answer of the admin routes has one shape: `{\"error\": {\"code\", \"message\", \"field\"?}}`; \
            the chat API and `/api/v1/models` answer in OpenAI's: `{\"error\": {\"message\", \"type\", \"param\", \"code\"}}`."
    ),
    paths(crate::monitor::healthz, crate::monitor::api_health, crate::auth::routes::login_json),
    components(schemas(ApiErrorResponse)),
    tags(
        (name = "operations", description = "Liveness"),
        (name = "auth", description = "Admin sign-in"),
        (name = "catalog", description = "Endpoints, their models and the default"),
        (name = "mapping", description = "Business domains → models; the resolver"),
        (name = "simulation", description = "Minted JWTs, single chats, load tests, results"),
        (name = "chat", description = "The OpenAI-compatible chat API (user JWTs)"),
    )
)]
struct ApiDoc;

/// The whole document: every feature's routes and what they share.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(CatalogApi::openapi());
    doc.merge(MappingApi::openapi());
    doc.merge(SimulationApi::openapi());
    add_shared_answers(&mut doc);
    doc
}

/// `GET /api/openapi.json`.
pub async fn serve_document() -> impl IntoResponse {
    static JSON: LazyLock<String> = LazyLock::new(|| {
        serde_json::to_string(&document()).unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot serialise the OpenAPI document");
            String::from("{}")
        })
    });
    ([(header::CONTENT_TYPE, "application/json")], JSON.as_str())
}

fn add_shared_answers(doc: &mut utoipa::openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        ADMIN_JWT,
        bearer("The admin session JWT from `POST /api/v1/auth/login`"),
    );
    components.add_security_scheme(
        "user_jwt",
        bearer(
            "A user JWT (HS256 with `JWT_SECRET`), e.g. minted by `POST /api/v1/llm/tests/mint`",
        ),
    );
    for (path, item) in doc.paths.paths.iter_mut() {
        let gated = !is_public(path);
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            if gated {
                op.security = Some(vec![SecurityRequirement::new(
                    ADMIN_JWT,
                    Vec::<String>::new(),
                )]);
                add(op, 401, "No admin token, or an expired or invalid one");
                add(op, 403, "The token lacks the admin role");
            }
            let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            if op.request_body.is_some() || has_params {
                add(
                    op,
                    422,
                    "The input does not parse, or breaks a rule (`field` names it)",
                );
            }
            if op.request_body.is_some() {
                add(op, 413, "The body is larger than 2 MB");
            }
        }
    }
}

fn bearer(description: &str) -> SecurityScheme {
    SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(description))
            .build(),
    )
}

/// Adds an error answer unless the route already describes that status.
fn add(op: &mut Operation, status: u16, description: &str) {
    op.responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| RefOr::T(error_response(description)));
}

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ApiErrorResponse"))),
        )
        .build()
}
