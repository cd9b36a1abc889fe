//! What every data table shares: sortable column headers, a pager, and a
//! filter box that applies as you type once typing pauses.

use std::time::Duration;

use leptos::prelude::*;

use crate::i18n::{t, Key, Lang};

/// The table's order: (sort key, ascending). An empty key is the table's
/// own default order.
pub type Sort = RwSignal<(String, bool)>;

/// A column header that orders the table by `key`: the first click sorts
/// it descending, the next ascending; `aria-sort` says which.
#[component]
pub fn SortHeader(
    label: &'static str,
    key: &'static str,
    sort: Sort,
    /// Back to page one when the order changes.
    page: RwSignal<u32>,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let state = move || {
        let (k, asc) = sort.get();
        match (k == key, asc) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        }
    };
    let click = move |_| order_by(sort, page, key);
    let mark = move || match state() {
        "ascending" => " ▲",
        "descending" => " ▼",
        _ => "",
    };
    view! {
        <th class=class aria-sort=state>
            <button type="button" class="th-sort" data-sort=key on:click=click>{label}{mark}</button>
        </th>
    }
}

/// Orders the table by `key`: descending first, then the other way on
/// each click; back to page one.
fn order_by(sort: Sort, page: RwSignal<u32>, key: &str) {
    sort.update(|(k, asc)| {
        if k == key {
            *asc = !*asc;
        } else {
            *k = key.to_owned();
            *asc = false;
        }
    });
    page.set(1);
}

/// Previous / next and where the table is: `page / pages · total`.
#[component]
pub fn Pager(lang: Lang, page: RwSignal<u32>, total: i64, per_page: u32) -> impl IntoView {
    let pages = (total.max(0) as u32).div_ceil(per_page.max(1)).max(1);
    view! {
        <div class="pager" data-testid="pager">
            <button type="button" class="btn btn-small" disabled=move || { page.get() <= 1 } on:click=move |_| page.update(|p| *p -= 1)>
                {t(lang, Key::PrevPage)}
            </button>
            <span data-testid="page-info">{move || format!("{} / {pages} · {total}", page.get())}</span>
            <button type="button" class="btn btn-small" disabled=move || { page.get() >= pages } on:click=move |_| page.update(|p| *p += 1)>
                {t(lang, Key::NextPage)}
            </button>
        </div>
    }
}

/// How long typing must pause before a filter applies.
pub const SETTLE: Duration = Duration::from_millis(250);

/// A filter box's text as typed, and the same text once typing paused for
/// [`SETTLE`] (what the table's query follows), both starting at `initial`.
pub fn settling(initial: String) -> (RwSignal<String>, RwSignal<String>) {
    let typed = RwSignal::new(initial.clone());
    let settled = RwSignal::new(initial);
    let pending = StoredValue::new(None::<TimeoutHandle>);
    Effect::new(move |first: Option<()>| {
        let value = typed.get();
        if first.is_none() {
            return;
        }
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let handle = set_timeout_with_handle(move || settled.set(value), SETTLE).ok();
        pending.set_value(handle);
    });
    (typed, settled)
}

/// A click inside a table the server drew (see [`crate::ui::fragment`]):
/// a column header (`data-sort`) orders it as [`SortHeader`] does, a pager
/// button (`data-page`) goes to its page. True when it was one of them.
pub fn follow_drawn(ev: &leptos::ev::Event, sort: Option<Sort>, page: RwSignal<u32>) -> bool {
    use crate::ui::fragment::clicked;
    if ev.type_() != "click" {
        return false;
    }
    if let (Some(key), Some(sort)) = (clicked(ev, "data-sort"), sort) {
        order_by(sort, page, &key);
        return true;
    }
    match clicked(ev, "data-page").and_then(|p| p.parse().ok()) {
        Some(to) => {
            page.set(to);
            true
        }
        None => false,
    }
}

/// A sortable column header as the server draws it, for [`follow_drawn`].
#[cfg(feature = "ssr")]
pub fn drawn_sort_header(
    label: String,
    key: &'static str,
    sort: (&str, bool),
    class: &'static str,
) -> impl IntoView {
    let (state, mark) = match (sort.0 == key, sort.1) {
        (false, _) => ("none", ""),
        (true, true) => ("ascending", " ▲"),
        (true, false) => ("descending", " ▼"),
    };
    view! {
        <th class=class aria-sort=state>
            <button type="button" class="th-sort" data-sort=key>{label}{mark}</button>
        </th>
    }
}

/// [`Pager`] as the server draws it: its buttons name their page.
#[cfg(feature = "ssr")]
pub fn drawn_pager(lang: Lang, page: u32, total: i64, per_page: u32) -> impl IntoView {
    let pages = (total.max(0) as u32).div_ceil(per_page.max(1)).max(1);
    view! {
        <div class="pager" data-testid="pager">
            <button type="button" class="btn btn-small" disabled={page <= 1} data-page=page.saturating_sub(1).max(1)>
                {t(lang, Key::PrevPage)}
            </button>
            <span data-testid="page-info">{format!("{page} / {pages} · {total}")}</span>
            <button type="button" class="btn btn-small" disabled={page >= pages} data-page=(page + 1).min(pages)>
                {t(lang, Key::NextPage)}
            </button>
        </div>
    }
}
