import { expect, Page, test } from "@playwright/test";
import { SIM_URL } from "../playwright.config";
import { finishedInTurn, holdFirst, logIn, watchErrors } from "./helpers";

async function addEndpoint(page: Page, name: string) {
  await page.getByTestId("add-endpoint").click();
  const drawer = page.locator("aside.drawer");
  await drawer.locator('input[name="name"]').fill(name);
  await drawer.locator('input[name="base_url"]').fill(SIM_URL);
  await drawer.locator('input[name="api_key"]').fill("sk-e2e-0123456789abcdef");
  await drawer.locator('input[name="new_model"]').fill("sim-small");
  await drawer.locator('input[name="new_model"]').press("Enter");
  await drawer.locator('select[name="model"]').selectOption("sim-small");
  await drawer.getByTestId("save-endpoint").click();
  await expect(drawer).toHaveCount(0);
  return page.locator(`[data-testid="endpoint-row"][data-name="${name}"]`);
}

test("catalog: add endpoints on the simulator, fetch models, switch the default, check, refuse disabling it", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/lang/zh?next=/models");
  await logIn(page, "/models");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);

  // A bad field is refused inline, next to the field, in the admin's language.
  const drawer = page.locator("aside.drawer");
  const refuseBadUrl = async (cancel: string, words: string) => {
    await page.getByTestId("add-endpoint").click();
    await drawer.locator('input[name="name"]').fill("Broken");
    await drawer.locator('input[name="base_url"]').fill("ftp://nowhere");
    await drawer.getByTestId("save-endpoint").click();
    await expect(drawer.locator('[data-field="base_url"]')).toHaveText(words);
    await drawer.getByRole("button", { name: cancel }).click();
  };
  await refuseBadUrl("取消", "必须是带主机名的 http:// 或 https:// 地址");
  await page.locator("a.lang-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await refuseBadUrl("Cancel", "must be an http:// or https:// URL with a host");

  const first = await addEndpoint(page, "Sim A");
  await expect(first.getByTestId("default-badge")).toBeVisible();
  const second = await addEndpoint(page, "Sim B");
  await expect(second.getByTestId("default-badge")).toHaveCount(0);

  // Fetch the upstream's models and accept the diff.
  await second.getByRole("button", { name: "Edit" }).click();
  await expect(page.locator('aside.drawer input[name="api_key"]')).toHaveAttribute("placeholder", "sk-e…cdef");
  // Moving the base URL warns that the key will not follow it there.
  const url = page.locator('aside.drawer input[name="base_url"]');
  await expect(page.getByTestId("key-will-clear")).toHaveCount(0);
  await url.fill(SIM_URL + "/elsewhere");
  await expect(page.getByTestId("key-will-clear")).toContainText("clears the stored key");
  await url.fill(SIM_URL);
  await expect(page.getByTestId("key-will-clear")).toHaveCount(0);
  await page.getByTestId("fetch-models").click();
  const diff = page.getByTestId("model-diff");
  await expect(diff).toContainText("sim-large");
  await expect(diff).toContainText("sim-vision");
  await page.getByTestId("accept-diff").click();
  await expect(page.getByTestId("model-chips").locator("li")).toHaveCount(3);
  await page.getByTestId("save-endpoint").click();
  await expect(second.getByTestId("model-count")).toHaveText("3");

  // Check every model with a real chat; the results stay for the next visit.
  await second.getByRole("button", { name: "Edit" }).click();
  await page.getByTestId("check-models").click();
  const checks = page.getByTestId("model-check");
  await expect(checks).toHaveCount(3);
  await expect(page.locator('[data-testid="model-check"][data-ok="true"]')).toHaveCount(3);
  await drawer.getByRole("button", { name: "Cancel" }).click();
  await second.getByRole("button", { name: "Edit" }).click();
  await expect(page.locator('[data-testid="model-check"][data-ok="true"]')).toHaveCount(3);
  await drawer.getByRole("button", { name: "Cancel" }).click();

  // Make B the default: the dialog names the current one first.
  await second.getByTestId("make-default").click();
  await expect(page.getByTestId("current-default")).toContainText("Sim A");
  await expect(page.getByTestId("inheriting")).toContainText("global");
  await page.getByTestId("confirm-default").click();
  await expect(second.getByTestId("default-badge")).toBeVisible();
  await expect(first.getByTestId("default-badge")).toHaveCount(0);

  await second.getByTestId("check-now").click();
  await expect(second.getByTestId("status")).toHaveText("online");
  await expect(second).toContainText("ms");

  // Disabling the default is refused with a message, and the toggle snaps
  // back — also when the rows are rendered anew (here: another row's check
  // came back) while the refusal is on its way: its answer is held until
  // that check's reload of the table has come back.
  const toggling = "**/api/catalog/set_active*";
  const release = await holdFirst(page, toggling);
  const reloaded = finishedInTurn(page, "/api/catalog/check", "/api/catalog/list");
  await second.getByTestId("active-toggle").click();
  await first.getByTestId("check-now").click();
  await expect(page.getByTestId("toast")).toContainText("Sim A");
  await reloaded;
  release();
  await expect(page.getByTestId("toast")).toContainText("make another endpoint the default first");
  await page.unroute(toggling);
  await expect(second.getByTestId("active-toggle")).toBeChecked();
  await page.locator("a.lang-switch").click();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await second.getByTestId("active-toggle").click();
  await expect(page.getByTestId("toast")).toContainText("是全局默认端点；请先将其他端点设为默认，再停用它");
  await expect(second.getByTestId("active-toggle")).toBeChecked();

  // Search filters the table.
  await page.locator("input.search").fill("Sim A");
  await expect(page.getByTestId("endpoint-row")).toHaveCount(1);
  expect(errors).toEqual([]);
});

