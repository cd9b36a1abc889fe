import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// `make screenshots`: the pages as an admin sees them, in both languages,
// written to docs/screenshots/ (the same servers as the browser tests).
export default defineConfig({
  ...base,
  testDir: "./screenshots",
  projects: [{ name: "screenshots", use: { viewport: { width: 1366, height: 900 } } }],
});
