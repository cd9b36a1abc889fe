//! What the mapping's refusals and the resolver's reasons say, as data put
//! into words in both languages.

use crate::error::{pick, Msg};
use crate::i18n::Lang;

/// What the mapping rules' refusals say.
#[derive(Clone, Debug, PartialEq)]
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
    /// No kept write has this id.
    PendingMissing {
        id: String,
    },
    /// Changed in Supabase since the admin opened it.
    ChangedElsewhere {
        scope: String,
        at: String,
    },
    /// The mapping table cannot sort by this.
    SortKey {
        got: String,
    },
    /// The resolver found no route.
    NoRoute(Box<Reason>),
}

/// What the mapping table sorts by.
pub const SORT_KEYS: &str = "id, scope, updated_at, is_active";

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
                format!("prompt {id} 不存在（启用 Supabase 时按 ai_prompt 的 id）；请从列出的提示词中选择"),
                format!("prompt {id} does not exist (with Supabase, ids are those of ai_prompt); pick one of the prompts listed"),
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
            PendingMissing { id } => (
                format!("没有编号为 `{id}` 的待处理更改"),
                format!("no pending change has the id `{id}`"),
            ),
            ChangedElsewhere { scope, at } => (
                format!("`{scope}` 在您打开后已于 {at} 在 Supabase 中被修改（另一个控制台或直接修改）；您的更改未应用。页面现在显示当前值，如仍需要请重新应用"),
                format!("`{scope}` was changed in Supabase at {at} (by another console or directly) since you opened it; your change was not applied. The page now shows the current values: re-apply your change if you still want it"),
            ),
            DeletedInSupabase { scope } => (
                format!("`{scope}` 已在 Supabase 中被删除；请先同步"),
                format!("`{scope}` was deleted in Supabase; sync first"),
            ),
            SortKey { got } => (
                format!("不能按 `{got}` 排序；可用 {SORT_KEYS}"),
                format!("cannot sort by `{got}`; use {SORT_KEYS}"),
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
#[derive(Clone, Debug, PartialEq)]
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

/// Why a candidate endpoint sits where it is in the order a chat tries
/// them: what puts it ahead of the next one.
#[derive(Clone, Debug, PartialEq)]
pub enum Placed {
    /// The only active endpoint serving the model.
    Only,
    /// Healthier than the next (`online` before `degraded`, …).
    Healthier { status: String, next: String },
    /// As healthy as the next, and the global default.
    Default,
    /// As healthy, neither or both the default, and faster.
    Faster { ms: f64, next: Option<f64> },
    /// Nothing else tells them apart: the one added first goes first.
    AddedFirst,
    /// Tried after every other one.
    Last,
}

fn zh_status(status: &str) -> &'static str {
    match status {
        "online" => "在线",
        "offline" => "离线",
        "degraded" => "降级",
        _ => "未检测",
    }
}

impl Placed {
    pub fn render(&self, lang: Lang) -> String {
        let ms = |v: &Option<f64>, none: &str| {
            v.map_or_else(|| none.to_owned(), |v| format!("{v:.0} ms"))
        };
        let pair = match self {
            Placed::Only => (
                "唯一提供该模型的启用端点".into(),
                "the only active endpoint serving the model".into(),
            ),
            Placed::Healthier { status, next } => (
                format!(
                    "健康状态优于下一个（{} 先于 {}）",
                    zh_status(status),
                    zh_status(next)
                ),
                format!("healthier than the next ({status} before {next})"),
            ),
            Placed::Default => (
                "健康状态相同，且是全局默认端点".into(),
                "as healthy as the next, and the global default".into(),
            ),
            Placed::Faster { ms: mine, next } => (
                format!(
                    "健康状态相同，延迟更低（{mine:.0} ms，下一个 {}）",
                    ms(next, "未测")
                ),
                format!(
                    "as healthy, and faster ({mine:.0} ms; the next {})",
                    ms(next, "not measured")
                ),
            ),
            Placed::AddedFirst => (
                "其余条件相同，较早添加".into(),
                "nothing else tells them apart; added first".into(),
            ),
            Placed::Last => ("最后尝试".into(), "tried last".into()),
        };
        pick(lang, pair)
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl From<MappingMsg> for Msg {
    fn from(m: MappingMsg) -> Msg {
        Msg::in_both(|lang| m.render(lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::tests::{assert_bilingual, assert_messages, s};

    #[test]
    fn every_mapping_message_reads_in_both_languages() {
        let chose = Reason::Chose {
            count: 2,
            model: s("m"),
            endpoint: s("A"),
            status: s("online"),
            is_default: true,
            latency_ms: Some(12.0),
        };
        let mapping = [
            MappingMsg::ScopeFormat,
            MappingMsg::PromptIdPositive,
            MappingMsg::ScopeKey {
                max: 64,
                got: s("A B"),
            },
            MappingMsg::PromptMissing { id: 7 },
            MappingMsg::NoModels,
            MappingMsg::DefaultNotListed,
            MappingMsg::Dangling {
                models: vec![s("x"), s("y")],
            },
            MappingMsg::AlreadyMapped {
                scope: s("tenant:acme"),
                id: 3,
            },
            MappingMsg::PendingMissing { id: s("x") },
            MappingMsg::ChangedElsewhere {
                scope: s("tenant:acme"),
                at: s("2026-01-01T00:00:00.000000Z"),
            },
            MappingMsg::DeletedInSupabase {
                scope: s("tenant:acme"),
            },
            MappingMsg::SortKey { got: s("x") },
            MappingMsg::NoRoute(Box::new(chose)),
        ];
        assert_messages(mapping.to_vec(), 13);
    }

    #[test]
    fn every_position_reason_reads_in_both_languages() {
        for p in [
            Placed::Only,
            Placed::Healthier {
                status: s("online"),
                next: s("offline"),
            },
            Placed::Default,
            Placed::Faster {
                ms: 12.0,
                next: Some(40.0),
            },
            Placed::Faster {
                ms: 12.0,
                next: None,
            },
            Placed::AddedFirst,
            Placed::Last,
        ] {
            assert_bilingual(&p.render(Lang::Zh), &p.render(Lang::En));
        }
    }

    #[test]
    fn every_resolver_reason_reads_in_both_languages() {
        for r in reasons() {
            assert_bilingual(&r.render(Lang::Zh), &r.render(Lang::En));
        }
    }

    fn reasons() -> Vec<Reason> {
        let (scope, model, default) = (s("tenant:acme"), s("m"), s("d"));
        vec![
            Reason::Applies {
                scope: scope.clone(),
            },
            Reason::NoMapping {
                scope: scope.clone(),
            },
            Reason::Allowed {
                model: model.clone(),
                scope: scope.clone(),
            },
            Reason::NotAllowed {
                model: model.clone(),
                scope: scope.clone(),
                default: default.clone(),
            },
            Reason::NoneRequested {
                scope,
                default: default.clone(),
            },
            Reason::NoGlobalDefault,
            Reason::GlobalNotAllowed {
                model: model.clone(),
                default,
            },
            Reason::GlobalDefault {
                model: model.clone(),
            },
            Reason::NoEndpoint {
                model: model.clone(),
            },
            Reason::Chose {
                count: 1,
                model,
                endpoint: s("A"),
                status: s("degraded"),
                is_default: false,
                latency_ms: None,
            },
        ]
    }
}
