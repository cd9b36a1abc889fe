//! Security headers on every response: a Content-Security-Policy (a page
//! sends its own, naming the nonce of its inline hydration script — see
//! `app::shell`; every other answer gets one that allows nothing), no
//! framing, no MIME sniffing, no referrer outside this site, and — in
//! production only, where the console is served over HTTPS — HSTS.

use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

/// For JSON, health, files and redirects: nothing may load, run or frame.
pub const NON_PAGE_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// One year; subdomains are left to their own policy.
pub const HSTS: &str = "max-age=31536000";

/// Adds the headers to every response of `router`.
pub fn with_security_headers<S>(router: Router<S>, production: bool) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NON_PAGE_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &Response| production.then_some(HeaderValue::from_static(HSTS)),
        ))
}
