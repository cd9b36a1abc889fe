//! The browser bundle under `/pkg` and how browsers keep it: served
//! precompressed (`.br`, `.gz` beside each file, written by the build) to
//! clients that accept it. The script, wasm and stylesheet carry a hash of
//! their content in their names (`model-suite.<hash>.wasm`, listed in the
//! hash file beside the binary), so browsers keep them for a year without
//! asking again; anything else under `/pkg`, and every page, is revalidated
//! (`no-cache`: a browser asks `If-Modified-Since` and gets 304 while
//! nothing changed).

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The file the build writes beside the server binary naming the hashed
/// bundle (`js: …`, `wasm: …`, `css: …`).
pub const HASH_FILE: &str = "hash.txt";

/// Whether the build left a hash file beside this binary (then pages link
/// the hashed names).
pub fn hash_file_beside_binary() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(HASH_FILE)))
        .is_some_and(|f| f.is_file())
}

/// `/pkg/*` from `site_root/pkg`.
pub fn bundle<S>(site_root: &Path) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let files = ServeDir::new(site_root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service("/pkg", files)
        .layer(axum::middleware::from_fn(keep_policy))
}

/// `model-suite.<at least 16 hex digits>.<ext>`: a name that changes when
/// the content does.
fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3 && {
        let hash = parts[parts.len() - 2];
        hash.len() >= 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
    }
}

async fn keep_policy(req: Request, next: Next) -> Response {
    let hashed = is_hashed(req.uri().path());
    let mut res = next.run(req).await;
    let policy = if hashed && res.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    res
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

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn only_content_hashed_names_are_kept_for_good() {
        assert!(is_hashed("/pkg/model-suite.0123456789abcdef0123.wasm"));
        assert!(is_hashed("/pkg/model-suite.0123456789abcdef0123.js"));
        assert!(!is_hashed("/pkg/model-suite.js"));
        assert!(!is_hashed("/pkg/model-suite_bg.wasm"));
        assert!(!is_hashed("/pkg/snippets/x/inline0.js"));
        assert!(!is_hashed("/pkg/model-suite.notahexhashatall.js"));
    }
}
