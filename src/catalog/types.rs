//! What the catalog shows and takes, shared by server and browser. The API
//! key never appears here in clear: only `api_key_mask` and `has_api_key`.

use serde::{Deserialize, Serialize};

/// One endpoint as the admin sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Endpoint {
    pub id: i64,
    pub supabase_id: Option<i64>,
    pub name: String,
    pub base_url: String,
    /// The endpoint's own default model (one of `model_list`).
    pub model: Option<String>,
    pub api_key_mask: Option<String>,
    pub has_api_key: bool,
    pub description: Option<String>,
    pub timeout: i64,
    pub is_active: bool,
    pub is_default: bool,
    pub model_list: Vec<String>,
    pub status: String,
    pub latency_ms: Option<f64>,
    pub last_checked_at: Option<String>,
    pub last_error: Option<String>,
    pub sync_status: String,
    pub last_synced_at: Option<String>,
    pub resolved_endpoints: Option<ResolvedEndpoints>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

/// Full upstream URLs derived from `base_url` (stored as JSON in
/// `ai_endpoints.resolved_endpoints`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResolvedEndpoints {
    pub chat_completions: String,
    pub completions: String,
    pub models: String,
    pub embeddings: String,
}

/// What the add / edit form sends. `api_key: None` (or empty) keeps the
/// stored key on edit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(utoipa::ToSchema),
    schema(example = json!({"name": "Main", "base_url": "http://127.0.0.1:9100/v1", "api_key": "sk-example-key-0000", "description": "Primary upstream", "model": "sim-small", "model_list": ["sim-small", "sim-large"], "timeout": 60, "is_active": true}))
)]
pub struct EndpointDraft {
    pub name: String,
    pub base_url: String,
    #[serde(default)]
    pub api_key: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub model_list: Vec<String>,
    #[serde(default = "default_timeout")]
    pub timeout: i64,
    #[serde(default = "default_true")]
    pub is_active: bool,
    /// The version the admin saw (the endpoint's `updated_at`): with
    /// Supabase, the write applies only if the row is still at it.
    #[serde(default)]
    pub updated_at: Option<String>,
}

fn default_timeout() -> i64 {
    60
}

fn default_true() -> bool {
    true
}

