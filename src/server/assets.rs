//! The browser bundle under `/pkg` and how browsers keep it: served
//! precompressed (`.br`, `.gz` beside each file, written by the build) to
//! clients that accept it, and revalidated on every load — the names carry
//! no hash, so `Cache-Control: no-cache` makes a browser ask
//! `If-Modified-Since` and get 304 while nothing changed. Pages revalidate
//! the same way.

use std::path::Path;

use axum::http::{header, HeaderValue};
use axum::response::Response;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// `/pkg/*` from `site_root/pkg`.
pub fn bundle<S>(site_root: &Path) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let files = ServeDir::new(site_root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new().nest_service(
        "/pkg",
        ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache"),
            ))
            .service(files),
    )
}

/// HTML answers are revalidated too (they carry the admin's data and a
/// fresh nonce); other answers keep whatever they said.
pub fn revalidate_pages<S>(router: Router<S>) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.layer(SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        |res: &Response| {
            let html = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.starts_with("text/html"));
            html.then_some(HeaderValue::from_static("no-cache"))
        },
    ))
}
