//! The one write path for endpoints (the spec's `AIConfigService`): with
//! Supabase configured every write goes to `ai_model` first, then SQLite;
//! a refused authority write changes nothing anywhere. Writes are serialised
//! so both stores see them in the same order.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::json;
use sqlx::{PgPool, SqlitePool};
use tokio::sync::Mutex;

use super::msg::{CatalogMsg, Guarded};
use super::remote::{self, Written};
use super::repo::{self, EndpointRow};
use super::types::{Endpoint, EndpointDraft, EndpointPage, ListQuery, ModelDiff};
use super::validate::{parse_model_list, parse_version, validate};
use crate::error::{AppError, Thing};
use crate::monitor::audit::AuditLog;
use crate::storage::pending::PendingWrites;
use crate::storage::watch::AuthorityStatus;

#[derive(Clone)]
pub struct Catalog {
    pub db: SqlitePool,
    pub supabase: Option<PgPool>,
    pub audit: AuditLog,
    pub http: reqwest::Client,
    /// Where model checks are stored: the results' one batched writer.
    pub check_rows: Arc<dyn super::check_rows::CheckRows>,
    write_lock: Arc<Mutex<()>>,
    /// Bumped after every write (and probe), so readers that cache the
    /// catalog know when to read it again.
    epoch: Arc<AtomicU64>,
    /// Whether Supabase answers (kept by the live watch).
    pub authority: AuthorityStatus,
    /// Where writes Supabase refused are kept for the admin.
    pub pending: Option<PendingWrites>,
}

/// Holds the write lock; bumps the epoch when the write is over.
pub struct WriteGuard<'a> {
    _lock: tokio::sync::MutexGuard<'a, ()>,
    epoch: &'a AtomicU64,
}

impl Drop for WriteGuard<'_> {
    fn drop(&mut self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
    }
}

impl Catalog {
    pub fn new(
        db: SqlitePool,
        supabase: Option<PgPool>,
        audit: AuditLog,
        http: reqwest::Client,
        check_rows: Arc<dyn super::check_rows::CheckRows>,
    ) -> Catalog {
        let epoch: Arc<AtomicU64> = Arc::default();
        Catalog {
            db,
            supabase,
            audit,
            http,
            check_rows,
            write_lock: Arc::new(Mutex::new(())),
            authority: AuthorityStatus::new(epoch.clone()),
            epoch,
            pending: None,
        }
    }

    /// Keeps writes Supabase refuses in `pending`, for the admin to
    /// re-apply or discard.
    pub fn keeping_refused(mut self, pending: PendingWrites) -> Catalog {
        self.pending = Some(pending);
        self
    }

