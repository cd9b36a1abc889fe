//! The attacks an admin console that holds upstream keys must withstand:
//! each test is the attack, and fails if it works.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{
    endpoint_body, spawn_app, spawn_app_with, spawn_sim, ADMIN_PASSWORD, ADMIN_USER, JWT_SECRET,
};
use model_suite::auth::jwt::{Claims, JwtKeys};
use model_suite::upstream::sim::SimOptions;

fn user_token(role: &str, tenant: Option<&str>) -> String {
    let now = crate::support::chrono_now();
    JwtKeys::new(JWT_SECRET.as_bytes())
        .sign(&Claims {
            sub: format!("someone-{}", tenant.unwrap_or("anywhere")),
            role: role.into(),
            iat: now,
            exp: now + 600,
            aud: Some("authenticated".into()),
            tenant: tenant.map(str::to_owned),
            ..Claims::default()
        })
        .expect("sign")
}

#[tokio::test]
async fn a_minted_or_user_token_is_never_an_admin() {
    let app = spawn_app().await;
    let refused = app
        .api(Method::POST, "/api/v1/llm/tests/mint")
        .json(&json!({"sub": "x", "role": "admin", "expires_in_minutes": 60}))
        .send()
        .await
        .expect("mint");
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["error"]["field"], "role");

    let minted: Value = app
        .api(Method::POST, "/api/v1/llm/tests/mint")
        .json(&json!({"sub": "x", "expires_in_minutes": 60}))
        .send()
        .await
        .expect("mint")
        .json()
        .await
        .expect("json");
    let minted = minted["token"].as_str().expect("token").to_owned();
    // A Supabase user whose role happens to be `admin` is still a user.
    let supabase_admin = user_token("admin", None);
    for token in [&minted, &supabase_admin] {
        for (method, path) in [
            (Method::GET, "/api/v1/llm/models"),
            (Method::POST, "/api/v1/llm/tests/mint"),
            (Method::GET, "/metrics"),
        ] {
            let res = app
                .http
                .request(method.clone(), app.url(path))
                .bearer_auth(token)
                .json(&json!({"sub": "y", "role": "admin", "expires_in_minutes": 60}))
                .send()
                .await
                .expect("call");
            assert_eq!(res.status(), 403, "{method} {path}");
        }
        let page = app
            .http
            .get(app.url("/models"))
            .header("cookie", format!("ms_session={token}"))
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), 303);
        let to = page.headers()["location"].to_str().expect("location");
        assert!(
            to.starts_with("/login") && to.contains("error=forbidden"),
            "{to}"
        );
    }
}

#[tokio::test]
async fn signing_out_ends_every_session_issued_before() {
    let app = spawn_app().await;
    let login = |_: ()| {
        app.http
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"username": ADMIN_USER, "password": ADMIN_PASSWORD}))
            .send()
    };
    let first: Value = login(()).await.expect("login").json().await.expect("json");
    let second: Value = login(()).await.expect("login").json().await.expect("json");
    let (first, second) = (
        first["token"].as_str().expect("t"),
        second["token"].as_str().expect("t"),
    );
    let models = |t: &str| {
        app.http
            .get(app.url("/api/v1/llm/models"))
            .bearer_auth(t)
            .send()
    };
    assert_eq!(models(first).await.expect("get").status(), 200);
    let out = app
        .http
        .post(app.url("/auth/logout"))
        .header("cookie", format!("ms_session={first}"))
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), 303);
    for stale in [first, second] {
        let res = models(stale).await.expect("get");
        assert_eq!(res.status(), 401, "a copied token outlives sign-out");
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["error"]["code"], "session_ended");
    }
    let fresh: Value = login(()).await.expect("login").json().await.expect("json");
    assert_eq!(
        models(fresh["token"].as_str().expect("t"))
            .await
            .expect("get")
            .status(),
        200
    );
}

#[tokio::test]
async fn a_key_never_follows_the_base_url_to_another_host() {
    let app = spawn_app().await;
    let (home, elsewhere) = (
        spawn_sim(SimOptions::default()).await,
        spawn_sim(SimOptions::default()).await,
    );
    let mut body = endpoint_body("Keyed", &home);
    body["api_key"] = json!("sk-test-1234567890abcdef");
    let created = app.create_endpoint(body.clone()).await;
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["has_api_key"], true);
    let put = |b: Value| {
        app.api(Method::PUT, &format!("/api/v1/llm/models/{id}"))
            .json(&b)
            .send()
    };
    // The same host, no key typed: the key stays.
    body["api_key"] = Value::Null;
    body["description"] = json!("renamed");
    let kept: Value = put(body.clone())
        .await
        .expect("put")
        .json()
        .await
        .expect("json");
    assert_eq!(kept["has_api_key"], true);
    // Another host, no key typed: the key is dropped, locally.
    body["base_url"] = json!(elsewhere);
    let moved: Value = put(body).await.expect("put").json().await.expect("json");
    assert_eq!(moved["has_api_key"], false, "{moved}");
    let stored: Option<String> =
        sqlx::query_scalar("SELECT api_key FROM ai_endpoints WHERE id = ?1")
            .bind(id)
            .fetch_one(&app.state.db)
            .await
            .expect("row");
    assert_eq!(stored, None);
    let audit = app.audit_lines();
    let update = audit
        .iter()
        .rev()
        .find(|l| l["action"] == "endpoint.update")
        .expect("audited");
    assert_eq!(update["detail"]["key_cleared"], true);
}

