use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use crate::support::{endpoint_body, serve_upstream, spawn_app, spawn_app_with, spawn_sim};
use model_suite::upstream::sim::SimOptions;

/// A TCP server that accepts connections and never answers.
async fn black_hole() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("http://{addr}/v1")
}

#[tokio::test]
async fn check_now_writes_online_with_latency_and_offline_with_the_reason() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    let up = app.create_endpoint(endpoint_body("Up", &sim)).await["id"]
        .as_i64()
        .expect("id");
    let down = app
        .create_endpoint(endpoint_body("Down", "http://127.0.0.1:9/v1"))
        .await["id"]
        .as_i64()
        .expect("id");

    let rec: Value = app
        .api(Method::POST, &format!("/api/v1/llm/models/{up}/check"))
        .send()
        .await
        .expect("check")
        .json()
        .await
        .expect("json");
    assert_eq!(rec["status"], "online");
    assert!(rec["latency_ms"].as_f64().expect("latency") > 0.0);
    let rec: Value = app
        .api(Method::POST, &format!("/api/v1/llm/models/{down}/check"))
        .send()
        .await
        .expect("check")
        .json()
        .await
        .expect("json");
    assert_eq!(rec["status"], "offline");

    let stored: Value = app
        .api(Method::GET, &format!("/api/v1/llm/models/{up}"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(stored["status"], "online");
    assert!(stored["last_checked_at"].is_string());
    let stored: Value = app
        .api(Method::GET, &format!("/api/v1/llm/models/{down}"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert!(
        stored["last_error"]
            .as_str()
            .expect("error")
            .contains("refused"),
        "{stored}"
    );
}

#[tokio::test]
async fn a_wrong_key_is_degraded_not_online() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions {
        api_key: Some("right-key-123456".into()),
        ..Default::default()
    })
    .await;
    let id = app.create_endpoint(endpoint_body("Keyed", &sim)).await["id"]
        .as_i64()
        .expect("id");
    let rec: Value = app
        .api(Method::POST, &format!("/api/v1/llm/models/{id}/check"))
        .send()
        .await
        .expect("check")
        .json()
        .await
        .expect("json");
    assert_eq!(rec["status"], "degraded");
    assert!(rec["error"].as_str().expect("reason").contains("401"));
}

#[tokio::test]
async fn one_hanging_endpoint_delays_no_other_result() {
    let app = spawn_app().await;
    let sim = spawn_sim(SimOptions::default()).await;
    let hole = black_hole().await;
    let mut slow = endpoint_body("Hangs", &hole);
    slow["timeout"] = 4.into();
    let slow_id = app.create_endpoint(slow).await["id"].as_i64().expect("id");
    let fast_id = app.create_endpoint(endpoint_body("Fast", &sim)).await["id"]
        .as_i64()
        .expect("id");

    let monitor = app.state.monitor.clone();
    let round = tokio::spawn(async move { monitor.check_all().await });
    let status_of = |id: i64| {
        let pool = app.state.db.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT status FROM ai_endpoints WHERE id = ?1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .expect("status")
        }
    };
    let mut fast_status = status_of(fast_id).await;
    while fast_status == "unknown" && !round.is_finished() {
        tokio::time::sleep(Duration::from_millis(20)).await;
        fast_status = status_of(fast_id).await;
    }
    assert_eq!(fast_status, "online");
    assert!(
        !round.is_finished(),
        "the fast result was written while the hanging probe was still waiting"
    );
    assert_eq!(status_of(slow_id).await, "unknown");

    let records = round.await.expect("join").expect("round");
    let slow_rec = records
        .iter()
        .find(|r| r.id == slow_id)
        .expect("slow record");
    assert_eq!(slow_rec.status, "offline");
    assert_eq!(slow_rec.error.as_deref(), Some("timed out"));
}

/// An upstream whose model list answers 200 or 500 at the test's word.
async fn flaky_upstream() -> (String, std::sync::Arc<std::sync::atomic::AtomicBool>) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let up = Arc::new(AtomicBool::new(true));
    let flag = up.clone();
    let app = axum::Router::new().route(
        "/v1/models",
        axum::routing::get(move || {
            let flag = flag.clone();
            async move {
                if flag.load(Ordering::SeqCst) {
                    (
                        axum::http::StatusCode::OK,
                        r#"{"object":"list","data":[{"id":"m1","object":"model"}]}"#,
                    )
                } else {
                    (axum::http::StatusCode::INTERNAL_SERVER_ERROR, "down")
                }
            }
        }),
    );
    (serve_upstream(app).await, up)
}

#[tokio::test]
async fn one_failed_probe_does_not_take_an_online_endpoint_down() {
    use std::sync::atomic::Ordering;
    let app = spawn_app().await;
    let (url, up) = flaky_upstream().await;
    let id = app.create_endpoint(endpoint_body("Flaky", &url)).await["id"]
        .as_i64()
        .expect("id");
    let check = || async {
        app.api(Method::POST, &format!("/api/v1/llm/models/{id}/check"))
            .send()
            .await
            .expect("check")
            .json::<Value>()
            .await
            .expect("json")
    };
    assert_eq!(check().await["status"], "online");

    up.store(false, Ordering::SeqCst);
    // The default rule: down after 3 failures among the last 5 probes.
    for failures in 1..=2 {
        let rec = check().await;
        assert_eq!(rec["status"], "online", "held after {failures}: {rec}");
        assert_eq!(rec["failures"], failures);
        assert!(
            rec["error"].as_str().expect("error").contains("500"),
            "{rec}"
        );
    }
    let rec = check().await;
    assert_eq!(rec["status"], "degraded", "{rec}");
    let stored: Value = app
        .api(Method::GET, &format!("/api/v1/llm/models/{id}"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(stored["status"], "degraded");

    up.store(true, Ordering::SeqCst);
    let rec = check().await;
    assert_eq!(rec["status"], "online", "one success brings it back: {rec}");
    assert!(rec["error"].is_null());
}

#[tokio::test]
async fn the_chat_probe_asks_the_default_model_itself() {
    let sim = spawn_sim(SimOptions::default()).await;
    let mut ghost = endpoint_body("Ghost", &sim);
    ghost["model"] = "ghost-model".into();
    ghost["model_list"] = serde_json::json!(["ghost-model"]);
    let mut verdicts = Vec::new();
    for kind in ["models", "chat"] {
        let app = spawn_app_with(&[("MONITOR_PROBE", kind)]).await;
        let real = app.create_endpoint(endpoint_body("Real", &sim)).await["id"]
            .as_i64()
            .expect("id");
        let fake = app.create_endpoint(ghost.clone()).await["id"]
            .as_i64()
            .expect("id");
        for id in [real, fake] {
            let rec: Value = app
                .api(Method::POST, &format!("/api/v1/llm/models/{id}/check"))
                .send()
                .await
                .expect("check")
                .json()
                .await
                .expect("json");
            verdicts.push((kind, id == real, rec["status"].as_str().map(str::to_owned)));
        }
    }
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        verdicts,
        [
            ("models", true, s("online")),
            ("models", false, s("online")),
            ("chat", true, s("online")),
            ("chat", false, s("degraded")),
        ],
        "only a chat finds that the upstream does not serve `ghost-model`"
    );
}