impl Endpoint {
    /// The draft that re-saves this endpoint unchanged (key kept).
    pub fn to_draft(&self) -> EndpointDraft {
        EndpointDraft {
            name: self.name.clone(),
            base_url: self.base_url.clone(),
            api_key: None,
            description: self.description.clone(),
            model: self.model.clone(),
            model_list: self.model_list.clone(),
            timeout: self.timeout,
            is_active: self.is_active,
            updated_at: self.updated_at.clone(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ListQuery {
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    /// `id`, `name`, `status`, `latency_ms`, `updated_at` or `attention`
    /// (offline, degraded, unchecked, disabled, then online); without it
    /// the default first, then by name.
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub ascending: bool,
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(default)]
    pub per_page: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EndpointPage {
    pub items: Vec<Endpoint>,
    /// Whether Supabase is the authority (else sync status means nothing).
    #[serde(default)]
    pub supabase: bool,
    /// Since when Supabase has not answered (UTC), while it does not: the
    /// pages serve the last mirrored state and writes are refused.
    #[serde(default)]
    pub authority_away_since: Option<String>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Result of asking the upstream which models it serves, against the
/// endpoint's current `model_list`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelDiff {
    pub upstream: Vec<String>,
    pub new: Vec<String>,
    pub gone: Vec<String>,
    pub unchanged: Vec<String>,
}

impl ModelDiff {
    pub fn between(current: &[String], upstream: Vec<String>) -> ModelDiff {
        let new = upstream
            .iter()
            .filter(|m| !current.contains(m))
            .cloned()
            .collect();
        let gone = current
            .iter()
            .filter(|m| !upstream.contains(m))
            .cloned()
            .collect();
        let unchanged = current
            .iter()
            .filter(|m| upstream.contains(m))
            .cloned()
            .collect();
        ModelDiff {
            upstream,
            new,
            gone,
            unchanged,
        }
    }
}

/// What one sync did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SyncReport {
    /// Endpoints (`ai_model` → `ai_endpoints`).
    #[serde(flatten)]
    pub endpoints: SyncCounts,
    /// Mappings (`ai_prompt` → `ai_prompts`, category `model_mapping`).
    #[serde(default)]
    pub mappings: SyncCounts,
    /// Result rows copied to Supabase's `ai_prompt_tests`.
    #[serde(default)]
    pub results_pushed: u64,
    /// Why some results wait (an endpoint not in Supabase yet, a refusal).
    #[serde(default)]
    pub results_waiting: Option<String>,
    /// Supabase rows that break the rules local edits follow (a `base_url`
    /// with credentials, a query or a fragment, a bad timeout…): named here
    /// and not applied.
    #[serde(default)]
    pub invalid_rows: Vec<String>,
    pub finished_at: String,
    pub duration_ms: u64,
}

/// What one sync did to one table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SyncCounts {
    pub added: u32,
    pub updated: u32,
    pub removed: u32,
    pub unchanged: u32,
    /// Local-only rows pushed to Supabase (they now have a `supabase_id`).
    pub pushed: u32,
    /// Rows gone remotely but kept locally because stored results refer to
    /// them; they are disabled (endpoints are also marked `orphaned`).
    pub kept: u32,
    /// Remote rows refused by validation (see `SyncReport::invalid_rows`).
    #[serde(default)]
    pub invalid: u32,
}

impl SyncCounts {
    /// One line for a terminal.
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} updated, {} removed, {} unchanged, {} pushed, {} kept, {} invalid",
            self.added,
            self.updated,
            self.removed,
            self.unchanged,
            self.pushed,
            self.kept,
            self.invalid
        )
    }
}

/// Who would lose their model if the default changed: mapping domains with
/// no model set of their own inherit the global default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DefaultSwitchPreview {
    pub current: Option<Endpoint>,
    pub inheriting_domains: Vec<String>,
}

/// What refers to an endpoint, asked before deleting it: the stored chat
/// and load-test results (model checks go with it), of which how many never
/// reached an endpoint and are only filed under it, and the rows Supabase
/// holds for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EndpointUsage {
    pub results: i64,
    /// Of `results`: requests that were not routed, filed here because it
    /// was the default then.
    pub not_routed: i64,
    /// Result rows for it in Supabase's `ai_prompt_tests` (when configured
    /// and reachable).
    pub supabase_results: Option<i64>,
}

/// `sk-1…9f2c`: enough to recognise a key, never enough to use it.
pub fn mask_api_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() >= 12 {
        let head: String = chars[..4].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}…{tail}")
    } else {
        let tail: String = chars[chars.len().saturating_sub(2)..].iter().collect();
        format!("…{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_show_only_the_ends() {
        assert_eq!(mask_api_key("sk-1234567890abcdef9f2c"), "sk-1…9f2c");
        assert_eq!(mask_api_key("short-key"), "…ey");
        assert!(!mask_api_key("sk-1234567890abcdef9f2c").contains("567890"));
    }

    #[test]
    fn diff_names_new_and_gone_models() {
        let current = vec!["a".to_owned(), "b".to_owned()];
        let d = ModelDiff::between(&current, vec!["b".into(), "c".into()]);
        assert_eq!(d.new, ["c"]);
        assert_eq!(d.gone, ["a"]);
        assert_eq!(d.unchanged, ["b"]);
    }
}

/// The last chat check of one of an endpoint's models.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelCheck {
    pub model: String,
    pub ok: bool,
    pub latency_ms: Option<f64>,
    pub error: Option<String>,
    /// When it ran (RFC 3339); `None` when the model was never checked.
    pub checked_at: Option<String>,
    /// The `ai_prompt_tests` row it is stored as.
    pub row_id: Option<i64>,
}
