//! An upstream whose chats answer the status the test sets (200 with a
//! completion, or an error) and are counted; its model list always answers.

use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::Arc;

use axum::routing::{get, post};
use futures::StreamExt;
use serde_json::json;

pub struct Switchable {
    /// The `/v1` base URL.
    pub url: String,
    status: Arc<AtomicU16>,
    chats: Arc<AtomicU64>,
}

impl Switchable {
    /// Every chat from now on answers `status`.
    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// Chats received so far.
    pub fn chats(&self) -> u64 {
        self.chats.load(Ordering::SeqCst)
    }
}

pub async fn switchable_upstream() -> Switchable {
    let status = Arc::new(AtomicU16::new(200));
    let chats = Arc::new(AtomicU64::new(0));
    let (answer, count) = (status.clone(), chats.clone());
    let router = axum::Router::new()
        .route(
            "/v1/models",
            get(|| async {
                axum::Json(json!({"object": "list", "data": [{"id": "sim-small"}, {"id": "sim-large"}]}))
            }),
        )
        .route(
            "/v1/chat/completions",
            post(move || {
                let (answer, count) = (answer.clone(), count.clone());
                async move {
                    count.fetch_add(1, Ordering::SeqCst);
                    let code = axum::http::StatusCode::from_u16(answer.load(Ordering::SeqCst))
                        .unwrap_or(axum::http::StatusCode::OK);
                    let body = if code.is_success() {
                        json!({
                            "id": "c", "object": "chat.completion", "model": "sim-small",
                            "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
                        })
                    } else {
                        json!({"error": {"message": format!("switched to {}", code.as_u16())}})
                    };
                    (code, axum::Json(body))
                }
            }),
        );
    Switchable {
        url: super::serve_upstream(router).await,
        status,
        chats,
    }
}

/// A port nothing listens on: connections to it are refused at once.
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/v1")
}

/// Accepts connections and never answers.
pub async fn black_hole() -> String {
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

/// Answers every chat 200 with one server-sent event, then breaks the
/// connection.
pub async fn breaks_mid_stream() -> String {
    let router = axum::Router::new().route(
        "/v1/chat/completions",
        post(|| async {
            // The break comes a moment later, so the first event is sent.
            let events = futures::stream::iter([
                Ok(axum::body::Bytes::from_static(
                    b"data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}\n\n",
                )),
                Err(std::io::Error::other("upstream broke")),
            ])
            .then(|item| async move {
                if item.is_err() {
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                item
            });
            axum::response::Response::builder()
                .header("content-type", "text/event-stream")
                .body(axum::body::Body::from_stream(events))
                .expect("response")
        }),
    );
    super::serve_upstream(router).await
}
