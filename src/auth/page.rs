use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::i18n::{t, Key};
use crate::ui::use_lang;

/// The sign-in form. It posts to `/auth/login` as a plain form, so signing
/// in works before (and without) the browser bundle.
#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".to_owned());
    let error = move || {
        let key = match query.read().get("error").as_deref() {
            Some("bad") => Key::LoginFailed,
            Some("throttled") => Key::LoginThrottled,
            Some("forbidden") => Key::LoginForbidden,
            Some("expired") | Some("invalid") => Key::LoginExpired,
            _ => return None,
        };
        Some(view! { <p class="form-error" role="alert">{t(lang, key)}</p> })
    };
    let switch_href = format!("/lang/{}?next=/login", lang.other().code());

    view! {
        <Title text=t(lang, Key::LoginTitle)/>
        <main class="login">
            <form class="card login-card" method="post" action="/auth/login">
                <div class="login-head">
                    <span class="brand">{t(lang, Key::AppName)}</span>
                    <a class="lang-switch" href=switch_href rel="external nofollow">{t(lang, Key::SwitchLanguage)}</a>
                </div>
                <h1>{t(lang, Key::LoginTitle)}</h1>
                {error}
                <input type="hidden" name="next" value=next/>
                <label class="field">
                    <span>{t(lang, Key::LoginUsername)}</span>
                    <input name="username" type="text" autocomplete="username" required value="admin"/>
                </label>
                <label class="field">
                    <span>{t(lang, Key::LoginPassword)}</span>
                    <input name="password" type="password" autocomplete="current-password" required/>
                </label>
                <button type="submit" class="btn btn-primary">{t(lang, Key::LoginSubmit)}</button>
                <p class="hint">{t(lang, Key::LoginHint)}</p>
            </form>
        </main>
    }
}
