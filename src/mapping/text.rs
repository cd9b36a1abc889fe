//! The Mapping page's words, in both languages.

use serde::{Deserialize, Serialize};

use crate::error::pick;
use crate::i18n::{Lang, Text};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum M {
    Add,
    ColScope,
    ColModels,
    ColDefault,
    ColNote,
    ColEnabled,
    ColActions,
    Edit,
    Delete,
    ConfirmDelete,
    AddTitle,
    EditTitle,
    FieldScopeKind,
    FieldScopeKey,
    FieldModels,
    FieldDefault,
    FieldNote,
    FieldDangling,
    FieldEnabled,
    Global,
    Prompt,
    Tenant,
    Module,
    AddModel,
    ModelPlaceholder,
    ChooseDefault,
    Save,
    Cancel,
    Saved,
    Deleted,
    Healthy,
    Unhealthy,
    Unserved,
    Dangling,
    ResolveTitle,
    ResolveHint,
    ResolveButton,
    PromptId,
    TenantKey,
    ModuleKey,
    RequestedModel,
    ResultModel,
    ResultEndpoint,
    ResultScope,
    NoMapping,
    NoRoute,
    Why,
}

impl Text for M {
    fn pair(self) -> (&'static str, &'static str) {
        use M::*;
        match self {
            Add => ("新增映射", "Add mapping"),
            ColScope => ("业务域", "Domain"),
            ColModels => ("可用模型与覆盖", "Models and coverage"),
            ColDefault => ("默认模型", "Default"),
            ColNote => ("备注", "Note"),
            ColEnabled => ("启用", "Enabled"),
            ColActions => ("操作", "Actions"),
            Edit => ("编辑", "Edit"),
            Delete => ("删除", "Delete"),
            ConfirmDelete => ("确定删除这个映射？", "Delete this mapping?"),
            AddTitle => ("新增映射", "Add mapping"),
            EditTitle => ("编辑映射", "Edit mapping"),
            FieldScopeKind => ("业务域类型", "Domain kind"),
            FieldScopeKey => ("标识（prompt 为 ID）", "Key (the id for a prompt)"),
            FieldModels => ("允许的模型", "Allowed models"),
            FieldDefault => ("默认模型", "Default model"),
            FieldNote => ("备注", "Note"),
            FieldDangling => (
                "允许暂无端点提供的模型（将显示警告）",
                "Accept models no endpoint serves yet (shown with a warning)",
            ),
            FieldEnabled => ("启用", "Enabled"),
            Global => ("全局 global", "global"),
            Prompt => ("提示词 prompt", "prompt"),
            Tenant => ("租户 tenant", "tenant"),
            Module => ("模块 module", "module"),
            AddModel => ("添加", "Add"),
            ModelPlaceholder => ("模型 ID", "model id"),
            ChooseDefault => ("（选择默认模型）", "(choose the default)"),
            Save => ("保存", "Save"),
            Cancel => ("取消", "Cancel"),
            Saved => ("已保存", "Saved"),
            Deleted => ("已删除", "Deleted"),
            Healthy => ("有健康端点", "served by a healthy endpoint"),
            Unhealthy => ("有端点但未在线", "served, but no endpoint is online"),
            Unserved => ("无端点提供", "no endpoint serves it"),
            Dangling => ("含无人提供的模型", "has models no endpoint serves"),
            ResolveTitle => ("解析路由", "Resolve a route"),
            ResolveHint => (
                "输入业务域（可选模型），查看对话 API 会选用的模型与端点及原因。",
                "Enter a scope (and optionally a model) to see which model and endpoint the chat API would use, and why.",
            ),
            ResolveButton => ("解析", "Resolve"),
            PromptId => ("Prompt ID", "Prompt id"),
            TenantKey => ("租户", "Tenant"),
            ModuleKey => ("模块", "Module"),
            RequestedModel => ("请求的模型", "Requested model"),
            ResultModel => ("模型", "Model"),
            ResultEndpoint => ("端点", "Endpoint"),
            ResultScope => ("生效映射", "Mapping applied"),
            NoMapping => ("（无，使用全局默认）", "(none: the global default)"),
            NoRoute => ("无可用路由", "No route"),
            Why => ("原因", "Why"),
        }
    }
}

/// What the mapping rules' refusals say.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum MappingMsg {
    ScopeFormat,
    PromptIdPositive,
    ScopeKey {
        max: usize,
        got: String,
    },
    PromptMissing {
        id: i64,
    },
    NoModels,
    DefaultNotListed,
    Dangling {
        models: Vec<String>,
    },
    AlreadyMapped {
        scope: String,
        id: i64,
    },
    DeletedInSupabase {
        scope: String,
    },
    /// The resolver found no route.
    NoRoute(Box<Reason>),
}

