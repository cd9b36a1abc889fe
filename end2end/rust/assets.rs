//! The browser bundle is sent compressed to browsers that accept it and
//! revalidated instead of fetched again, or kept for good under a name that
//! carries its content's hash; pages are revalidated.

use crate::support::spawn_app_with;

#[tokio::test]
async fn the_bundle_is_sent_precompressed_and_revalidated() {
    let site = tempfile::tempdir().expect("site");
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg");
    let js = pkg.join("model-suite.js");
    std::fs::write(&js, "export function hydrate() {}\n".repeat(200)).expect("js");
    let zipped = std::process::Command::new("gzip")
        .args(["-9", "-k", "-f"])
        .arg(&js)
        .status()
        .expect("gzip");
    assert!(zipped.success());
    let app = spawn_app_with(&[("SITE_ROOT", &site.path().to_string_lossy())]).await;

    let res = app
        .http
        .get(app.url("/pkg/model-suite.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-encoding"], "gzip");
    assert_eq!(res.headers()["cache-control"], "no-cache");
    let modified = res.headers()["last-modified"].clone();
    let body = res.bytes().await.expect("body");
    assert_eq!(
        body.as_ref(),
        std::fs::read(pkg.join("model-suite.js.gz")).expect("gz")
    );

    let plain = app.get("/pkg/model-suite.js").await;
    assert!(
        plain.headers().get("content-encoding").is_none(),
        "no gzip asked, none sent"
    );

    let again = app
        .http
        .get(app.url("/pkg/model-suite.js"))
        .header("if-modified-since", modified)
        .send()
        .await
        .expect("get");
    assert_eq!(
        again.status(),
        304,
        "unchanged: revalidated, not sent again"
    );

    // A name that carries its content's hash is kept for good.
    std::fs::write(pkg.join("model-suite.0123456789abcdef0123.wasm"), b"\0asm").expect("wasm");
    let hashed = app.get("/pkg/model-suite.0123456789abcdef0123.wasm").await;
    assert_eq!(hashed.status(), 200);
    assert_eq!(
        hashed.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let missing = app.get("/pkg/model-suite.fedcba9876543210fedc.wasm").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.headers()["cache-control"],
        "no-cache",
        "a 404 is not kept"
    );

    let page = app.get("/login").await;
    assert!(page.headers()["content-type"]
        .to_str()
        .expect("type")
        .starts_with("text/html"));
    assert_eq!(page.headers()["cache-control"], "no-cache");
}
