#!/usr/bin/env python3
"""The layering rule of docs/architecture.md, checked on every import in src/.

Each `crate::…`, `super::…` and `self::…` path is resolved to the file that
defines it; test code (`tests.rs`, `#[cfg(test)]` modules) is left out.
A wrong arrow is printed with the file, the import and the rule it breaks.
Run with `--graph` to print every file's imports instead.
"""
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")

# Bottom-up: a top-level module may import only modules of a lower rank
# (or itself). Equal ranks are siblings that must not import each other.
LAYERS = [
    ["i18n"],
    ["error"],
    ["ui", "upstream"],
    ["auth"],
    ["config"],
    ["monitor"],
    ["storage"],
    ["catalog"],
    ["mapping"],
    ["simulation"],
    ["dashboard"],
    ["app"],
    ["state"],
    ["openapi"],
    ["server"],
    ["ops", "main", "lib"],
]
RANK = {m: i for i, names in enumerate(LAYERS) for m in names}
PLUMBING = {"i18n", "error", "ui", "upstream", "auth", "config", "monitor", "storage"}
FEATURES = {"catalog", "mapping", "simulation", "dashboard"}

# Inside a feature, by file name: types/messages → validation/text →
# repo/store/remote → service → server functions/routes → page context →
# components → page. Files not named here sit between their neighbours by
# what they import; cycles are still refused.
ROLE = {
    "types": 0, "msg": 0, "records": 0,
    "text": 1, "validate": 1,
    "repo": 2, "store": 2, "remote": 2, "fallback": 2,
    "service": 3,
    "server_fns": 4, "api": 4, "routes": 4,
    "context": 5,
    "page": 7,
}
COMPONENT = 6  # any other file of a feature that renders (has `view!`)
# A file named *_view: a panel as the server draws it (server functions
# render it and answer its HTML), so it sits below them.
SERVER_VIEW = 3.5


def module_of(path):
    rel = os.path.relpath(path, SRC)[:-3].split(os.sep)
    if rel[-1] == "mod":
        rel = rel[:-1]
    if rel == ["lib"]:
        return ()
    return tuple(rel)


def strip_tests_and_comments(text):
    text = re.sub(r"//[^\n]*", "", text)
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*(pub\s+)?mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i:m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def expand(tree):
    """`a::{b, c::{d}}` → [a::b, a::c::d]."""
    tree = re.sub(r"\s+", "", tree)
    m = re.search(r"\{", tree)
    if not m:
        return [tree]
    head, depth, parts, cur = tree[: m.start()], 0, [], ""
    for ch in tree[m.start() + 1 : -1]:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += {"{": 1, "}": -1}.get(ch, 0)
        cur += ch
    parts.append(cur)
    return [p for part in parts if part for p in expand(head + part)]


def paths_in(text):
    for m in re.finditer(r"\buse\s+([^;]+);", text):
        yield from expand(m.group(1))
    body = re.sub(r"\buse\s+[^;]+;", "", text)
    yield from re.findall(r"\b(?:crate|super|self)(?:::\w+)+", body)


def resolve(path, here, is_dir_module, modules):
    parts = re.sub(r"\s+as\s+\w+$", "", path).split("::")
    if parts[0] == "crate":
        base, parts = [], parts[1:]
    elif parts[0] in ("super", "self"):
        base = list(here)
        while parts and parts[0] in ("super", "self"):
            if parts[0] == "super":
                base = base[:-1]
            parts = parts[1:]
    else:
        return None
    full = base + [p for p in parts if p not in ("*",)]
    for n in range(len(full), -1, -1):
        if tuple(full[:n]) in modules:
            return tuple(full[:n])
    return None


def main():
    files = {}
    for root, _, names in os.walk(SRC):
        for n in names:
            if n.endswith(".rs") and n != "tests.rs" and not n.endswith("_tests.rs"):
                p = os.path.join(root, n)
                files[module_of(p)] = p
    main_rs = files.pop(("main",), None)
    edges = {}
    for mod, p in files.items():
        text = strip_tests_and_comments(open(p, encoding="utf-8").read())
        is_dir = p.endswith("mod.rs") or mod == ()
        targets = set()
        for path in paths_in(text):
            t = resolve(path, mod, is_dir, files)
            if t is not None and t != mod and not (mod and t == ()):
                targets.add(t)
        edges[mod] = targets
    if "--graph" in sys.argv:
        for m in sorted(edges):
            print("/".join(m) or "lib", "->", ", ".join("/".join(t) or "lib" for t in sorted(edges[m])))
        return 0

    name = lambda m: os.path.relpath(files[m], os.path.join(SRC, "..")) if m in files else "/".join(m)
    views = {m: "view!" in open(files[m], encoding="utf-8").read() for m in files}
    errors = []
    for a, targets in sorted(edges.items()):
        if not a:
            continue
        top_a = a[0]
        for b in sorted(targets):
            if not b:
                continue
            top_b = b[0]
            if b[-1] == "page" and top_b in FEATURES | {"auth"} and a != ("app",):
                if not (len(a) == 2 and a[0] == top_b and files[a].endswith("mod.rs")):
                    errors.append(f"{name(a)}: imports {name(b)}; only src/app.rs imports a page")
                    continue
            if top_a != top_b:
                ra, rb = RANK.get(top_a), RANK.get(top_b)
                if ra is None or rb is None:
                    errors.append(f"{name(a)}: {top_a if ra is None else top_b} has no place in the layers of scripts/check_layers.py")
                elif rb >= ra:
                    why = "plumbing never names a feature, app, server or the app state" if top_a in PLUMBING and top_b not in PLUMBING else \
                          "a feature imports only features below it (dashboard → simulation → mapping → catalog)" if top_a in FEATURES and top_b in FEATURES else \
                          "imports run down the layers: " + " → ".join("/".join(l) for l in reversed(LAYERS))
                    errors.append(f"{name(a)}: imports {name(b)}; {why}")
                continue
            if top_a in FEATURES and len(a) == 2 and len(b) == 2:
                role = lambda m: ROLE.get(m[-1], SERVER_VIEW if m[-1].endswith("_view") else COMPONENT if views[m] else None)
                ra, rb = role(a), role(b)
                if ra is not None and rb is not None and rb > ra:
                    errors.append(f"{name(a)}: imports {name(b)}; inside a feature: types → text/validation → repo/store → service → server-drawn views → server fns/routes → page context → components → page")
    # Import circles (Tarjan's strongly connected components).
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(comp)

    for v in list(edges):
        if v not in index:
            visit(v)
    for comp in comps:
        errors.append("import circle between " + ", ".join(sorted(name(m) for m in comp)))
    if main_rs:
        text = open(main_rs, encoding="utf-8").read()
        if re.search(r"\bcrate::", text):
            errors.append("src/main.rs: uses crate:: paths; the binary reaches the library as model_suite::")
    for e in errors:
        print(e)
    if errors:
        print(f"{len(errors)} import(s) break the layering rule (docs/architecture.md)")
        return 1
    print(f"layers: {len(files)} files, {sum(map(len, edges.values()))} imports, no circle, every arrow points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
