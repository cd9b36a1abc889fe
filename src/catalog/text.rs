//! The Catalog page's words, in both languages.

use serde::{Deserialize, Serialize};

use crate::error::pick;
use crate::i18n::{Lang, Text};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum C {
    Search,
    Add,
    CheckAll,
    SyncNow,
    SupabaseOff,
    SyncDone,
    SyncEndpoints,
    SyncMappings,
    SyncResults,
    SyncResultsWait,
    Added,
    Updated,
    Removed,
    Unchanged,
    Pushed,
    Kept,
    ColName,
    ColBaseUrl,
    ColStatus,
    ColModels,
    ColActive,
    ColSync,
    ColActions,
    Default,
    Online,
    Offline,
    Degraded,
    Unknown,
    Synced,
    Unsynced,
    Orphaned,
    Edit,
    CheckNow,
    MakeDefault,
    Delete,
    ConfirmDelete,
    AddTitle,
    EditTitle,
    FieldName,
    FieldBaseUrl,
    FieldApiKey,
    ApiKeyKeep,
    FieldTimeout,
    FieldDescription,
    FieldModel,
    FieldModelList,
    FieldActive,
    AddModel,
    ModelPlaceholder,
    FetchModels,
    DiffNew,
    DiffGone,
    AcceptDiff,
    NoDiff,
    Save,
    Cancel,
    Saved,
    Deleted,
    SwitchTitle,
    CurrentDefault,
    NewDefault,
    Inheriting,
    Confirm,
    NoDefaultYet,
    Switched,
    Checked,
    NoMatches,
    NeverChecked,
    Close,
    ChooseModel,
    SaveFirst,
    LocalOnly,
    ModelChecks,
    ModelChecksHint,
    CheckModels,
    Checking,
    CheckOk,
    CheckFailed,
}

impl Text for C {
    fn pair(self) -> (&'static str, &'static str) {
        use C::*;
        match self {
            Search => ("搜索名称、地址或模型", "Search name, URL or model"),
            Add => ("新增端点", "Add endpoint"),
            CheckAll => ("全部检测", "Check all"),
            SyncNow => ("从 Supabase 同步", "Sync from Supabase"),
            SupabaseOff => (
                "未配置 Supabase：SQLite 为权威数据源。",
                "Supabase is not configured: SQLite is the authority.",
            ),
            SyncDone => ("同步完成", "Sync finished"),
            SyncEndpoints => ("端点", "Endpoints"),
            SyncMappings => ("映射", "Mappings"),
            SyncResults => ("发送到 Supabase 的测试结果", "Results sent to Supabase"),
            SyncResultsWait => ("其余等待中", "the rest wait"),
            Added => ("新增", "added"),
            Updated => ("更新", "updated"),
            Removed => ("删除", "removed"),
            Unchanged => ("未变", "unchanged"),
            Pushed => ("上传", "pushed"),
            Kept => ("保留(有结果)", "kept (has results)"),
            ColName => ("名称", "Name"),
            ColBaseUrl => ("基础地址", "Base URL"),
            ColStatus => ("状态", "Status"),
            ColModels => ("模型数", "Models"),
            ColActive => ("启用", "Active"),
            ColSync => ("同步", "Sync"),
            ColActions => ("操作", "Actions"),
            Default => ("默认", "Default"),
            Online => ("在线", "online"),
            Offline => ("离线", "offline"),
            Degraded => ("异常", "degraded"),
            Unknown => ("未检测", "unknown"),
            Synced => ("已同步", "synced"),
            Unsynced => ("未同步", "unsynced"),
            Orphaned => ("远端已删除", "gone remotely"),
            Edit => ("编辑", "Edit"),
            CheckNow => ("立即检测", "Check now"),
            MakeDefault => ("设为默认", "Make default"),
            Delete => ("删除", "Delete"),
            ConfirmDelete => ("确定删除这个端点？", "Delete this endpoint?"),
            AddTitle => ("新增端点", "Add endpoint"),
            EditTitle => ("编辑端点", "Edit endpoint"),
            FieldName => ("名称", "Name"),
            FieldBaseUrl => ("基础地址", "Base URL"),
            FieldApiKey => ("API 密钥", "API key"),
            ApiKeyKeep => (
                "留空则保留已保存的密钥",
                "Leave empty to keep the stored key",
            ),
            FieldTimeout => ("超时（秒，1–600）", "Timeout (seconds, 1–600)"),
            FieldDescription => ("描述", "Description"),
            FieldModel => ("端点默认模型", "Endpoint's default model"),
            FieldModelList => ("候选模型", "Candidate models"),
            FieldActive => ("启用", "Active"),
            AddModel => ("添加", "Add"),
            ModelPlaceholder => ("输入模型 ID 后回车", "Type a model id, press Enter"),
            FetchModels => ("从上游获取", "Fetch from upstream"),
            DiffNew => ("上游新增", "New upstream"),
            DiffGone => ("上游已无", "Gone upstream"),
            AcceptDiff => ("采用上游列表", "Use the upstream list"),
            NoDiff => ("与上游一致。", "Matches the upstream."),
            Save => ("保存", "Save"),
            Cancel => ("取消", "Cancel"),
            Saved => ("已保存", "Saved"),
            Deleted => ("已删除", "Deleted"),
            SwitchTitle => ("切换全局默认模型", "Switch the global default model"),
            CurrentDefault => ("当前默认", "Current default"),
            NewDefault => ("新的默认", "New default"),
            Inheriting => (
                "以下业务域继承全局默认，将随之切换：",
                "These domains inherit the global default and will switch with it:",
            ),
            Confirm => ("确认切换", "Switch"),
            NoDefaultYet => ("（暂无）", "(none yet)"),
            Switched => ("默认模型已切换", "Default switched"),
            Checked => ("检测完成", "Check finished"),
            NoMatches => ("没有匹配的端点。", "No endpoint matches."),
            NeverChecked => ("从未检测", "never checked"),
            Close => ("关闭", "Close"),
            ChooseModel => ("（选择模型）", "(choose a model)"),
            SaveFirst => (
                "保存后即可从上游获取模型。",
                "Save the endpoint first to fetch its models.",
            ),
            LocalOnly => ("仅本地", "local"),
            ModelChecks => ("模型检测", "Model checks"),
            ModelChecksHint => (
                "向每个候选模型发送一条简短对话；结果会保存，显示每个模型最近一次的结果。",
                "Sends one short chat to every model; results are stored, and the last one per model is shown.",
            ),
            CheckModels => ("检测全部模型", "Check every model"),
            Checking => ("检测中…", "Checking…"),
            CheckOk => ("可用", "answers"),
            CheckFailed => ("失败", "failed"),
        }
    }
}