    /// Held by every write (and by sync) so the stores see one order.
    pub async fn lock_writes(&self) -> WriteGuard<'_> {
        WriteGuard {
            _lock: self.write_lock.lock().await,
            epoch: &self.epoch,
        }
    }

    /// Changes with every write; read it before reading what it guards.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// The counter itself, for writers outside the catalog (the probes).
    pub fn epoch_handle(&self) -> Arc<AtomicU64> {
        self.epoch.clone()
    }

    pub async fn list(&self, q: &ListQuery) -> Result<EndpointPage, AppError> {
        let order = repo::order_by(q).ok_or_else(|| {
            AppError::field(
                "sort",
                CatalogMsg::SortKey {
                    got: q.sort.clone().unwrap_or_default(),
                },
            )
        })?;
        let mut page = repo::list(&self.db, q, &order).await?;
        page.supabase = self.supabase.is_some();
        page.authority_away_since = self.authority.away_since();
        Ok(page)
    }

    pub async fn get(&self, id: i64) -> Result<Endpoint, AppError> {
        Ok(self.row(id).await?.view())
    }

    /// The stored row, secret included: for the server's own upstream calls.
    pub async fn row(&self, id: i64) -> Result<EndpointRow, AppError> {
        let mut conn = self.db.acquire().await?;
        repo::get(&mut conn, id)
            .await?
            .ok_or_else(|| AppError::missing(Thing::Endpoint, id))
    }

    pub async fn default_endpoint(&self) -> Result<Option<Endpoint>, AppError> {
        Ok(repo::default_row(&self.db)
            .await?
            .as_ref()
            .map(EndpointRow::view))
    }

    /// Creates the endpoint (see [`Catalog::create`], which also keeps a
    /// write Supabase refused).
    pub async fn write_create(
        &self,
        actor: &str,
        draft: EndpointDraft,
    ) -> Result<Endpoint, AppError> {
        let v = validate(draft)?;
        let _guard = self.lock_writes().await;
        self.refuse_taken_name(&v.name, None).await?;
        // The first active endpoint becomes the default, so there always is
        // one; with Supabase, Supabase decides (this console's view may be
        // behind), so there never are two.
        let wants_default = v.is_active && v.model.is_some();
        let (supabase_id, version, make_default) = match &self.supabase {
            Some(pg) => {
                let (sid, version, made) = remote::insert(pg, &v, wants_default).await?;
                (Some(sid), version, made)
            }
            None => {
                let has_default = repo::all(&self.db).await?.iter().any(|r| r.default());
                (None, None, wants_default && !has_default)
            }
        };
        let mut tx = self.db.begin().await?;
        let inserted = repo::insert(&mut tx, &v, supabase_id, false).await;
        let id = match inserted {
            Ok(id) => id,
            Err(e) => {
                self.undo_remote_insert(supabase_id).await;
                return Err(e.into());
            }
        };
        if make_default {
            repo::set_default(&mut tx, id).await?;
        }
        if let Some(sid) = supabase_id {
            repo::set_version(&mut tx, sid, version.as_deref()).await?;
        }
        if let Err(e) = tx.commit().await {
            self.undo_remote_insert(supabase_id).await;
            return Err(e.into());
        }
        let created = self.get(id).await?;
        self.audit.record(
            actor,
            "endpoint.create",
            json!({ "id": id, "before": null, "after": created }),
        );
        Ok(created)
    }

    /// Updates the endpoint (see [`Catalog::update`], which also keeps a
    /// write Supabase refused).
    pub async fn write_update(
        &self,
        actor: &str,
        id: i64,
        draft: EndpointDraft,
    ) -> Result<Endpoint, AppError> {
        let seen = parse_version(draft.updated_at.clone())?;
        let mut v = validate(draft)?;
        let guard = self.lock_writes().await;
        let before = self.row(id).await?;
        self.refuse_taken_name(&v.name, Some(id)).await?;
        // A key is only ever sent to the host it was entered for.
        let had_key = before.api_key.as_deref().is_some_and(|k| !k.is_empty());
        v.clear_key = had_key && v.api_key.is_none() && v.base_url != before.base_url;
        if before.default() && !v.is_active {
            return Err(default_guard(&before, Guarded::Disable));
        }
        if before.default() && v.model.is_none() {
            return Err(AppError::field("model", CatalogMsg::DefaultNeedsModel));
        }
        let key_cleared = v.clear_key;
        // The version the admin saw, else the one this console holds.
        let seen = seen.or_else(|| before.updated_at.clone());
        let synced = match self.push_update(&before, &v, seen.as_deref()).await {
            Ok(synced) => synced,
            Err(e) => {
                drop(guard);
                return Err(self.after_refused_update(e).await);
            }
        };
        let mut tx = self.db.begin().await?;
        repo::update(&mut tx, id, &v, synced.is_some()).await?;
        if let Some((sid, version)) = &synced {
            if Some(*sid) != before.supabase_id {
                repo::set_supabase_id(&mut tx, id, *sid).await?;
            }
            repo::set_version(&mut tx, *sid, version.as_deref()).await?;
        }
        tx.commit().await?;
        drop(guard);
        let after = self.get(id).await?;
        self.audit.record(
            actor,
            "endpoint.update",
            json!({ "id": id, "before": before.view(), "after": after, "key_cleared": key_cleared }),
        );
        Ok(after)
    }

    /// Enables or disables one endpoint, keeping everything else.
    pub async fn set_active(
        &self,
        actor: &str,
        id: i64,
        active: bool,
    ) -> Result<Endpoint, AppError> {
        let mut draft = self.get(id).await?.to_draft();
        draft.is_active = active;
        self.update(actor, id, draft).await
    }

    /// Replaces the candidate models; the endpoint's own default must stay in.
    pub async fn set_models(
        &self,
        actor: &str,
        id: i64,
        models: Vec<String>,
    ) -> Result<Endpoint, AppError> {
        let models = parse_model_list(models)?;
        let mut draft = self.get(id).await?.to_draft();
        if let Some(m) = draft.model.as_ref().filter(|m| !models.contains(m)) {
            return Err(AppError::field(
                "model_list",
                CatalogMsg::RemovesDefaultModel { model: m.clone() },
            ));
        }
        draft.model_list = models;
        self.update(actor, id, draft).await
    }

    /// Makes `id` the one global default, atomically in every store.
    pub async fn write_set_default(&self, actor: &str, id: i64) -> Result<Endpoint, AppError> {
        let _guard = self.lock_writes().await;
        let target = self.row(id).await?;
        if !target.active() {
            return Err(AppError::Conflict(
                CatalogMsg::DisabledDefault { name: target.name }.into(),
            ));
        }
        if target.model.as_deref().unwrap_or("").is_empty() {
            return Err(AppError::Conflict(
                CatalogMsg::NoModelDefault { name: target.name }.into(),
            ));
        }
        let previous = repo::all(&self.db).await?.into_iter().find(|r| r.default());
        if let Some(pg) = &self.supabase {
            let sid = target.supabase_id.ok_or_else(|| {
                AppError::Conflict(
                    CatalogMsg::NotInSupabase {
                        name: target.name.clone(),
                    }
                    .into(),
                )
            })?;
            let versions = remote::set_default(pg, sid).await?;
            let mut tx = self.db.begin().await?;
            repo::set_default(&mut tx, id).await?;
            for (sid, version) in &versions {
                repo::set_version(&mut tx, *sid, version.as_deref()).await?;
            }
            tx.commit().await?;
        } else {
            let mut tx = self.db.begin().await?;
            repo::set_default(&mut tx, id).await?;
            tx.commit().await?;
        }
        let after = self.get(id).await?;
        self.audit.record(
            actor,
            "endpoint.set_default",
            json!({ "id": id, "before": previous.map(|p| p.id), "after": id, "model": after.model }),
        );
        Ok(after)
    }

    /// Asks the upstream which models it serves (GET models URL with the
    /// endpoint's key and timeout) and compares with `model_list`.
    pub async fn fetch_upstream_models(&self, id: i64) -> Result<ModelDiff, AppError> {
        let row = self.row(id).await?;
        let upstream = crate::upstream::list_models(&self.http, &row.target()).await?;
        Ok(ModelDiff::between(&row.models(), upstream))
    }

    /// Writes the update to Supabase first, only if the row is still at
    /// version `seen`; returns the remote id and new version when the row
    /// is (now) mirrored there. A row made before Supabase was configured
    /// is inserted remotely instead.
    async fn push_update(
        &self,
        before: &EndpointRow,
        v: &super::validate::ValidEndpoint,
        seen: Option<&str>,
    ) -> Result<Option<(i64, Option<String>)>, AppError> {
        let Some(pg) = &self.supabase else {
            if seen.is_some_and(|s| Some(s) != before.updated_at.as_deref()) {
                return Err(changed_elsewhere(before, before.updated_at.clone()));
            }
            return Ok(None);
        };
        match before.supabase_id {
            Some(sid) => match remote::update(pg, sid, v, seen).await? {
                Written::Done(version) => Ok(Some((sid, version))),
                Written::Changed { at } => Err(changed_elsewhere(before, at)),
                Written::Gone => Err(AppError::Conflict(
                    CatalogMsg::DeletedInSupabase {
                        name: before.name.clone(),
                    }
                    .into(),
                )),
            },
            None => {
                let (sid, version, _) = remote::insert(pg, v, before.default()).await?;
                Ok(Some((sid, version)))
            }
        }
    }

    /// A refused conditional write leaves the admin's edit unapplied; the
    /// local store takes the authority's current values, so the page shows
    /// them and a re-apply starts from them.
    async fn after_refused_update(&self, e: AppError) -> AppError {
        if matches!(e, AppError::Conflict(_)) && self.supabase.is_some() {
            if let Err(again) = self.follow_remote().await {
                tracing::warn!(error = %again, "could not mirror Supabase after a conflict");
            }
        }
        e
    }

    /// Two endpoints never share a name (letter case aside): 409 naming the
    /// one that has it.
    async fn refuse_taken_name(&self, name: &str, except: Option<i64>) -> Result<(), AppError> {
        match repo::same_name(&self.db, name, except).await? {
            Some((id, name)) => Err(AppError::Conflict(
                CatalogMsg::NameTaken { name, id }.into(),
            )),
            None => Ok(()),
        }
    }

    async fn undo_remote_insert(&self, supabase_id: Option<i64>) {
        if let (Some(pg), Some(sid)) = (&self.supabase, supabase_id) {
            if let Err(e) = remote::delete(pg, sid, false).await {
                tracing::error!(error = %e, supabase_id = sid, "could not undo a Supabase insert after a local failure");
            }
        }
    }
}

