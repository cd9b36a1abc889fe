import { expect, test } from "@playwright/test";
import { logIn, PAGES, watchErrors } from "./helpers";

test("a wrong password is refused with a message", async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto("/login");
  await page.locator('input[name="password"]').fill("wrong-password");
  await page.locator('form[action="/auth/login"] button[type="submit"]').click();
  await expect(page.getByRole("alert")).toHaveText("用户名或密码错误。");
  expect(errors).toEqual([]);
});

test("admin logs in, visits all four pages in both languages, and logs out", async ({ page }) => {
  const errors = watchErrors(page);
  await logIn(page, "/models");
  await expect(page).toHaveURL(/\/models$/);
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);

  for (const lang of ["zh", "en"] as const) {
    for (const p of PAGES) {
      // Navigate through the header like a person, after hydration.
      await page.locator(`header nav a[href="${p.path}"]`).click();
      await expect(page).toHaveURL(new RegExp(`${p.path === "/" ? "/$" : p.path + "$"}`));
      await expect(page.locator("h1.page-title")).toHaveText(p[lang]);
      await expect(page.locator(`header nav a[href="${p.path}"]`)).toHaveAttribute("aria-current", "page");
      await expect(page).toHaveTitle(new RegExp(p[lang]));
    }
    if (lang === "zh") {
      await page.locator("a.lang-switch").click();
      await expect(page.locator("html")).toHaveAttribute("lang", "en");
      await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
    }
  }
  await expect(page.locator(".who strong")).toHaveText("admin");

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/mappings");
  await expect(page).toHaveURL(/\/login\?next=%2Fmappings/);
  expect(errors).toEqual([]);
});

test("the page links the bundle by content-hashed names that browsers keep for good, compressed", async ({ page }) => {
  await page.goto("/login");
  const html = await page.content();
  const names = [...html.matchAll(/\/pkg\/(model-suite\.[0-9a-f]{20}\.(?:js|wasm|css))/g)].map((m) => m[1]);
  expect(new Set(names.map((n) => n.split(".").pop()))).toEqual(new Set(["js", "wasm", "css"]));
  for (const name of names) {
    const res = await page.request.get(`/pkg/${name}`, { headers: { "accept-encoding": "br, gzip" } });
    expect(res.status()).toBe(200);
    expect(res.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(["br", "gzip"]).toContain(res.headers()["content-encoding"]);
  }
  const login = await page.request.get("/login");
  expect(login.headers()["cache-control"]).toBe("no-cache");
});

test("each page is a wasm module of its own: a page preloads only its modules; the drawer's and another page's arrive when needed", async ({ page }) => {
  const errors = watchErrors(page);
  await logIn(page, "/models");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  const html = await page.content();
  const modules = [...html.matchAll(/href="\/pkg\/((?:split|chunk)_\w+\.[0-9a-f]{20}\.wasm)"/g)].map((m) => m[1]);
  expect(modules.filter((m) => m.startsWith("split___catalog_route_view"))).toHaveLength(1);
  expect(modules.filter((m) => /simulation|dashboard|mapping/.test(m))).toEqual([]);
  for (const name of modules) {
    const res = await page.request.get(`/pkg/${name}`, { headers: { "accept-encoding": "br, gzip" } });
    expect(res.status()).toBe(200);
    expect(res.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(["br", "gzip"]).toContain(res.headers()["content-encoding"]);
  }

  // The drawer and dialogs are a module of their own, fetched when one opens.
  expect(modules.filter((m) => m.startsWith("split_overlay"))).toEqual([]);
  const fetched: string[] = [];
  page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
  await page.getByTestId("add-endpoint").click();
  await expect(page.getByRole("dialog")).toBeVisible();
  expect(fetched.filter((p) => p.startsWith("/pkg/split_overlay"))).toHaveLength(1);
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);

  await page.locator('header a[href="/simulation"]').click();
  await expect(page).toHaveURL(/\/simulation$/);
  await expect(page.getByTestId("mint-panel")).toBeVisible();
  expect(fetched.filter((p) => p.startsWith("/pkg/split___simulation_route_view"))).toHaveLength(1);
  expect(errors).toEqual([]);
});

test("a page module that cannot be fetched reloads the page once, then says so and offers a reload: the app never dies", async ({ page }) => {
  const errors = watchErrors(page);
  await logIn(page, "/");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  // As in a tab left open while the server was updated: the mapping
  // page's module is gone.
  const gone = /\/pkg\/split___mapping_route_view_\w+\.[0-9a-f]{20}\.wasm$/;
  let refused = 0;
  await page.route(gone, (r) => {
    refused++;
    return r.fulfill({ status: 404, body: "" });
  });
  const reloaded = page.waitForEvent("domcontentloaded");
  await page.locator('header nav a[href="/mappings"]').click();
  // Loaded afresh from the server, where the admin was going.
  await reloaded;
  expect(refused).toBeGreaterThan(0);
  await expect(page).toHaveURL(/\/mappings$/);
  await expect(page.locator("h1.page-title")).toHaveText("模型映射");
  // Its module still missing: no reload loop, a notice with a way out.
  const notice = page.locator("#module-failed");
  await expect(notice).toHaveAttribute("role", "alert");
  await expect(notice).toContainText("页面的一部分未能加载");
  await expect(notice.getByRole("button", { name: "重新加载页面" })).toBeFocused();

  // Back to normal (the tab now gets the server's current bundle).
  await page.unroute(gone);
  await notice.getByRole("button").click();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await expect(page.locator("h1.page-title")).toHaveText("模型映射");
  await expect(page.locator("#module-failed")).toHaveCount(0);
  // The failed fetches are logged by the loader; the app itself never
  // failed (a panic in wasm shows as a page error).
  expect(errors.filter((e) => e.startsWith("pageerror"))).toEqual([]);
});
