//! What the chat API and the model list say to an OpenAI client, in the
//! caller's language (`Accept-Language`, English without one): refusals of
//! the request and failures of the endpoints it went to. `detail` is this
//! product's phrase or the other side's own words, quoted as they came.

use serde::{Deserialize, Serialize};

use crate::error::{pick, reason_text, Msg};
use crate::i18n::Lang;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ChatMsg {
    /// No bearer token.
    NoToken,
    /// A token that is not a valid user token.
    BadToken {
        detail: String,
    },
    RateLimited {
        secs: u64,
    },
    NotJson,
    /// The body could not be read to its end.
    UnreadableBody,
    MessagesNotArray,
    OverCap {
        field: String,
        cap: u32,
    },
    PromptScope,
    /// The token is bound to a tenant or module the request tried to change.
    ScopeBound {
        name: String,
        bound: String,
        asked: String,
    },
    /// No answer: refused, unreachable or timed out.
    Unreachable {
        endpoint: String,
        detail: String,
        timeout_secs: u64,
    },
    /// It answered with an error status.
    Answered {
        endpoint: String,
        status: u16,
        detail: String,
    },
    /// Its success answer could not be read.
    BadBody {
        endpoint: String,
        detail: String,
    },
}

impl ChatMsg {
    pub fn render(&self, lang: Lang) -> String {
        use ChatMsg::*;
        let pair = match self {
            NoToken => (
                "请以 `Authorization: Bearer <token>` 发送用户 JWT".into(),
                "send a user JWT as `Authorization: Bearer <token>`".into(),
            ),
            BadToken { detail } => (
                format!("不接受该 Bearer 令牌：{detail}"),
                format!("the bearer token is not accepted: {detail}"),
            ),
            RateLimited { secs } => (
                format!("该用户的对话请求过多；请在 {secs} 秒后重试"),
                format!("too many chat requests from this user; try again in {secs} s"),
            ),
            NotJson => (
                "请求体必须是 JSON 格式的 chat completion 请求".into(),
                "the body must be a JSON chat completion request".into(),
            ),
            UnreadableBody => (
                "无法读取请求体".into(),
                "the request body could not be read".into(),
            ),
            MessagesNotArray => (
                "`messages` 必须是数组".into(),
                "`messages` must be an array".into(),
            ),
            OverCap { field, cap } => (
                format!("`{field}` 最多为 {cap}"),
                format!("`{field}` may be at most {cap}"),
            ),
            PromptScope => (
                "X-Scope-Prompt 必须是正整数的 prompt ID".into(),
                "X-Scope-Prompt must be a positive prompt id".into(),
            ),
            ScopeBound { name, bound, asked } => (
                format!("该令牌绑定 {name} `{bound}`；请求不能改为 `{asked}`"),
                format!(
                    "the token is bound to {name} `{bound}`; the request may not ask for `{asked}`"
                ),
            ),
            Unreachable {
                endpoint,
                detail,
                timeout_secs,
            } => (
                format!(
                    "端点 `{endpoint}` {}（超时设置 {timeout_secs} 秒）",
                    reason_text(Lang::Zh, detail)
                ),
                format!("endpoint `{endpoint}` {detail} (timeout {timeout_secs} s)"),
            ),
            Answered {
                endpoint,
                status,
                detail,
            } => (
                format!("端点 `{endpoint}` 返回 HTTP {status}：{detail}"),
                format!("endpoint `{endpoint}` answered HTTP {status}: {detail}"),
            ),
            BadBody { endpoint, detail } => (
                format!(
                    "端点 `{endpoint}` 的应答无法读取：{}",
                    reason_text(Lang::Zh, detail)
                ),
                format!("endpoint `{endpoint}`: {detail}"),
            ),
        };
        pick(lang, pair)
    }
}

impl From<ChatMsg> for Msg {
    fn from(m: ChatMsg) -> Msg {
        Msg::in_both(|lang| m.render(lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::tests::{assert_messages, s};

    #[test]
    fn every_chat_message_reads_in_both_languages() {
        let all = [
            ChatMsg::NoToken,
            ChatMsg::BadToken {
                detail: s("expired"),
            },
            ChatMsg::RateLimited { secs: 3 },
            ChatMsg::NotJson,
            ChatMsg::UnreadableBody,
            ChatMsg::MessagesNotArray,
            ChatMsg::OverCap {
                field: s("max_tokens"),
                cap: 100,
            },
            ChatMsg::PromptScope,
            ChatMsg::ScopeBound {
                name: s("tenant"),
                bound: s("acme"),
                asked: s("globex"),
            },
            ChatMsg::Unreachable {
                endpoint: s("A"),
                detail: s("timed out"),
                timeout_secs: 5,
            },
            ChatMsg::Answered {
                endpoint: s("A"),
                status: 503,
                detail: s("busy"),
            },
            ChatMsg::BadBody {
                endpoint: s("A"),
                detail: s("bad response body: eof"),
            },
        ];
        assert_messages(all.to_vec(), 12);
    }
}
