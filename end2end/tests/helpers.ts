import { expect, Page } from "@playwright/test";
import { ADMIN_PASSWORD } from "../playwright.config";

export const PAGES = [
  { path: "/", zh: "总览", en: "Dashboard" },
  { path: "/models", zh: "模型目录", en: "Catalog" },
  { path: "/mappings", zh: "模型映射", en: "Mapping" },
  { path: "/simulation", zh: "JWT 模拟", en: "JWT simulation" },
];

/**
 * Collects page errors and console errors; assert it is empty at the end.
 * The browser's own network log of a 4xx answer (a refusal the page shows
 * the admin on purpose) is not an error of the page; a 5xx is.
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    const refusal = /Failed to load resource: the server responded with a status of 4\d\d/.test(m.text());
    if (m.type() === "error" && !refusal) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

export async function logIn(page: Page, next = "/") {
  await page.goto(next);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.locator('input[name="username"]').fill("admin");
  await page.locator('input[name="password"]').fill(ADMIN_PASSWORD);
  await page.locator('form[action="/auth/login"] button[type="submit"]').click();
  await expect(page.locator("h1.page-title")).toBeVisible();
}

/** Resolves once a request to `after` has finished and then one to
 * `then` has: e.g. an action's answer, then the table reload it caused
 * (after which the rows' owners are new). Paths, not URLs. */
export function finishedInTurn(page: Page, after: string, then: string): Promise<void> {
  let seen = false;
  return new Promise((done) => {
    page.on("requestfinished", (r) => {
      const path = new URL(r.url()).pathname;
      if (path === after) seen = true;
      else if (seen && path === then) done();
    });
  });
}

/** Holds back the first request matching `url` (the rest pass) until the
 * function it resolves to is called. */
export async function holdFirst(page: Page, url: string): Promise<() => void> {
  let release = () => {};
  const released = new Promise<void>((f) => (release = f));
  let held = 0;
  await page.route(url, async (r) => {
    if (held++ === 0) await released;
    await r.continue();
  });
  return release;
}
