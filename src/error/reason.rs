//! Reasons that reach the page as plain text rather than as a [`super::Msg`]:
//! they are stored in a text column or come back from another service.

use crate::i18n::Lang;

/// A reason stored or passed on as text (`ai_endpoints.last_error`, a model
/// check's or a chat's error) in the admin's language: the phrases this
/// product writes (`upstream::describe`, the chat client) are translated,
/// an upstream's own words quoted as they came.
pub fn reason_text(lang: Lang, raw: &str) -> String {
    if lang == Lang::En {
        return raw.to_owned();
    }
    let known = [
        ("timed out", "超时"),
        ("connection refused or unreachable", "连接被拒绝或无法访问"),
        ("no choices[0] in the reply", "回复中没有 choices[0]"),
        ("response is not JSON", "响应不是 JSON"),
    ];
    if let Some((n, rest)) = raw.split_once(" chats in a row failed: ") {
        if n.parse::<u32>().is_ok() {
            return format!("连续 {n} 次对话失败：{}", reason_text(lang, rest));
        }
    }
    if let Some((_, zh)) = known.iter().find(|(en, _)| *en == raw) {
        return (*zh).to_owned();
    }
    let prefixes = [
        ("bad response body: ", "响应体无法读取："),
        ("not an OpenAI model list: ", "不是 OpenAI 模型列表："),
        ("not JSON: ", "不是 JSON："),
        ("response is not JSON: ", "响应不是 JSON："),
        ("SSE event is not UTF-8: ", "SSE 事件不是 UTF-8："),
        ("SSE data is not JSON: ", "SSE 数据不是 JSON："),
    ];
    for (en, zh) in prefixes {
        if let Some(rest) = raw.strip_prefix(en) {
            return format!("{zh}{rest}");
        }
    }
    if let Some((status, url)) = raw.split_once(" from ") {
        if status.starts_with("HTTP ") {
            return format!("{url} 返回 {status}");
        }
    }
    if let Some(rest) = raw.strip_prefix("HTTP ") {
        let (status, said) = rest.split_once(": ").unwrap_or((rest, ""));
        let said = if said == "no error message" {
            "无错误信息"
        } else {
            said
        };
        return format!("对方返回 HTTP {status}：{said}");
    }
    raw.to_owned()
}
