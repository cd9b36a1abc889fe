//! Assembles the axum application: state, routes, the admin gate, body
//! limits, security headers, request ids and tracing; and runs it.

pub mod assets;
pub mod body_guard;
pub mod headers;
pub mod listen;
pub mod live;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::routing::get;
use axum::Router;
use leptos::config::{Env, LeptosOptions};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::app::{shell, App};
use crate::auth::sessions::SessionVersion;
use crate::auth::throttle::LoginThrottle;
use crate::auth::{csrf, gate, jwt::JwtKeys, AdminAuth, AuthSettings};
use crate::catalog::health::EndpointMonitor;
use crate::catalog::service::Catalog;
use crate::catalog::sync::FullSync;
use crate::config::{Config, Mode, Secrets};
use crate::mapping::chat::ChatGateway;
use crate::mapping::chat_guard::ChatLimits;
use crate::mapping::proxy::{FailoverBudget, Relay};
use crate::mapping::service::MappingService;
use crate::mapping::sync::sync_everything;
use crate::monitor::health::{PassiveRule, ProbeRule};
use crate::monitor::traffic::Traffic;
use crate::monitor::{self, audit::AuditLog};
use crate::openapi;
use crate::simulation::engine::{Engine, EngineSettings};
use crate::simulation::service::Simulation;
use crate::simulation::sweep::Sweeps;
use crate::simulation::types::Limits;
use crate::simulation::writer::ResultsWriter;
use crate::state::{AppState, Services};
use crate::storage;
use crate::storage::mirror::ResultsMirror;
use crate::upstream;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
    #[error("LOG_DIR: cannot open the audit log in {dir}: {source}")]
    Audit { dir: String, source: std::io::Error },
    #[error("STORAGE_DIR: cannot keep the admin session version in {dir}: {source}")]
    Sessions { dir: String, source: std::io::Error },
    #[error("LISTEN_ADDR: cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("SUPABASE_DB_URL: {0}")]
    SupabaseUrl(sqlx::Error),
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
    #[error("DEMO_UPSTREAM_PORT: cannot start the upstream simulator: {0}")]
    Demo(String),
    #[error("STORAGE_DIR: cannot keep the bundle's hash file in {dir}: {source}")]
    Bundle { dir: String, source: std::io::Error },
}

