//! An upstream whose chats answer the status the test sets (200 with a
//! completion, or an error) and are counted; its model list always answers.

use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::Arc;

use axum::routing::{get, post};
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
