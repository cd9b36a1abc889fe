//! One result opened from the table: what was asked (messages, params,
//! scope), what came back (reply or error), who served it and every timing.

use leptos::prelude::*;

use super::drawn::{draw, html_of, Panel};
use super::text::SimText;
use crate::i18n::t;
use crate::ui::fragment::ServerHtml;
use crate::ui::load::load;
use crate::ui::{use_lang, Drawer};

#[component]
pub fn ResultDrawer(id: i64, on_close: Callback<()>) -> impl IntoView {
    let lang = use_lang();
    let detail = load(move || Panel::Result(id), move |panel| draw(panel, lang));
    view! {
        <Drawer title=format!("{} #{id}", t(lang, SimText::Results)) on_close>
            <ServerHtml html=html_of(detail)/>
        </Drawer>
    }
}
