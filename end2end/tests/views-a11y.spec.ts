// Runs after the other specs of its project (they share one database).
import AxeBuilder from "@axe-core/playwright";
import { expect, Page, test } from "@playwright/test";
import { SIM_URL } from "../playwright.config";
import { logIn, PAGES } from "./helpers";

/** Serious and critical WCAG 2 A/AA violations on what the page shows now. */
async function serious(page: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${where}: ${v.id} (${v.impact}) × ${v.nodes.length}: ${v.nodes[0]?.target.join(" ")} — ${v.help}`);
}

test("no serious accessibility violation on any page, drawer or dialog, in either language", async ({ page }) => {
  test.setTimeout(120_000);
  await logIn(page, "/");
  const list = await (await page.request.get("/api/v1/llm/models")).json();
  if (list.total === 0) {
    await page.request.post("/api/v1/llm/models", {
      data: { name: "A11y sim", base_url: SIM_URL, model: "sim-small", model_list: ["sim-small"] },
    });
  }
  const found: string[] = [];
  for (const lang of ["zh", "en"]) {
    await page.goto(`/lang/${lang}?next=/`);
    for (const p of PAGES) {
      await page.goto(p.path);
      await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
      found.push(...(await serious(page, `${lang} ${p.path}`)));
    }
  }
  await page.goto("/models");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await page.getByTestId("add-endpoint").click();
  found.push(...(await serious(page, "endpoint drawer")));
  await page.keyboard.press("Escape");
  await page.goto("/mappings");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await page.getByTestId("add-mapping").click();
  found.push(...(await serious(page, "mapping drawer")));
  await page.goto("/login");
  found.push(...(await serious(page, "login")));
  expect(found).toEqual([]);
});
