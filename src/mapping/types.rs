//! Business domains and their model sets, shared by server and browser.
//! A mapping is stored as one `ai_prompts` row (`category = 'model_mapping'`,
//! `name = '<scope>'`, `tools_json = {"models", "default", ...}`).

use serde::{Deserialize, Serialize};

use super::msg::{MappingMsg, Placed, Reason};
use crate::error::AppError;
use crate::i18n::Lang;

/// The category that marks an `ai_prompts` row as a mapping.
pub const MAPPING_CATEGORY: &str = "model_mapping";
pub const KEY_MAX: usize = 64;

/// Which requests a mapping applies to. More specific scopes win:
/// prompt > tenant > module > global.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    Global,
    Prompt(i64),
    Tenant(String),
    Module(String),
}

impl Scope {
    /// `global`, `prompt:12`, `tenant:acme`, `module:coach`.
    pub fn name(&self) -> String {
        match self {
            Scope::Global => "global".into(),
            Scope::Prompt(id) => format!("prompt:{id}"),
            Scope::Tenant(k) => format!("tenant:{k}"),
            Scope::Module(k) => format!("module:{k}"),
        }
    }

    /// Lower is more specific.
    pub fn rank(&self) -> u8 {
        match self {
            Scope::Prompt(_) => 0,
            Scope::Tenant(_) => 1,
            Scope::Module(_) => 2,
            Scope::Global => 3,
        }
    }

    /// Parses a scope name; errors name the `scope` field and the rule.
    pub fn parse(raw: &str) -> Result<Scope, AppError> {
        let raw = raw.trim();
        if raw == "global" {
            return Ok(Scope::Global);
        }
        let rule = || AppError::field("scope", MappingMsg::ScopeFormat);
        let (kind, key) = raw.split_once(':').ok_or_else(rule)?;
        match kind {
            "prompt" => key
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(Scope::Prompt)
                .ok_or_else(|| AppError::field("scope", MappingMsg::PromptIdPositive)),
            "tenant" => valid_key(key).map(Scope::Tenant),
            "module" => valid_key(key).map(Scope::Module),
            _ => Err(rule()),
        }
    }
}

/// Keys are 1–64 of `a-z 0-9 - _ .`, starting with a letter or digit.
pub fn valid_key(key: &str) -> Result<String, AppError> {
    let ok = !key.is_empty()
        && key.len() <= KEY_MAX
        && key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(key.to_owned())
    } else {
        Err(AppError::field(
            "scope",
            MappingMsg::ScopeKey {
                max: KEY_MAX,
                got: key.to_owned(),
            },
        ))
    }
}

/// `tools_json` of a mapping row.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MappingTools {
    pub models: Vec<String>,
    #[serde(default)]
    pub default: Option<String>,
    /// The admin accepted models no endpoint serves yet.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub accept_dangling: bool,
    /// Deleted in Supabase but kept here (disabled) because stored results
    /// refer to it; never pushed back.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed_in_supabase: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Mapping {
    pub id: i64,
    pub supabase_id: Option<i64>,
    pub scope: String,
    pub models: Vec<String>,
    pub default: Option<String>,
    pub note: String,
    pub is_active: bool,
    pub accept_dangling: bool,
    pub updated_at: Option<String>,
    /// Deleted in Supabase, kept here disabled because results refer to it.
    #[serde(default)]
    pub removed_in_supabase: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(utoipa::ToSchema),
    schema(example = json!({"scope": "tenant:acme", "models": ["sim-small"], "default": "sim-small", "note": "Acme uses the small model", "is_active": true, "accept_dangling": false}))
)]
pub struct MappingDraft {
    pub scope: String,
    #[serde(default)]
    pub models: Vec<String>,
    #[serde(default)]
    pub default: Option<String>,
    #[serde(default)]
    pub note: String,
    #[serde(default = "yes")]
    pub is_active: bool,
    #[serde(default)]
    pub accept_dangling: bool,
    /// The version the admin saw (the mapping's `updated_at`): with
    /// Supabase, the write applies only if the row is still at it.
    #[serde(default)]
    pub updated_at: Option<String>,
}

fn yes() -> bool {
    true
}

/// Which endpoints serve a model, and whether any of them is healthy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelCoverage {
    pub model: String,
    /// The endpoints serving it, healthy ones first, at most
    /// [`COVERAGE_NAMED`]; `more` counts the rest.
    pub endpoints: Vec<CoveringEndpoint>,
    #[serde(default)]
    pub more: usize,
}

/// Endpoints a coverage chip names; a big catalog serves a model from
/// thousands, and each mapping row would carry them all.
pub const COVERAGE_NAMED: usize = 10;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CoveringEndpoint {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub is_active: bool,
}

impl ModelCoverage {
    pub fn healthy(&self) -> bool {
        self.endpoints
            .iter()
            .any(|e| e.is_active && e.status == "online")
    }

