//! Watching: our own liveness (`/healthz`), logs with request ids, the audit
//! trail, metrics, chat traffic — and the rule that turns probes into an
//! endpoint's health (`health`; the catalog runs the probes).

pub mod audit;
pub mod health;
pub mod logging;
pub mod metrics;
pub mod traffic;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use sqlx::SqlitePool;

/// What `/healthz` says.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when SQLite does not answer.
    pub status: &'static str,
    /// `ok` or `unavailable`.
    pub sqlite: &'static str,
}

/// Liveness: 200 while the process serves and SQLite answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses(
        (status = 200, description = "Serving, and SQLite answers", body = Health),
        (status = 503, description = "SQLite does not answer", body = Health),
    ))]
pub async fn healthz(State(db): State<SqlitePool>) -> (StatusCode, Json<Health>) {
    match sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(&db)
        .await
    {
        Ok(_) => (
            StatusCode::OK,
            Json(Health {
                status: "ok",
                sqlite: "ok",
            }),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "health check: SQLite does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "degraded",
                    sqlite: "unavailable",
                }),
            )
        }
    }
}

/// The same liveness under the chat API's base (`…/api`), where
/// OpenAI-compatible benchmark tools (guidellm) look for `health` before
/// they list `v1/models` and send `v1/chat/completions`.
#[utoipa::path(get, path = "/api/health", tag = "operations",
    responses(
        (status = 200, description = "Serving, and SQLite answers", body = Health),
        (status = 503, description = "SQLite does not answer", body = Health),
    ))]
pub async fn api_health(db: State<SqlitePool>) -> (StatusCode, Json<Health>) {
    healthz(db).await
}

/// Runs `task` now and then every `every`, for the life of the process; a
/// slow round delays the next instead of piling up.
pub fn spawn_every<F, Fut>(every: std::time::Duration, mut task: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            task().await;
        }
    });
}