fn changed_elsewhere(row: &EndpointRow, at: Option<String>) -> AppError {
    AppError::Conflict(
        CatalogMsg::ChangedElsewhere {
            name: row.name.clone(),
            at: at.unwrap_or_else(|| "?".into()),
        }
        .into(),
    )
}

pub(super) fn default_guard(row: &EndpointRow, action: Guarded) -> AppError {
    AppError::Conflict(
        CatalogMsg::IsDefault {
            name: row.name.clone(),
            action,
        }
        .into(),
    )
}

impl Catalog {
    /// Before switching: the current default and the mapping domains that
    /// have no default of their own and so follow the global one.
    pub async fn default_switch_preview(
        &self,
        id: i64,
    ) -> Result<super::types::DefaultSwitchPreview, AppError> {
        self.row(id).await?;
        let mappings: Vec<(String, Option<String>)> = sqlx::query_as(
            "SELECT name, tools_json FROM ai_prompts WHERE category = 'model_mapping' AND COALESCE(is_active, 0) = 1 ORDER BY name",
        )
        .fetch_all(&self.db)
        .await?;
        let has_default = |tools: &Option<String>| {
            let parsed: serde_json::Value = tools
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default();
            !parsed
                .get("default")
                .and_then(|d| d.as_str())
                .unwrap_or("")
                .is_empty()
        };
        let is_global = |name: &str| name == "global" || name.starts_with("global:");
        let global_has_own = mappings.iter().any(|(n, t)| is_global(n) && has_default(t));
        let mut inheriting: Vec<String> = mappings
            .iter()
            .filter(|(n, t)| !is_global(n) && !has_default(t))
            .map(|(n, _)| n.clone())
            .collect();
        if !global_has_own {
            inheriting.insert(0, "global".to_owned());
        }
        Ok(super::types::DefaultSwitchPreview {
            current: self.default_endpoint().await?,
            inheriting_domains: inheriting,
        })
    }
}