test("catalog: the delete dialog counts the results; keep it disabled, or export them and delete both", async ({ page }) => {
  const errors = watchErrors(page);
  await logIn(page, "/models");
  await page.goto("/lang/en?next=/models");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);

  // "Doomed" alone serves sim-large, which tenant doomed uses; one chat there leaves one result.
  const list = await (await page.request.get("/api/v1/llm/models?q=Sim%20B")).json();
  const b = list.items[0];
  expect((await page.request.put(`/api/v1/llm/models/${b.id}/model-list`, { data: { models: ["sim-small"] } })).status()).toBe(200);
  const created = await page.request.post("/api/v1/llm/models", {
    data: { name: "Doomed", base_url: SIM_URL, model: "sim-large", model_list: ["sim-large"], timeout: 5 },
  });
  expect(created.status()).toBe(201);
  const twin = await page.request.post("/api/v1/llm/models", {
    data: { name: "doomed", base_url: SIM_URL, model: "sim-large", model_list: ["sim-large"], timeout: 5 },
  });
  expect(twin.status()).toBe(409);
  expect((await twin.json()).error.message).toContain("an endpoint named `Doomed` already exists");
  expect((await page.request.post("/api/v1/llm/mappings", { data: { scope: "tenant:doomed", models: ["sim-large"], default: "sim-large" } })).status()).toBe(201);
  const token = (await (await page.request.post("/api/v1/llm/tests/mint", { data: { sub: "e2e-del", expires_in_minutes: 5 } })).json()).token;
  const chat = await page.request.post("/api/v1/llm/tests/dialog", { data: { token, scope: { tenant: "doomed" }, message: "hi" } });
  expect((await chat.json()).status).toBe(200);
  await page.reload();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);

  const row = page.locator('[data-testid="endpoint-row"][data-name="Doomed"]');
  const dialog = page.locator(".modal");
  await row.getByRole("button", { name: "Delete" }).click();
  await expect(dialog.getByTestId("delete-usage")).toHaveAttribute("data-results", "1");
  await expect(dialog.getByTestId("delete-usage")).toContainText("1 stored results refer to it");
  await expect(dialog.getByTestId("confirm-delete")).toBeDisabled();
  await dialog.getByTestId("keep-disabled").click();
  await expect(page.getByTestId("toast")).toContainText("Disabled; its results are kept");
  await expect(row.getByTestId("active-toggle")).not.toBeChecked();

  await row.getByRole("button", { name: "Delete" }).click();
  const [download] = await Promise.all([page.waitForEvent("download"), dialog.getByTestId("export-results").click()]);
  expect(download.suggestedFilename()).toMatch(/^endpoint-\d+-results\.csv$/);
  await expect(dialog.getByTestId("confirm-delete")).toBeEnabled();
  await dialog.getByTestId("confirm-delete").click();
  await expect(page.getByTestId("toast")).toContainText("Deleted");
  await expect(row).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("catalog: the drawer takes the focus, keeps Tab inside, closes on Escape and gives the focus back", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/lang/en?next=/models");
  await logIn(page, "/models");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  const opener = page.getByTestId("add-endpoint");
  await opener.focus();
  await page.keyboard.press("Enter");
  const drawer = page.locator("aside.drawer");
  await expect(drawer).toHaveCount(1);
  await expect(drawer).toHaveAttribute("aria-modal", "true");
  // The first field has the focus at once: no Tabs through the page behind.
  await expect(drawer.locator('input[name="name"]')).toBeFocused();
  // Shift+Tab from the first control wraps to the drawer's last one, and
  // 40 Tabs never leave it.
  await page.keyboard.press("Shift+Tab");
  expect(await page.evaluate(() => !!document.activeElement?.closest("aside.drawer"))).toBe(true);
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => !!document.activeElement?.closest("aside.drawer"))).toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(drawer).toHaveCount(0);
  await expect(opener).toBeFocused();
  expect(errors).toEqual([]);
});
