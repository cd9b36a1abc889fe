//! What the simulation's refusals and stop reasons say, as data put into
//! words in both languages.

use serde::{Deserialize, Serialize};

use crate::error::{pick, Msg};
use crate::i18n::Lang;

/// What the simulation's refusals say.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SimMsg {
    Minutes {
        max: u32,
    },
    RoleRule,
    /// Minted tokens are user tokens; admin sessions come from signing in.
    NoAdminRole,
    /// A subject with a control character.
    SubjectRule,
    MessageLength {
        max: usize,
    },
    /// A request rate out of range.
    Rate {
        max: u32,
    },
    SweepRates {
        max_steps: u32,
        max_rps: u32,
    },
    NoSweep {
        id: String,
    },
    /// A line of an uploaded JSONL that is not a chat request.
    JsonlLine {
        line: usize,
        why: String,
    },
    SetTooBig {
        max_kb: usize,
        max_requests: usize,
    },
    SortKey {
        got: String,
    },
    /// The runs table cannot sort by this.
    RunSortKey {
        got: String,
    },
    NoResult {
        id: i64,
    },
    /// A number that must be above 0.
    Positive,
    /// A token objective on a run that does not stream.
    NeedsStreaming,
    MintFirst,
    ExportFormat {
        got: String,
    },
    NoEndpointYet,
    NotRunning {
        id: String,
    },
    NotStored {
        detail: String,
    },
    UnreadableStream {
        detail: String,
    },
    StreamEnded,
    /// The server is stopping; no new run starts.
    ShuttingDown,
    /// A run's `token` that is not a user token of this console.
    TokenRefused {
        detail: String,
    },
    /// A scope field that says otherwise than the run's token.
    ScopeNotToken {
        claim: String,
        value: String,
    },
}

impl SimMsg {
    pub fn render(&self, lang: Lang) -> String {
        use SimMsg::*;
        let pair = match self {
            Minutes { max } => (
                format!("必须在 1–{max} 分钟之间"),
                format!("must be 1–{max} minutes"),
            ),
            RoleRule => (
                "最多 32 个字符，只含 a-z、0-9、_ 或 -".into(),
                "is at most 32 characters of a-z, 0-9, _ or -".into(),
            ),
            NoAdminRole => (
                "测试用户令牌不能带有 admin 角色；管理员会话只能通过登录获得".into(),
                "a test-user token cannot have the admin role; admin sessions come only from signing in".into(),
            ),
            SubjectRule => (
                "不能包含控制字符（换行、制表符等）".into(),
                "must not contain control characters (newlines, tabs...)".into(),
            ),
            MessageLength { max } => (
                format!("必须为 1–{max} 个字符"),
                format!("must be 1–{max} characters"),
            ),
            Rate { max } => (
                format!("必须是大于 0、不超过 {max} 的每秒请求数"),
                format!("must be a rate above 0 and at most {max} requests/s"),
            ),
            SweepRates { max_steps, max_rps } => (
                format!("须为 1–{max_steps} 个递增的速率，每个大于 0 且不超过 {max_rps} 每秒请求数"),
                format!("must be 1–{max_steps} increasing rates, each above 0 and at most {max_rps} requests/s"),
            ),
            NoSweep { id } => (
                format!("没有 ID 为 {id} 的容量扫描"),
                format!("no capacity sweep has the id {id}"),
            ),
            JsonlLine { line, why } => (
                format!("第 {line} 行：{why}"),
                format!("line {line}: {why}"),
            ),
            SetTooBig { max_kb, max_requests } => (
                format!("须有 1–{max_requests} 条请求，总计不超过 {max_kb} KB"),
                format!("must hold 1–{max_requests} requests and at most {max_kb} KB"),
            ),
            SortKey { got } => (
                format!("不能按 `{got}` 排序；可用 id、latency_ms、ttft_ms、ttfb_ms、queue_ms、tpot_ms"),
                format!("cannot sort by `{got}`; use id, latency_ms, ttft_ms, ttfb_ms, queue_ms or tpot_ms"),
            ),
            RunSortKey { got } => (
                format!("不能按 `{got}` 排序；可用 {}", super::run_list::SORT_KEYS),
                format!("cannot sort by `{got}`; use {}", super::run_list::SORT_KEYS),
            ),
            NoResult { id } => (format!("没有 ID 为 {id} 的结果"), format!("no result has the id {id}")),
            Positive => ("必须大于 0".into(), "must be above 0".into()),
            NeedsStreaming => (
                "仅适用于流式压测（请勾选流式）".into(),
                "applies to streaming runs only (tick streaming)".into(),
            ),
            MintFirst => ("请先签发一个令牌".into(), "mint a token first".into()),
            ExportFormat { got } => (
                format!("必须是 csv、json 或 jsonl，当前为 `{got}`"),
                format!("must be csv, json or jsonl, got `{got}`"),
            ),
            NoEndpointYet => (
                "模型目录中还没有端点；请先添加一个".into(),
                "the catalog has no endpoint yet; add one first".into(),
            ),
            NotRunning { id } => (
                format!("压测 {id} 没有在运行"),
                format!("run {id} is not running"),
            ),
            NotStored { detail } => (
                format!("结果无法保存到任何地方：{detail}"),
                format!("the result could not be stored anywhere: {detail}"),
            ),
            UnreadableStream { detail } => (
                format!("无法读取数据流：{detail}"),
                format!("unreadable stream: {detail}"),
            ),
            ShuttingDown => (
                "服务器正在停止，不再开始新的压测".into(),
                "the server is stopping; no new run starts".into(),
            ),
            StreamEnded => (
                "数据流在结果到达前结束".into(),
                "the stream ended before the result".into(),
            ),
            TokenRefused { detail } => (
                format!("不是本控制台签发的用户令牌：{detail}"),
                format!("is not a user token of this console: {detail}"),
            ),
            ScopeNotToken { claim, value } => (
                format!("令牌的 {claim} 声明为 `{value}`；留空或与其一致"),
                format!("the token's {claim} claim is `{value}`; leave it empty or the same"),
            ),
        };
        pick(lang, pair)
    }
}

