/**
 * Staying signed in across reloads, and the pairing QR code, in real Chromium against the
 * real relay with accounts required (so sync works only with a live session). Device A
 * registers, reloads and is still signed in: a ride it imports after the reload reaches
 * device B, logged in with the password. A's pairing link is drawn as a QR code whose
 * modules are the link's; device C joins by it and is told it will not stay signed in. With
 * A closed, B changes the password: A, opened again, says it was signed out, and after one
 * more reload that it kept no session (the saved one was removed).
 */
import { MemoryCrashLog, MemoryStorageAdapter, openVault, unwrap } from "@ridevault/core";
import type { Page } from "playwright-core";
import { encode } from "uqr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportWorkout } from "../src/export/download-export.js";
import { PAIRING_QR_LABEL, PAIRING_QR_OPTIONS } from "../src/pages/account/PairingQrCode.js";
import { addDemoRides } from "../src/recording/demo-rides.js";
import { type AppDevice, createAppBrowser, type ServedApp } from "./app-harness.js";

/** Account actions run Argon2id (64 MiB) in WebAssembly: seconds each on 2 shared cores. */
const UI_TIMEOUT = 30_000;
const EMAIL = "stays@example.org";
const PASSWORD = "correct horse battery";
const NEW_PASSWORD = "staple horse battery";

const { start, device, newPage, close } = createAppBrowser({
  accounts: "required",
  relayArgs: ["--login-rate", "100"],
  uiTimeout: UI_TIMEOUT,
});
let app: ServedApp;
let fit: Uint8Array = new Uint8Array();

beforeAll(async () => {
  fit = await demoFit();
  app = await start();
}, 90_000);

afterAll(() => close());

describe("the PWA keeps the rider signed in", () => {
  let a: AppDevice;
  let b: AppDevice;
  let pairingUrl = "";

  it("registers A, reloads, and stays signed in and syncing", async () => {
    a = await device();
    await a.page.goto(`${app.origin}/account`);
    await a.page.getByTestId("account-status").getByText("without an account").waitFor();
    const form = a.page.locator("form[aria-labelledby=register-title]");
    await form.getByLabel("Email").fill(EMAIL);
    await form.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await form.getByLabel("Password again").fill(PASSWORD);
    await form.getByRole("button", { name: "Create account" }).click();
    await a.page.getByLabel("I have saved my recovery code").check();
    await a.page.getByRole("button", { name: "Continue" }).click();
    await signedIn(a.page);

    await a.page.reload();
    await signedIn(a.page);
    await goTo(a.page, "Rides");
    await a.page.getByLabel(/drop FIT, TCX or GPX/).setInputFiles({
      name: "after-reload.fit",
      mimeType: "application/vnd.ant.fit",
      buffer: Buffer.from(fit),
    });
    await a.page.getByTestId("ride-count").getByText("1 ride", { exact: true }).waitFor();
    await a.page.locator('.sync-badge[data-state="synced"]').waitFor();

    b = await device();
    await b.page.goto(`${app.origin}/account`);
    await logIn(b.page, PASSWORD);
    await signedIn(b.page);
    await goTo(b.page, "Rides");
    await b.page.getByTestId("ride-count").getByText("1 ride", { exact: true }).waitFor();
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it("shows the pairing link as a QR code of the link", async () => {
    await goTo(a.page, "Account");
    await a.page.getByRole("button", { name: "Create pairing link" }).click();
    pairingUrl = await a.page.getByLabel(/Pairing link \(valid until/).inputValue();
    const qr = a.page.getByRole("img", { name: PAIRING_QR_LABEL });
    await qr.waitFor();
    expect(await qr.evaluate((element) => element.tagName.toLowerCase())).toBe("svg");
    const path = (await qr.locator("path").getAttribute("d")) ?? "";
    const expected = encode(pairingUrl, PAIRING_QR_OPTIONS);
    expect(await qr.getAttribute("viewBox")).toBe(`0 0 ${expected.size} ${expected.size}`);
    const drawn = new Set(
      [...path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[1]},${m[2]}`),
    );
    const dark = expected.data.flatMap((row, y) =>
      row.flatMap((isDark, x) => (isDark ? [`${x},${y}`] : [])),
    );
    expect(dark.length).toBeGreaterThan(100);
    expect(drawn).toEqual(new Set(dark));
  });

  it("tells a device paired by link that it will not stay signed in", async () => {
    const c = await device();
    await c.page.goto(pairingUrl);
    await c.page.getByRole("button", { name: "Join account" }).click();
    await signedIn(c.page, "Log in with your password once to stay signed in on this device.");
    expect(c.errors).toEqual([]);
  });

  it("after a password change elsewhere, A opened again is signed out, and forgets it", async () => {
    await a.page.close();
    await goTo(b.page, "Account");
    await b.page.getByLabel("Current password").fill(PASSWORD);
    await b.page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await b.page.getByLabel("New password again").fill(NEW_PASSWORD);
    await b.page.getByRole("button", { name: "Change password" }).click();
    await b.page.getByText("Password changed.").waitFor();

    const page = await newPage(a);
    await page.goto(`${app.origin}/account`);
    const status = page.getByTestId("account-status");
    await status.getByText("password was changed").waitFor();
    expect(await status.textContent()).toContain(`Signed out of ${EMAIL}`);
    await page.locator('.sync-badge[data-state="signed-out"]').waitFor();
    await page.reload();
    await status.getByText("kept no session").waitFor();
    await logIn(page, NEW_PASSWORD);
    await signedIn(page);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });
});

async function signedIn(
  page: Page,
  note = "This device stays signed in when you reload or reopen the app.",
): Promise<void> {
  await page.getByTestId("account-status").getByText(`Signed in as ${EMAIL}`).waitFor();
  await page.getByTestId("stay-signed-in").getByText(note).waitFor();
}

async function logIn(page: Page, password: string): Promise<void> {
  const form = page.locator("form[aria-labelledby=login-title]");
  await form.getByLabel("Email").fill(EMAIL);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Log in" }).click();
}

async function goTo(page: Page, name: string): Promise<void> {
  await page.getByRole("navigation").getByRole("link", { name, exact: true }).click();
  await page.getByRole("heading", { level: 1, name }).waitFor();
}

/** A FIT file of one demo ride, written by core's FIT exporter. */
async function demoFit(): Promise<Uint8Array> {
  const vault = unwrap(
    await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() }),
  );
  try {
    unwrap(await addDemoRides(vault, 1, () => undefined));
    const [entry] = vault.workouts.list();
    if (!entry) throw new Error("no demo ride");
    const exported = exportWorkout(unwrap(await vault.workouts.open(entry.id)), "fit");
    if (!exported.ok) throw new Error(exported.message);
    return new Uint8Array(await exported.file.arrayBuffer());
  } finally {
    await vault.close();
  }
}
