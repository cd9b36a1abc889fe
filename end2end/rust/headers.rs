//! Security headers on every response: pages, JSON routes, health and
//! refusals; HSTS only in production.

use reqwest::Method;

use crate::support::{spawn_app, spawn_app_with};

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{} lacks {name}", res.url()))
}

fn assert_common(res: &reqwest::Response) {
    assert_eq!(header(res, "x-frame-options"), "DENY", "{}", res.url());
    assert_eq!(header(res, "x-content-type-options"), "nosniff");
    assert_eq!(header(res, "referrer-policy"), "same-origin");
    let csp = header(res, "content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("base-uri 'none'"), "{csp}");
}

#[tokio::test]
async fn pages_api_routes_health_and_refusals_carry_the_security_headers() {
    let app = spawn_app().await;

    let page = app.get("/login").await;
    assert_eq!(page.status(), 200);
    assert_common(&page);
    assert!(page.headers().get("strict-transport-security").is_none());
    let csp = header(&page, "content-security-policy").to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("a page policy names a nonce: {csp}"))
        .to_owned();
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
    let html = page.text().await.expect("html");
    assert!(
        html.contains(&format!(r#"<script type="module" nonce="{nonce}">"#)),
        "the hydration script carries the policy's nonce"
    );
    let again = app.get("/login").await;
    assert_ne!(
        header(&again, "content-security-policy"),
        csp,
        "a fresh nonce per page"
    );

    let api = app
        .api(Method::GET, "/api/v1/llm/models")
        .send()
        .await
        .expect("GET");
    assert_eq!(api.status(), 200);
    assert_common(&api);
    assert!(header(&api, "content-security-policy").starts_with("default-src 'none'"));

    let health = app.get("/healthz").await;
    assert_common(&health);
    let refused = app.get("/api/v1/llm/models").await;
    assert_eq!(refused.status(), 401);
    assert_common(&refused);
    let redirect = app.get("/models").await;
    assert_eq!(redirect.status(), 303);
    assert_common(&redirect);
}

#[tokio::test]
async fn hsts_is_sent_only_in_production() {
    let app = spawn_app_with(&[("APP_ENV", "production")]).await;
    for path in ["/healthz", "/login", "/api/v1/llm/models"] {
        let res = app.get(path).await;
        assert_eq!(
            header(&res, "strict-transport-security"),
            "max-age=31536000",
            "{path}"
        );
        assert_common(&res);
    }
    let dev = spawn_app().await;
    let res = dev.get("/healthz").await;
    assert!(res.headers().get("strict-transport-security").is_none());
}
