//! `spawn_app()`: the real application, in-process, on a random loopback
//! port, with its own temporary SQLite file, storage and log dir.

#![allow(dead_code)]

pub mod process;
pub mod switchable;

use std::collections::HashMap;
use std::path::PathBuf;

use model_suite::auth::jwt::{Claims, JwtKeys, ADMIN_AUDIENCE, ISSUER};
use model_suite::config::{prepare_secrets, Config};
use model_suite::server::build_app;
use model_suite::server::listen::{bind, serve, ServeOptions};
use model_suite::state::AppState;
use reqwest::redirect::Policy;
use tempfile::TempDir;

pub const ADMIN_USER: &str = "admin";
pub const ADMIN_PASSWORD: &str = "correct-horse-battery";
pub const JWT_SECRET: &str = "integration-test-secret-0123456789abcdef";

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub dir: TempDir,
    /// Does not follow redirects, keeps no cookies: every test says what it sends.
    pub http: reqwest::Client,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Like [`spawn_app`], with extra environment settings.
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().to_string_lossy().to_string();
    let mut env: HashMap<String, String> = HashMap::from([
        ("STORAGE_DIR".into(), root.clone()),
        ("SQLITE_PATH".into(), format!("{root}/model_suite.db")),
        ("LOG_DIR".into(), format!("{root}/logs")),
        ("LISTEN_ADDR".into(), "127.0.0.1:0".into()),
        ("ADMIN_USERNAME".into(), ADMIN_USER.into()),
        ("ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into()),
        ("JWT_SECRET".into(), JWT_SECRET.into()),
    ]);
    for (k, v) in extra {
        env.insert((*k).into(), (*v).into());
    }
    let config = Config::from_lookup(|k| env.get(k).cloned()).expect("test config");
    let serve_options = ServeOptions::from_limits(&config.http);
    let secrets = prepare_secrets(&config).expect("secrets");
    let (router, state) = build_app(config, &secrets).await.expect("app builds");
    let listener = bind("127.0.0.1:0".parse().expect("addr")).expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let _ = state.self_url.set(base.clone());
    tokio::spawn(serve(
        listener,
        router,
        serve_options,
        std::future::pending(),
    ));
    // A request the app never answers fails its test (with its name) in
    // two minutes instead of hanging the suite.
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .expect("client");
    TestApp {
        base,
        state,
        dir,
        http,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("model_suite.db")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .expect("GET")
    }

    pub async fn post_login(&self, username: &str, password: &str) -> reqwest::Response {
        self.http
            .post(self.url("/auth/login"))
            .form(&[
                ("username", username),
                ("password", password),
                ("next", "/models"),
            ])
            .send()
            .await
            .expect("POST /auth/login")
    }

    /// Signs in through the form and returns the `Cookie` header to send.
    pub async fn admin_cookie(&self) -> String {
        let res = self.post_login(ADMIN_USER, ADMIN_PASSWORD).await;
        let set = res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .expect("login sets a cookie");
        set.split(';').next().expect("cookie pair").to_owned()
    }

    /// Calls a server function (form-encoded, as the browser does).
    pub async fn call_server_fn(&self, endpoint: &str, auth: Auth<'_>) -> reqwest::Response {
        let req = self
            .http
            .post(self.url(&format!("/api/{endpoint}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("");
        auth.apply(req).send().await.expect("server fn call")
    }

    /// A token signed with the app's secret with any expiry: an admin
    /// session of the current session version for `admin`, else a user
    /// token with that role.
    pub fn token(&self, role: &str, exp_offset_secs: i64) -> String {
        let now = chrono_now();
        let admin = role == "admin";
        JwtKeys::new(JWT_SECRET.as_bytes())
            .sign(&Claims {
                sub: "tester".into(),
                role: role.into(),
                iat: now,
                exp: now + exp_offset_secs,
                aud: Some(
                    if admin {
                        ADMIN_AUDIENCE
                    } else {
                        "authenticated"
                    }
                    .into(),
                ),
                iss: admin.then(|| ISSUER.into()),
                sv: admin.then(|| self.state.auth.sessions.current()),
                ..Claims::default()
            })
            .expect("sign")
    }

    pub fn audit_lines(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.path().join("logs/audit.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("audit lines are JSON"))
            .collect()
    }
}

impl TestApp {
    /// A request to a JSON route with a valid admin bearer token.
    pub fn api(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(self.token("admin", 3600))
    }

    /// Creates an endpoint through the REST API and returns its JSON.
    pub async fn create_endpoint(&self, body: serde_json::Value) -> serde_json::Value {
        let res = self
            .api(reqwest::Method::POST, "/api/v1/llm/models")
            .json(&body)
            .send()
            .await
            .expect("create");
        let status = res.status();
        let json: serde_json::Value = res.json().await.expect("json");
        assert_eq!(status, 201, "create endpoint: {json}");
        json
    }

    /// Creates a mapping through the REST API and returns its JSON.
    pub async fn create_mapping(&self, body: serde_json::Value) -> serde_json::Value {
        let res = self
            .api(reqwest::Method::POST, "/api/v1/llm/mappings")
            .json(&body)
            .send()
            .await
            .expect("create");
        let status = res.status();
        let json: serde_json::Value = res.json().await.expect("json");
        assert_eq!(status, 201, "create mapping: {json}");
        json
    }

    /// Runs (`POST`) or reads (`GET`) an endpoint's model checks: the status
    /// and the JSON answer.
    pub async fn model_checks(
        &self,
        method: reqwest::Method,
        id: i64,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let res = self
            .api(method, &format!("/api/v1/llm/models/{id}/model-checks"))
            .send()
            .await
            .expect("model checks");
        (res.status(), res.json().await.expect("json"))
    }
}

/// Serves `router` on a random loopback port; returns its `/v1` base URL.
pub async fn serve_upstream(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(model_suite::upstream::without_nagle(listener), router).await
    });
    format!("http://{addr}/v1")
}

/// Starts the upstream simulator on a random loopback port; returns its `/v1` base URL.
pub async fn spawn_sim(options: model_suite::upstream::sim::SimOptions) -> String {
    let addr = model_suite::upstream::sim::spawn("127.0.0.1:0".parse().expect("addr"), options)
        .await
        .expect("simulator starts");
    format!("http://{addr}/v1")
}

/// An app with one endpoint, "Sim", on a simulator started with `options`.
pub async fn app_with_sim(options: model_suite::upstream::sim::SimOptions) -> TestApp {
    let app = spawn_app().await;
    let sim = spawn_sim(options).await;
    app.create_endpoint(endpoint_body("Sim", &sim)).await;
    app
}

pub fn endpoint_body(name: &str, base_url: &str) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "base_url": base_url,
        "api_key": "sk-test-1234567890abcdef9f2c",
        "model": "sim-small",
        "model_list": ["sim-small", "sim-large"],
        "timeout": 5,
    })
}

pub enum Auth<'a> {
    None,
    Bearer(&'a str),
    Cookie(&'a str),
}

impl Auth<'_> {
    pub fn apply(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Auth::None => req,
            Auth::Bearer(t) => req.bearer_auth(t),
            Auth::Cookie(c) => req.header("cookie", *c),
        }
    }
}

/// The permission bits of a file or folder.
/// Holds SQLite's write lock from another connection, as another process
/// would; `ROLLBACK` on the connection releases it.
pub async fn lock_sqlite(db: &std::path::Path) -> sqlx::SqliteConnection {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("connect");
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut conn)
        .await
        .expect("lock");
    conn
}

pub fn mode_of(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("stat {}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

pub fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}
