import { defineConfig } from "@playwright/test";
import * as path from "node:path";
import base, { ADMIN_PASSWORD } from "./playwright.config";

// `make bench`: the first load of the release build, as a browser on a
// throttled network sees it. Its own server: the release binary on the
// release bundle, a fresh storage folder.
const root = path.resolve(__dirname, "..");
const port = Number(process.env.BENCH_PORT ?? 3150);
const storage = path.join(root, "target", "bench-storage");

export default defineConfig({
  ...base,
  testDir: "./bench",
  reporter: [["list"]],
  use: { ...base.use, baseURL: `http://127.0.0.1:${port}` },
  projects: [{ name: "first-load" }],
  webServer: [
    {
      command: `rm -rf "${storage}" && mkdir -p "${storage}" && exec "${path.join(root, "target", "release", "model-suite")}" serve`,
      url: `http://127.0.0.1:${port}/healthz`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: "ignore",
      env: {
        APP_ENV: "dev",
        LISTEN_ADDR: `127.0.0.1:${port}`,
        STORAGE_DIR: storage,
        SITE_ROOT: path.join(root, "target", "site"),
        ADMIN_USERNAME: "admin",
        ADMIN_PASSWORD,
        MONITOR_INTERVAL_SECS: "0",
        DEMO_UPSTREAM_PORT: "",
      },
    },
  ],
});
