//! Everything the server writes under `storage/` is its owner's alone:
//! files 0600, folders 0700 — the store and its WAL, generated secrets,
//! logs, run summaries.

use std::path::{Path, PathBuf};
use std::time::Duration;

use model_suite::auth::jwt::{Claims, JwtKeys, ADMIN_AUDIENCE, ISSUER};
use serde_json::{json, Value};

use crate::support::process::start_server;
use crate::support::{chrono_now, endpoint_body, mode_of, spawn_sim};
use model_suite::upstream::sim::SimOptions;

fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            walk(&path, found);
        }
        found.push(path);
    }
}

#[tokio::test]
async fn storage_files_are_0600_and_folders_0700_after_a_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let storage = dir.path().join("storage");
    let storage_env = storage.to_string_lossy().to_string();
    // No secrets configured: dev mode generates both into storage/.
    let server = start_server(dir.path(), &[("STORAGE_DIR", &storage_env)], None).await;

    let secret = std::fs::read(storage.join("jwt_secret")).expect("generated secret");
    let now = chrono_now();
    let token = JwtKeys::new(&secret)
        .sign(&Claims {
            sub: "tester".into(),
            role: "admin".into(),
            iat: now,
            exp: now + 600,
            aud: Some(ADMIN_AUDIENCE.into()),
            iss: Some(ISSUER.into()),
            // A fresh storage folder: the first session version.
            sv: Some(0),
            ..Claims::default()
        })
        .expect("sign");
    let http = reqwest::Client::new();
    let sim = spawn_sim(SimOptions::default()).await;
    let res = http
        .post(server.url("/api/v1/llm/models"))
        .bearer_auth(&token)
        .json(&endpoint_body("Sim", &sim))
        .send()
        .await
        .expect("create endpoint");
    assert_eq!(res.status(), 201);
    let run: Value = http
        .post(server.url("/api/v1/llm/tests/runs"))
        .bearer_auth(&token)
        .json(&json!({ "total": 5, "concurrency": 2 }))
        .send()
        .await
        .expect("start run")
        .json()
        .await
        .expect("json");
    let id = run["id"].as_str().expect("run id").to_owned();
    let mut status = Value::Null;
    for _ in 0..600 {
        let run: Value = http
            .get(server.url(&format!("/api/v1/llm/tests/runs/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .expect("run")
            .json()
            .await
            .expect("json");
        status = run["status"].clone();
        if status != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "completed");

    let mut found = vec![storage.clone()];
    // The summary line is appended just after the run reads finished.
    for _ in 0..100 {
        if storage.join("logs/loadtest.log").exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    walk(&storage, &mut found);
    let names: Vec<String> = found
        .iter()
        .map(|p| {
            p.strip_prefix(&storage)
                .expect("under storage")
                .to_string_lossy()
                .to_string()
        })
        .collect();
    for expected in [
        "model_suite.db",
        "model_suite.db-wal",
        "model_suite.db-shm",
        "jwt_secret",
        "admin_password.hash",
        "logs",
        "logs/audit.log",
        "logs/loadtest.log",
        "runs",
        &format!("runs/{id}.json"),
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    assert!(
        names.iter().any(|n| n.starts_with("logs/model-suite.log")),
        "the app log in {names:?}"
    );
    for path in &found {
        let want = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(
            mode_of(path),
            want,
            "{} is {:o}",
            path.display(),
            mode_of(path)
        );
    }
}
