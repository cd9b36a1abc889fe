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
    Ok(split.split_modules.len())
}
