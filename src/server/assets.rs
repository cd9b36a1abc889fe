//! The browser bundle under `/pkg` and how browsers keep it: served
//! precompressed (`.br`, `.gz` beside each file, written by the build) to
//! clients that accept it. The script, wasm and stylesheet carry a hash of
//! their content in their names (`model-suite.<hash>.wasm`, listed in the
//! hash file beside the binary), so browsers keep them for a year without
//! asking again; anything else under `/pkg`, and every page, is revalidated
//! (`no-cache`: a browser asks `If-Modified-Since` and gets 304 while
//! nothing changed).

use std::path::{Path, PathBuf};

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

/// The hash file this server links its pages by: the one the build left
/// beside the binary, copied into `storage` as the server starts. A build
/// made while it runs writes the original anew; this server keeps linking
/// its own bundle, whose files the build leaves in place
/// (`scripts/publish_bundle.sh`). None when there is no hash file (pages
/// then link the unhashed names).
pub fn pin_hash_file(storage: &Path) -> std::io::Result<Option<PathBuf>> {
    let beside = std::env::current_exe()?
        .parent()
        .map(|dir| dir.join(HASH_FILE));
    match beside.filter(|f| f.is_file()) {
        Some(beside) => pin(&beside, storage).map(Some),
        None => Ok(None),
    }
}

fn pin(hash_file: &Path, storage: &Path) -> std::io::Result<PathBuf> {
    let pinned = std::path::absolute(storage.join("bundle-hash.txt"))?;
    let names = std::fs::read(hash_file)?;
    crate::config::files::write_private_atomic(&pinned, &names)?;
    Ok(pinned)
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

    /// The server links the bundle it started with: a build that writes
    /// the hash file anew meanwhile does not change what it links.
    #[test]
    fn the_hash_file_is_pinned_at_start() {
        let dir = tempfile::tempdir().expect("dir");
        let beside = dir.path().join("hash.txt");
        std::fs::write(&beside, "js: aaaa\nwasm: bbbb\n").expect("write");
        let pinned = super::pin(&beside, &dir.path().join("storage")).expect("pin");
        assert!(pinned.is_absolute(), "{}", pinned.display());
        std::fs::write(&beside, "js: cccc\nwasm: dddd\n").expect("rewrite");
        let linked = std::fs::read_to_string(&pinned).expect("read");
        assert_eq!(linked, "js: aaaa\nwasm: bbbb\n");
    }
}
