import { expect, test } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { SIM_URL } from "../playwright.config";
import { logIn, PAGES } from "../tests/helpers";

const out = path.resolve(__dirname, "..", "..", "docs", "screenshots");
const NAMES: Record<string, string> = { "/": "dashboard", "/models": "catalog", "/mappings": "mapping", "/simulation": "simulation" };

test("every page in both languages, with data", async ({ page }) => {
  test.setTimeout(180_000);
  await logIn(page, "/");
  for (const [name, models] of [
    ["主力端点 Primary", ["sim-small", "sim-large"]],
    ["备用端点 Spare", ["sim-small"]],
  ] as const) {
    const made = await page.request.post("/api/v1/llm/models", {
      data: { name, base_url: SIM_URL, model: models[0], model_list: models, description: "simulator" },
    });
    expect(made.status()).toBe(201);
  }
  await page.request.post("/api/v1/llm/models/check");
  await page.request.post("/api/v1/llm/mappings", {
    data: { scope: "tenant:acme", models: ["sim-small", "sim-large"], default: "sim-large", note: "GymBro coach" },
  });
  await page.request.post("/api/v1/llm/mappings", {
    data: { scope: "module:vision", models: ["sim-vision"], default: "sim-vision", accept_dangling: true },
  });
  const run = await page.request.post("/api/v1/llm/tests/runs", {
    data: { total: 200, concurrency: 10, stream: true, users: 4 },
  });
  expect(run.status()).toBe(201);
  const id = (await run.json()).id;
  await expect
    .poll(async () => (await (await page.request.get(`/api/v1/llm/tests/runs/${id}`)).json()).status, { timeout: 60_000 })
    .toBe("completed");

  fs.mkdirSync(out, { recursive: true });
  for (const lang of ["zh", "en"]) {
    await page.goto(`/lang/${lang}?next=/`);
    for (const p of PAGES) {
      await page.goto(p.path === "/simulation" ? `/simulation?run=${id}` : p.path);
      await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
      await expect(page.locator("h1.page-title")).toHaveText(lang === "zh" ? p.zh : p.en);
      await page.waitForLoadState("networkidle");
      const file = path.join(out, `${NAMES[p.path]}-${lang}.png`);
      await page.screenshot({ path: file, fullPage: true });
      expect(fs.statSync(file).size).toBeGreaterThan(20_000);
    }
    await page.goto("/models");
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
    await page.getByTestId("add-endpoint").click();
    await page.screenshot({ path: path.join(out, `catalog-drawer-${lang}.png`) });
    await page.keyboard.press("Escape");
  }
});
