# Model Suite — `make run` to use it, `make test` to test everything.
# Every step installs what is missing and skips what is present.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
NODE_BIN := $(CURDIR)/end2end/node_modules/.bin
export PATH := $(CARGO_BIN):$(NODE_BIN):$(PATH)

WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/version = "\(.*\)"/\1/p;}' Cargo.lock)
CARGO_LEPTOS_VERSION := 0.3.11
WASM_TARGET := wasm32-unknown-unknown
# The release bundle `make run` serves, and the debug bundle the tests use:
# two folders, so `make test` never touches a running release server.
SITE := target/site
TEST_SITE := target/site-debug
E2E_PORT ?= 3100
SCHEMATHESIS_VERSION := 4.32.5
VENV := target/venv
GUIDELLM_VERSION := 0.8.1
GUIDELLM_VENV := target/guidellm-venv
# What rustc's wasm32 output uses (1.82+), so wasm-opt accepts it.
WASM_FEATURES := --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue


.PHONY: bench run test lint dev build build-debug tools brotli compress test-tools wasm-target wasm-bindgen wasm-split node-deps \
        chromium postgres fuzz-tools guidellm screenshots cjk-font site site-debug smoke-site release-bundle server server-debug rust-tests api-fuzz e2e fmt clean

## ── the two commands ────────────────────────────────────────────────────────

# Install what is missing, build a release, serve on http://127.0.0.1:3000.
# The built-in upstream simulator runs on DEMO_UPSTREAM_PORT (9100; set it
# empty to turn it off) and a demo endpoint is added if the catalog is empty.
run: build
	@echo "Starting Model Suite on SQLite ($${SQLITE_PATH:-storage/model_suite.db})…"
	DEMO_UPSTREAM_PORT=$${DEMO_UPSTREAM_PORT-9100} exec target/release/model-suite serve

# Install what the tests need and run every test.
test: test-tools build-debug smoke-site rust-tests api-fuzz e2e

## ── pieces ──────────────────────────────────────────────────────────────────

tools: wasm-target wasm-bindgen wasm-split node-deps brotli

brotli:
	@command -v brotli >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq brotli; }
test-tools: tools chromium postgres fuzz-tools

wasm-target:
	@rustup target list --installed | grep -qx '$(WASM_TARGET)' \
	  || rustup target add $(WASM_TARGET)

# Must equal the wasm-bindgen in Cargo.lock. Installed without --locked: its
# own lock file names a crate version the registry no longer serves.
wasm-bindgen:
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "Installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (a few minutes, once)…"; \
	  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
	    cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi

# Cuts the browser wasm into the shell and one module per page (a small
# program of ours on the wasm_split_cli_support crate, built once).
WASM_SPLIT := tools/wasm-split/target/release/wasm-split-bundle
wasm-split: $(WASM_SPLIT)
$(WASM_SPLIT): tools/wasm-split/Cargo.toml tools/wasm-split/Cargo.lock tools/wasm-split/src/main.rs
	cd tools/wasm-split && cargo build --release --locked --target-dir target
	@touch $@

# Playwright and binaryen's wasm-opt (Debian's binaryen is too old).
node-deps: end2end/node_modules/.installed
end2end/node_modules/.installed: end2end/package.json end2end/package-lock.json
	cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	@touch $@

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

postgres:
	@command -v pg_virtualenv >/dev/null && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; }

# schemathesis (from PyPI) in a project-local virtualenv, for api-fuzz, and
# `ip` to bring up loopback in the fuzz run's own network namespace.
fuzz-tools:
	@command -v ip >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2; }
	@if [ "$$($(VENV)/bin/schemathesis --version 2>/dev/null)" != "schemathesis, version $(SCHEMATHESIS_VERSION)" ]; then \
	  echo "Installing schemathesis $(SCHEMATHESIS_VERSION) into $(VENV)…"; \
	  python3 -m venv $(VENV); \
	  $(VENV)/bin/pip install --quiet --disable-pip-version-check 'schemathesis==$(SCHEMATHESIS_VERSION)'; \
	fi

