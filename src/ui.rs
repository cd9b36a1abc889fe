//! Small building blocks shared by every page: the admin layout with its
//! header, empty states and the not-found page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::i18n::{t, Key, Lang};

pub mod dialog_keys;
pub mod form;
pub mod fragment;
pub mod load;
pub mod table;

/// The language of the current page (see [`crate::app::App`]).
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// Who is signed in, fetched once by the app (see [`crate::app::App`]) and
/// shown in every page's header.
#[derive(Clone, Copy)]
pub struct SignedIn(pub load::Loaded<Result<String, ServerFnError>>);

/// The frame of every admin page: header with the four pages, language
/// switch, who is signed in and log out; then the page's title and body.
#[component]
pub fn AdminLayout(title: Key, children: Children) -> impl IntoView {
    let lang = use_lang();
    let pathname = use_location().pathname;
    let switch_href = move || format!("/lang/{}?next={}", lang.other().code(), pathname.get());
    let admin = use_context::<SignedIn>().map(|SignedIn(r)| r);
    let nav = [
        ("/", Key::NavDashboard),
        ("/models", Key::NavCatalog),
        ("/mappings", Key::NavMapping),
        ("/simulation", Key::NavSimulation),
    ];

    view! {
        <Title text=t(lang, title)/>
        <header class="topbar">
            <a class="brand" href="/">{t(lang, Key::AppName)}</a>
            <nav class="nav">
                {nav
                    .into_iter()
                    .map(|(href, key)| {
                        let current = move || (pathname.get() == href).then_some("page");
                        view! {
                            <a href=href aria-current=current>
                                <svg class="nav-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
                                    <path d=nav_icon(href)/>
                                </svg>
                                {t(lang, key)}
                            </a>
                        }
                    })
                    .collect_view()}
            </nav>
            <div class="session">
                <Transition fallback=|| ()>
                    {move || {
                        admin
                            .and_then(|r| r.get())
                            .and_then(Result::ok)
                            .map(|name| {
                                view! {
                                    <span class="who">
                                        {t(lang, Key::SignedInAs)} " " <strong>{name}</strong>
                                    </span>
                                }
                            })
                    }}
                </Transition>
                <a class="lang-switch" href=switch_href rel="external nofollow">
                    {t(lang, Key::SwitchLanguage)}
                </a>
                <form method="post" action="/auth/logout" class="logout">
                    <button type="submit" class="btn btn-ghost">{t(lang, Key::Logout)}</button>
                </form>
            </div>
        </header>
        <main class="page">
            <h1 class="page-title">{t(lang, title)}</h1>
            {children()}
        </main>
    }
}

/// The outline icon of a page in the header (24 × 24, stroked).
fn nav_icon(href: &str) -> &'static str {
    match href {
        // Four tiles.
        "/" => "M3 3h7v9H3zM14 3h7v5h-7zM14 12h7v9h-7zM3 16h7v5H3z",
        // Two stacked servers.
        "/models" => "M3 4h18v6H3zM3 14h18v6H3zM7 7h1M7 17h1",
        // One way in, forked to several.
        "/mappings" => "M3 12h6l5-6h7M9 12h12M9 12l5 6h7",
        // A pulse.
        _ => "M2 12h5l2-6 4 12 3-9 2 3h4",
    }
}

/// What a list shows before it has anything in it.
#[component]
pub fn EmptyState(message: Key) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="empty-state" data-testid="empty-state">
            <svg class="empty-icon" viewBox="0 0 64 41" width="64" height="41" aria-hidden="true">
                <ellipse cx="32" cy="33" rx="32" ry="7" fill="currentColor" opacity=".12"/>
                <path d="M55 13.3 44.9 1.9C44.4 1.2 43.7.8 43 .8H21c-.7 0-1.4.4-1.9 1.1L9 13.3V22h46v-8.7z" fill="none" stroke="currentColor" stroke-width="1.5"/>
                <path d="M41.6 16.4c0-1.5.9-2.7 2.1-2.7H55v18.1c0 2.1-1.4 3.9-3.1 3.9H12.1c-1.7 0-3.1-1.7-3.1-3.9V13.7h11.3c1.2 0 2.1 1.2 2.1 2.7 0 1.5 1 2.7 2.1 2.7h15c1.1 0 2.1-1.2 2.1-2.7z" fill="currentColor" opacity=".1" stroke="currentColor" stroke-width="1.5"/>
            </svg>
            <p>{t(lang, message)}</p>
        </section>
    }
}

