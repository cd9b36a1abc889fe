//! Where a routed chat goes: the resolver's candidates in order. When one
//! fails before any byte reached the caller (no answer, a timeout, a 5xx, a
//! 429), the chat goes to the next endpoint serving the same model, within
//! the [`FailoverBudget`]; once an answer's headers said success, it is
//! passed on and never retried. The response names the model, the endpoint
//! that answered, the number of attempts and each failed one.

use std::time::Instant;

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use serde_json::{Map, Value};

use super::chat_error::{worded, ChatError};
use super::proxy::{FailoverBudget, Failure, Relay};
use super::service::MappingService;
use super::types::{LastUsed, ResolveRequest};

pub const HEADER_MODEL: &str = "x-model-suite-model";
/// The endpoint that answered (or, when none did, the last one tried).
pub const HEADER_ENDPOINT: &str = "x-model-suite-endpoint-id";
pub const HEADER_SCOPE: &str = "x-model-suite-scope";
/// How many endpoints the chat was sent to.
pub const HEADER_ATTEMPTS: &str = "x-model-suite-attempts";
/// Each failed attempt in order, as `<endpoint id>=<what happened>`.
pub const HEADER_FAILED: &str = "x-model-suite-failed-attempts";

/// Routes `request` for `scope` and sends it; the response for the caller.
pub async fn forward(
    relay: &Relay,
    mappings: &MappingService,
    headers: &HeaderMap,
    scope: &ResolveRequest,
    mut request: Map<String, Value>,
    user: &str,
) -> Response {
    let arrived = Instant::now();
    let (route, candidates) = match mappings.route(scope).await {
        Ok(r) => r,
        Err(e) => return worded(e, headers),
    };
    request.insert("model".into(), Value::String(route.model.clone()));
    let streaming = request
        .get("stream")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let who = crate::monitor::logging::loggable(user, 128);
    let mut failed: Vec<(i64, Failure)> = Vec::new();
    for endpoint in candidates.iter().take(relay.budget.attempts as usize) {
        if !failed.is_empty() && !may_try_again(relay.budget, arrived) {
            break;
        }
        tracing::info!(user = %who, model = %route.model, endpoint = endpoint.id, attempt = failed.len() + 1, streaming, "chat request routed");
        let answer = match relay.send(endpoint, &request, streaming).await {
            Ok(a) => a,
            Err(f) => {
                tracing::warn!(endpoint = endpoint.id, attempt = failed.len() + 1, what = %f.tag, retryable = f.retryable, "chat attempt failed");
                let retryable = f.retryable;
                failed.push((endpoint.id, f));
                if retryable {
                    continue;
                }
                break;
            }
        };
        if !failed.is_empty() {
            crate::monitor::metrics::chat_failover(failed.len());
        }
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
        if let Some(v) = route
            .scope
            .as_deref()
            .and_then(|s| HeaderValue::from_str(s).ok())
        {
            h.insert(HEADER_SCOPE, v);
        }
        name_attempts(h, endpoint.id, &failed, 1);
        mappings
            .last_used
            .note(&route, used(endpoint, &failed, true));
        return response;
    }
    let Some((last, f)) = failed.last() else {
        return worded(
            crate::error::AppError::internal("no endpoint was tried"),
            headers,
        );
    };
    if let Some(endpoint) = candidates.iter().find(|e| e.id == *last) {
        mappings
            .last_used
            .note(&route, used(endpoint, &failed, false));
    }
    let mut response = ChatError {
        status: f.status,
        code: f.code.to_owned(),
        message: f.message.clone(),
        param: None,
        upstream_status: f.upstream_status,
    }
    .answer(headers);
    if let Ok(v) = HeaderValue::from_str(&route.model) {
        response.headers_mut().insert(HEADER_MODEL, v);
    }
    name_attempts(response.headers_mut(), *last, &failed, 0);
    response
}

/// What this chat did, for the resolve box.
fn used(
    endpoint: &crate::catalog::repo::EndpointRow,
    failed: &[(i64, Failure)],
    answered: bool,
) -> LastUsed {
    LastUsed {
        endpoint_id: endpoint.id,
        endpoint_name: endpoint.name.clone(),
        at: crate::catalog::repo::now(),
        attempts: (failed.len() + usize::from(answered)) as u32,
        answered,
    }
}

/// A next attempt may start while the budget's time is not spent.
fn may_try_again(budget: FailoverBudget, arrived: Instant) -> bool {
    arrived.elapsed() < budget.within
}

/// The endpoint that answered (or failed last), the attempts (`answered`
/// is 1 when one did), the failures.
fn name_attempts(h: &mut HeaderMap, endpoint: i64, failed: &[(i64, Failure)], answered: usize) {
    h.insert(HEADER_ENDPOINT, HeaderValue::from(endpoint));
    h.insert(HEADER_ATTEMPTS, HeaderValue::from(failed.len() + answered));
    if !failed.is_empty() {
        let list = failed
            .iter()
            .map(|(id, f)| format!("{id}={}", f.tag))
            .collect::<Vec<_>>()
            .join(",");
        if let Ok(v) = HeaderValue::from_str(&list) {
            h.insert(HEADER_FAILED, v);
        }
    }
}