#[tokio::test]
async fn next_stays_on_this_site_and_never_breaks_the_response() {
    let app = spawn_app().await;
    for next in [
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "/models\r\nX-Evil: 1",
        "https://evil.example/",
    ] {
        let res = app
            .http
            .post(app.url("/auth/login"))
            .form(&[
                ("username", ADMIN_USER),
                ("password", ADMIN_PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .expect("login");
        assert_eq!(res.status(), 303, "{next:?}");
        assert_eq!(res.headers()["location"], "/", "{next:?}");
    }
    for query in [
        "next=/%09/evil.example",
        "next=%2F%0D%0AX-Evil:1",
        "next=/%5Cevil",
    ] {
        let res = app.get(&format!("/lang/en?{query}")).await;
        assert_eq!(res.status(), 303, "{query}");
        assert_eq!(res.headers()["location"], "/", "{query}");
    }
}

#[tokio::test]
async fn changes_from_another_site_are_refused() {
    let app = spawn_app().await;
    let host = app.base.trim_start_matches("http://").to_owned();
    let token = app.token("admin", 600);
    let call = |origin: Option<&str>, fetch_site: Option<&str>| {
        let mut req = app
            .http
            .post(app.url("/api/catalog/check_all"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body("{}");
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(s) = fetch_site {
            req = req.header("sec-fetch-site", s);
        }
        req.send()
    };
    let same = format!("http://{host}");
    let sibling_port = format!("http://{}:1", host.split(':').next().expect("host"));
    for (origin, site) in [
        (Some("http://evil.example"), None),
        (Some(sibling_port.as_str()), None),
        (None, Some("cross-site")),
        (None, Some("same-site")),
    ] {
        let res = call(origin, site).await.expect("call");
        assert_eq!(res.status(), 403, "{origin:?} {site:?}");
        let body: Value = res.json().await.expect("json");
        assert_eq!(body["error"]["code"], "cross_site");
    }
    assert_eq!(
        call(Some(&same), Some("same-origin"))
            .await
            .expect("call")
            .status(),
        200
    );
    assert_eq!(
        call(None, None).await.expect("call").status(),
        200,
        "a script with a bearer token"
    );
    let login = app
        .http
        .post(app.url("/auth/login"))
        .header("origin", "http://evil.example")
        .form(&[("username", ADMIN_USER), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 403, "login CSRF");
}

#[tokio::test]
async fn the_chat_scope_is_the_tokens_and_each_user_has_a_rate() {
    let app = spawn_app_with(&[
        ("CHAT_REQUESTS_PER_MINUTE", "3"),
        ("CHAT_MAX_TOKENS", "100"),
    ])
    .await;
    let sim = spawn_sim(SimOptions::default()).await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    let chat = |token: String, tenant: Option<&'static str>, body: Value| {
        let mut req = app
            .http
            .post(app.url("/api/v1/chat/completions"))
            .bearer_auth(token)
            .json(&body);
        if let Some(t) = tenant {
            req = req.header("X-Scope-Tenant", t);
        }
        req.send()
    };
    let hello = json!({"model": "sim-small", "messages": [{"role": "user", "content": "hi"}]});
    let acme = user_token("user", Some("acme"));
    let res = chat(acme.clone(), Some("globex"), hello.clone())
        .await
        .expect("chat");
    assert_eq!(res.status(), 403, "another tenant's models");
    assert_eq!(
        res.json::<Value>().await.expect("json")["error"]["code"],
        "scope_forbidden"
    );
    let mut greedy = hello.clone();
    greedy["max_tokens"] = json!(101);
    let res = chat(acme.clone(), None, greedy).await.expect("chat");
    assert_eq!(res.status(), 422);
    assert_eq!(
        res.json::<Value>().await.expect("json")["error"]["param"],
        "max_tokens",
        "OpenAI's error shape names the field in `param`"
    );
    let ok = chat(acme.clone(), Some("acme"), hello.clone())
        .await
        .expect("chat");
    assert_eq!(ok.status(), 200, "{}", ok.text().await.unwrap_or_default());
    // Three requests per minute in all (the refused ones counted too).
    let limited = chat(acme, None, hello.clone()).await.expect("chat");
    assert_eq!(limited.status(), 429);
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("s")
        .parse()
        .expect("n");
    assert!((1..=60).contains(&wait), "{wait}");
    let other = user_token("user", Some("globex"));
    assert_eq!(
        chat(other, None, hello).await.expect("chat").status(),
        200,
        "another user waits for nobody"
    );
}

#[tokio::test]
async fn logs_keep_request_ids_and_names_short_and_on_one_line() {
    let app = spawn_app_with(&[("LOGIN_ATTEMPTS_PER_MINUTE", "3")]).await;
    let long_id = "a".repeat(4000);
    for _ in 0..30 {
        let res = app
            .http
            .post(app.url("/api/v1/auth/login"))
            .header("x-request-id", &long_id)
            .json(&json!({"username": "intruder", "password": "guess"}))
            .send()
            .await
            .expect("login");
        let echoed = res.headers()["x-request-id"].to_str().expect("id").len();
        assert!(echoed <= 64, "request id of {echoed} bytes");
    }
    let lines = app.audit_lines();
    assert!(
        lines.len() <= 3 + 1,
        "{} audit lines for 30 refused sign-ins",
        lines.len()
    );
    for l in &lines {
        assert!(l["detail"]["request_id"].as_str().expect("id").len() <= 64);
    }
    let forged = app
        .api(Method::POST, "/api/v1/llm/tests/mint")
        .json(&json!({"sub": "eve\n{\"actor\":\"admin\"}", "expires_in_minutes": 5}))
        .send()
        .await
        .expect("mint");
    assert_eq!(forged.status(), 422);
    assert_eq!(
        forged.json::<Value>().await.expect("json")["error"]["field"],
        "sub"
    );
}