/// What a table shows while its rows load: grey bars in its shape, and
/// "Loading…" for screen readers.
#[component]
pub fn TableSkeleton(#[prop(default = 5)] rows: usize) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="skeleton" aria-busy="true" data-testid="skeleton">
            <span class="sr-only">{t(lang, Key::Loading)}</span>
            {(0..rows).map(|_| view! { <div class="skeleton-row"><span></span><span></span><span></span></div> }).collect_view()}
        </div>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let lang = use_lang();
    view! {
        <Title text=t(lang, Key::NotFoundTitle)/>
        <main class="page narrow">
            <h1 class="page-title">{t(lang, Key::NotFoundTitle)}</h1>
            <p>{t(lang, Key::NotFoundBody)}</p>
            <a href="/">{t(lang, Key::BackHome)}</a>
        </main>
    }
}

/// Short messages at the bottom of the screen, oldest first: `(id, ok,
/// text)` each. Each clears itself; a newer one never hides an older (a
/// refusal stays readable when a success follows it), and only the last
/// [`TOASTS_SHOWN`] are shown.
pub type ToastSignal = RwSignal<Vec<(u64, bool, String)>>;

pub const TOASTS_SHOWN: usize = 3;

pub fn show_toast(toast: ToastSignal, ok: bool, text: String) {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    toast.update(|shown| {
        shown.retain(|(_, _, t)| *t != text);
        shown.push((id, ok, text));
        let over = shown.len().saturating_sub(TOASTS_SHOWN);
        shown.drain(..over);
    });
    // The page may be gone by then: try_* does nothing on a disposed signal.
    let after = std::time::Duration::from_secs(if ok { 5 } else { 10 });
    set_timeout(
        move || {
            toast.try_update(|s| s.retain(|t| t.0 != id));
        },
        after,
    );
}

#[component]
pub fn Toast(toast: ToastSignal) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="toasts" role="status" data-testid="toast">
            {move || toast.get().into_iter().map(|(id, ok, text)| view! {
                <div class="toast" class:toast-error=!ok>
                    <span>{text}</span>
                    <button class="btn btn-ghost" aria-label=t(lang, Key::Close)
                        on:click=move |_| toast.update(|s| s.retain(|t| t.0 != id))>"×"</button>
                </div>
            }).collect_view()}
        </div>
    }
}

/// A panel sliding in from the right, over a dimmed page. It takes the
/// focus (its first field) when it opens, keeps Tab inside it, closes on
/// Escape and gives the focus back to what opened it.
#[component]
pub fn Drawer(title: String, on_close: Callback<()>, children: Children) -> impl IntoView {
    let label = title.clone();
    let panel = NodeRef::<leptos::html::Aside>::new();
    dialog_keys::hold_focus(panel, on_close);
    view! {
        <div class="overlay" on:click=move |_| on_close.run(())></div>
        <aside class="drawer" role="dialog" aria-modal="true" aria-label=label tabindex="-1"
            node_ref=panel on:keydown=move |ev| dialog_keys::keep_tab_inside(panel, ev)>
            <header class="drawer-head">
                <h2>{title}</h2>
                <button class="btn btn-ghost" aria-label=t(use_lang(), Key::Close) on:click=move |_| on_close.run(())>"×"</button>
            </header>
            <div class="drawer-body">{children()}</div>
        </aside>
    }
}

/// A centred confirmation box; Escape closes it.
#[component]
pub fn Modal(title: String, on_close: Callback<()>, children: Children) -> impl IntoView {
    let label = title.clone();
    dialog_keys::close_on_escape(on_close);
    view! {
        <div class="overlay" on:click=move |_| on_close.run(())></div>
        <div class="modal" role="dialog" aria-modal="true" aria-label=label>
            <h2>{title}</h2>
            {children()}
        </div>
    }
}

/// The inline message under a form field, when the last save named it. In
/// the browser the field beside it is marked `aria-invalid`, described by
/// the message, and takes the focus (the first such field of the form).
pub fn field_error(
    error: Signal<Option<crate::error::AppError>>,
    field: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let id = format!("error-{}", field.replace('.', "-"));
    move || {
        error
            .get()
            .filter(|e| e.field_name() == Some(field))
            .map(|e| {
                let message = NodeRef::<leptos::html::Span>::new();
                dialog_keys::mark_invalid(message);
                view! {
                    <span class="field-error" role="alert" id=id.clone() data-field=field node_ref=message>{e.text(lang)}</span>
                }
            })
    }
}

/// Model ids as removable chips (× takes one out of `models`).
#[component]
pub fn ModelChips(models: RwSignal<Vec<String>>, testid: &'static str) -> impl IntoView {
    view! {
        <ul class="chips" data-testid=testid>
            {move || models.get().into_iter().map(|m| {
                let gone = m.clone();
                view! {
                    <li class="chip">{m.clone()}
                        <button type="button" class="chip-x" aria-label=format!("remove {m}")
                            on:click=move |_| models.update(|l| l.retain(|x| *x != gone))>"×"</button>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
