//! What a run sends: its one typed `message` (the default), or a message
//! set — several typed messages, or an uploaded JSONL of chat requests
//! (`{"messages": [...], "max_tokens": N}` a line) — taken in order or at
//! random with a seed.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::msg::SimMsg;
use crate::error::AppError;

/// The longest one message may be, in characters.
pub const MESSAGE_MAX: usize = 8_000;
/// At most this many requests in one set.
pub const SET_MAX: usize = 1000;
/// At most this many bytes of JSONL (or typed text) in one set.
pub const SET_BYTES_MAX: usize = 256 * 1024;
/// The highest `max_tokens` a request may ask for.
pub const MAX_TOKENS_MAX: u32 = 32_768;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ssr",
    derive(utoipa::ToSchema),
    schema(example = json!({"jsonl": "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":64}\n", "random": true, "seed": 7}))
)]
pub struct MessageSet {
    /// Typed messages: each is one user message.
    #[serde(default)]
    pub typed: Vec<String>,
    /// One chat request per line: `messages` (OpenAI's shape) and an
    /// optional `max_tokens`.
    #[serde(default)]
    pub jsonl: Option<String>,
    /// Take requests at random (with `seed`, the same each run) instead of
    /// in order.
    #[serde(default)]
    pub random: bool,
    #[serde(default)]
    pub seed: Option<u64>,
}

/// One request of a set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChatLine {
    pub messages: Value,
    #[serde(default)]
    pub max_tokens: Option<u32>,
}

impl ChatLine {
    pub fn user(text: &str) -> ChatLine {
        ChatLine {
            messages: serde_json::json!([{ "role": "user", "content": text }]),
            max_tokens: None,
        }
    }
}

fn bad(line: usize, why: impl Into<String>) -> AppError {
    AppError::field(
        "message_set.jsonl",
        SimMsg::JsonlLine {
            line,
            why: why.into(),
        },
    )
}

/// A line's messages: a non-empty array of `{role, content}` with a known
/// role and text (or a list of parts) as content.
fn check_messages(line: usize, messages: &Value) -> Result<(), AppError> {
    let list = messages
        .as_array()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| bad(line, "`messages` must be a non-empty array"))?;
    for (i, m) in list.iter().enumerate() {
        let role = m["role"].as_str().unwrap_or_default();
        if !matches!(role, "system" | "user" | "assistant" | "developer") {
            return Err(bad(
                line,
                format!(
                    "message {}: `role` must be system, user, assistant or developer",
                    i + 1
                ),
            ));
        }
        if !(m["content"].is_string() || m["content"].is_array()) {
            return Err(bad(
                line,
                format!(
                    "message {}: `content` must be text or a list of parts",
                    i + 1
                ),
            ));
        }
    }
    Ok(())
}

impl MessageSet {
    /// The set's requests, checked; errors name the field and, for JSONL,
    /// the line.
    pub fn lines(&self) -> Result<Vec<ChatLine>, AppError> {
        let jsonl = self.jsonl.as_deref().unwrap_or_default();
        let typed_bytes: usize = self.typed.iter().map(String::len).sum();
        if jsonl.len() + typed_bytes > SET_BYTES_MAX {
            return Err(AppError::field(
                "message_set",
                SimMsg::SetTooBig {
                    max_kb: SET_BYTES_MAX / 1024,
                    max_requests: SET_MAX,
                },
            ));
        }
        let mut lines: Vec<ChatLine> = Vec::new();
        for text in &self.typed {
            let text = text.trim();
            if text.is_empty() || text.chars().count() > MESSAGE_MAX {
                return Err(AppError::field(
                    "message_set.typed",
                    SimMsg::MessageLength { max: MESSAGE_MAX },
                ));
            }
            lines.push(ChatLine::user(text));
        }
        for (i, raw) in jsonl.lines().enumerate() {
            if raw.trim().is_empty() {
                continue;
            }
            let line: ChatLine = serde_json::from_str(raw)
                .map_err(|e| bad(i + 1, format!("not a chat request: {e}")))?;
            check_messages(i + 1, &line.messages)?;
            if line
                .max_tokens
                .is_some_and(|n| n == 0 || n > MAX_TOKENS_MAX)
            {
                return Err(bad(
                    i + 1,
                    format!("`max_tokens` must be 1–{MAX_TOKENS_MAX}"),
                ));
            }
            lines.push(line);
        }
        if lines.is_empty() || lines.len() > SET_MAX {
            return Err(AppError::field(
                "message_set",
                SimMsg::SetTooBig {
                    max_kb: SET_BYTES_MAX / 1024,
                    max_requests: SET_MAX,
                },
            ));
        }
        Ok(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_lines_are_read_and_a_bad_one_is_named_by_its_number() {
        let set = MessageSet {
            jsonl: Some(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_tokens\":5}\n\n{\"messages\":[{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"b\"}]}]}\n".into(),
            ),
            ..Default::default()
        };
        let lines = set.lines().expect("valid");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].max_tokens, Some(5));

        let broken = MessageSet {
            jsonl: Some("{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}\n{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}".into()),
            ..Default::default()
        };
        let err = broken.lines().expect_err("line 2");
        assert_eq!(err.field_name(), Some("message_set.jsonl"));
        assert!(err.message().contains("line 2"), "{}", err.message());
    }

    #[test]
    fn an_empty_set_is_refused() {
        let err = MessageSet::default().lines().expect_err("empty");
        assert_eq!(err.field_name(), Some("message_set"));
    }
}
