//! A build published while a server runs leaves that server's bundle in
//! place: every name differs between builds (the split loader and its
//! manifest too), the previous build's files stay beside the new ones, and
//! the files of builds before it go.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

fn script(name: &str) -> String {
    format!("{}/scripts/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&Path], name: &str) {
    let status = Command::new("sh")
        .arg(script(name))
        .args(args)
        .status()
        .expect(name);
    assert!(status.success(), "{name} failed");
}

/// The files a build leaves before it is hashed, as the split and
/// wasm-bindgen write them; `n` makes each build's content its own.
fn unhashed_build(pkg: &Path, n: u32) {
    std::fs::create_dir_all(pkg).expect("pkg.new");
    let files = [
        ("split___catalog_route_view_1.wasm", format!("catalog {n}")),
        ("chunk_1_a.wasm", format!("chunk {n}")),
        ("model-suite_bg.wasm", format!("shell {n}")),
        (
            "model-suite.js",
            format!(
                "import * as s from \"./__wasm_split.______________________.js\"; // {n}\n\
                 imports = {{ \"./__wasm_split.______________________.js\": s }};\n"
            ),
        ),
        ("model-suite.css", format!("body {{}} /* {n} */\n")),
        (
            "__wasm_split.______________________.js",
            "import { hydrate } from \"./model-suite.js\";\n\
             fetch(\"./split___catalog_route_view_1.wasm\"); load(\"chunk_1_a\");\n"
                .to_owned(),
        ),
        (
            "__wasm_split_manifest.json",
            "{\"__catalog_route_view_1\": [\"split___catalog_route_view_1\", \"chunk_1_a\"]}"
                .to_owned(),
        ),
    ];
    for (name, text) in files {
        std::fs::write(pkg.join(name), text).expect(name);
    }
}

/// Builds, hashes and publishes build `n`; the names its hash file lists.
fn build(site: &Path, n: u32) -> HashMap<String, String> {
    let (new, pkg) = (site.join("pkg.new"), site.join("pkg"));
    let (new_hash, hash) = (site.join("hash.txt.new"), site.join("bin/hash.txt"));
    unhashed_build(&new, n);
    run(&[&new, &new_hash], "hash_bundle.sh");
    run(&[&new, &pkg, &new_hash, &hash], "publish_bundle.sh");
    std::fs::read_to_string(hash)
        .expect("hash file")
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// The files a build's hash file names, each checked to link the others.
fn files_of(pkg: &Path, names: &HashMap<String, String>) -> Vec<String> {
    let read =
        |f: &str| std::fs::read_to_string(pkg.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    let js = format!("model-suite.{}.js", names["js"]);
    let loader = format!("__wasm_split.{}.js", names["split"]);
    let manifest = format!("__wasm_split_manifest.{}.json", names["manifest"]);
    assert!(
        read(&js).contains(&format!("from \"./{loader}\"")),
        "the script imports its loader"
    );
    assert!(
        read(&js).contains("{ \"./__wasm_split.______________________.js\": s }"),
        "the wasm's imports keep the name the wasm asks for them by"
    );
    let loads = read(&loader);
    assert!(
        loads.contains(&format!("\"./{js}\"")),
        "the loader imports its script"
    );
    let mut files = vec![
        js,
        format!("model-suite.{}.wasm", names["wasm"]),
        format!("model-suite.{}.css", names["css"]),
        loader,
        manifest.clone(),
    ];
    let listed: HashMap<String, Vec<String>> =
        serde_json::from_str(&read(&manifest)).expect("manifest");
    for module in &listed["__catalog_route_view_1"] {
        assert!(
            loads.contains(&format!("\"{module}\""))
                || loads.contains(&format!("\"./{module}.wasm\""))
        );
        files.push(format!("{module}.wasm"));
    }
    for f in &files {
        assert!(pkg.join(f).is_file(), "{f} is there");
    }
    files
}

#[test]
fn a_new_build_leaves_the_previous_builds_files_in_place() {
    let site = tempfile::tempdir().expect("site");
    let pkg = site.path().join("pkg");
    let first = build(site.path(), 1);
    let first_files = files_of(&pkg, &first);
    let second = build(site.path(), 2);
    assert_ne!(first["split"], second["split"]);
    assert_ne!(first["js"], second["js"]);
    files_of(&pkg, &first);
    let second_files = files_of(&pkg, &second);
    assert!(!site.path().join("pkg.new").exists());
    let served: Vec<String> = std::fs::read_dir(&pkg)
        .expect("pkg")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let mut want = [first_files.clone(), second_files.clone()].concat();
    want.sort();
    want.dedup();
    let mut served_sorted = served.clone();
    served_sorted.sort();
    assert_eq!(served_sorted, want, "only the two builds' files are served");

    // The same build again keeps the one before it.
    assert_eq!(build(site.path(), 2), second);
    files_of(&pkg, &first);

    let third = build(site.path(), 3);
    files_of(&pkg, &third);
    files_of(&pkg, &second);
    for f in first_files.iter().filter(|f| !second_files.contains(f)) {
        assert!(!pkg.join(f).exists(), "{f}, two builds old, is gone");
    }
}
