import { expect, test } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { logIn } from "../tests/helpers";

const root = path.resolve(__dirname, "..", "..");

const pkg = path.join(root, "target", "site", "pkg");
const kb = (bytes: number) => (bytes / 1024).toFixed(0);
const size = (file: string) => fs.statSync(path.join(pkg, file)).size;

/** Raw / gzip / brotli KB of a set of wasm files in the release bundle. */
function sizes(files: string[]): string {
  const sum = (suffix: string) => files.reduce((n, f) => n + size(f + suffix), 0);
  return `${kb(sum(""))} / ${kb(sum(".gz"))} / ${kb(sum(".br"))}`;
}

/** The shell's wasm, and for each page the wasm a first visit fetches: the
 * shell plus the page's own module and the chunks it shares with others
 * (as the split manifest lists them). */
function wasmRows(): string[] {
  const hashes = fs.readFileSync(path.join(root, "target", "release", "hash.txt"), "utf8");
  const shell = `model-suite.${/wasm:\s*(\S+)/.exec(hashes)?.[1]}.wasm`;
  const build = /manifest:\s*(\S+)/.exec(hashes)?.[1];
  const manifest: Record<string, string[]> = JSON.parse(
    fs.readFileSync(path.join(pkg, `__wasm_split_manifest.${build}.json`), "utf8"),
  );
  // This build's files (the previous build's stay beside them).
  const current = fs
    .readFileSync(path.join(root, "target", "release", "bundle-current.txt"), "utf8")
    .split("\n");
  const all = current.filter((f) => f.endsWith(".wasm"));
  const rows = [
    `| wasm, whole app (every module) raw / gzip / brotli, KB | ${sizes(all)} |`,
    `| wasm, shell only, KB | ${sizes([shell])} |`,
  ];
  for (const [key, modules] of Object.entries(manifest).sort()) {
    const page = /^__(\w+?)_route_view/.exec(key)?.[1];
    const what = page
      ? `first visit to ${page}`
      : `lazy \`${key.replace(/_\d+$/, "")}\` with the shell`;
    rows.push(`| wasm, ${what} (shell + ${modules.length} modules), KB | ${sizes([shell, ...modules.map((m) => `${m}.wasm`)])} |`);
  }
  return rows;
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
  for (const row of wasmRows()) console.log(row);
  await cdp.send("Network.clearBrowserCache");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: false });
  await load("empty cache");
  await load("warm cache");
  expect(bytes).toBeGreaterThan(0);
});
