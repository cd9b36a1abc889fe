//! `model_mapping_service`: mappings as `ai_prompts` rows, written through
//! the catalog's single write path (Supabase `ai_prompt` first when
//! configured, then SQLite), plus the route tables the resolver reads.

use std::collections::HashMap;
use std::sync::Arc;

use super::last_used::LastUsedLog;
use super::listing::{self, MappingRow, SELECT};
use super::msg::MappingMsg;
use super::remote::{self, Written};
use super::resolver::{self, RouteMapping};
use super::route_cache::{route_endpoints, RouteCache, RouteTables, Tables};
use super::types::{
    CoveringEndpoint, Mapping, MappingDraft, MappingPage, MappingQuery, MappingTools, MappingView,
    ModelCoverage, Resolution, ResolveRequest, Scope, COVERAGE_NAMED, MAPPING_CATEGORY,
};
use crate::catalog::repo::{self as endpoints, now, EndpointRow};
use crate::catalog::service::Catalog;
use crate::catalog::validate::parse_model_list;
use crate::error::{AppError, Thing};
use serde_json::json;

pub const NOTE_MAX: usize = 2000;

#[derive(Clone)]
pub struct MappingService {
    catalog: Catalog,
    /// The resolver's inputs, kept while the catalog's epoch stands.
    routes: RouteCache,
    /// What real traffic did last per route.
    pub last_used: LastUsedLog,
}

fn changed_elsewhere(scope: &str, at: Option<String>) -> AppError {
    AppError::Conflict(
        MappingMsg::ChangedElsewhere {
            scope: scope.to_owned(),
            at: at.unwrap_or_else(|| "?".into()),
        }
        .into(),
    )
}

impl MappingService {
    pub fn new(catalog: Catalog) -> MappingService {
        MappingService {
            catalog,
            routes: RouteCache::default(),
            last_used: LastUsedLog::default(),
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    async fn rows(&self) -> Result<Vec<MappingRow>, AppError> {
        Ok(
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY name")))
                .fetch_all(&self.catalog.db)
                .await?,
        )
    }

    async fn row(&self, id: i64) -> Result<MappingRow, AppError> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} AND id = ?1")))
            .bind(id)
            .fetch_optional(&self.catalog.db)
            .await?
            .ok_or_else(|| AppError::missing(Thing::Mapping, id))
    }

    /// Every mapping with, per model, the endpoints that serve it.
    pub async fn list(&self) -> Result<Vec<MappingView>, AppError> {
        self.with_coverage(self.rows().await?).await
    }

    /// A page of the mapping table: filtered by scope or model, ordered.
    pub async fn page(&self, q: &MappingQuery) -> Result<MappingPage, AppError> {
        let order = listing::order_by(q).ok_or_else(|| {
            AppError::field(
                "sort",
                MappingMsg::SortKey {
                    got: q.sort.clone().unwrap_or_default(),
                },
            )
        })?;
        let (rows, total, page, per_page) = listing::page(&self.catalog.db, q, &order).await?;
        Ok(MappingPage {
            items: self.with_coverage(rows).await?,
            total,
            page,
            per_page,
        })
    }

    /// Each mapping with, per model, the endpoints that serve it (only
    /// the endpoints listing one of these mappings' models are read).
    async fn with_coverage(&self, rows: Vec<MappingRow>) -> Result<Vec<MappingView>, AppError> {
        let views: Vec<Mapping> = rows.iter().map(MappingRow::view).collect();
        let mut models: Vec<String> = views.iter().flat_map(|m| m.models.clone()).collect();
        models.sort();
        models.dedup();
        let mut serving: HashMap<String, Vec<CoveringEndpoint>> = HashMap::new();
        for (model, id, name, status, active) in
            crate::catalog::lookups::serving(&self.catalog.db, &models).await?
        {
            serving.entry(model).or_default().push(CoveringEndpoint {
                id,
                name,
                status: status.unwrap_or_else(|| "unknown".into()),
                is_active: active.unwrap_or(1) != 0,
            });
        }
        // Healthy first, then active ones, so the named ones decide.
        for list in serving.values_mut() {
            list.sort_by_key(|e| (!(e.is_active && e.status == "online"), !e.is_active, e.id));
        }
        Ok(views
            .into_iter()
            .map(|mapping| MappingView {
                coverage: mapping
                    .models
                    .iter()
                    .map(|m| {
                        let all = serving.get(m).map(Vec::as_slice).unwrap_or_default();
                        ModelCoverage {
                            model: m.clone(),
                            endpoints: all.iter().take(COVERAGE_NAMED).cloned().collect(),
                            more: all.len().saturating_sub(COVERAGE_NAMED),
                        }
                    })
                    .collect(),
                mapping,
            })
            .collect())
    }