/// Why a stop policy ended a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StopReason {
    FirstError {
        detail: String,
    },
    ErrorRate {
        rate: f64,
        window: usize,
        percent: f64,
    },
    AfterErrors {
        failed: u64,
        count: u32,
    },
}

impl StopReason {
    pub fn render(&self, lang: Lang) -> String {
        let pair = match self {
            StopReason::FirstError { detail } => (
                format!("首个错误：{}", crate::error::reason_text(Lang::Zh, detail)),
                format!("first error: {detail}"),
            ),
            StopReason::ErrorRate {
                rate,
                window,
                percent,
            } => (
                format!("最近 {window} 个请求的错误率 {rate:.1} % 达到 {percent} %"),
                format!(
                    "error rate {rate:.1} % over the last {window} requests reached {percent} %"
                ),
            ),
            StopReason::AfterErrors { failed, count } => (
                format!("已有 {failed} 个请求失败（上限 {count}）"),
                format!("{failed} requests failed (limit {count})"),
            ),
        };
        pick(lang, pair)
    }
}

impl From<SimMsg> for Msg {
    fn from(m: SimMsg) -> Msg {
        Msg::in_both(|lang| m.render(lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::tests::{assert_bilingual, assert_messages, s};
    use crate::simulation::text::{kind_text, status_text};
    use crate::simulation::types::RunStatus;

    #[test]
    fn every_simulation_message_reads_in_both_languages() {
        let sim = [
            SimMsg::Minutes { max: 1440 },
            SimMsg::RoleRule,
            SimMsg::NoAdminRole,
            SimMsg::SubjectRule,
            SimMsg::MessageLength { max: 4000 },
            SimMsg::MintFirst,
            SimMsg::ExportFormat { got: s("xml") },
            SimMsg::NoEndpointYet,
            SimMsg::NotRunning { id: s("r1") },
            SimMsg::NotStored {
                detail: s("disk full"),
            },
            SimMsg::UnreadableStream { detail: s("eof") },
            SimMsg::StreamEnded,
            SimMsg::ShuttingDown,
            SimMsg::RunSortKey { got: s("x") },
            SimMsg::TokenRefused {
                detail: s("expired"),
            },
            SimMsg::ScopeNotToken {
                claim: s("tenant"),
                value: s("acme"),
            },
        ];
        assert_messages(sim.to_vec(), 16);
        for r in [
            StopReason::FirstError {
                detail: s("HTTP 500"),
            },
            StopReason::ErrorRate {
                rate: 50.0,
                window: 10,
                percent: 20.0,
            },
            StopReason::AfterErrors {
                failed: 3,
                count: 3,
            },
        ] {
            assert_bilingual(&r.render(Lang::Zh), &r.render(Lang::En));
        }
        for k in ["timeout", "connect", "http_status", "decode", "cancelled"] {
            assert_bilingual(&kind_text(Lang::Zh, k), &kind_text(Lang::En, k));
        }
        for st in RunStatus::ALL {
            assert_bilingual(status_text(Lang::Zh, st), status_text(Lang::En, st));
        }
    }
}
