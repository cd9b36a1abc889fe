//! What the catalog's refusals say, as data put into words in both
//! languages (see [`crate::error::Msg`]).

use serde::{Deserialize, Serialize};

use crate::error::{pick, Msg};
use crate::i18n::Lang;

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
    NameTaken { name: String, id: i64 },
    DisabledDefault { name: String },
    NoModelDefault { name: String },
    NotInSupabase { name: String },
    DeletedInSupabase { name: String },
    ChangedElsewhere { name: String, at: String },
    BadVersion { got: String },
    GoneFromSupabase,
    IsDefault { name: String, action: Guarded },
    SaveFirst,
    NoModelsToCheck,
    SortKey { got: String },
}

/// What the endpoint table sorts by.
pub const SORT_KEYS: &str = "id, name, status, latency_ms, updated_at, attention";

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
                format!("`{name}` 有 {results} 条测试结果引用它；请导出后连同结果一起删除，或保留并停用"),
                format!("{results} stored results refer to `{name}`; export them and delete both, or keep it disabled"),
            ),
            NameTaken { name, id } => (
                format!("已有名为 `{name}` 的端点（#{id}）；请换一个名称"),
                format!("an endpoint named `{name}` already exists (#{id}); choose another name"),
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
            ChangedElsewhere { name, at } => (
                format!("`{name}` 在您打开后已于 {at} 在 Supabase 中被修改（另一个控制台或直接修改）；您的更改未应用。页面现在显示当前值，如仍需要请重新应用"),
                format!("`{name}` was changed in Supabase at {at} (by another console or directly) since you opened it; your change was not applied. The page now shows the current values: re-apply your change if you still want it"),
            ),
            BadVersion { got } => (
                format!("必须是读取时的 updated_at（RFC 3339 时间），收到 `{got}`"),
                format!("must be the updated_at it was read with (an RFC 3339 time), got `{got}`"),
            ),
            SortKey { got } => (
                format!("不能按 `{got}` 排序；可用 {SORT_KEYS}"),
                format!("cannot sort by `{got}`; use {SORT_KEYS}"),
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

impl From<CatalogMsg> for Msg {
    fn from(m: CatalogMsg) -> Msg {
        Msg::in_both(|lang| m.render(lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::tests::{assert_messages, s};

    #[test]
    fn every_catalog_message_reads_in_both_languages() {
        let catalog = [
            CatalogMsg::TimeoutRange {
                lo: 1,
                hi: 600,
                got: 0,
            },
            CatalogMsg::ModelNotListed { model: s("m") },
            CatalogMsg::TooManyModels { max: 500 },
            CatalogMsg::BadModelId {
                max: 200,
                got: s("a b"),
            },
            CatalogMsg::ListedTwice { model: s("m") },
            CatalogMsg::UrlUnparsable,
            CatalogMsg::UrlScheme,
            CatalogMsg::UrlQuery,
            CatalogMsg::UrlCredentials,
            CatalogMsg::DefaultNeedsModel,
            CatalogMsg::RemovesDefaultModel { model: s("m") },
            CatalogMsg::HasResults {
                name: s("A"),
                results: 3,
            },
            CatalogMsg::NameTaken {
                name: s("A"),
                id: 2,
            },
            CatalogMsg::DisabledDefault { name: s("A") },
            CatalogMsg::NoModelDefault { name: s("A") },
            CatalogMsg::NotInSupabase { name: s("A") },
            CatalogMsg::DeletedInSupabase { name: s("A") },
            CatalogMsg::ChangedElsewhere {
                name: s("A"),
                at: s("2026-01-01T00:00:00.000000Z"),
            },
            CatalogMsg::BadVersion { got: s("x") },
            CatalogMsg::GoneFromSupabase,
            CatalogMsg::IsDefault {
                name: s("A"),
                action: Guarded::Delete,
            },
            CatalogMsg::SaveFirst,
            CatalogMsg::NoModelsToCheck,
            CatalogMsg::SortKey { got: s("x") },
        ];
        assert_messages(catalog.to_vec(), 24);
    }
}