    /// The prompts a `prompt:<id>` scope can name (ids of the authority).
    pub async fn prompts(&self) -> Result<Vec<super::prompts::PromptChoice>, AppError> {
        super::prompts::list(&self.catalog.db, self.catalog.supabase.as_ref()).await
    }

    pub async fn get(&self, id: i64) -> Result<Mapping, AppError> {
        Ok(self.row(id).await?.view())
    }

    /// Checks a draft against the rules and the current catalog.
    async fn check(
        &self,
        draft: MappingDraft,
        id: Option<i64>,
    ) -> Result<(Scope, String, MappingTools, bool), AppError> {
        let scope = Scope::parse(&draft.scope)?;
        if let Scope::Prompt(pid) = scope {
            let c = &self.catalog;
            if !super::prompts::exists(&c.db, c.supabase.as_ref(), pid).await? {
                return Err(AppError::field(
                    "scope",
                    MappingMsg::PromptMissing { id: pid },
                ));
            }
        }
        let models = parse_model_list(draft.models)
            .map_err(|e| AppError::field("models", e.msg().clone()))?;
        if models.is_empty() {
            return Err(AppError::field("models", MappingMsg::NoModels));
        }
        let default = draft
            .default
            .map(|d| d.trim().to_owned())
            .filter(|d| !d.is_empty());
        let Some(default) = default.filter(|d| models.contains(d)) else {
            return Err(AppError::field("default", MappingMsg::DefaultNotListed));
        };
        if draft.note.chars().count() > NOTE_MAX {
            return Err(AppError::field(
                "note",
                crate::error::Common::AtMostChars { max: NOTE_MAX },
            ));
        }
        let served: Vec<String> = endpoints::all(&self.catalog.db)
            .await?
            .iter()
            .flat_map(|e| e.models())
            .collect();
        let dangling: Vec<&String> = models.iter().filter(|m| !served.contains(m)).collect();
        if !dangling.is_empty() && !draft.accept_dangling {
            return Err(AppError::field(
                "models",
                MappingMsg::Dangling {
                    models: dangling.into_iter().cloned().collect(),
                },
            ));
        }
        let has_dangling = !dangling.is_empty();
        let name = scope.name();
        let clash = self
            .rows()
            .await?
            .into_iter()
            .find(|r| r.name == name && Some(r.id) != id);
        if let Some(other) = clash {
            return Err(AppError::Conflict(
                MappingMsg::AlreadyMapped {
                    scope: name,
                    id: other.id,
                }
                .into(),
            ));
        }
        let tools = MappingTools {
            models,
            default: Some(default),
            accept_dangling: draft.accept_dangling && has_dangling,
            removed_in_supabase: false,
        };
        Ok((scope, draft.note, tools, draft.is_active))
    }

