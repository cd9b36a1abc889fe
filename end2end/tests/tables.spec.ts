import { expect, test } from "@playwright/test";
import { SIM_URL } from "../playwright.config";
import { logIn, PAGES, watchErrors } from "./helpers";

// Runs after the other specs of its project (they share one database): it
// adds 60 endpoints.
test("catalog table: ids, server-side pages, sorting and a filter that applies as you type; the dashboard links to what it names", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await logIn(page, "/models");
  await page.goto("/lang/en?next=/models");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  for (let i = 0; i < 60; i++) {
    const made = await page.request.post("/api/v1/llm/models", {
      data: { name: `Bulk ${String(i).padStart(2, "0")}`, base_url: SIM_URL, model: "sim-small", model_list: ["sim-small"] },
    });
    expect(made.status()).toBe(201);
  }
  const total = (await (await page.request.get("/api/v1/llm/models")).json()).total;
  await page.reload();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);

  const info = page.getByTestId("page-info");
  await expect(info).toHaveText(`1 / ${Math.ceil(total / 50)} · ${total}`);
  await expect(page.getByTestId("endpoint-row")).toHaveCount(50);
  await page.getByRole("button", { name: "Next" }).click();
  await expect(info).toHaveText(`2 / ${Math.ceil(total / 50)} · ${total}`);
  await expect(page.getByTestId("endpoint-row")).toHaveCount(total - 50);

  // Newest id first, then oldest first; back to page 1 on a new order.
  const ids = async () =>
    (await page.getByTestId("endpoint-row").evaluateAll((rows) => rows.map((r) => Number(r.getAttribute("data-id")))));
  await page.locator('button[data-sort="id"]').click();
  await expect(page.locator('th[aria-sort="descending"] button[data-sort="id"]')).toHaveCount(1);
  await expect(info).toContainText("1 / ");
  let seen = await ids();
  expect(seen).toEqual([...seen].sort((a, b) => b - a));
  await expect(page.getByTestId("endpoint-row").first()).toContainText(`#${seen[0]}`);
  await page.locator('button[data-sort="id"]').click();
  await expect(page.locator('th[aria-sort="ascending"] button[data-sort="id"]')).toHaveCount(1);
  await expect.poll(async () => (await ids())[0]).toBeLessThan(seen[0]);
  seen = await ids();
  expect(seen).toEqual([...seen].sort((a, b) => a - b));

  // Typing filters without Enter, once typing pauses.
  await page.locator("input.search").pressSequentially("Bulk 4", { delay: 30 });
  await expect(page.getByTestId("endpoint-row")).toHaveCount(10);
  await expect(info).toHaveText("1 / 1 · 10");

  // A disabled endpoint reads "disabled" on the dashboard, and its tile
  // opens the catalog on it.
  const list = (await (await page.request.get("/api/v1/llm/models?q=Bulk%2007")).json()).items;
  const off = await page.request.put(`/api/v1/llm/models/${list[0].id}/active`, { data: { is_active: false } });
  expect(off.status()).toBe(200);
  await page.goto("/");
  await expect(page.getByTestId("read-at")).toContainText("Updated at");
  const tile = page.locator('[data-testid="health-tile"][data-name="Bulk 07"]');
  await expect(tile).toHaveAttribute("data-status", "disabled");
  await expect(tile).toContainText("disabled");
  await expect(tile.getByTestId("traffic")).toContainText("chat requests since start");
  // Every state counted, worst first.
  await expect(page.locator('[data-testid="health-states"] [data-state="disabled"]')).toHaveText("disabled 1");
  await tile.getByRole("link", { name: "Bulk 07" }).click();
  await expect(page).toHaveURL(/\/models\?q=Bulk\+07/);
  await expect(page.getByTestId("endpoint-row")).toHaveCount(1);
  expect(errors).toEqual([]);
});

test("mapping and runs tables: server-side pages, sorting and filters that apply as you type", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await logIn(page, "/mappings");
  await page.goto("/lang/en?next=/mappings");
  for (let i = 0; i < 55; i++) {
    const made = await page.request.post("/api/v1/llm/mappings", {
      data: { scope: `tenant:bulk-${String(i).padStart(2, "0")}`, models: ["sim-small"], default: "sim-small" },
    });
    expect(made.status()).toBe(201);
  }
  await page.reload();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  const info = page.getByTestId("page-info").first();
  await expect(info).toContainText("1 / 2 · ");
  await expect(page.getByTestId("mapping-row")).toHaveCount(50);
  await page.getByRole("button", { name: "Next" }).click();
  await expect(info).toContainText("2 / 2 · ");

  // Newest first by id; the id is shown.
  await page.locator('button[data-sort="id"]').click();
  await expect(page.locator('th[aria-sort="descending"] button[data-sort="id"]')).toHaveCount(1);
  await expect(info).toContainText("1 / 2");
  await expect(page.getByTestId("mapping-row").first()).toHaveAttribute("data-scope", "tenant:bulk-54");

  await page.locator('input[name="scope_filter"]').pressSequentially("bulk-1", { delay: 30 });
  await expect(page.getByTestId("mapping-row")).toHaveCount(10);
  await expect(info).toHaveText("1 / 1 · 10");

  // Runs: a filter by id as you type, a status filter, a sortable header.
  const made = await page.request.post("/api/v1/llm/tests/runs", { data: { total: 3, concurrency: 1 } });
  expect(made.status()).toBe(201);
  const id = (await made.json()).id;
  await expect
    .poll(async () => (await (await page.request.get(`/api/v1/llm/tests/runs/${id}`)).json()).status, { timeout: 30_000 })
    .not.toBe("running");
  await page.goto("/simulation");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  const runs = page.getByTestId("runs-table");
  await expect(runs.locator(`tr[data-run="${id}"]`)).toHaveCount(1);
  await page.locator('input[name="run_filter"]').pressSequentially(id.slice(-6), { delay: 30 });
  await expect(runs.locator("tbody tr")).toHaveCount(1);
  await page.locator('select[name="run_status"]').selectOption("running");
  await expect(page.getByTestId("no-runs")).toHaveText("No run matches.");
  await page.locator('select[name="run_status"]').selectOption("");
  await expect(runs.locator("tbody tr")).toHaveCount(1);
  await runs.locator('button[data-sort="done"]').click();
  await expect(runs.locator('th[aria-sort="descending"] button[data-sort="done"]')).toHaveCount(1);
  expect(errors).toEqual([]);
});

test("every page fits an 800 px and a phone-width window: tables scroll inside their card", async ({ page }) => {
  await logIn(page, "/");
  for (const width of [800, 390]) {
    await page.setViewportSize({ width, height: 900 });
    for (const p of PAGES) {
      await page.goto(p.path);
      await expect(page.locator("h1.page-title")).toBeVisible();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${p.path} at ${width} px`).toBeLessThanOrEqual(0);
    }
  }
});
