//! The one place UI text lives, in Chinese (zh-CN) and English.
//!
//! Components ask for a [`Key`] in the current [`Lang`]; the language comes
//! from the `lang` cookie, else the browser's `Accept-Language`.

use serde::{Deserialize, Serialize};

/// Name of the cookie that remembers the admin's language choice.
pub const LANG_COOKIE: &str = "lang";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The BCP 47 tag written into `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The short code used in the `lang` cookie and the `/lang/{code}` route.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// Parses a cookie value or an `<html lang>` tag (`zh`, `zh-CN`, `en-US`).
    pub fn parse(value: &str) -> Option<Lang> {
        let primary = value.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header,
    /// honouring q-values; English when nothing matches.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(tag) = pieces.next() else { continue };
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Lang::parse(tag) {
                if best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, l)| l).unwrap_or(Lang::En)
    }

    /// Picks the language for a request: the cookie wins, then the header.
    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        cookie
            .and_then(Lang::parse)
            .unwrap_or_else(|| Lang::from_accept_language(accept_language.unwrap_or("")))
    }
}

/// Every piece of UI text. Adding a variant without both translations does
/// not compile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    AppName,
    NavDashboard,
    NavCatalog,
    NavMapping,
    NavSimulation,
    SwitchLanguage,
    Logout,
    SignedInAs,
    LoginTitle,
    LoginUsername,
    LoginPassword,
    LoginSubmit,
    LoginFailed,
    LoginForbidden,
    LoginExpired,
    LoginThrottled,
    LoginHint,
    DashboardTitle,
    DashboardEmpty,
    CatalogTitle,
    CatalogEmpty,
    MappingTitle,
    MappingEmpty,
    SimulationTitle,
    SimulationEmpty,
    NotFoundTitle,
    NotFoundBody,
    BackHome,
    PrevPage,
    Loading,
    Close,
    NextPage,
}

/// A piece of UI text in both languages. Each feature keeps its own enum
/// of keys beside its page; this is the one lookup they all go through.
pub trait Text: Copy {
    /// (zh-CN, English)
    fn pair(self) -> (&'static str, &'static str);
}

/// Looks up `key` in `lang`.
pub fn t(lang: Lang, key: impl Text) -> &'static str {
    let (zh, en) = key.pair();
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

impl Text for Key {
    fn pair(self) -> (&'static str, &'static str) {
        pair(self)
    }
}

fn pair(key: Key) -> (&'static str, &'static str) {
    use Key::*;
    match key {
        AppName => ("模型套件", "Model Suite"),
        NavDashboard => ("总览", "Dashboard"),
        NavCatalog => ("模型目录", "Catalog"),
        NavMapping => ("模型映射", "Mapping"),
        NavSimulation => ("JWT 模拟", "JWT simulation"),
        SwitchLanguage => ("English", "中文"),
        Logout => ("退出登录", "Log out"),
        SignedInAs => ("当前管理员", "Signed in as"),
        LoginTitle => ("管理员登录", "Admin sign-in"),
        LoginUsername => ("用户名", "Username"),
        LoginPassword => ("密码", "Password"),
        LoginSubmit => ("登录", "Sign in"),
        LoginFailed => ("用户名或密码错误。", "Wrong username or password."),
        LoginForbidden => (
            "该账号没有管理员权限。",
            "This account does not have the admin role.",
        ),
        LoginExpired => (
            "登录已过期，请重新登录。",
            "Your session has expired; please sign in again.",
        ),
        LoginThrottled => (
            "登录尝试过于频繁，请稍后再试。",
            "Too many sign-in attempts; please wait a minute and try again.",
        ),
        LoginHint => (
            "首次启动时生成的密码已打印在服务器终端中。",
            "The password generated at first start was printed in the server's terminal.",
        ),
        DashboardTitle => ("总览", "Dashboard"),
        DashboardEmpty => (
            "端点健康、映射覆盖和最近的压测会显示在这里。先在模型目录中添加一个端点。",
            "Endpoint health, mapping coverage and recent runs will appear here. Start by adding an endpoint in the catalog.",
        ),
        CatalogTitle => ("模型目录", "Catalog"),
        CatalogEmpty => (
            "还没有端点。端点及其候选模型、默认模型和健康状态会列在这里。",
            "No endpoints yet. Endpoints with their candidate models, the default model and their health will be listed here.",
        ),
        MappingTitle => ("模型映射", "Mapping"),
        MappingEmpty => (
            "还没有映射。每个业务域（global、prompt、tenant、module）可用的模型集合和默认模型会列在这里。",
            "No mappings yet. The allowed models and default of each business domain (global, prompt, tenant, module) will be listed here.",
        ),
        SimulationTitle => ("JWT 模拟", "JWT simulation"),
        SimulationEmpty => (
            "还没有压测。签发测试用户的 JWT、单次对话和压测结果会显示在这里。",
            "No runs yet. Minted test-user JWTs, single chats and load-test results will appear here.",
        ),
        PrevPage => ("上一页", "Previous"),
        Loading => ("加载中…", "Loading…"),
        Close => ("关闭", "Close"),
        NextPage => ("下一页", "Next"),
        NotFoundTitle => ("页面不存在", "Page not found"),
        NotFoundBody => (
            "没有这个地址对应的页面。",
            "There is no page at this address.",
        ),
        BackHome => ("返回总览", "Back to the dashboard"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_honours_q_values() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1.0,zh;q=0.5,en;q=0.4"),
            Lang::Zh
        );
        assert_eq!(Lang::from_accept_language("fr-FR"), Lang::En);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
    }

    #[test]
    fn cookie_beats_header() {
        assert_eq!(Lang::negotiate(Some("zh"), Some("en-US")), Lang::Zh);
        assert_eq!(Lang::negotiate(Some("bogus"), Some("zh-TW")), Lang::Zh);
        assert_eq!(Lang::negotiate(None, None), Lang::En);
    }

    #[test]
    fn both_languages_differ_for_every_page_title() {
        for key in [
            Key::DashboardTitle,
            Key::CatalogTitle,
            Key::MappingTitle,
            Key::SimulationTitle,
        ] {
            assert_ne!(t(Lang::Zh, key), t(Lang::En, key));
        }
    }
}