    /// Creates the mapping (see [`MappingService::create`], which also
    /// keeps a write Supabase refused).
    pub async fn write_create(
        &self,
        actor: &str,
        draft: MappingDraft,
    ) -> Result<Mapping, AppError> {
        let _guard = self.catalog.lock_writes().await;
        let (scope, note, tools, active) = self.check(draft, None).await?;
        let name = scope.name();
        let supabase_id = match &self.catalog.supabase {
            Some(pg) => Some(remote::insert(pg, &name, &note, &tools, active).await?),
            None => None,
        };
        let (supabase_id, version) = match supabase_id {
            Some((sid, version)) => (Some(sid), version),
            None => (None, None),
        };
        let ts = now();
        let inserted = sqlx::query_scalar::<_, i64>(
            "INSERT INTO ai_prompts (supabase_id, name, content, version, category, tools_json, is_active, created_at, updated_at, last_synced_at)
             VALUES (?1, ?2, ?3, '1', ?4, ?5, ?6, ?7, ?7, ?8) RETURNING id",
        )
        .bind(supabase_id)
        .bind(&name)
        .bind(&note)
        .bind(MAPPING_CATEGORY)
        .bind(endpoints::json(&tools))
        .bind(i64::from(active))
        .bind(version.unwrap_or_else(|| ts.clone()))
        .bind(supabase_id.map(|_| ts.clone()))
        .fetch_one(&self.catalog.db)
        .await;
        let id = match inserted {
            Ok(id) => id,
            Err(e) => {
                if let (Some(pg), Some(sid)) = (&self.catalog.supabase, supabase_id) {
                    let _ = remote::delete(pg, sid).await;
                }
                return Err(e.into());
            }
        };
        let created = self.get(id).await?;
        self.catalog.audit.record(
            actor,
            "mapping.create",
            json!({ "id": id, "before": null, "after": created }),
        );
        Ok(created)
    }

    /// Updates the mapping (see [`MappingService::update`], which also
    /// keeps a write Supabase refused).
    pub async fn write_update(
        &self,
        actor: &str,
        id: i64,
        draft: MappingDraft,
    ) -> Result<Mapping, AppError> {
        let seen = crate::catalog::validate::parse_version(draft.updated_at.clone())?;
        let guard = self.catalog.lock_writes().await;
        let before = self.row(id).await?;
        let (scope, note, tools, active) = self.check(draft, Some(id)).await?;
        let name = scope.name();
        // The version the admin saw, else the one this console holds.
        let seen = seen.or_else(|| before.updated_at.clone());
        let mut supabase_id = before.supabase_id;
        let mut version = now();
        match (&self.catalog.supabase, before.supabase_id) {
            (Some(pg), Some(sid)) => {
                match remote::update(pg, sid, &name, &note, &tools, active, seen.as_deref()).await?
                {
                    Written::Done(v) => version = v.unwrap_or(version),
                    Written::Changed { at } => {
                        drop(guard);
                        if let Err(e) = self.follow_remote().await {
                            tracing::warn!(error = %e, "could not mirror Supabase after a conflict");
                        }
                        return Err(changed_elsewhere(&before.name, at));
                    }
                    Written::Gone => {
                        return Err(AppError::Conflict(
                            MappingMsg::DeletedInSupabase { scope: name }.into(),
                        ))
                    }
                }
            }
            (Some(pg), None) => {
                let (sid, v) = remote::insert(pg, &name, &note, &tools, active).await?;
                supabase_id = Some(sid);
                version = v.unwrap_or(version);
            }
            (None, _) => {
                if seen.is_some() && seen != before.updated_at {
                    return Err(changed_elsewhere(&before.name, before.updated_at.clone()));
                }
            }
        }
        sqlx::query(
            "UPDATE ai_prompts SET supabase_id = ?2, name = ?3, content = ?4, tools_json = ?5, is_active = ?6, updated_at = ?7,
                last_synced_at = CASE WHEN ?2 IS NULL THEN last_synced_at ELSE ?8 END WHERE id = ?1",
        )
        .bind(id)
        .bind(supabase_id)
        .bind(&name)
        .bind(&note)
        .bind(endpoints::json(&tools))
        .bind(i64::from(active))
        .bind(&version)
        .bind(now())
        .execute(&self.catalog.db)
        .await?;
        drop(guard);
        let after = self.get(id).await?;
        self.catalog.audit.record(
            actor,
            "mapping.update",
            json!({ "id": id, "before": before.view(), "after": after }),
        );
        Ok(after)
    }