/// Opens the stores and builds the router; no socket yet, so tests can
/// serve it on any listener.
pub async fn build_app(
    config: Config,
    secrets: &Secrets,
) -> Result<(Router, AppState), StartError> {
    let db = storage::open_sqlite(&config.sqlite_path).await?;
    let audit = AuditLog::open(&config.log_dir).map_err(|source| StartError::Audit {
        dir: config.log_dir.display().to_string(),
        source,
    })?;
    let reload_port = std::env::var("LEPTOS_RELOAD_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3001);
    let pinned =
        assets::pin_hash_file(&config.storage_dir).map_err(|source| StartError::Bundle {
            dir: config.storage_dir.display().to_string(),
            source,
        })?;
    let leptos_options = LeptosOptions::builder()
        .output_name("model-suite")
        .hash_files(pinned.is_some())
        // Absolute: Leptos joins it to the binary's folder, which it replaces.
        .hash_file(pinned.map_or_else(|| assets::HASH_FILE.into(), |p| p.to_string_lossy().into()))
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.listen_addr)
        .reload_port(reload_port)
        .env(match config.mode {
            Mode::Dev => Env::DEV,
            Mode::Production => Env::PROD,
        })
        .build();
    let supabase = match &config.supabase_db_url {
        Some(url) => Some(supabase_at_start(url).await?),
        None => None,
    };
    let http = upstream::shared_client().map_err(|e| StartError::Http(e.to_string()))?;
    let writer_pool =
        storage::open_writer_pool(&config.sqlite_path, std::time::Duration::from_millis(200))
            .await?;
    let writer = ResultsWriter::spawn(writer_pool, config.storage_dir.join("ai_runtime"));
    let catalog = Catalog::new(
        db.clone(),
        supabase.clone(),
        audit.clone(),
        http.clone(),
        Arc::new(writer.clone()),
    )
    .keeping_refused(storage::pending::PendingWrites::new(
        config.storage_dir.join("ai_runtime"),
    ));
    let monitor = EndpointMonitor::new(
        db.clone(),
        http.clone(),
        config.monitor_concurrency as usize,
        ProbeRule {
            failures: config.monitor_failures as usize,
            window: config.monitor_window as usize,
            kind: config.monitor_probe,
        },
        PassiveRule {
            degraded_after: config.passive_degraded_after,
            offline_after: config.passive_offline_after,
        },
        catalog.epoch_handle(),
    );
    crate::monitor::metrics::install();
    let self_url = Arc::new(std::sync::OnceLock::new());
    let limits = Limits {
        max_requests: config.loadtest_max_requests,
        max_concurrency: config.loadtest_max_concurrency,
        max_inflight: config.loadtest_max_inflight,
        mint_max_minutes: config.mint_max_minutes,
    };
    let jwt = JwtKeys::new(&secrets.jwt_secret);
    let engine = Engine::new(
        http.clone(),
        writer,
        jwt.clone(),
        db.clone(),
        self_url.clone(),
        EngineSettings {
            runs_dir: config.storage_dir.join("runs"),
            log_dir: config.log_dir.clone(),
            limits,
            supabase: supabase.clone(),
        },
    );
    let sessions = SessionVersion::open(
        &config.storage_dir,
        &secrets.admin_password_hash,
        config.admin_password.as_deref(),
    )
    .map_err(|source| StartError::Sessions {
        dir: config.storage_dir.display().to_string(),
        source,
    })?;
    let auth = AdminAuth {
        sessions,
        jwt: jwt.clone(),
        password_hash: Arc::from(secrets.admin_password_hash.as_str()),
        throttle: Arc::new(LoginThrottle::new(config.login_attempts_per_minute)),
        settings: Arc::new(AuthSettings {
            admin_username: config.admin_username.clone(),
            session_minutes: config.admin_session_minutes,
            cookie_secure: config.cookie_secure,
            trust_proxy_headers: config.trust_proxy_headers,
        }),
        audit: Arc::new(audit.clone()),
    };
    let mirror = supabase.clone().map(|pg| {
        ResultsMirror::new(
            db.clone(),
            pg,
            config.storage_dir.join("supabase-results.cursor"),
        )
        .keeping_deleted(&[crate::mapping::types::MAPPING_CATEGORY])
    });
    let mappings = MappingService::new(catalog.clone());
    let full_sync = {
        let (mappings, mirror) = (mappings.clone(), mirror.clone());
        FullSync::new(move |actor: String| {
            let (mappings, mirror) = (mappings.clone(), mirror.clone());
            async move { sync_everything(&mappings, mirror.as_ref(), &actor).await }
        })
    };
    let traffic = Traffic::default();
    let failover = FailoverBudget {
        attempts: config.failover_attempts,
        within: std::time::Duration::from_secs(u64::from(config.failover_budget_secs)),
    };
    let sweeps = Sweeps::new(engine.clone(), config.storage_dir.join("sweeps"));
    let chat_limits = ChatLimits::new(config.chat_requests_per_minute, config.chat_max_tokens);
    let state = AppState::new(Services {
        leptos_options,
        mirror,
        config: Arc::new(config),
        db,
        auth,
        supabase,
        chat: ChatGateway {
            jwt,
            limits: chat_limits,
            mappings: mappings.clone(),
            relay: Relay {
                http: http.clone(),
                traffic: traffic.clone(),
                monitor: monitor.clone(),
                budget: failover,
            },
        },
        simulation: Simulation {
            engine: engine.clone(),
            sweeps,
            audit: audit.clone(),
            limits,
        },
        audit,
        mappings,
        full_sync,
        catalog,
        monitor,
        traffic,
        engine,
        self_url,
    });
    let recovered = state.engine.recover_interrupted().await;
    if recovered > 0 {
        tracing::info!(
            runs = recovered,
            "interrupted runs recomputed from their rows"
        );
    }
    Ok((router(state.clone()), state))
}

/// Makes the Supabase pool and checks the remote columns once. Missing
/// columns are named in the log; an unreachable Supabase is reported and
/// retried on use, while reads keep coming from SQLite.
async fn supabase_at_start(url: &str) -> Result<sqlx::PgPool, StartError> {
    let options = storage::supabase::connect_options(url).map_err(StartError::SupabaseUrl)?;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(5)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect_lazy_with(options);
    match storage::supabase::missing_columns(&pool).await {
        Ok(missing) if missing.is_empty() => tracing::info!("Supabase schema check passed"),
        Ok(missing) => tracing::error!(
            missing = %missing.join(", "),
            "Supabase is missing columns Model Suite needs; writes to it will fail until they are added"
        ),
        Err(e) => {
            tracing::error!(error = %e, "Supabase is not reachable at start-up; serving from SQLite")
        }
    }
    Ok(pool)
}

fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();
    let limits = &state.config.http;
    let body_limits = body_guard::BodyLimits {
        max_bytes: limits.max_body_bytes,
        chat_max_bytes: limits.chat_max_body_bytes,
        idle: limits.idle_timeout,
    };
    let production = state.config.mode == Mode::Production;

    let router = Router::new()
        .route("/healthz", get(monitor::healthz))
        .route("/api/health", get(monitor::api_health))
        .route(openapi::DOCUMENT_PATH, get(openapi::serve_document))
        .merge(crate::auth::routes::router())
        .merge(crate::catalog::api::routes())
        .merge(crate::mapping::api::routes())
        .merge(crate::simulation::api::routes())
        .merge(assets::bundle(&state.config.site_root))
        .leptos_routes_with_context(
            &state,
            routes,
            move || context_state.provide_services(),
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            body_limits,
            body_guard::guard_body,
        ))
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            state.auth.clone(),
            gate::admin_gate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.auth.clone(),
            csrf::same_origin_writes,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn(monitor::logging::plain_request_id))
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", id, method = %req.method(), path = %req.uri().path())
                }))
                .layer(PropagateRequestIdLayer::x_request_id()),
        );
    let router = assets::revalidate_pages(router);
    headers::with_security_headers(router, production).with_state(state)
}

/// Serves until Ctrl-C / SIGTERM.
pub async fn serve(config: Config, secrets: &Secrets) -> Result<(), StartError> {
    let addr = config.listen_addr;
    let options = listen::ServeOptions::from_limits(&config.http);
    let (app, state) = build_app(config, secrets).await?;
    start_background_work(&state).await?;
    let listener = listen::bind(addr).map_err(|source| StartError::Bind {
        addr: addr.to_string(),
        source,
    })?;
    if let Ok(bound) = listener.local_addr() {
        let _ = state.self_url.set(format!("http://{bound}"));
    }
    tracing::info!(
        %addr,
        sqlite = %state.config.sqlite_path.display(),
        audit = %state.audit.path().display(),
        max_connections = options.max_connections,
        header_timeout_secs = options.header_timeout.as_secs(),
        "Model Suite is listening"
    );
    let grace = std::time::Duration::from_secs(u64::from(state.config.shutdown_grace_secs));
    let engine = state.engine.clone();
    // On SIGTERM / Ctrl-C the load tests drain first (their requests go
    // through this server), then the server stops taking connections.
    let stopping = async move {
        shutdown_signal().await;
        engine.drain(grace).await;
        tracing::info!("load tests drained; closing connections");
    };
    listen::serve(listener, app, options, stopping).await;
    Ok(())
}

/// The demo upstream (when asked for), the probe interval, and with
/// Supabase the start-up sync, the sync interval and the live watch; a
/// first sync and probe round run right away.
pub async fn start_background_work(state: &AppState) -> Result<(), StartError> {
    let config = &state.config;
    if let Some(port) = config.demo_upstream_port {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let bound = upstream::sim::spawn(addr, upstream::sim::SimOptions::default())
            .await
            .map_err(|e| StartError::Demo(format!("{addr}: {e}")))?;
        match crate::catalog::demo::seed_if_empty(&state.catalog, &format!("http://{bound}/v1"))
            .await
        {
            Ok(Some(e)) => {
                tracing::info!(endpoint = %e.name, "seeded a demo endpoint pointing at the simulator")
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not seed the demo endpoint"),
        }
    }
    ResultsWriter::spawn_replay(
        state.db.clone(),
        config.storage_dir.join("ai_runtime"),
        std::time::Duration::from_secs(30),
    );
    if let Some(mirror) = &state.mirror {
        mirror.clone().spawn(std::time::Duration::from_secs(10));
    }
    live::start(state);
    if config.monitor_interval_secs > 0 {
        state
            .monitor
            .clone()
            .spawn_interval(std::time::Duration::from_secs(u64::from(
                config.monitor_interval_secs,
            )));
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
