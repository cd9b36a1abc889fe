import { expect, Page, test } from "@playwright/test";
import * as fs from "node:fs";
import { SIM_URL } from "../playwright.config";
import { logIn, watchErrors } from "./helpers";

/** Signs in, opens the simulation page in English, hydrated, with an endpoint on the simulator. */
async function openSimulation(page: Page) {
  await logIn(page, "/simulation");
  await page.goto("/lang/en?next=/simulation");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  const list = await (await page.request.get("/api/v1/llm/models")).json();
  if (list.total === 0) {
    const made = await page.request.post("/api/v1/llm/models", {
      data: { name: "Sim for runs", base_url: SIM_URL, model: "sim-small", model_list: ["sim-small"], timeout: 10 },
    });
    expect(made.status()).toBe(201);
  }
}

test("simulation: mint, one chat, a 200-request run at concurrency 20, CSV with 200 rows", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openSimulation(page);

  // Mint: the decoded claims and the expiry are shown.
  const mint = page.getByTestId("mint-panel");
  await mint.locator('input[name="sub"]').fill("coach-42");
  await mint.getByTestId("mint").click();
  await expect(mint.getByTestId("claims")).toContainText('"sub": "coach-42"');
  await expect(mint.getByTestId("expires-at")).toContainText("T");

  // One chat with the minted token.
  const dialog = page.getByTestId("dialog-panel");
  await dialog.locator('textarea[name="message"]').fill("hello from the browser");
  await dialog.getByTestId("send-dialog").click();
  await expect(dialog.getByTestId("dialog-status")).toHaveText("200");
  await expect(dialog.getByTestId("dialog-reply")).toContainText("hello from the browser");
  await expect(dialog.getByTestId("dialog-ttft")).toContainText("ms");

  // An out-of-range concurrency is refused next to the field.
  const run = page.getByTestId("run-panel");
  await run.locator('input[name="concurrency"]').fill("5000");
  await run.getByTestId("start-run").click();
  await expect(run.locator('[data-field="concurrency"]')).toContainText("1–1000");

  await run.locator('input[name="total"]').fill("200");
  await run.locator('input[name="concurrency"]').fill("20");
  await run.getByTestId("start-run").click();
  await expect(run.getByTestId("run-status")).toHaveAttribute("data-status", "completed", { timeout: 60_000 });
  await expect(run.getByTestId("count-done")).toHaveText("200");
  await expect(run.getByTestId("count-ok")).toHaveText("200");
  await expect(run.getByTestId("count-failed")).toHaveText("0");
  // Where the records went: every one to SQLite, none to the fallback.
  await expect(run.getByTestId("stored")).toContainText("200 · fallback file: 0");
  await expect(run.getByTestId("latency-chart")).toBeVisible();
  // A finished streamed run shows its token figures, exact from its rows.
  await expect(run.getByTestId("figures-source")).toHaveAttribute("data-exact", "true");
  await expect(run.getByTestId("count-output-tokens")).not.toHaveText("0");
  await expect(run.getByTestId("tpot")).toContainText("p99");
  await expect(run.getByTestId("itl")).toContainText("max");
  // Every request reached the simulator's endpoint: none is "not routed".
  await expect(run.getByTestId("served-by")).toContainText(": 200 ✓ / 0 ✕");
  await expect(run.getByTestId("served-by")).not.toContainText("not routed");

  const results = page.getByTestId("results-panel");
  await expect(results.getByTestId("page-info")).toContainText("· 200");
  await expect(results.locator('[data-testid="result-endpoint"][data-routed="true"]').first()).toContainText("#");
  const [download] = await Promise.all([page.waitForEvent("download"), results.getByTestId("download-csv").click()]);
  const csv = fs.readFileSync(await download.path(), "utf8").trim().split("\n");
  expect(csv[0]).toContain("run_id");
  expect(csv[0]).toContain("tpot_ms");
  expect(csv.length - 1).toBe(200);

  // One result opens with what was asked and answered; Escape closes it.
  await results.locator('select[name="sort"]').selectOption("latency_ms");
  await results.getByTestId("open-result").first().click();
  await expect(page.getByTestId("result-detail")).toContainText("TTFT");
  await expect(page.getByTestId("result-messages")).toContainText('"role": "user"');
  await expect(page.getByTestId("result-reply")).not.toBeEmpty();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("result-detail")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a run survives a reload: the page finds it, a second start asks first, Cancel ends it", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openSimulation(page);
  const run = page.getByTestId("run-panel");
  await run.locator('input[name="total"]').fill("100000");
  await run.locator('input[name="concurrency"]').fill("2");
  await run.getByTestId("start-run").click();
  await expect(run.getByTestId("run-status")).toHaveAttribute("data-status", "running");

  await page.reload();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  const again = page.getByTestId("run-panel");
  await expect(again.getByTestId("run-status")).toHaveAttribute("data-status", "running");
  await expect(again.getByTestId("count-done")).not.toHaveText("0");

  // Starting another while one runs needs a second click.
  await again.getByTestId("start-run").click();
  await expect(again.getByTestId("another-run")).toBeVisible();
  await expect(again.getByTestId("start-run")).toHaveText("Start anyway");

  await again.getByTestId("cancel-run").click();
  await expect(again.getByTestId("run-status")).toHaveAttribute("data-status", "cancelled", { timeout: 30_000 });
  expect(errors).toEqual([]);
});

