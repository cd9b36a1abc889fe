//! The JWT simulation page's words, in both languages.

use serde::{Deserialize, Serialize};

use super::types::RunStatus;
use crate::error::pick;
use crate::i18n::{Lang, Text};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum S {
    MintTitle,
    Sub,
    Role,
    Tenant,
    Module,
    PromptId,
    Expiry,
    Mint,
    Token,
    Claims,
    ExpiresAt,
    DialogTitle,
    Message,
    Model,
    Stream,
    Send,
    Request,
    Response,
    Latency,
    Ttft,
    Status,
    Stored,
    RunTitle,
    Total,
    Concurrency,
    RampUp,
    Users,
    StopPolicy,
    StopNever,
    StopFirst,
    StopRate,
    Window,
    Percent,
    MinDone,
    Start,
    Limits,
    LiveTitle,
    Done,
    Ok,
    Failed,
    InFlight,
    Queued,
    Rps,
    Cancel,
    Errors,
    NoRun,
    RunsTitle,
    Results,
    Download,
    OnlyFailed,
    OnlySuccess,
    All,
    Filter,
    Prev,
    Next,
    Compare,
    Baseline,
    Candidate,
    ErrorRate,
    Seq,
    User,
    Endpoint,
    Kind,
    NoRows,
    Chart,
    Cancelled,
    QueueTime,
    InFallback,
    InflightCap,
}

impl Text for S {
    fn pair(self) -> (&'static str, &'static str) {
        use S::*;
        match self {
            MintTitle => ("签发测试用户 JWT", "Mint a test-user JWT"),
            Sub => ("用户标识 sub", "Subject (sub)"),
            Role => ("角色", "Role"),
            Tenant => ("租户", "Tenant"),
            Module => ("模块", "Module"),
            PromptId => ("Prompt ID", "Prompt id"),
            Expiry => ("有效期（分钟）", "Expires in (minutes)"),
            Mint => ("签发", "Mint"),
            Token => ("令牌", "Token"),
            Claims => ("解码后的声明", "Decoded claims"),
            ExpiresAt => ("过期时间", "Expires at"),
            DialogTitle => ("单次对话", "Single chat"),
            Message => ("消息", "Message"),
            Model => ("模型（可选）", "Model (optional)"),
            Stream => ("流式", "Streaming"),
            Send => ("发送", "Send"),
            Request => ("请求", "Request"),
            Response => ("回复", "Response"),
            Latency => ("延迟", "Latency"),
            Ttft => ("首字延迟 TTFT", "TTFT"),
            Status => ("状态", "Status"),
            Stored => ("已存为结果行", "Stored as result row"),
            RunTitle => ("压测", "Load test"),
            Total => ("请求总数", "Total requests"),
            Concurrency => ("并发", "Concurrency"),
            RampUp => ("爬坡秒数", "Ramp-up (s)"),
            Users => ("模拟用户数", "Simulated users"),
            StopPolicy => ("停止策略", "Stop policy"),
            StopNever => ("从不", "never"),
            StopFirst => ("首个错误", "first error"),
            StopRate => ("错误率", "error rate"),
            Window => ("窗口 N", "window N"),
            Percent => ("阈值 %", "threshold %"),
            MinDone => ("至少完成 M", "after M done"),
            Start => ("开始压测", "Start run"),
            Limits => ("上限", "Limits"),
            LiveTitle => ("实时进度", "Live progress"),
            Done => ("完成", "done"),
            Ok => ("成功", "ok"),
            Failed => ("失败", "failed"),
            InFlight => ("进行中", "in flight"),
            Queued => ("排队", "queued"),
            Rps => ("每秒请求", "req/s"),
            Cancel => ("取消", "Cancel"),
            Errors => ("错误分类", "Errors by kind"),
            NoRun => ("尚未开始压测。", "No run started yet."),
            RunsTitle => ("压测记录", "Runs"),
            Results => ("结果", "Results"),
            Download => ("下载", "Download"),
            OnlyFailed => ("仅失败", "failed only"),
            OnlySuccess => ("仅成功", "successes only"),
            All => ("全部", "all"),
            Filter => ("搜索请求/回复内容", "Search request / response text"),
            Prev => ("上一页", "Previous"),
            Next => ("下一页", "Next"),
            Compare => ("对比两次压测", "Compare two runs"),
            Baseline => ("基线", "Baseline"),
            Candidate => ("对比", "Candidate"),
            ErrorRate => ("错误率", "error rate"),
            Seq => ("序号", "seq"),
            User => ("用户", "user"),
            Endpoint => ("端点", "endpoint"),
            Kind => ("错误类型", "error kind"),
            NoRows => ("没有结果。", "No results."),
            Chart => ("延迟分布（ms）", "Latency distribution (ms)"),
            Cancelled => ("已取消", "cancelled"),
            QueueTime => ("排队时间 p95", "queue time p95"),
            InFallback => ("本地回退文件", "fallback file"),
            InflightCap => ("全局并发上限", "in-flight cap"),
        }
    }
}

/// What the simulation's refusals say.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SimMsg {
    Minutes { max: u32 },
    RoleRule,
    MessageLength { max: usize },
    MintFirst,
    ExportFormat { got: String },
    NoEndpointYet,
    NotRunning { id: String },
    NotStored { detail: String },
    UnreadableStream { detail: String },
    StreamEnded,
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
            MessageLength { max } => (
                format!("必须为 1–{max} 个字符"),
                format!("must be 1–{max} characters"),
            ),
            MintFirst => ("请先签发一个令牌".into(), "mint a token first".into()),
            ExportFormat { got } => (
                format!("必须是 csv 或 json，当前为 `{got}`"),
                format!("must be csv or json, got `{got}`"),
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
            StreamEnded => (
                "数据流在结果到达前结束".into(),
                "the stream ended before the result".into(),
            ),
        };
        pick(lang, pair)
    }
}

/// Why a stop policy ended a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
        };
        pick(lang, pair)
    }
}

/// A run's status in words.
pub fn status_text(lang: Lang, status: RunStatus) -> &'static str {
    let (zh, en) = match status {
        RunStatus::Running => ("运行中", "running"),
        RunStatus::Completed => ("已完成", "completed"),
        RunStatus::Cancelled => ("已取消", "cancelled"),
        RunStatus::Stopped => ("已停止", "stopped"),
        RunStatus::Interrupted => ("已中断", "interrupted"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// An error kind (`timeout`, `http_status`, …) in words; unknown codes as
/// they are.
pub fn kind_text(lang: Lang, code: &str) -> String {
    let (zh, en) = match code {
        "timeout" => ("超时", "timeout"),
        "connect" => ("连接失败", "connection failed"),
        "http_status" => ("HTTP 错误状态", "HTTP error status"),
        "decode" => ("响应无法解析", "unreadable response"),
        "cancelled" => ("已取消", "cancelled"),
        other => return other.to_owned(),
    };
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
    }
}
