import { defineConfig } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";

// The server under test: built by `make test` (debug) and started here with
// a fresh storage folder, so each run starts from an empty database.
const root = path.resolve(__dirname, "..");
const port = Number(process.env.E2E_PORT ?? 3100);
const storage = process.env.E2E_STORAGE ?? path.join(root, "target", "e2e-storage");
const serverBin = process.env.E2E_SERVER_BIN ?? path.join(root, "target", "debug", "model-suite");
// The debug bundle `make build-debug` writes (the release one in target/site
// stays with `make run`).
const site = process.env.E2E_SITE_ROOT ?? path.join(root, "target", "site-debug");

export const ADMIN_PASSWORD = "e2e-admin-password";
/** The upstream simulator the browser tests point endpoints at. */
export const SIM_PORT = Number(process.env.E2E_SIM_PORT ?? 3190);
export const SIM_URL = `http://127.0.0.1:${SIM_PORT}/v1`;
const SMOKE_PORT = port + 2;
const smokeStorage = path.join(root, "target", "e2e-smoke-storage");
// The smoke journey runs on the release bundle (`make smoke-site`: the
// size-optimised page modules admins get, beside a link to the debug
// server); without it, on the debug bundle.
const releaseSmokeBin = path.join(root, "target", "release-smoke", "model-suite");
const releaseSmoke = fs.existsSync(releaseSmokeBin);
const smokeBin = process.env.E2E_SMOKE_SERVER_BIN ?? (releaseSmoke ? releaseSmokeBin : serverBin);
const smokeSite =
  process.env.E2E_SMOKE_SITE_ROOT ??
  (releaseSmoke ? path.join(root, "target", "site-release-test") : site);

const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  },
};

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  outputDir: path.join(root, "target", "e2e-results"),
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    locale: "zh-CN",
    trace: "retain-on-failure",
    ...chromium,
  },
  projects: [
    { name: "hydrated", testIgnore: /no-js|smoke/ },
    { name: "no-js", testMatch: /no-js/, use: { javaScriptEnabled: false } },
    // The spec's end-to-end smoke, on a server of its own with a fresh database.
    { name: "smoke", testMatch: /smoke/, use: { baseURL: `http://127.0.0.1:${SMOKE_PORT}` } },
  ],
  webServer: [
    {
      command: `exec "${serverBin}" upstream-sim --port ${SIM_PORT} --latency-ms 5 --models sim-small,sim-large,sim-vision`,
      url: `${SIM_URL}/models`,
      timeout: 30_000,
      reuseExistingServer: false,
    },
    {
    command: `rm -rf "${storage}" && mkdir -p "${storage}" && exec "${serverBin}" serve`,
    url: `http://127.0.0.1:${port}/healthz`,
    timeout: 60_000,
    reuseExistingServer: false,
    // The server's own log stays out of the test report; its stderr
    // (start-up failures) still shows.
    stdout: "ignore",
    stderr: "pipe",
    env: {
      APP_ENV: "dev",
      LISTEN_ADDR: `127.0.0.1:${port}`,
      STORAGE_DIR: storage,
      SITE_ROOT: site,
      ADMIN_USERNAME: "admin",
      ADMIN_PASSWORD,
      LOG_LEVEL: "info",
      MONITOR_INTERVAL_SECS: "0",
    },
    },
    {
      command: `rm -rf "${smokeStorage}" && mkdir -p "${smokeStorage}" && exec "${smokeBin}" serve`,
      url: `http://127.0.0.1:${SMOKE_PORT}/healthz`,
      timeout: 60_000,
      reuseExistingServer: false,
      env: {
        APP_ENV: "dev",
        LISTEN_ADDR: `127.0.0.1:${SMOKE_PORT}`,
        STORAGE_DIR: smokeStorage,
        SITE_ROOT: smokeSite,
        ADMIN_USERNAME: "admin",
        ADMIN_PASSWORD,
        MONITOR_INTERVAL_SECS: "0",
      },
    },
  ],
});
