import { expect, test } from "@playwright/test";
import { SIM_URL } from "../playwright.config";
import { logIn, PAGES } from "./helpers";

// Words a Chinese page may show in Latin letters: names of protocols,
// formats, metrics and units, which Chinese admin consoles keep as they are.
const KEPT = new Set(
  ("API JWT JSON JSONL CSV URL HTTP HTTPS SSE ID TTFT TTFB TPOT ITL SLO Supabase SQLite PostgreSQL OpenAI " +
    "ms s KB MB req tokens p50 p90 p95 p99 max mean min UTC Base Bearer sub tenant module admin user " +
    "English Model Suite Poisson SQL").split(" "),
);

/** Labels (not data) on the page whose words are all Latin and not kept. */
async function untranslated(page: import("@playwright/test").Page): Promise<string[]> {
  const texts: string[] = await page.evaluate(() => {
    const out: string[] = [];
    const label = "h1, h2, h3, th, label > span, button, option, legend, .tag, p.muted, .empty-state, summary, a";
    for (const el of Array.from(document.querySelectorAll(label))) {
      // Names and addresses (marked translate="no") are data, not labels.
      if (el.closest("[translate='no'], td.mono, .mono, pre, textarea, [data-testid='claims'], .brand")) continue;
      const own = Array.from(el.childNodes)
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent ?? "")
        .join(" ")
        .trim();
      if (own) out.push(own);
    }
    for (const el of Array.from(document.querySelectorAll("[placeholder], [aria-label], [title]"))) {
      for (const a of ["placeholder", "aria-label", "title"]) {
        const v = el.getAttribute(a);
        // An example value in a placeholder (a URL, a key) is not a label.
        const example = a === "placeholder" && /^([a-z0-9:_.-]+|\S+:\/\/\S+)$/.test(v ?? "");
        if (v && !example && !el.closest(".mono, textarea")) out.push(v);
      }
    }
    return out;
  });
  return texts.filter((text) => {
    if (/[\u4e00-\u9fff]/.test(text)) return false;
    const words = text.match(/[A-Za-z][A-Za-z0-9-]*/g) ?? [];
    return words.some((w) => !KEPT.has(w) && !/^[a-z]+[-_][a-z0-9-_]+$/.test(w));
  });
}

test("every page in zh-CN shows no English label", async ({ page }) => {
  test.setTimeout(120_000);
  await logIn(page, "/");
  const list = await (await page.request.get("/api/v1/llm/models")).json();
  if (list.total === 0) {
    await page.request.post("/api/v1/llm/models", {
      data: { name: "模拟端点", base_url: SIM_URL, model: "sim-small", model_list: ["sim-small"] },
    });
  }
  // Data on every page: a mapping with a gap, a finished run.
  await page.request.post("/api/v1/llm/mappings", {
    data: { scope: "tenant:zh-check", models: ["sim-small", "no-such-model"], default: "sim-small" },
  });
  const run = await page.request.post("/api/v1/llm/tests/runs", { data: { total: 5, concurrency: 1, stream: true } });
  expect(run.status()).toBe(201);
  const id = (await run.json()).id;
  await expect
    .poll(async () => (await (await page.request.get(`/api/v1/llm/tests/runs/${id}`)).json()).status, { timeout: 30_000 })
    .toBe("completed");

  await page.goto("/lang/zh?next=/");
  const found: string[] = [];
  const scan = async (where: string) => {
    for (const text of await untranslated(page)) found.push(`${where}: ${text}`);
  };
  for (const p of PAGES) {
    await page.goto(p.path);
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
    await scan(p.path);
  }
  // The drawers and the result detail.
  await page.goto("/models");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await page.getByTestId("add-endpoint").click();
  await scan("/models drawer");
  await page.keyboard.press("Escape");
  await page.goto("/mappings");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await page.getByTestId("add-mapping").click();
  await scan("/mappings drawer");
  await page.keyboard.press("Escape");
  await page.goto(`/simulation?run=${id}`);
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await page.getByTestId("open-result").first().click();
  await expect(page.getByTestId("result-detail")).toBeVisible();
  await scan("/simulation result");
  expect(found).toEqual([]);
});
