import { expect, test } from "@playwright/test";
import { logIn, PAGES } from "./helpers";

// JavaScript is off in this project: everything seen here was rendered on
// the server, and signing in works as a plain form.
test("without JavaScript every page is rendered on the server", async ({ page }) => {
  await logIn(page, "/");
  for (const p of PAGES) {
    await page.goto(p.path);
    await expect(page.locator("h1.page-title")).toHaveText(p.zh);
    await expect(page.locator("main.page")).toBeVisible();
    await expect(page.locator("body[data-hydrated]")).toHaveCount(0);
  }
  await page.locator("a.lang-switch").click();
  await expect(page.locator("h1.page-title")).toHaveText(PAGES[PAGES.length - 1].en);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
});

test("before the script takes over, its controls read as disabled while plain forms work", async ({ page }) => {
  await logIn(page, "/");
  await page.goto("/models");
  const add = page.getByTestId("add-endpoint");
  await expect(add).toHaveCSS("pointer-events", "none");
  expect(Number(await add.evaluate((el) => getComputedStyle(el).opacity))).toBeLessThan(1);
  const logout = page.getByRole("button", { name: "退出登录" });
  await expect(logout).toHaveCSS("pointer-events", "auto");
  await expect(logout).toHaveCSS("opacity", "1");
});