    pub async fn set_active(
        &self,
        actor: &str,
        id: i64,
        active: bool,
    ) -> Result<Mapping, AppError> {
        let m = self.get(id).await?;
        let draft = MappingDraft {
            scope: m.scope,
            models: m.models,
            default: m.default,
            note: m.note,
            is_active: active,
            accept_dangling: true,
            updated_at: m.updated_at,
        };
        self.update(actor, id, draft).await
    }

    pub async fn write_delete(&self, actor: &str, id: i64) -> Result<(), AppError> {
        let _guard = self.catalog.lock_writes().await;
        let before = self.row(id).await?;
        if let (Some(pg), Some(sid)) = (&self.catalog.supabase, before.supabase_id) {
            remote::delete(pg, sid).await?;
        }
        sqlx::query("DELETE FROM ai_prompts WHERE id = ?1")
            .bind(id)
            .execute(&self.catalog.db)
            .await?;
        self.catalog.audit.record(
            actor,
            "mapping.delete",
            json!({ "id": id, "before": before.view(), "after": null }),
        );
        Ok(())
    }

    /// The route with its reasons, or the reason there is none.
    pub async fn explain(
        &self,
        req: &ResolveRequest,
    ) -> Result<super::types::ResolveOutcome, AppError> {
        let tables = self.cached_route_tables().await?;
        Ok(
            match resolver::resolve(&tables.endpoints, &tables.mappings, req) {
                Ok(r) => super::types::ResolveOutcome {
                    reasons: r.reasons.clone(),
                    last_used: self.last_used.last(&r),
                    resolution: Some(r),
                    error: None,
                },
                Err(e) => super::types::ResolveOutcome {
                    resolution: None,
                    error: Some(*e.reason),
                    reasons: e.reasons,
                    last_used: None,
                },
            },
        )
    }

    /// The models a scope may use, as routing would serve them.
    pub async fn allowed_models(&self, req: &ResolveRequest) -> Result<Vec<String>, AppError> {
        let tables = self.cached_route_tables().await?;
        Ok(super::scope_models::allowed_models(
            &tables.endpoints,
            &tables.mappings,
            req,
        ))
    }

    /// The resolver over the current catalog and active mappings.
    pub async fn resolve(&self, req: &ResolveRequest) -> Result<Resolution, AppError> {
        Ok(self.route(req).await?.0)
    }

    /// The resolution and the rows of its candidate endpoints in the order
    /// a chat tries them, from memory while nothing changed: the chat
    /// path's only read.
    pub async fn route(
        &self,
        req: &ResolveRequest,
    ) -> Result<(Resolution, Vec<EndpointRow>), AppError> {
        let tables = self.cached_route_tables().await?;
        let resolution = resolver::resolve(&tables.endpoints, &tables.mappings, req)
            .map_err(|e| AppError::NoRoute(MappingMsg::NoRoute(e.reason).into()))?;
        let rows = resolution
            .candidates
            .iter()
            .map(|c| {
                tables
                    .rows
                    .iter()
                    .find(|r| r.id == c.endpoint_id)
                    .cloned()
                    .ok_or_else(|| AppError::missing(Thing::Endpoint, c.endpoint_id))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((resolution, rows))
    }

    /// The route tables from memory when nothing changed since they were read.
    async fn cached_route_tables(&self) -> Result<RouteTables, AppError> {
        let epoch = self.catalog.epoch();
        if let Some(tables) = self.routes.fresh(epoch) {
            return Ok(tables);
        }
        let rows = endpoints::all(&self.catalog.db).await?;
        let mappings: Vec<RouteMapping> = self
            .rows()
            .await?
            .iter()
            .map(MappingRow::view)
            .filter(|m| m.is_active)
            .filter_map(|m| {
                Some(RouteMapping {
                    scope: Scope::parse(&m.scope).ok()?,
                    default: m.default.clone()?,
                    models: m.models,
                })
            })
            .collect();
        let tables = Arc::new(Tables {
            endpoints: route_endpoints(&rows),
            mappings,
            rows,
        });
        self.routes.keep(epoch, tables.clone());
        Ok(tables)
    }
}