impl MappingMsg {
    pub fn render(&self, lang: Lang) -> String {
        use MappingMsg::*;
        let pair = match self {
            ScopeFormat => (
                "必须是 `global`、`prompt:<id>`、`tenant:<key>` 或 `module:<key>`".into(),
                "must be `global`, `prompt:<id>`, `tenant:<key>` or `module:<key>`".into(),
            ),
            PromptIdPositive => (
                "prompt:<id> 需要一个正整数 ID".into(),
                "prompt:<id> needs a positive prompt id".into(),
            ),
            ScopeKey { max, got } => (
                format!("标识为 1–{max} 个字符，只含 a-z、0-9、- _ .，以字母或数字开头；当前为 `{got}`"),
                format!("keys are 1–{max} characters of a-z, 0-9, - _ . starting with a letter or digit; got `{got}`"),
            ),
            PromptMissing { id } => (
                format!("prompt {id} 不存在"),
                format!("prompt {id} does not exist"),
            ),
            NoModels => ("请至少选择一个模型".into(), "choose at least one model".into()),
            DefaultNotListed => (
                "必须是该映射的模型之一".into(),
                "must be one of the mapping's models".into(),
            ),
            Dangling { models } => {
                let list = quoted(models);
                (
                    format!("没有端点提供 {list}；请把它们加到某个端点，或勾选允许"),
                    format!("no endpoint serves {list}; add them to an endpoint or accept them as dangling"),
                )
            }
            AlreadyMapped { scope, id } => (
                format!("`{scope}` 已有映射（#{id}）"),
                format!("`{scope}` already has a mapping (#{id})"),
            ),
            DeletedInSupabase { scope } => (
                format!("`{scope}` 已在 Supabase 中被删除；请先同步"),
                format!("`{scope}` was deleted in Supabase; sync first"),
            ),
            NoRoute(reason) => return reason.render(lang),
        };
        pick(lang, pair)
    }
}

fn quoted(models: &[String]) -> String {
    models
        .iter()
        .map(|m| format!("`{m}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One step of the resolver's reasoning.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reason {
    Applies {
        scope: String,
    },
    NoMapping {
        scope: String,
    },
    Allowed {
        model: String,
        scope: String,
    },
    NotAllowed {
        model: String,
        scope: String,
        default: String,
    },
    NoneRequested {
        scope: String,
        default: String,
    },
    NoGlobalDefault,
    GlobalNotAllowed {
        model: String,
        default: String,
    },
    GlobalDefault {
        model: String,
    },
    NoEndpoint {
        model: String,
    },
    Chose {
        count: usize,
        model: String,
        endpoint: String,
        status: String,
        is_default: bool,
        latency_ms: Option<f64>,
    },
}

impl Reason {
    pub fn render(&self, lang: Lang) -> String {
        use Reason::*;
        let pair = match self {
            Applies { scope } => (
                format!("映射 `{scope}` 生效（最具体的启用映射）"),
                format!("mapping `{scope}` applies (the most specific active one)"),
            ),
            NoMapping { scope } => (
                format!("`{scope}` 没有启用的映射"),
                format!("no active mapping for `{scope}`"),
            ),
            Allowed { model, scope } => (
                format!("请求的模型 `{model}` 被 `{scope}` 允许"),
                format!("requested model `{model}` is allowed by `{scope}`"),
            ),
            NotAllowed { model, scope, default } => (
                format!("请求的模型 `{model}` 不被 `{scope}` 允许；改用其默认模型 `{default}`"),
                format!("requested model `{model}` is not allowed by `{scope}`; using its default `{default}`"),
            ),
            NoneRequested { scope, default } => (
                format!("未指定模型；使用 `{scope}` 的默认模型 `{default}`"),
                format!("no model requested; using `{scope}`'s default `{default}`"),
            ),
            NoGlobalDefault => (
                "没有适用的映射，也没有带模型的启用全局默认端点；请在模型目录中设置".into(),
                "no mapping applies and there is no active global default endpoint with a model; set one in the catalog".into(),
            ),
            GlobalNotAllowed { model, default } => (
                format!("没有适用的映射；请求的模型 `{model}` 不被允许，使用全局默认 `{default}`"),
                format!("no mapping applies; requested model `{model}` is not allowed, using the global default `{default}`"),
            ),
            GlobalDefault { model } => (
                format!("没有适用的映射；使用全局默认模型 `{model}`"),
                format!("no mapping applies; using the global default model `{model}`"),
            ),
            NoEndpoint { model } => (
                format!("没有启用的端点提供模型 `{model}`；请把它加到某个端点的模型中或启用一个端点"),
                format!("no active endpoint serves model `{model}`; add it to an endpoint's models or enable one"),
            ),
            Chose { count, model, endpoint, status, is_default, latency_ms } => {
                let latency = latency_ms.map(|l| format!(", {l:.0} ms")).unwrap_or_default();
                let zh_status = match status.as_str() {
                    "online" => "在线",
                    "offline" => "离线",
                    "degraded" => "降级",
                    _ => "未知",
                };
                (
                    format!(
                        "{count} 个启用的端点提供 `{model}`；选用 `{endpoint}`（{zh_status}{}{latency}）",
                        if *is_default { "，全局默认" } else { "" }
                    ),
                    format!(
                        "{count} active endpoint(s) serve `{model}`; chose `{endpoint}` ({status}{}{latency})",
                        if *is_default { ", global default" } else { "" }
                    ),
                )
            }
        };
        pick(lang, pair)
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}
