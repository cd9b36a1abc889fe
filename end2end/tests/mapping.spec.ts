import { expect, test } from "@playwright/test";
import { SIM_URL } from "../playwright.config";
import { finishedInTurn, holdFirst, logIn, watchErrors } from "./helpers";

test("mapping: tenant:acme with two models, resolve to its endpoint, fall back to its default", async ({ page }) => {
  const errors = watchErrors(page);
  await logIn(page, "/mappings");
  await page.goto("/lang/en?next=/mappings");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);

  // An endpoint that alone serves acme's models (the session cookie works on JSON routes).
  const created = await page.request.post("/api/v1/llm/models", {
    data: { name: "Acme upstream", base_url: SIM_URL, model: "acme-fast", model_list: ["acme-fast", "acme-smart"], timeout: 5 },
  });
  expect(created.status()).toBe(201);

  await page.getByTestId("add-mapping").click();
  const drawer = page.locator("aside.drawer");
  await drawer.locator('select[name="kind"]').selectOption("tenant");
  await drawer.locator('input[name="key"]').fill("acme");
  for (const m of ["acme-fast", "acme-smart"]) {
    await drawer.locator('input[name="new_model"]').fill(m);
    await drawer.locator('input[name="new_model"]').press("Enter");
  }
  await expect(drawer.getByTestId("mapping-models").locator("li")).toHaveCount(2);
  await drawer.getByTestId("save-mapping").click();
  await expect(drawer.locator('[data-field="default"]')).toBeVisible();
  await drawer.locator('select[name="default"]').selectOption("acme-smart");
  await drawer.locator('textarea[name="note"]').fill("Acme's plan");
  await drawer.getByTestId("save-mapping").click();
  await expect(drawer).toHaveCount(0);

  const row = page.locator('[data-testid="mapping-row"][data-scope="tenant:acme"]');
  await expect(row).toContainText("acme-smart");
  await expect(row.getByTestId("coverage")).toHaveCount(2);

  const box = page.getByTestId("resolve-box");
  await box.locator('input[name="tenant"]').fill("acme");
  await box.getByTestId("resolve").click();
  await expect(box.getByTestId("resolved-model")).toHaveText("acme-smart");
  await expect(box.getByTestId("resolved-endpoint")).toContainText("Acme upstream");
  // Every endpoint a chat would try, in order, with why; and what traffic did.
  await expect(box.getByTestId("candidate")).toHaveCount(1);
  await expect(box.getByTestId("why")).toHaveText("the only active endpoint serving the model");
  await expect(box.getByTestId("last-used")).toContainText("No chat was routed this way");
  const minted = await page.request.post("/api/v1/llm/tests/mint", { data: { sub: "e2e-user", expires_in_minutes: 5 } });
  expect(minted.status()).toBe(200);
  const token = (await minted.json()).token;
  const chat = await page.request.post("/api/v1/chat/completions", {
    headers: { authorization: `Bearer ${token}`, "x-scope-tenant": "acme" },
    data: { messages: [{ role: "user", content: "hi" }] },
  });
  // The simulator does not serve acme's models: the one endpoint tried answers 404.
  expect(chat.status()).toBe(502);
  await box.getByTestId("resolve").click();
  await expect(box.getByTestId("last-used")).toContainText("Acme upstream");
  await expect(box.getByTestId("last-used")).toContainText("every attempt failed · 1 attempt(s)");

  await box.locator('input[name="model"]').fill("sim-small");
  await box.getByTestId("resolve").click();
  await expect(box.getByTestId("resolved-model")).toHaveText("acme-smart");
  await expect(box.getByTestId("reasons")).toContainText("is not allowed by `tenant:acme`; using its default `acme-smart`");

  await box.locator('input[name="model"]').fill("acme-fast");
  await box.getByTestId("resolve").click();
  await expect(box.getByTestId("resolved-model")).toHaveText("acme-fast");

  // The same answers and refusals in Chinese.
  await page.locator("a.lang-switch").click();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await box.locator('input[name="tenant"]').fill("acme");
  await box.locator('input[name="model"]').fill("sim-small");
  await box.getByTestId("resolve").click();
  await expect(box.getByTestId("reasons")).toContainText("请求的模型 `sim-small` 不被 `tenant:acme` 允许；改用其默认模型 `acme-smart`");
  await page.getByTestId("add-mapping").click();
  await drawer.locator('select[name="kind"]').selectOption("tenant");
  await drawer.locator('input[name="key"]').fill("acme");
  await drawer.locator('input[name="new_model"]').fill("acme-fast");
  await drawer.locator('input[name="new_model"]').press("Enter");
  await drawer.locator('select[name="default"]').selectOption("acme-fast");
  await drawer.getByTestId("save-mapping").click();
  await expect(page.getByTestId("toast")).toContainText("`tenant:acme` 已有映射");
  expect(errors).toEqual([]);
});

test("mapping: a row's switch reports its outcome even when the table is rendered anew before the answer", async ({ page }) => {
  const errors = watchErrors(page);
  await logIn(page, "/mappings");
  await page.goto("/lang/en?next=/mappings");
  for (const scope of ["tenant:alpha", "tenant:beta"]) {
    const made = await page.request.post("/api/v1/llm/mappings", {
      data: { scope, models: ["sim-small"], default: "sim-small", accept_dangling: true },
    });
    expect(made.status(), await made.text()).toBe(201);
  }
  await page.reload();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  const alpha = page.locator('[data-testid="mapping-row"][data-scope="tenant:alpha"]');
  const beta = page.locator('[data-testid="mapping-row"][data-scope="tenant:beta"]');
  // Alpha's answer is held back until beta's has come back and the table
  // it reloaded has too.
  const release = await holdFirst(page, "**/api/mapping/set_active*");
  const reloaded = finishedInTurn(page, "/api/mapping/set_active", "/api/mapping/table");
  await alpha.locator('input[type="checkbox"]').click();
  await beta.locator('input[type="checkbox"]').click();
  await expect(page.getByTestId("toast")).toContainText("Saved · tenant:beta");
  await reloaded;
  release();
  await expect(page.getByTestId("toast")).toContainText("Saved · tenant:alpha");
  // A newer message does not hide the one before it.
  await expect(page.getByTestId("toast")).toContainText("Saved · tenant:beta");
  await expect(alpha.locator('input[type="checkbox"]')).not.toBeChecked();
  await expect(beta.locator('input[type="checkbox"]')).not.toBeChecked();
  expect(errors).toEqual([]);
});
