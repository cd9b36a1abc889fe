import { expect, test } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { SIM_URL } from "../playwright.config";
import { logIn, watchErrors } from "./helpers";

const shots = path.resolve(__dirname, "..", "..", "target", "screenshots");

test("smoke: endpoint → default → mappings → JWT → chat → 500-request run → results → dashboard", async ({ page }) => {
  test.setTimeout(180_000);
  fs.mkdirSync(shots, { recursive: true });
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1366, height: 900 });
  await logIn(page, "/models");
  await page.goto("/lang/en?next=/models");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);

  // Catalog: add an endpoint and fetch its models from the upstream.
  await page.getByTestId("add-endpoint").click();
  const drawer = page.locator("aside.drawer");
  await drawer.locator('input[name="name"]').fill("Primary");
  await drawer.locator('input[name="base_url"]').fill(SIM_URL);
  await drawer.locator('input[name="new_model"]').fill("sim-small");
  await drawer.locator('input[name="new_model"]').press("Enter");
  await drawer.locator('select[name="model"]').selectOption("sim-small");
  await drawer.getByTestId("save-endpoint").click();
  const row = page.locator('[data-testid="endpoint-row"][data-name="Primary"]');
  await row.getByRole("button", { name: "Edit" }).click();
  await page.getByTestId("fetch-models").click();
  await page.getByTestId("accept-diff").click();
  await page.getByTestId("save-endpoint").click();
  await expect(row.getByTestId("model-count")).toHaveText("3");
  // The first endpoint is the default; it is online after a check.
  await expect(row.getByTestId("default-badge")).toBeVisible();
  await row.getByTestId("check-now").click();
  await expect(row.getByTestId("status")).toHaveText("online");
  await page.screenshot({ path: path.join(shots, "catalog.png") });

  // Mapping: tenant:acme and module:coach.
  await page.getByRole("link", { name: "Mapping" }).click();
  for (const [kind, key, models, dflt] of [
    ["tenant", "acme", ["sim-large", "sim-small"], "sim-large"],
    ["module", "coach", ["sim-vision"], "sim-vision"],
  ] as const) {
    await page.getByTestId("add-mapping").click();
    const d = page.locator("aside.drawer");
    await d.locator('select[name="kind"]').selectOption(kind);
    await d.locator('input[name="key"]').fill(key);
    for (const m of models) {
      await d.locator('input[name="new_model"]').fill(m);
      await d.locator('input[name="new_model"]').press("Enter");
    }
    await d.locator('select[name="default"]').selectOption(dflt);
    await d.getByTestId("save-mapping").click();
    await expect(d).toHaveCount(0);
  }
  await expect(page.getByTestId("mapping-row")).toHaveCount(2);
  const box = page.getByTestId("resolve-box");
  await box.locator('input[name="tenant"]').fill("acme");
  await box.getByTestId("resolve").click();
  await expect(box.getByTestId("resolved-model")).toHaveText("sim-large");
  await page.screenshot({ path: path.join(shots, "mapping.png") });

  // Simulation: mint, one chat, a 500-request run at concurrency 50.
  await page.getByRole("link", { name: "JWT simulation" }).click();
  await page.getByTestId("mint-panel").getByTestId("mint").click();
  await expect(page.getByTestId("claims")).toContainText('"role": "user"');
  const dialog = page.getByTestId("dialog-panel");
  await dialog.locator('input[name="tenant"]').fill("acme");
  await dialog.getByTestId("send-dialog").click();
  await expect(dialog.getByTestId("dialog-status")).toHaveText("200");
  const run = page.getByTestId("run-panel");
  await run.locator('input[name="total"]').fill("500");
  await run.locator('input[name="concurrency"]').fill("50");
  await run.locator('input[name="tenant"]').fill("acme");
  await run.getByTestId("start-run").click();
  await expect(run.getByTestId("run-status")).toHaveAttribute("data-status", "completed", { timeout: 120_000 });
  await expect(run.getByTestId("count-ok")).toHaveText("500");
  const results = page.getByTestId("results-panel");
  await expect(results.getByTestId("page-info")).toContainText("· 500");
  await results.locator("select").first().selectOption("failed");
  await expect(results.getByText("No results.")).toBeVisible();
  await results.locator("select").first().selectOption("ok");
  await expect(results.getByTestId("page-info")).toContainText("· 500");
  await page.screenshot({ path: path.join(shots, "simulation.png"), fullPage: true });

  const [csvDl] = await Promise.all([page.waitForEvent("download"), results.getByTestId("download-csv").click()]);
  expect(fs.readFileSync(await csvDl.path(), "utf8").trim().split("\n").length - 1).toBe(500);
  const [jsonDl] = await Promise.all([page.waitForEvent("download"), results.getByTestId("download-json").click()]);
  expect(JSON.parse(fs.readFileSync(await jsonDl.path(), "utf8")).length).toBe(500);

  // Dashboard: the run and full coverage.
  await page.getByRole("link", { name: "Dashboard" }).click();
  await expect(page.getByTestId("recent-run")).toHaveCount(1);
  await expect(page.getByTestId("default-model")).toHaveText("sim-small");
  for (const scope of ["tenant:acme", "module:coach"]) {
    await expect(page.locator(`[data-testid="coverage-item"][data-scope="${scope}"]`)).toHaveAttribute("data-state", "full");
  }
  await page.screenshot({ path: path.join(shots, "dashboard.png") });
  expect(errors).toEqual([]);
});