# The browser bundle: lib → wasm → wasm-bindgen (→ wasm-opt for release),
# then style and assets into the site root the server reads.
# The script, wasm and stylesheet get content-hashed names; the hash file
# beside the server binary (target/release or target/debug) links them.
# A build is made in pkg.new and then published into pkg beside the
# previous build's files (scripts/publish_bundle.sh): a server still running
# that build keeps working until it is restarted.
site: tools
	$(MAKE) --no-print-directory release-bundle OUT=$(SITE) HASH=target/release/hash.txt

# The release bundle again, for the browser smoke journey of `make test`: in
# a folder of its own, linked by a hash file beside a link to the debug
# server binary (the server reads the hash file beside itself), so the
# size-optimised page modules admins get are tested too, and a running
# `make run` is never touched.
SMOKE_SITE := target/site-release-test
SMOKE_BIN := target/release-smoke/model-suite
smoke-site: tools server-debug
	$(MAKE) --no-print-directory release-bundle OUT=$(SMOKE_SITE) HASH=$(dir $(SMOKE_BIN))hash.txt
	ln -f target/debug/model-suite $(SMOKE_BIN)

release-bundle:
	cargo build --lib --target $(WASM_TARGET) --no-default-features --features hydrate --profile wasm-release
	$(MAKE) --no-print-directory bundle WASM=target/$(WASM_TARGET)/wasm-release/model_suite.wasm OUT=$(OUT)
	ls $(OUT)/pkg.new/*.wasm | xargs -P 2 -I{} wasm-opt -Oz --strip-producers --strip-target-features $(WASM_FEATURES) {} -o {}
	scripts/hash_bundle.sh $(OUT)/pkg.new $(OUT)/hash.txt.new
	$(MAKE) --no-print-directory compress DIR=$(OUT)/pkg.new
	scripts/publish_bundle.sh $(OUT)/pkg.new $(OUT)/pkg $(OUT)/hash.txt.new $(HASH)

site-debug: tools
	cargo build --lib --target $(WASM_TARGET) --no-default-features --features hydrate
	$(MAKE) --no-print-directory bundle WASM=target/$(WASM_TARGET)/debug/model_suite.wasm OUT=$(TEST_SITE)
	scripts/hash_bundle.sh $(TEST_SITE)/pkg.new $(TEST_SITE)/hash.txt.new
	$(MAKE) --no-print-directory compress DIR=$(TEST_SITE)/pkg.new
	scripts/publish_bundle.sh $(TEST_SITE)/pkg.new $(TEST_SITE)/pkg $(TEST_SITE)/hash.txt.new target/debug/hash.txt

# Split first (the page modules, their shared chunks, the loader and the
# manifest land in pkg.new), then wasm-bindgen on what stays in the shell.
bundle:
	rm -rf $(OUT)/pkg.new && mkdir -p $(OUT)/pkg.new
	$(WASM_SPLIT) $(WASM) $(OUT)/pkg.new $(OUT)/shell.wasm ./model-suite.js
	wasm-bindgen $(OUT)/shell.wasm --keep-lld-exports --no-demangle --target web --no-typescript \
	  --out-dir $(OUT)/pkg.new --out-name model-suite
	rm $(OUT)/shell.wasm
	cp style/main.css $(OUT)/pkg.new/model-suite.css
	cp -R public/. $(OUT)/

# Precompressed copies the server sends to browsers that accept them.
compress:
	@for f in $(DIR)/*.wasm $(DIR)/*.js $(DIR)/*.css; do \
	  gzip -9 -k -f "$$f"; \
	  if command -v brotli >/dev/null; then brotli -q 11 -k -f "$$f"; fi; \
	done

server:
	cargo build --release --bin model-suite --features ssr

server-debug:
	cargo build --bin model-suite --features ssr

build: site server
build-debug: site-debug server-debug

# Unit and integration tests; the Postgres-backed ones run against a
# throw-away cluster from Debian's pg_virtualenv.
rust-tests: postgres
	pg_virtualenv sh -c 'TEST_DATABASE_URL="postgres://$$PGUSER:$$PGPASSWORD@$$PGHOST:$$PGPORT/$$PGDATABASE" \
	  REQUIRE_TEST_DATABASE=1 cargo test --features ssr'

# Property-based fuzzing of the JSON API from its OpenAPI document, on the
# debug server with a throw-away store (end2end/api-fuzz.sh says how).
# API_FUZZ_EXAMPLES (examples per operation) and API_FUZZ_SEED tune it.
api-fuzz: server-debug fuzz-tools
	end2end/api-fuzz.sh

e2e: node-deps chromium
	@if [ -d $(dir $(SMOKE_BIN)) ]; then ln -f target/debug/model-suite $(SMOKE_BIN); fi
	cd end2end && E2E_PORT=$(E2E_PORT) npx playwright test

# The pages in both languages with data, as PNGs under docs/screenshots/
# (with a CJK font, so the Chinese pages read as they do for an admin).
screenshots: build-debug node-deps chromium cjk-font
	cd end2end && E2E_PORT=$(E2E_PORT) npx playwright test -c screenshots.config.ts

cjk-font:
	@fc-list :lang=zh 2>/dev/null | grep -q . || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei; }

# Numbers, not a pass/fail: engine vs oha, engine vs guidellm, RSS, writer
# rows/s, 10k at c=1000, Supabase propagation.
bench: postgres guidellm build node-deps chromium
	@command -v oha >/dev/null || CARGO_PROFILE_RELEASE_LTO=false cargo install oha --locked
	pg_virtualenv sh -c 'TEST_DATABASE_URL="postgres://$$PGUSER:$$PGPASSWORD@$$PGHOST:$$PGPORT/$$PGDATABASE" \
	  cargo test --release --features ssr --test integration bench -- --ignored --nocapture'
	cd end2end && npx playwright test -c bench.config.ts

# The reference LLM benchmark, from PyPI, in its own virtualenv (with the
# torch it requires: ≈6 GB, once; `make bench` only, never the tests).
guidellm:
	@if [ "$$($(GUIDELLM_VENV)/bin/guidellm --version 2>/dev/null)" != "guidellm version: $(GUIDELLM_VERSION)" ]; then \
	  echo "Installing guidellm $(GUIDELLM_VERSION) into $(GUIDELLM_VENV) (several minutes, once)…"; \
	  python3 -m venv $(GUIDELLM_VENV); \
	  $(GUIDELLM_VENV)/bin/pip install --quiet --disable-pip-version-check 'guidellm==$(GUIDELLM_VERSION)'; \
	fi

# The 500-line limit, the layering rule (docs/architecture.md), format, clippy.
lint:
	@big=$$(find src end2end/rust end2end/tests end2end/bench tools/wasm-split/src style -type f \( -name '*.rs' -o -name '*.ts' -o -name '*.css' -o -name '*.sql' \) \
	  -exec awk 'END { if (NR >= 500) print FILENAME ": " NR " lines" }' {} \;); \
	  if [ -n "$$big" ]; then echo "files must stay under 500 lines:"; echo "$$big"; exit 1; fi
	python3 scripts/check_layers.py
	cargo fmt --check
	cargo clippy --all-targets --features ssr -- -D warnings
	cargo clippy --all-targets --no-default-features --features hydrate -- -D warnings

fmt:
	cargo fmt

# The hot-reload dev loop. cargo-leptos needs a newer rustc than stable has
# here, so it is built once with nightly (≈20 minutes). `--split`: the
# pages are lazy routes, whose wasm only links once it is split.
dev: tools
	@command -v cargo-leptos >/dev/null || { \
	  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal; \
	  cargo +nightly install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked; }
	cargo leptos watch --split

clean:
	cargo clean
	rm -rf end2end/node_modules target/e2e-storage