test("a constant-rate run and a capacity sweep, from the page", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openSimulation(page);

  // A constant rate: the run says it kept it.
  const run = page.getByTestId("run-panel");
  await run.locator('select[name="load"]').selectOption("constant");
  await run.locator('input[name="rps"]').fill("0");
  await run.getByTestId("start-run").click();
  await expect(run.locator('[data-field="load.rps"]')).toContainText("10000");
  // The field the error is about is marked, described by it, and focused.
  const rps = run.locator('input[name="rps"]');
  await expect(rps).toHaveAttribute("aria-invalid", "true");
  await expect(rps).toHaveAttribute("aria-describedby", "error-load-rps");
  await expect(rps).toBeFocused();
  await rps.fill("20");
  await run.locator('input[name="total"]').fill("30");
  await run.getByTestId("start-run").click();
  await expect(rps).not.toHaveAttribute("aria-invalid", "true");
  await expect(run.getByTestId("run-status")).toHaveAttribute("data-status", "completed", { timeout: 60_000 });
  await expect(run.getByTestId("rate")).toHaveAttribute("data-kept-up", "true");
  await expect(run.getByTestId("timeline-chart")).toBeVisible();

  // A sweep: rates out of order are refused at the field; two steps that
  // meet a loose SLO give one line of result, a row per step and a chart.
  const sweep = page.getByTestId("sweep-panel");
  await sweep.locator('input[name="rates"]').fill("10, 5");
  await sweep.getByTestId("start-sweep").click();
  await expect(sweep.locator('[data-field="rates"]')).toContainText("increasing");
  await sweep.locator('input[name="rates"]').fill("5, 10");
  await sweep.locator('input[name="requests_per_step"]').fill("30");
  await sweep.locator('input[name="slo_ttft"]').fill("5000");
  await sweep.locator('input[name="slo_tpot"]').fill("1000");
  await sweep.getByTestId("start-sweep").click();
  await expect(sweep.getByTestId("sweep-status")).toHaveText("completed", { timeout: 60_000 });
  await expect(sweep.getByTestId("sweep-result")).toContainText("Sustains within the SLO: 10 req/s");
  await expect(sweep.locator('[data-testid="sweep-steps"] tbody tr[data-meets="true"]')).toHaveCount(2);
  await expect(sweep.getByTestId("sweep-chart")).toBeVisible();

  // The runs side by side, every figure, against the older as baseline.
  await page.reload();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  const compare = page.getByTestId("compare-table");
  await expect(compare.locator('tr[data-metric="req/s"]')).toBeVisible();
  await expect(compare.locator('tr[data-metric="TTFT p95 ms"]')).toBeVisible();
  await expect(compare.locator("thead th")).toHaveCount(3);
  // One run taken out leaves nothing to compare; put back, it is last.
  const out = (await page.locator("input[data-compare]:checked").first().getAttribute("data-compare"))!;
  await page.locator(`input[data-compare="${out}"]`).uncheck();
  await expect(page.getByTestId("compare-table")).toHaveCount(0);
  await page.locator(`input[data-compare="${out}"]`).check();
  await expect(compare.locator("thead th").last()).toHaveText(out);
  expect(errors).toEqual([]);
});

test("a run from a chosen JSONL file, scoped by the minted token's claims", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  await openSimulation(page);

  const mint = page.getByTestId("mint-panel");
  await mint.locator('input[name="sub"]').fill("coach-7");
  await mint.locator('input[name="tenant"]').fill("filetest");
  await mint.locator('input[name="module"]').fill("coach");
  await mint.getByTestId("mint").click();
  await expect(mint.getByTestId("claims")).toContainText('"module": "coach"');

  const run = page.getByTestId("run-panel");
  const lines =
    '{"messages":[{"role":"user","content":"from a file, one"}],"max_tokens":8}\n' +
    '{"messages":[{"role":"user","content":"from a file, two"}]}\n';
  await run.locator('input[name="jsonl_file"]').setInputFiles({
    name: "requests.jsonl",
    mimeType: "application/x-ndjson",
    buffer: Buffer.from(lines),
  });
  await expect(run.locator('textarea[name="jsonl"]')).toHaveValue(lines);
  // A scope field that contradicts the token is refused at the field.
  await run.locator('input[name="tenant"]').fill("globex");
  await run.locator('input[name="from_token"]').check();
  await run.locator('input[name="total"]').fill("4");
  await run.locator('input[name="concurrency"]').fill("1");
  await run.getByTestId("start-run").click();
  await expect(run.locator('[data-field="scope.tenant"]')).toContainText("filetest");
  await run.locator('input[name="tenant"]').fill("");
  await run.getByTestId("start-run").click();
  await expect(run.getByTestId("run-status")).toHaveAttribute("data-status", "completed", { timeout: 60_000 });

  const runs = await (await page.request.get("/api/v1/llm/tests/runs")).json();
  const newest = runs[0];
  expect(newest.config.scope).toEqual({ prompt_id: null, tenant: "filetest", module: "coach" });
  expect(newest.config.message_set.jsonl).toBe(lines.trim());
  expect(newest.config.token).toBeUndefined();
  expect(newest.ok).toBe(4);
  expect(errors).toEqual([]);
});
