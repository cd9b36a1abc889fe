//! Cross-site request forgery: a state-changing request (server function,
//! JSON route, form post) that a browser says comes from another site or
//! origin is refused with 403. SameSite cookies alone let a sibling
//! subdomain or another port of the same host through; `Sec-Fetch-Site` and
//! `Origin` do not. Clients that send neither (scripts with a bearer token)
//! are not browsers riding a cookie, and pass.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AdminAuth;
use crate::error::ApiError;

/// Paths that never read the session cookie (bearer user tokens only).
const COOKIELESS: &[&str] = &["/api/v1/chat/completions"];

pub async fn same_origin_writes(
    State(auth): State<AdminAuth>,
    req: Request,
    next: Next,
) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || COOKIELESS.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    match foreign(req.headers(), auth.settings.trust_proxy_headers) {
        None => next.run(req).await,
        Some(why) => {
            tracing::warn!(path = %req.uri().path(), why, "cross-site write refused");
            ApiError::new(
                StatusCode::FORBIDDEN,
                "cross_site",
                format!("refused a change requested from another site ({why})"),
            )
            .into_response()
        }
    }
}

/// Why the browser's own headers say the request is not from this origin.
fn foreign(headers: &HeaderMap, trust_proxy: bool) -> Option<&'static str> {
    let get = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return (!matches!(site, "same-origin" | "none")).then_some("Sec-Fetch-Site");
    }
    let origin = get(header::ORIGIN.as_str())?;
    let host = trust_proxy
        .then(|| get("x-forwarded-host"))
        .flatten()
        .or_else(|| get(header::HOST.as_str()));
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    match (authority, host) {
        (Some(a), Some(h)) if a.eq_ignore_ascii_case(h) => None,
        _ => Some("Origin"),
    }
}

#[cfg(test)]
mod tests {
    use super::foreign;
    use axum::http::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_this_origin_may_write() {
        let host = ("host", "127.0.0.1:3000");
        assert_eq!(
            foreign(&headers(&[host]), false),
            None,
            "no browser headers"
        );
        for ok in [
            vec![host, ("origin", "http://127.0.0.1:3000")],
            vec![host, ("sec-fetch-site", "same-origin")],
            vec![host, ("sec-fetch-site", "none")],
        ] {
            assert_eq!(foreign(&headers(&ok), false), None, "{ok:?}");
        }
        for attack in [
            vec![host, ("origin", "http://127.0.0.1:3001")],
            vec![host, ("origin", "http://evil.example")],
            vec![host, ("origin", "null")],
            vec![host, ("sec-fetch-site", "same-site")],
            vec![
                host,
                ("sec-fetch-site", "cross-site"),
                ("origin", "http://127.0.0.1:3000"),
            ],
        ] {
            assert!(foreign(&headers(&attack), false).is_some(), "{attack:?}");
        }
        let proxied = [
            ("host", "10.0.0.5:3000"),
            ("x-forwarded-host", "console.example"),
            ("origin", "https://console.example"),
        ];
        assert_eq!(foreign(&headers(&proxied), true), None);
        assert!(foreign(&headers(&proxied), false).is_some());
    }
}
