//! Minting test-user JWTs and the single dialog.

use std::time::Duration;

use serde_json::json;

use super::client::{send_chat_live, CallOpts};
use super::engine::Engine;
use super::msg::SimMsg;
use super::records::{dialog_record, row_targets};
use super::types::{
    DialogRequest, DialogResult, Limits, MintRequest, MintedToken, RunConfig, RunSnapshot,
    MESSAGE_MAX,
};
use crate::error::{AppError, Common};
use crate::monitor::audit::AuditLog;

/// What the simulation's routes and server functions use: the load-test
/// engine, the audit log and the limits the page shows.
#[derive(Clone)]
pub struct Simulation {
    pub engine: Engine,
    pub sweeps: super::sweep::Sweeps,
    pub audit: AuditLog,
    pub limits: Limits,
}

impl Simulation {
    pub async fn mint(&self, actor: &str, req: &MintRequest) -> Result<MintedToken, AppError> {
        mint(
            &self.engine,
            actor,
            req,
            self.limits.mint_max_minutes,
            &self.audit,
        )
        .await
    }

    pub async fn start_run(&self, actor: &str, config: RunConfig) -> Result<RunSnapshot, AppError> {
        let snap = self.engine.start(config).await?;
        self.audit.record(
            actor,
            "simulation.run.start",
            serde_json::json!({ "run_id": snap.id, "config": snap.config }),
        );
        Ok(snap)
    }

    pub async fn start_sweep(
        &self,
        actor: &str,
        mut config: super::sweep_types::SweepConfig,
    ) -> Result<super::sweep_types::Sweep, AppError> {
        // The token's scope, once: no step (and no audit line) holds it.
        config.run = config.run.scoped_by_token(&self.engine.jwt)?;
        let sweep = self.sweeps.start(config).await?;
        self.audit.record(
            actor,
            "simulation.sweep.start",
            serde_json::json!({ "sweep_id": sweep.id, "config": sweep.config }),
        );
        Ok(sweep)
    }

    pub fn cancel_sweep(
        &self,
        actor: &str,
        id: &str,
    ) -> Result<super::sweep_types::Sweep, AppError> {
        self.audit.record(
            actor,
            "simulation.sweep.cancel",
            serde_json::json!({ "sweep_id": id }),
        );
        self.sweeps.cancel(id)
    }

    pub fn cancel_run(&self, actor: &str, id: &str) -> Result<RunSnapshot, AppError> {
        self.audit.record(
            actor,
            "simulation.run.cancel",
            serde_json::json!({ "run_id": id }),
        );
        self.engine.cancel(id)
    }
}

pub async fn mint(
    engine: &Engine,
    actor: &str,
    req: &MintRequest,
    max_minutes: u32,
    audit: &AuditLog,
) -> Result<MintedToken, AppError> {
    let sub = req.sub.trim();
    if sub.is_empty() || sub.chars().count() > 128 {
        return Err(AppError::field("sub", Common::Required { max: 128 }));
    }
    if sub.chars().any(char::is_control) {
        return Err(AppError::field("sub", SimMsg::SubjectRule));
    }
    if !(1..=max_minutes).contains(&req.expires_in_minutes) {
        return Err(AppError::field(
            "expires_in_minutes",
            SimMsg::Minutes { max: max_minutes },
        ));
    }
    let role = req
        .role
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or("user");
    if role.len() > 32
        || !role
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(AppError::field("role", SimMsg::RoleRule));
    }
    if role.eq_ignore_ascii_case(crate::auth::jwt::ADMIN_ROLE) {
        return Err(AppError::field("role", SimMsg::NoAdminRole));
    }
    let key = |field: &'static str, v: &Option<String>| {
        let v = v.as_deref().map(str::trim).filter(|t| !t.is_empty());
        match v {
            Some(k) => crate::mapping::types::valid_key(k)
                .map(|_| Some(k.to_owned()))
                .map_err(|e| AppError::field(field, e.msg().clone())),
            None => Ok(None),
        }
    };
    let tenant = key("tenant", &req.tenant)?;
    let module = key("module", &req.module)?;
    let now = chrono::Utc::now();
    let exp = now + chrono::Duration::minutes(i64::from(req.expires_in_minutes));
    let mut claims = json!({ "sub": sub, "role": role, "iat": now.timestamp(), "exp": exp.timestamp(), "aud": "authenticated" });
    if let Some(t) = &tenant {
        claims["tenant"] = json!(t);
    }
    if let Some(m) = &module {
        claims["module"] = json!(m);
    }
    let token = engine
        .jwt
        .sign_value(&claims)
        .map_err(|e| AppError::internal(format!("cannot sign: {e}")))?;
    audit.record(
        actor,
        "simulation.mint",
        json!({ "sub": sub, "role": role, "tenant": tenant, "module": module, "exp": exp.timestamp() }),
    );
    Ok(MintedToken {
        token,
        claims,
        expires_at: exp.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })
}

/// One chat through the chat API, stored as one `ai_prompt_tests` row (or a
/// fallback record when SQLite refuses it).
pub async fn dialog(engine: &Engine, req: &DialogRequest) -> Result<DialogResult, AppError> {
    dialog_live(engine, req, None).await
}

/// [`dialog`], handing streamed deltas to `live` as they arrive.
pub async fn dialog_live(
    engine: &Engine,
    req: &DialogRequest,
    live: Option<&tokio::sync::mpsc::UnboundedSender<String>>,
) -> Result<DialogResult, AppError> {
    if req.message.trim().is_empty() || req.message.chars().count() > MESSAGE_MAX {
        return Err(AppError::field(
            "message",
            SimMsg::MessageLength { max: MESSAGE_MAX },
        ));
    }
    if req.token.trim().is_empty() {
        return Err(AppError::field("token", SimMsg::MintFirst));
    }
    let base = engine.base_url()?;
    let targets = row_targets(&engine.db, engine.supabase.as_ref(), req.scope.prompt_id).await?;
    let messages = json!([{ "role": "user", "content": req.message }]);
    let mut body = json!({ "messages": messages, "stream": req.stream });
    if let Some(m) = req.model.as_deref().filter(|m| !m.is_empty()) {
        body["model"] = json!(m);
    }
    let attempt = send_chat_live(
        &engine.http,
        &base,
        req.token.trim(),
        &req.scope,
        &body,
        CallOpts {
            timeout: Duration::from_secs(120),
            lang: req.lang,
        },
        live,
    )
    .await;
    let user = engine
        .jwt
        .verify(req.token.trim())
        .map(|c| c.sub)
        .unwrap_or_else(|_| "(invalid token)".into());
    let record = dialog_record(
        &req.scope,
        req.stream,
        req.model.as_deref(),
        messages,
        targets,
        &attempt,
        &user,
    );
    // The same batched writer and fallback as every load-test record.
    let row_id = engine.writer.store(record).await.map_err(|e| {
        AppError::Internal(
            SimMsg::NotStored {
                detail: e.to_string(),
            }
            .into(),
        )
    })?;
    Ok(DialogResult {
        request: body,
        status: attempt.status,
        content: attempt.content,
        model: attempt.model,
        endpoint_id: attempt.endpoint_id,
        latency_ms: attempt.latency_ms,
        ttfb_ms: attempt.ttfb_ms,
        ttft_ms: attempt.ttft_ms,
        error_kind: attempt.error_kind.map(|k| k.as_str().to_owned()),
        error: attempt.error,
        row_id,
    })
}

/// One line of the streamed dialog: ASCII-only JSON (non-ASCII escaped), so
/// a transport chunk boundary can never split a character.
pub fn ascii_line(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out.push('\n');
    out
}
