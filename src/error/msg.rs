//! What an error says, as data: a [`Msg`] travels from the server to the
//! page (inside [`super::AppError`]) and is put into words there, in the
//! admin's language. JSON routes and logs use the English words.
//!
//! Each feature keeps its own messages (its `msg.rs`) and turns them into a
//! [`Msg`]; the ones every feature shares live here.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// A message in both languages, put into words where it was raised (each
/// feature owns its words; this type only carries them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Msg {
    zh: String,
    en: String,
}

impl Msg {
    /// Words for both languages from one renderer.
    pub fn in_both(render: impl Fn(Lang) -> String) -> Msg {
        Msg {
            zh: render(Lang::Zh),
            en: render(Lang::En),
        }
    }

    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.zh.clone(),
            Lang::En => self.en.clone(),
        }
    }
}

/// English, for JSON routes and logs.
impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

impl From<Common> for Msg {
    fn from(m: Common) -> Msg {
        Msg::in_both(|lang| m.render(lang))
    }
}

/// Picks the words for `lang` from a (zh-CN, English) pair.
pub fn pick(lang: Lang, (zh, en): (String, String)) -> String {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// What a "does not exist" message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Thing {
    Endpoint,
    Mapping,
    Run,
}

/// A write Supabase refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Write {
    SaveEndpoint,
    UpdateEndpoint,
    DeleteEndpoint,
    SwitchDefault,
    SaveMapping,
    UpdateMapping,
    DeleteMapping,
    SaveResults,
}

/// Messages every feature uses. `detail` fields carry the words of another
/// system (a database driver, an HTTP client) as they came.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Common {
    /// A required text field, with its length limit.
    Required {
        max: usize,
    },
    AtMostChars {
        max: usize,
    },
    NoSpaces,
    /// A number outside its range.
    Range {
        lo: i64,
        hi: i64,
        got: String,
    },
    NotANumber,
    Missing {
        thing: Thing,
        id: String,
    },
    SignInRequired,
    SupabaseNotConfigured,
    /// Supabase refused a write; nothing changed anywhere.
    Refused {
        write: Write,
        detail: String,
    },
    SupabaseUnreadable {
        detail: String,
    },
    LocalStore {
        detail: String,
    },
    /// An upstream endpoint could not answer.
    Upstream {
        endpoint: String,
        detail: String,
    },
    /// The call from the page to the server failed.
    Transport {
        detail: String,
    },
    Internal {
        detail: String,
    },
}

impl Common {
    pub fn render(&self, lang: Lang) -> String {
        use Common::*;
        let pair = match self {
            Required { max } => (
                format!("必填，最多 {max} 个字符"),
                format!("is required, at most {max} characters"),
            ),
            AtMostChars { max } => (
                format!("最多 {max} 个字符"),
                format!("is at most {max} characters"),
            ),
            NoSpaces => ("不能包含空格".into(), "must not contain spaces".into()),
            Range { lo, hi, got } => (
                format!("必须在 {lo}–{hi} 之间，当前为 {got}"),
                format!("must be {lo}–{hi}, got {got}"),
            ),
            NotANumber => ("必须是整数".into(), "must be a whole number".into()),
            Missing { thing, id } => {
                let (zh, en) = match thing {
                    Thing::Endpoint => ("端点", "endpoint"),
                    Thing::Mapping => ("映射", "mapping"),
                    Thing::Run => ("压测", "run"),
                };
                (
                    format!("{zh} {id} 不存在"),
                    format!("{en} {id} does not exist"),
                )
            }
            SignInRequired => ("需要管理员登录".into(), "admin sign-in required".into()),
            SupabaseNotConfigured => (
                "未配置 Supabase（请设置 SUPABASE_DB_URL）".into(),
                "Supabase is not configured (set SUPABASE_DB_URL)".into(),
            ),
            Refused { write, detail } => {
                let (zh, en) = write.words();
                (
                    format!("Supabase 无法{zh}，未做任何修改：{detail}"),
                    format!("Supabase could not {en}; nothing was changed: {detail}"),
                )
            }
            SupabaseUnreadable { detail } => (
                format!("无法读取 Supabase：{detail}"),
                format!("Supabase could not be read: {detail}"),
            ),
            LocalStore { detail } => (
                format!("本地存储出错：{detail}"),
                format!("local store error: {detail}"),
            ),
            Upstream { endpoint, detail } => (
                format!(
                    "`{endpoint}` 无法应答：{}",
                    crate::error::reason_text(Lang::Zh, detail)
                ),
                format!("`{endpoint}`: {detail}"),
            ),
            Transport { detail } => (
                format!("请求失败：{detail}"),
                format!("the request failed: {detail}"),
            ),
            Internal { detail } => (
                format!("内部错误：{detail}"),
                format!("internal error: {detail}"),
            ),
        };
        pick(lang, pair)
    }
}

impl Write {
    /// (zh-CN, English) verb phrases.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Write::SaveEndpoint => ("保存端点", "save the endpoint"),
            Write::UpdateEndpoint => ("更新端点", "update the endpoint"),
            Write::DeleteEndpoint => ("删除端点", "delete the endpoint"),
            Write::SwitchDefault => ("切换默认端点", "switch the default"),
            Write::SaveMapping => ("保存映射", "save the mapping"),
            Write::UpdateMapping => ("更新映射", "update the mapping"),
            Write::DeleteMapping => ("删除映射", "delete the mapping"),
            Write::SaveResults => ("保存测试结果", "save the test results"),
        }
    }
}
