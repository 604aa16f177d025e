/**
 * Screenshots of the app's main screens — History, Workout, Share dialog, Record, Account and
 * a ride shared read-only — at 1280×800 and 390×844, in real Chromium against the real relay.
 * Every run renders them all (and checks each is a PNG of the right size, with no page
 * error); only `RIDEVAULT_SCREENSHOTS=1` writes them to docs/screenshots/ (for the README),
 * so an ordinary test run never rewrites the committed images:
 *
 *     RIDEVAULT_SCREENSHOTS=1 npx vitest run examples/pwa/test/screenshots.test.ts
 */
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type ServedApp, serveApp } from "./app-harness.js";

const WRITE = process.env.RIDEVAULT_SCREENSHOTS === "1";
const DOCS_DIR = fileURLToPath(new URL("../../../docs/screenshots/", import.meta.url));
const SIZES = [
  { suffix: "desktop", width: 1280, height: 800 },
  { suffix: "mobile", width: 390, height: 844 },
] as const;
const UI_TIMEOUT = 30_000;

let app: ServedApp;
let browser: Browser | undefined;
let launchError: Error | undefined;
let outDir: string;
const written: string[] = [];

beforeAll(async () => {
  outDir = WRITE ? DOCS_DIR : await mkdtemp(path.join(tmpdir(), "ridevault-screens-"));
  await mkdir(outDir, { recursive: true });
  app = await serveApp({ accounts: "required" });
  browser = await launchChromium().catch((error: Error) => {
    launchError = error;
    return undefined;
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (!WRITE && outDir) await rm(outDir, { recursive: true, force: true });
});

async function newPage(errors: string[]): Promise<Page> {
  if (!browser) throw launchError ?? new Error("Chromium did not start");
  const context = await browser.newContext({ viewport: SIZES[0], deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  page.setDefaultTimeout(UI_TIMEOUT);
  return page;
}

/** Two animation frames: layout and charts settle after a resize. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => resolve())),
      ),
  );
}

/** Screenshots the page at both sizes as `<name>-desktop.png` and `<name>-mobile.png`. */
async function shoot(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await settle(page);
    const file = path.join(outDir, `${name}-${size.suffix}.png`);
    await page.screenshot({ path: file, animations: "disabled", caret: "hide" });
    written.push(file);
  }
  await page.setViewportSize(SIZES[0]);
  await settle(page);
}

describe("screenshots of the main screens", () => {
  it("renders History, Workout, Share, Record, Account and a shared ride at both sizes", {
    timeout: 480_000,
  }, async () => {
    const errors: string[] = [];
    const owner = await newPage(errors);
    await owner.goto(`${app.origin}/account`);
    const form = owner.locator("form[aria-labelledby=register-title]");
    await form.getByLabel("Email").fill("rider@example.org");
    await form.getByLabel("Password", { exact: true }).fill("correct horse battery");
    await form.getByLabel("Password again").fill("correct horse battery");
    await form.getByRole("button", { name: "Create account" }).click();
    await owner.getByLabel("I have saved my recovery code").check();
    await owner.getByRole("button", { name: "Continue" }).click();
    await owner.getByTestId("account-status").getByText("Signed in as").waitFor();

    await owner.goto(`${app.origin}/devices`);
    await owner.getByRole("button", { name: "Add 30 demo rides" }).click();
    await owner.getByText(/Added 30 demo rides/).waitFor({ timeout: 300_000 });
    await owner.locator('.sync-badge[data-state="synced"]').waitFor({ timeout: 300_000 });

    await owner.getByRole("navigation").getByRole("link", { name: "Rides" }).click();
    await owner.getByTestId("ride-count").getByText("30 rides").waitFor();
    await shoot(owner, "history");

    await owner.locator(".ride-row").first().click();
    await owner.getByRole("heading", { name: "Export" }).waitFor();
    await shoot(owner, "workout");

    await owner.getByRole("button", { name: "Share…" }).click();
    const dialog = owner.getByRole("dialog");
    await dialog.getByRole("button", { name: "Create link" }).click();
    const link = await dialog.getByLabel("Share link").inputValue();
    await dialog.getByTestId("share-list").waitFor();
    await shoot(owner, "share-dialog");
    await dialog.getByRole("button", { name: "Close" }).click();

    await owner.getByRole("navigation").getByRole("link", { name: "Account" }).click();
    await owner.getByTestId("account-status").getByText("Signed in as").waitFor();
    await shoot(owner, "account");

    const holder = await newPage(errors);
    await holder.goto(link);
    await holder.getByTestId("shared-label").waitFor();
    await holder.getByTestId("summary").waitFor();
    await shoot(holder, "shared-ride");

    await owner.goto(`${app.origin}/record?speed=5`);
    await owner.getByLabel(/Use the simulator/).check();
    await owner.getByRole("button", { name: "Start ride" }).click();
    await owner.getByRole("heading", { name: "Recording" }).waitFor();
    await owner.waitForFunction(
      () => document.querySelector("[data-testid=live-time] .live-value")?.textContent !== "0:00",
    );
    await shoot(owner, "record");
    await owner.getByRole("button", { name: "Stop and save" }).click();
    await owner.getByRole("heading", { name: "Export" }).waitFor();

    expect(errors).toEqual([]);
    expect(written).toHaveLength(12);
    for (const file of written) {
      const png = await readFile(file);
      expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
      const size = file.endsWith("-desktop.png") ? SIZES[0] : SIZES[1];
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size.width, size.height]);
    }
  });
});