    pub fn served(&self) -> bool {
        self.endpoints.iter().any(|e| e.is_active)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MappingView {
    pub mapping: Mapping,
    pub coverage: Vec<ModelCoverage>,
}

/// A page of the mapping table: filter by scope or model, order, page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct MappingQuery {
    /// Part of the scope or of a model name.
    #[serde(default)]
    pub q: Option<String>,
    /// `id`, `scope`, `updated_at` or `is_active`; without it by scope.
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
pub struct MappingPage {
    pub items: Vec<MappingView>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// What the chat API is asked: any subset of the scope, and maybe a model.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(utoipa::ToSchema),
    schema(example = json!({"tenant": "acme", "module": "coach", "model": "sim-small"}))
)]
pub struct ResolveRequest {
    #[serde(default)]
    pub prompt_id: Option<i64>,
    #[serde(default)]
    pub tenant: Option<String>,
    #[serde(default)]
    pub module: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
}

/// Where a request goes, and why (put into words by
/// [`ResolveOutcome::in_words`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Resolution {
    pub model: String,
    pub endpoint_id: i64,
    pub endpoint_name: String,
    /// The mapping that applied, if any.
    pub scope: Option<String>,
    pub reasons: Vec<Reason>,
    /// Every active endpoint serving the model, in the order a chat tries
    /// them (the first is the one chosen; the rest are its failover).
    pub candidates: Vec<Candidate>,
}

/// An endpoint that serves the routed model, as routing saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub endpoint_id: i64,
    pub endpoint_name: String,
    pub status: String,
    pub is_default: bool,
    pub latency_ms: Option<f64>,
    /// Why it is where it is in the order.
    pub placed: Placed,
}

/// What real traffic did last for a route (the applied mapping and model):
/// the endpoint that answered, or the last one tried when none did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LastUsed {
    pub endpoint_id: i64,
    pub endpoint_name: String,
    /// When the chat ended (RFC 3339).
    pub at: String,
    /// Endpoints it was sent to.
    pub attempts: u32,
    /// Whether an endpoint answered.
    pub answered: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_and_bad_ones_name_the_rule() {
        for s in ["global", "prompt:7", "tenant:acme", "module:coach-v2"] {
            assert_eq!(Scope::parse(s).expect(s).name(), s);
        }
        for s in [
            "tenant:",
            "tenant:ACME",
            "prompt:x",
            "prompt:0",
            "team:x",
            "tenant:a b",
            "module:-x",
        ] {
            assert_eq!(
                Scope::parse(s).unwrap_err().field_name(),
                Some("scope"),
                "{s}"
            );
        }
    }
}

/// The resolver's answer: the route, or why there is none — with the
/// reasons either way; [`ResolveOutcome::in_words`] puts it into words.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolveOutcome {
    pub resolution: Option<Resolution>,
    pub error: Option<Reason>,
    pub reasons: Vec<Reason>,
    /// What real traffic did last for the same route, since the server
    /// started.
    pub last_used: Option<LastUsed>,
}

impl ResolveOutcome {
    pub fn in_words(self, lang: Lang) -> ResolveAnswer {
        let words = |reasons: &[Reason]| reasons.iter().map(|r| r.render(lang)).collect();
        ResolveAnswer {
            resolution: self.resolution.map(|r| ResolvedRoute {
                reasons: words(&r.reasons),
                candidates: r
                    .candidates
                    .into_iter()
                    .map(|c| RouteCandidate {
                        why: c.placed.render(lang),
                        endpoint_id: c.endpoint_id,
                        endpoint_name: c.endpoint_name,
                        status: c.status,
                        is_default: c.is_default,
                        latency_ms: c.latency_ms,
                    })
                    .collect(),
                model: r.model,
                endpoint_id: r.endpoint_id,
                endpoint_name: r.endpoint_name,
                scope: r.scope,
            }),
            error: self.error.map(|e| e.render(lang)),
            reasons: words(&self.reasons),
            last_used: self.last_used,
        }
    }
}

/// Where a chat request with this scope would go, and why; or why it would
/// be refused: the words in the language asked for (English on the JSON
/// API; the admin's on the page, which so needs no reason's wording).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResolveAnswer {
    pub resolution: Option<ResolvedRoute>,
    /// Why there is no route (then `resolution` is null).
    pub error: Option<String>,
    pub reasons: Vec<String>,
    /// What real chats routed the same way (same mapping, same model) did
    /// last since the server started: the endpoint that answered, or the
    /// last one tried when none did.
    pub last_used: Option<LastUsed>,
}

/// An endpoint serving the routed model, in the order a chat tries them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RouteCandidate {
    pub endpoint_id: i64,
    pub endpoint_name: String,
    /// `online`, `degraded`, `offline` or `unknown`, as routing sees it.
    pub status: String,
    pub is_default: bool,
    pub latency_ms: Option<f64>,
    /// What puts it ahead of the next one.
    pub why: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResolvedRoute {
    pub model: String,
    pub endpoint_id: i64,
    pub endpoint_name: String,
    /// The mapping that applied, if any.
    pub scope: Option<String>,
    pub reasons: Vec<String>,
    /// Every active endpoint serving the model, first the one chosen, then
    /// the ones a failing chat goes on to.
    pub candidates: Vec<RouteCandidate>,
}

/// A write Supabase refused because it could not be reached, kept for the
/// admin to re-apply (through the same version check) or discard. An api
/// key in its body is never shown: `body.api_key` is dropped and
/// `has_api_key` says whether one is kept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PendingChange {
    pub id: String,
    /// `endpoint.create`, `endpoint.update`, `endpoint.default`, `endpoint.delete`,
    /// `mapping.create`, `mapping.update` or `mapping.delete`.
    pub kind: String,
    /// The local id of the endpoint or mapping it changes (none for a create).
    pub target: Option<i64>,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub body: serde_json::Value,
    pub has_api_key: bool,
    pub refused_at: String,
    pub reason: String,
    pub actor: String,
}