/// What the catalog's refusals say.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum CatalogMsg {
    TimeoutRange { lo: i64, hi: i64, got: i64 },
    ModelNotListed { model: String },
    TooManyModels { max: usize },
    BadModelId { max: usize, got: String },
    ListedTwice { model: String },
    UrlUnparsable,
    UrlScheme,
    UrlQuery,
    UrlCredentials,
    DefaultNeedsModel,
    RemovesDefaultModel { model: String },
    HasResults { name: String, results: i64 },
    DisabledDefault { name: String },
    NoModelDefault { name: String },
    NotInSupabase { name: String },
    DeletedInSupabase { name: String },
    GoneFromSupabase,
    IsDefault { name: String, action: Guarded },
    SaveFirst,
    NoModelsToCheck,
}

/// What the global default endpoint may not undergo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Guarded {
    Disable,
    Delete,
}

impl CatalogMsg {
    pub fn render(&self, lang: Lang) -> String {
        use CatalogMsg::*;
        let pair = match self {
            TimeoutRange { lo, hi, got } => (
                format!("必须在 {lo}–{hi} 秒之间，当前为 {got}"),
                format!("must be {lo}–{hi} seconds, got {got}"),
            ),
            ModelNotListed { model } => (
                format!("`{model}` 必须是该端点的候选模型之一（model_list）"),
                format!("`{model}` must be one of the endpoint's models (model_list)"),
            ),
            TooManyModels { max } => (
                format!("最多 {max} 个模型"),
                format!("holds at most {max} models"),
            ),
            BadModelId { max, got } => (
                format!("模型 ID 为 1–{max} 个字符且不含空格，当前为 `{got}`"),
                format!("model ids are 1–{max} characters without spaces, got `{got}`"),
            ),
            ListedTwice { model } => (
                format!("`{model}` 重复出现"),
                format!("`{model}` is listed twice"),
            ),
            UrlUnparsable => (
                "必须是 http:// 或 https:// 地址，例如 https://api.openai.com/v1".into(),
                "must be an http:// or https:// URL, e.g. https://api.openai.com/v1".into(),
            ),
            UrlScheme => (
                "必须是带主机名的 http:// 或 https:// 地址".into(),
                "must be an http:// or https:// URL with a host".into(),
            ),
            UrlQuery => (
                "不能带查询参数或片段".into(),
                "must not carry a query or fragment".into(),
            ),
            UrlCredentials => (
                "不能内嵌凭据；请使用 API 密钥字段".into(),
                "must not embed credentials; use the API key field".into(),
            ),
            DefaultNeedsModel => (
                "全局默认端点必须有默认模型；请从其模型中选择一个".into(),
                "the global default endpoint needs a default model; pick one from its models"
                    .into(),
            ),
            RemovesDefaultModel { model } => (
                format!("`{model}` 是该端点的默认模型；请先选择其他默认模型再移除"),
                format!("`{model}` is this endpoint's default model; choose another default before removing it"),
            ),
            HasResults { name, results } => (
                format!("`{name}` 已有 {results} 条测试结果；请停用而不是删除"),
                format!("`{name}` has {results} stored test results; disable it instead of deleting it"),
            ),
            DisabledDefault { name } => (
                format!("`{name}` 已停用；请先启用再设为默认"),
                format!("`{name}` is disabled; enable it before making it the default"),
            ),
            NoModelDefault { name } => (
                format!("`{name}` 没有默认模型；请先设置模型再设为全局默认"),
                format!("`{name}` has no default model; set its model before making it the global default"),
            ),
            NotInSupabase { name } => (
                format!("`{name}` 尚未写入 Supabase；请先同步"),
                format!("`{name}` is not in Supabase yet; run a sync first"),
            ),
            DeletedInSupabase { name } => (
                format!("`{name}` 已在 Supabase 中被删除；请同步以对齐"),
                format!("`{name}` was deleted in Supabase; run a sync to reconcile"),
            ),
            GoneFromSupabase => (
                "该端点已不在 Supabase 中；请先同步".into(),
                "this endpoint no longer exists in Supabase; run a sync first".into(),
            ),
            IsDefault { name, action } => {
                let (zh, en) = match action {
                    Guarded::Disable => ("停用", "disable"),
                    Guarded::Delete => ("删除", "delete"),
                };
                (
                    format!("`{name}` 是全局默认端点；请先将其他端点设为默认，再{zh}它"),
                    format!("`{name}` is the global default; make another endpoint the default first, then {en} it"),
                )
            }
            SaveFirst => (
                "保存后即可从上游获取模型。".into(),
                "Save the endpoint first to fetch its models.".into(),
            ),
            NoModelsToCheck => (
                "该端点还没有候选模型可检测".into(),
                "the endpoint has no models to check yet".into(),
            ),
        };
        pick(lang, pair)
    }
}
