//! Pages that show endpoint health follow it live: once a second a tiny
//! call asks whether anything the catalog shows changed (a write, a probe,
//! traffic changing a status), and the page reloads its data only then.

use std::time::Duration;

use leptos::prelude::*;

use super::server_fns::catalog_stamp;

/// Runs `on_change` whenever the catalog changed since the last look (in
/// the browser, for as long as the calling component lives).
pub fn follow_catalog_changes(on_change: impl Fn() + 'static) {
    let last = StoredValue::new(None::<u64>);
    let poll = Action::new(|_: &()| catalog_stamp());
    Effect::new(move |_| {
        if let Some(Ok(stamp)) = poll.value().get() {
            let before = last.get_value();
            last.set_value(Some(stamp));
            if before.is_some_and(|b| b != stamp) {
                on_change();
            }
        }
    });
    Effect::new(move |_| {
        let look = move || {
            if !poll.pending().get_untracked() {
                poll.dispatch(());
            }
        };
        look();
        if let Ok(handle) = set_interval_with_handle(look, Duration::from_secs(1)) {
            on_cleanup(move || handle.clear());
        }
    });
}
