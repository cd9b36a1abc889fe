//! Oversized request bodies get 413 in the one error shape on JSON routes,
//! server functions and form posts; a stalled body gets 408; the chat API
//! refuses a caller without a token before reading the body.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{spawn_app, spawn_app_with, TestApp};

const MIB: usize = 1024 * 1024;

async fn assert_too_large(res: reqwest::Response, limit: usize, what: &str) {
    assert_eq!(res.status(), 413, "{what}");
    let body: Value = res.json().await.expect("JSON error body");
    assert_eq!(body["error"]["code"], "payload_too_large", "{what}: {body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.ends_with(&format!("at most {limit} bytes")),
        "{what}: {message}"
    );
}

/// Sends `head` (and nothing more) on a raw connection and returns what the
/// server answers within `within`.
async fn raw_answer(app: &TestApp, head: &str, within: Duration) -> String {
    let mut stream = TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .expect("connect");
    stream.write_all(head.as_bytes()).await.expect("send head");
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let read = tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no answer within {within:?}");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn oversized_json_bodies_get_413_in_the_one_error_shape() {
    let app = spawn_app().await;
    let big = json!({ "name": "x".repeat(MIB + 10), "base_url": "http://127.0.0.1:9/v1" });
    let res = app
        .api(Method::POST, "/api/v1/llm/models")
        .json(&big)
        .send()
        .await
        .expect("POST");
    assert_too_large(res, MIB, "declared length").await;

    // Without a declared length (chunked), the read stops at the limit.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..20).map(|_| Ok(vec![b' '; 64 * 1024])).collect();
    let res = app
        .api(Method::POST, "/api/v1/llm/mappings")
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .expect("POST chunked");
    assert_too_large(res, MIB, "chunked").await;

    // A body under the limit still reaches the route's own validation.
    let res = app
        .api(Method::POST, "/api/v1/llm/models")
        .json(&json!({ "name": "", "base_url": "x" }))
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 422);
}

#[tokio::test]
async fn oversized_server_function_calls_get_413() {
    let app = spawn_app_with(&[("HTTP_MAX_BODY_BYTES", "4096")]).await;
    let draft =
        json!({ "draft": { "name": "x".repeat(5000), "base_url": "http://127.0.0.1:9/v1" } });
    let res = app
        .api(Method::POST, "/api/catalog/create")
        .json(&draft)
        .send()
        .await
        .expect("server fn");
    assert_too_large(res, 4096, "JSON server function").await;

    let res = app
        .api(Method::POST, "/api/whoami")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("pad={}", "x".repeat(8192)))
        .send()
        .await
        .expect("server fn");
    assert_too_large(res, 4096, "form-encoded server function").await;
}

#[tokio::test]
async fn oversized_form_posts_get_413() {
    let app = spawn_app().await;
    let password = "p".repeat(2 * MIB);
    let res = app
        .http
        .post(app.url("/auth/login"))
        .form(&[("username", "admin"), ("password", password.as_str())])
        .send()
        .await
        .expect("POST /auth/login");
    assert_too_large(res, MIB, "sign-in form").await;
}

#[tokio::test]
async fn the_chat_api_refuses_a_caller_without_a_token_before_reading_the_body() {
    // A stalled body would only be given up on after a minute.
    let app = spawn_app_with(&[("HTTP_IDLE_TIMEOUT_SECS", "120")]).await;
    let head = "POST /api/v1/chat/completions HTTP/1.1\r\nHost: x\r\n\
                Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
    // The body is never sent: the answer can only come before reading it.
    let answer = raw_answer(&app, head, Duration::from_secs(30)).await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains(r#""code":"unauthorized""#), "{answer}");

    let forged = head.replace(
        "Host: x\r\n",
        "Host: x\r\nAuthorization: Bearer not.a.token\r\n",
    );
    let answer = raw_answer(&app, &forged, Duration::from_secs(30)).await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains(r#""code":"invalid_token""#), "{answer}");
}

#[tokio::test]
async fn the_chat_api_has_a_body_limit_of_its_own() {
    let app = spawn_app_with(&[
        ("HTTP_MAX_BODY_BYTES", "2048"),
        ("CHAT_MAX_BODY_BYTES", "8192"),
    ])
    .await;
    let token = app.token("user", 600);
    let chat = |content: String| {
        app.http
            .post(app.url("/api/v1/chat/completions"))
            .bearer_auth(&token)
            .json(&json!({ "messages": [{ "role": "user", "content": content }] }))
            .send()
    };
    // Over the console's limit, under the chat API's: routed (no model here).
    let res = chat("x".repeat(4000)).await.expect("chat");
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "no_route", "{body}");

    let res = chat("x".repeat(10_000)).await.expect("chat");
    assert_too_large(res, 8192, "chat over its limit").await;
}

#[tokio::test]
async fn a_request_body_that_stops_arriving_is_answered_408() {
    let app = spawn_app_with(&[("HTTP_IDLE_TIMEOUT_SECS", "1")]).await;
    let head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n\
                Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user";
    let answer = raw_answer(&app, head, Duration::from_secs(30)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":"request_timeout""#), "{answer}");
}
