use crate::support::{spawn_app, spawn_app_with, Auth, ADMIN_PASSWORD, ADMIN_USER, JWT_SECRET};
use model_suite::auth::jwt::{Claims, JwtKeys};

const PAGES: [&str; 4] = ["/", "/models", "/mappings", "/simulation"];

#[tokio::test]
async fn pages_redirect_to_login_without_a_session() {
    let app = spawn_app().await;
    for page in PAGES {
        let res = app.get(page).await;
        assert_eq!(res.status(), 303, "{page}");
        let location = res.headers()["location"].to_str().expect("location");
        assert!(location.starts_with("/login?next="), "{page} → {location}");
    }
}

#[tokio::test]
async fn login_page_and_health_are_public() {
    let app = spawn_app().await;
    assert_eq!(app.get("/login").await.status(), 200);
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.expect("json");
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let res = app.get("/healthz").await;
    let id = res
        .headers()
        .get("x-request-id")
        .expect("x-request-id header");
    assert_eq!(id.to_str().expect("ascii").len(), 36, "a UUID");
}

#[tokio::test]
async fn login_sets_an_http_only_strict_cookie_with_an_admin_jwt() {
    let app = spawn_app().await;
    let res = app.post_login(ADMIN_USER, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/models", "goes back to `next`");
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(cookie.starts_with("ms_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");

    let token = cookie
        .trim_start_matches("ms_session=")
        .split(';')
        .next()
        .expect("token");
    let claims = JwtKeys::new(JWT_SECRET.as_bytes())
        .verify(token)
        .expect("signed with the configured secret");
    assert_eq!(claims.sub, ADMIN_USER);
    assert_eq!(claims.role, "admin");
    assert!(claims.exp > crate::support::chrono_now());

    let page = app
        .get_with_cookie("/models", cookie.split(';').next().expect("pair"))
        .await;
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn wrong_password_is_refused_and_audited_without_the_password() {
    let app = spawn_app().await;
    let res = app.post_login(ADMIN_USER, "not-the-password").await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().expect("location");
    assert!(location.starts_with("/login?error=bad"), "{location}");
    assert!(res.headers().get("set-cookie").is_none());

    let wrong_user = app.post_login("root", ADMIN_PASSWORD).await;
    assert!(
        wrong_user.headers().get("set-cookie").is_none(),
        "username is checked too"
    );

    let audit = std::fs::read_to_string(app.dir.path().join("logs/audit.log")).expect("audit file");
    assert!(audit.contains("login.failure"));
    assert!(!audit.contains("not-the-password"));
    assert!(!audit.contains(ADMIN_PASSWORD));
}

#[tokio::test]
async fn json_login_returns_a_bearer_token_that_json_routes_accept() {
    let app = spawn_app().await;
    let res = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": ADMIN_USER, "password": ADMIN_PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.expect("json");
    let token = body["token"].as_str().expect("token");
    let who = app.call_server_fn("whoami", Auth::Bearer(token)).await;
    assert_eq!(who.status(), 200);
    assert_eq!(who.json::<String>().await.expect("name"), ADMIN_USER);

    let bad = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": ADMIN_USER, "password": "nope" }))
        .send()
        .await
        .expect("login");
    assert_eq!(bad.status(), 401);
    let body: serde_json::Value = bad.json().await.expect("json");
    assert_eq!(body["error"]["code"], "bad_credentials");
}

#[tokio::test]
async fn server_functions_reject_missing_expired_forged_none_and_non_admin_tokens() {
    let app = spawn_app().await;
    let expired = app.token("admin", -10);
    let non_admin = app.token("user", 600);
    let forged = JwtKeys::new(b"some-other-secret-some-other-secret")
        .sign(&Claims {
            sub: "x".into(),
            role: "admin".into(),
            iat: 0,
            exp: crate::support::chrono_now() + 600,
            ..Claims::default()
        })
        .expect("sign");
    let valid = app.token("admin", 600);
    let payload = valid.split('.').nth(1).expect("payload");
    let alg_none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");

    let cases = [
        ("missing", Auth::None, 401, "unauthorized"),
        ("expired", Auth::Bearer(&expired), 401, "token_expired"),
        ("forged", Auth::Bearer(&forged), 401, "invalid_token"),
        ("alg none", Auth::Bearer(&alg_none), 401, "invalid_token"),
        ("non-admin", Auth::Bearer(&non_admin), 403, "forbidden"),
    ];
    for (name, auth, status, code) in cases {
        let res = app.call_server_fn("whoami", auth).await;
        assert_eq!(res.status(), status, "{name}");
        let body: serde_json::Value = res.json().await.expect("JSON error body");
        assert_eq!(body["error"]["code"], code, "{name}");
    }
    let ok = app.call_server_fn("whoami", Auth::Bearer(&valid)).await;
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn pages_reject_bad_cookies_by_redirecting_with_a_reason() {
    let app = spawn_app().await;
    let cases = [
        (app.token("admin", -10), "error=expired"),
        (app.token("user", 600), "error=forbidden"),
        ("garbage.token.value".to_owned(), "error=invalid"),
    ];
    for (token, reason) in cases {
        let res = app
            .get_with_cookie("/mappings", &format!("ms_session={token}"))
            .await;
        assert_eq!(res.status(), 303);
        let location = res.headers()["location"].to_str().expect("location");
        assert!(location.contains(reason), "{location}");
        let cleared = res.headers()["set-cookie"].to_str().expect("cookie");
        assert!(
            cleared.contains("Max-Age=0"),
            "bad cookie is cleared: {cleared}"
        );
    }
}

#[tokio::test]
async fn unknown_api_paths_are_gated_too() {
    let app = spawn_app().await;
    let res = app.get("/api/v1/llm/models").await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn logout_clears_the_cookie_and_is_audited() {
    let app = spawn_app().await;
    let cookie = app.admin_cookie().await;
    let res = app
        .http
        .post(app.url("/auth/logout"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("logout");
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    let cleared = res.headers()["set-cookie"].to_str().expect("cookie");
    assert!(
        cleared.starts_with("ms_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );

    let actions: Vec<String> = app
        .audit_lines()
        .iter()
        .map(|l| {
            format!(
                "{}:{}",
                l["actor"].as_str().unwrap_or(""),
                l["action"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(actions, ["admin:login.success", "admin:logout"]);
}

#[tokio::test]
async fn sign_in_is_throttled_per_address_and_name_and_says_when_to_retry() {
    let app = spawn_app_with(&[("LOGIN_ATTEMPTS_PER_MINUTE", "3")]).await;
    let json_login = |password: &'static str| {
        app.http
            .post(app.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "username": ADMIN_USER, "password": password }))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(json_login("nope").await.expect("login").status(), 401);
    }
    let res = json_login(ADMIN_PASSWORD).await.expect("login");
    assert_eq!(res.status(), 429, "even the right password waits");
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((1..=21).contains(&retry), "{retry}");
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "throttled");

    let form = app.post_login(ADMIN_USER, ADMIN_PASSWORD).await;
    assert_eq!(form.status(), 303);
    let location = form.headers()["location"].to_str().expect("location");
    assert!(location.starts_with("/login?error=throttled"), "{location}");
    let page = app.get(location).await.text().await.expect("body");
    assert!(page.contains("Too many sign-in attempts") || page.contains("登录尝试过于频繁"));

    let other = app.post_login("someone-else", "x").await;
    let location = other.headers()["location"].to_str().expect("location");
    assert!(
        location.starts_with("/login?error=bad"),
        "another name is not locked: {location}"
    );
    // Made-up names share one allowance per address.
    for name in ["x2", "x3"] {
        let res = app.post_login(name, "x").await;
        assert!(res.headers()["location"]
            .to_str()
            .expect("l")
            .contains("error=bad"));
    }
    let res = app.post_login(&"y".repeat(100_000), "x").await;
    let location = res.headers()["location"].to_str().expect("location");
    assert!(location.contains("error=throttled"), "{location}");
    assert!(app
        .audit_lines()
        .iter()
        .any(|l| l["action"] == "login.throttled"));
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_throttled() {
    let app = spawn_app_with(&[
        ("LOGIN_ATTEMPTS_PER_MINUTE", "1"),
        ("TRUST_PROXY_HEADERS", "true"),
    ])
    .await;
    let attempt = |forwarded: &'static str| {
        app.http
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", forwarded)
            .json(&serde_json::json!({ "username": ADMIN_USER, "password": "nope" }))
            .send()
    };
    assert_eq!(
        attempt("10.0.0.9, 198.51.100.1").await.expect("1").status(),
        401
    );
    assert_eq!(
        attempt("10.0.0.7, 198.51.100.1").await.expect("2").status(),
        429,
        "the client's own first entry does not make a new allowance"
    );
    assert_eq!(attempt("198.51.100.2").await.expect("3").status(), 401);
}
