//! Where a routed chat goes: the resolver's choice, the upstream's answer
//! passed on with headers naming the model and the endpoint that answered.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::chat_error::{caller_lang, error, worded};
use super::proxy::{Failure, Relay};
use super::service::MappingService;
use super::types::ResolveRequest;

pub const HEADER_MODEL: &str = "x-model-suite-model";
pub const HEADER_ENDPOINT: &str = "x-model-suite-endpoint-id";
pub const HEADER_SCOPE: &str = "x-model-suite-scope";

/// Routes `request` for `scope` and sends it; the response for the caller.
pub async fn forward(
    relay: &Relay,
    mappings: &MappingService,
    headers: &HeaderMap,
    scope: &ResolveRequest,
    mut request: Map<String, Value>,
    user: &str,
) -> Response {
    let (route, endpoint) = match mappings.route(scope).await {
        Ok(r) => r,
        Err(e) => return worded(e, headers),
    };
    request.insert("model".into(), Value::String(route.model.clone()));
    let streaming = request
        .get("stream")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    tracing::info!(user = %crate::monitor::logging::loggable(user, 128), model = %route.model, endpoint = endpoint.id, streaming, "chat request routed");
    let answer = match relay.send(&endpoint, &request, streaming).await {
        Ok(a) => a,
        Err(f) => return failed(f, headers),
    };
    let mut response = Response::new(answer.body);
    *response.status_mut() = answer.status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, answer.content_type);
    if streaming {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    if let Ok(v) = HeaderValue::from_str(&route.model) {
        h.insert(HEADER_MODEL, v);
    }
    h.insert(HEADER_ENDPOINT, HeaderValue::from(endpoint.id));
    if let Some(v) = route
        .scope
        .as_deref()
        .and_then(|s| HeaderValue::from_str(s).ok())
    {
        h.insert(HEADER_SCOPE, v);
    }
    response
}

/// The last failure, worded for the caller.
fn failed(f: Failure, headers: &HeaderMap) -> Response {
    let message = f.message.render(caller_lang(headers));
    let extra = f.upstream_status.map(|s| ("upstream_status", json!(s)));
    error(f.status, f.code, message, extra)
}
