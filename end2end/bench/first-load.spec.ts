import { expect, test } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { logIn } from "../tests/helpers";

const root = path.resolve(__dirname, "..", "..");

/** The release wasm's size: raw, gzip and brotli, in KB. */
function wasmSizes(): string {
  const hashes = fs.readFileSync(path.join(root, "target", "release", "hash.txt"), "utf8");
  const hash = /wasm:\s*(\S+)/.exec(hashes)?.[1];
  const file = path.join(root, "target", "site", "pkg", `model-suite.${hash}.wasm`);
  const kb = (f: string) => (fs.statSync(f).size / 1024).toFixed(0);
  return `${kb(file)} / ${kb(`${file}.gz`)} / ${kb(`${file}.br`)}`;
}

// Lighthouse-style figures for the catalog page on a 10 Mbit/s link with
// 40 ms of latency: bytes on the wire and the time until the page answers
// clicks (hydrated), with an empty cache and again with the cache warm.
const MBIT = 10;

test("catalog first load on a throttled network", async ({ page, context }) => {
  test.setTimeout(180_000);
  await logIn(page, "/models");
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 40,
    downloadThroughput: (MBIT * 1_000_000) / 8,
    uploadThroughput: (MBIT * 1_000_000) / 8,
  });
  let bytes = 0;
  cdp.on("Network.loadingFinished", (e) => (bytes += e.encodedDataLength));
  const load = async (label: string) => {
    bytes = 0;
    const started = Date.now();
    await page.goto("/models");
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1, { timeout: 120_000 });
    const hydrated = Date.now() - started;
    await page.waitForLoadState("networkidle");
    console.log(`| catalog, ${label}: transferred KB | ${(bytes / 1024).toFixed(0)} |`);
    console.log(`| catalog, ${label}: time to hydrate at ${MBIT} Mbit/s, ms | ${hydrated} |`);
  };
  console.log("\n| first load (release build) | value |\n|---|---|");
  console.log(`| wasm raw / gzip / brotli, KB | ${wasmSizes()} |`);
  await cdp.send("Network.clearBrowserCache");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: false });
  await load("empty cache");
  await load("warm cache");
  expect(bytes).toBeGreaterThan(0);
});
