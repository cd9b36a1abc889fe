//! The HTML shell and the router: which page answers which path.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    lazy_route, path, Lazy, LazyRoute,
};

use crate::auth::page::LoginPage;
use crate::auth::whoami;
use crate::catalog::page::CatalogPage;
use crate::dashboard::page::DashboardPage;
use crate::i18n::{t, Key, Lang};
use crate::mapping::page::MappingPage;
use crate::simulation::page::SimulationPage;
use crate::ui::load::load;
use crate::ui::{use_lang, NotFound, SignedIn};

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = request_lang();
    provide_context(lang);
    #[cfg(feature = "ssr")]
    send_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    if use_context::<Lang>().is_none() {
        provide_context(request_lang());
    }
    let lang = use_lang();
    let app_name = t(lang, Key::AppName);
    provide_context(SignedIn(load(|| (), |_| whoami())));

    view! {
        <Title formatter=move |page: String| {
            if page.is_empty() { app_name.to_string() } else { format!("{page} · {app_name}") }
        }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/") view={Lazy::<DashboardRoute>::new()}/>
                <Route path=path!("/models") view={Lazy::<CatalogRoute>::new()}/>
                <Route path=path!("/mappings") view={Lazy::<MappingRoute>::new()}/>
                <Route path=path!("/simulation") view={Lazy::<SimulationRoute>::new()}/>
            </Routes>
        </Router>
    }
}

/// Each of the four pages is its own wasm module: the browser fetches the
/// shell (header, router, sign-in) and the page it opens, and another page's
/// code only when it goes there. The server names the page's module in the
/// HTML, so it loads alongside the shell, not after it.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    };
}

lazy_page!(DashboardRoute, DashboardPage);
lazy_page!(CatalogRoute, CatalogPage);
lazy_page!(MappingRoute, MappingPage);
lazy_page!(SimulationRoute, SimulationPage);

/// The page's Content-Security-Policy: scripts from this site and the inline
/// hydration script carrying this response's nonce (leptos adds it to every
/// inline script it writes), WebAssembly, styles from this site only, no
/// framing. Under `cargo leptos watch` the reload socket may connect too.
#[cfg(feature = "ssr")]
fn send_page_policy() {
    use axum::http::{header, HeaderValue};
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let reload = if std::env::var("LEPTOS_WATCH").is_ok() {
        " ws: wss:"
    } else {
        ""
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self'; connect-src 'self'{reload}; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The language of the page being rendered: on the server from the request
/// (cookie, then `Accept-Language`); in the browser from `<html lang>`, which
/// the server wrote, so hydration sees the same text.
fn request_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use axum::http::{header, request::Parts};
        let Some(parts) = use_context::<Parts>() else {
            return Lang::default();
        };
        let cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| c.trim().strip_prefix("lang=").map(str::to_owned));
        let accept = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        Lang::negotiate(cookie.as_deref(), accept)
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|l| Lang::parse(&l))
            .unwrap_or_default()
    }
}
