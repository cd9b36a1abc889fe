//! `wasm-split-bundle <input.wasm> <pkg dir> <main out.wasm> <main module>`
//!
//! Cuts the app's wasm (linked with `--emit-relocs`) at its lazy pages:
//! writes the main module (for wasm-bindgen) to `main out`, one module per
//! page plus shared chunks into `pkg dir`, the loader script
//! `__wasm_split.______________________.js` that fetches them, and
//! `__wasm_split_manifest.json`, which the server reads to tell the browser
//! which chunks a page needs before it hydrates.

use std::path::Path;
use std::process::ExitCode;

/// The loader's name; the server looks for exactly this file.
const LINK_NAME: &str = "./__wasm_split.______________________.js";
const MANIFEST: &str = "__wasm_split_manifest.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, pkg_dir, main_out, main_module] = args.as_slice() else {
        eprintln!("usage: wasm-split-bundle <input.wasm> <pkg dir> <main out.wasm> <main module>");
        return ExitCode::from(2);
    };
    match split(
        Path::new(input),
        Path::new(pkg_dir),
        Path::new(main_out),
        main_module,
    ) {
        Ok(chunks) => {
            println!("split {input} into the main module and {chunks} lazy modules");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("wasm-split-bundle: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn split(
    input: &Path,
    pkg_dir: &Path,
    main_out: &Path,
    main_module: &str,
) -> Result<usize, Box<dyn std::error::Error>> {
    let wasm = std::fs::read(input).map_err(|e| format!("reading {}: {e}", input.display()))?;
    let mut opts = wasm_split_cli_support::Options::new(&wasm);
    opts.output_dir = pkg_dir;
    opts.main_out_path = main_out;
    opts.main_module = main_module;
    opts.link_name = LINK_NAME;
    let split = wasm_split_cli_support::transform(opts)?;
    let manifest = serde_json::to_string_pretty(&split.prefetch_map)?;
    std::fs::write(pkg_dir.join(MANIFEST), manifest)?;
    let loader = pkg_dir.join(LINK_NAME);
    let text = std::fs::read_to_string(&loader)
        .map_err(|e| format!("reading {}: {e}", loader.display()))?;
    std::fs::write(&loader, recover_failed_loads(&text)?)?;
    Ok(split.split_modules.len())
}

/// The loader's callback as `wasm_split_cli_support` writes it: a module
/// that fails to load is reported to the app as `false`, which the lazy
/// route turns into a panic — and a panic aborts the whole app (an open tab
/// after the server was updated asks for modules that are gone).
const FAILING_CALLBACK: &str = "        } catch (e) {
            console.error(e);
            success = false;
        } finally {";

/// Instead, a failed load never reaches the app: the page is loaded afresh
/// from the server, once — the page of the link just followed, if one was —
/// and if loading fails again within half a minute, a notice says so and
/// offers to reload. (Where session storage is blocked, the notice shows
/// at once: without it a reload could not tell it already happened.)
const RECOVERING_CALLBACK: &str = "        } catch (e) {
            console.error(e);
            moduleFailed();
            return;
        } finally {";

const MODULE_FAILED: &str = r#"
let lastLink = { href: "", at: 0 };
document.addEventListener("click", (e) => {
    const a = e.target instanceof Element ? e.target.closest("a[href]") : null;
    // Only a plain click that the router would follow in this tab.
    const plain = e.button === 0 && !(e.metaKey || e.ctrlKey || e.shiftKey || e.altKey);
    if (a && plain && a.origin === location.origin && !a.hasAttribute("download")
        && (!a.target || a.target === "_self")) {
        lastLink = { href: a.href, at: Date.now() };
    }
}, true);
let reloading = false;
function moduleFailed() {
    if (reloading) return;
    const key = "model-suite:module-reload";
    let last = Date.now();
    try {
        last = Number(sessionStorage.getItem(key) || 0);
    } catch (_) {}
    if (Date.now() - last > 30000) {
        reloading = true;
        try {
            sessionStorage.setItem(key, String(Date.now()));
        } catch (_) {}
        // Where the admin was going, if a link was just followed.
        const to = Date.now() - lastLink.at < 10000 ? lastLink.href : "";
        if (to && to !== location.href) location.assign(to);
        else location.reload();
        return;
    }
    if (document.getElementById("module-failed")) return;
    const zh = (document.documentElement.lang || "").startsWith("zh");
    const box = document.createElement("div");
    box.id = "module-failed";
    box.className = "module-failed";
    box.setAttribute("role", "alert");
    const text = document.createElement("span");
    text.textContent = zh
        ? "页面的一部分未能加载（网络中断，或服务器已更新）。"
        : "Part of this page could not be loaded (the network dropped, or the server was updated).";
    const again = document.createElement("button");
    again.type = "button";
    again.textContent = zh ? "重新加载页面" : "Reload the page";
    again.addEventListener("click", () => {
        try {
            sessionStorage.removeItem(key);
        } catch (_) {}
        location.reload();
    });
    box.append(text, again);
    document.body.prepend(box);
    again.focus();
}
"#;

/// The loader with [`RECOVERING_CALLBACK`]; an error if the upstream text
/// changed (so a new version of the split is looked at, not patched blind).
fn recover_failed_loads(loader: &str) -> Result<String, String> {
    if loader.matches(FAILING_CALLBACK).count() != 1 {
        return Err("the split loader's callback is not the one this tool knows".into());
    }
    // `return` in `catch` still runs `finally`: the call into the app is
    // skipped by leaving `success` unset (neither true nor false).
    let patched = loader.replace(FAILING_CALLBACK, RECOVERING_CALLBACK).replace(
        "            const sharedImports = getSharedImports();\n            sharedImports.__wasm_split.__indirect_function_table.get(callbackIndex)(callbackData, success);",
        "            if (success !== true) return;\n            const sharedImports = getSharedImports();\n            sharedImports.__wasm_split.__indirect_function_table.get(callbackIndex)(callbackData, success);",
    );
    if !patched.contains("if (success !== true) return;") {
        return Err("the split loader's callback call is not the one this tool knows".into());
    }
    Ok(format!("{patched}{MODULE_FAILED}"))
}
