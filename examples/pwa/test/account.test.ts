/**
 * The app's account screens, bin, import and "download all my data", in real Chromium
 * against the real relay with accounts required (so every sync below really presents an
 * account token). Device A registers and sees its recovery code once; a FIT file made by
 * core's writer is imported through the file picker, another dropped on the history; device
 * B is refused with a wrong password, logs in with the right one and gets the rides; device
 * C joins by A's pairing link; A's password change signs B and C out; a deleted ride goes to
 * the bin and is restored, another is deleted forever; the downloaded archive's library.json
 * lists the rides; and deleting the account leaves A's rides on A, local only.
 */
import { readFile } from "node:fs/promises";
import {
  type LibraryJson,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  unwrap,
  zipSources,
} from "@ridevault/core";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportWorkout } from "../src/export/download-export.js";
import { addDemoRides } from "../src/recording/demo-rides.js";
import { type AppDevice, createAppBrowser, type ServedApp } from "./app-harness.js";

/** Account actions run Argon2id (64 MiB) in WebAssembly: seconds each on 2 shared cores. */
const UI_TIMEOUT = 30_000;
const EMAIL = "rider@example.org";
const PASSWORD = "correct horse battery";
const NEW_PASSWORD = "staple horse battery";

const { start, device, close } = createAppBrowser({
  accounts: "required",
  relayArgs: ["--login-rate", "100"],
  uiTimeout: UI_TIMEOUT,
});
let app: ServedApp;
/** Two FIT files of different demo rides, made by core's FIT writer. */
let fits: { name: string; bytes: Uint8Array }[] = [];

beforeAll(async () => {
  fits = await demoFits();
  app = await start();
}, 90_000);

afterAll(() => close());

describe("accounts, bin, import and export in the PWA", () => {
  let a: AppDevice;
  let b: AppDevice;
  let c: AppDevice;
  const titles: string[] = [];

  it("registers on A, shows the recovery code once, and syncs an imported ride", async () => {
    a = await device();
    await a.page.goto(`${app.origin}/account`);
    await a.page.getByTestId("account-status").getByText("without an account").waitFor();
    await register(a.page);
    const code = await a.page.getByTestId("recovery-code").textContent();
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){7}$/);
    // Attaching this vault to the account (claiming what it synced before) went through.
    expect(await a.page.locator(".recovery-code [role=alert]").count()).toBe(0);
    const next = a.page.getByRole("button", { name: "Continue" });
    expect(await next.isDisabled()).toBe(true);
    await a.page.getByLabel("I have saved my recovery code").check();
    await next.click();
    await a.page.getByTestId("account-status").getByText(`Signed in as ${EMAIL}`).waitFor();
    expect(await a.page.getByTestId("recovery-code").count()).toBe(0);

    // Import through the file picker (the keyboard path): one result line, and the ride.
    await goTo(a.page, "Rides");
    const first = fits[0] as { name: string; bytes: Uint8Array };
    await a.page.getByLabel(/drop FIT, TCX or GPX/).setInputFiles({
      name: first.name,
      mimeType: "application/vnd.ant.fit",
      buffer: Buffer.from(first.bytes),
    });
    const line = a.page.getByTestId("import-results").getByRole("listitem");
    await line.getByText(/imported as/).waitFor();
    expect(await line.count()).toBe(1);
    titles.push(/“(.+)”/.exec((await line.textContent()) ?? "")?.[1] ?? "");
    await a.page.getByTestId("ride-count").getByText("1 ride", { exact: true }).waitFor();
    await waitForSynced(a.page);
    expect(a.errors).toEqual([]);
  });

  it("refuses a wrong password on B with one message, then logs in and shows A's ride", async () => {
    b = await device();
    await b.page.goto(`${app.origin}/account`);
    await logIn(b.page, EMAIL, "not my password");
    const alert = b.page.locator("form[aria-labelledby=login-title] [role=alert]");
    await alert.getByText("Wrong email or password").waitFor();
    // An unknown email gets exactly the same sentence.
    const wrongPassword = await alert.textContent();
    await logIn(b.page, "nobody@example.org", PASSWORD);
    await b.page.waitForFunction(
      () => !document.querySelector("form[aria-labelledby=login-title] button[disabled]"),
    );
    expect(await alert.textContent()).toBe(wrongPassword);

    await logIn(b.page, EMAIL, PASSWORD);
    await b.page.getByTestId("account-status").getByText(`Signed in as ${EMAIL}`).waitFor();
    await goTo(b.page, "Rides");
    await b.page.getByTestId("ride-count").getByText("1 ride", { exact: true }).waitFor();
    await b.page.getByRole("link", { name: new RegExp(escapeRegExp(titles[0] ?? "")) }).waitFor();
    await waitForSynced(b.page);
    expect(b.errors).toEqual([]);
  });

  it("pairs C with A's one-time link", async () => {
    await goTo(a.page, "Account");
    await a.page.getByRole("button", { name: "Create pairing link" }).click();
    const url = await a.page.getByLabel(/Pairing link \(valid until/).inputValue();
    expect(url).toMatch(/\/account#pair=ridevault-pair-1\./);

    c = await device();
    await c.page.goto(url);
    expect(await c.page.getByLabel("Pairing link", { exact: true }).inputValue()).toMatch(
      /^ridevault-pair-1\./,
    );
    await c.page.getByRole("button", { name: "Join account" }).click();
    await c.page.getByTestId("account-status").getByText(`Signed in as ${EMAIL}`).waitFor();
    await goTo(c.page, "Rides");
    await c.page.getByTestId("ride-count").getByText("1 ride", { exact: true }).waitFor();
    expect(c.errors).toEqual([]);
  });

  it("changes the password on A, which signs B and C out", async () => {
    await goTo(a.page, "Account");
    await a.page.getByLabel("Current password").fill(PASSWORD);
    await a.page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
    await a.page.getByLabel("New password again").fill(NEW_PASSWORD);
    await a.page.getByRole("button", { name: "Change password" }).click();
    await a.page.getByText("Password changed.").waitFor();

    for (const other of [b, c]) {
      await other.page.locator('.sync-badge[data-state="signed-out"]').waitFor();
      await goTo(other.page, "Account");
      await other.page.getByTestId("account-status").getByText("password was changed").waitFor();
    }
    // The old password no longer opens the account; the new one does.
    await logIn(b.page, EMAIL, PASSWORD);
    await b.page.getByRole("alert").getByText("Wrong email or password").waitFor();
    await logIn(b.page, EMAIL, NEW_PASSWORD);
    await b.page.getByTestId("account-status").getByText(`Signed in as ${EMAIL}`).waitFor();
    await waitForSynced(b.page);
    expect([...a.errors, ...b.errors, ...c.errors]).toEqual([]);
  });

  it("imports a FIT file dropped anywhere on the history", async () => {
    await goTo(a.page, "Rides");
    const second = fits[1] as { name: string; bytes: Uint8Array };
    await a.page.evaluate(
      ({ name, bytes }) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], name));
        // On the heading, not on an import control: the whole history takes drops.
        const target = document.querySelector("main h1") as HTMLElement;
        for (const type of ["dragenter", "dragover", "drop"])
          target.dispatchEvent(
            new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }),
          );
      },
      { name: second.name, bytes: [...second.bytes] },
    );
    const line = a.page.getByTestId("import-results").getByRole("listitem");
    await line.getByText(second.name).waitFor();
    expect(await line.getAttribute("data-status")).toBe("imported");
    titles.push(/“(.+)”/.exec((await line.textContent()) ?? "")?.[1] ?? "");
    await a.page.getByTestId("ride-count").getByText("2 rides", { exact: true }).waitFor();
    // It syncs to B like any ride.
    await goTo(b.page, "Rides");
    await b.page.getByTestId("ride-count").getByText("2 rides", { exact: true }).waitFor();
    expect(a.errors).toEqual([]);
  });

  it("moves a deleted ride to the bin and restores it", async () => {
    const title = titles[0] ?? "";
    await a.page.getByRole("link", { name: new RegExp(escapeRegExp(title)) }).click();
    await a.page.getByRole("button", { name: "Delete ride" }).click();
    await a.page.getByTestId("ride-count").getByText("1 ride", { exact: true }).waitFor();
    await a.page.getByRole("link", { name: "Bin (1)" }).click();
    await a.page.getByRole("heading", { name: "Bin" }).waitFor();
    await a.page.getByRole("button", { name: `Restore “${title}”` }).click();
    await a.page.getByTestId("bin-message").getByText(`Restored “${title}”`).waitFor();
    expect(await a.page.getByTestId("bin-count").textContent()).toBe("The bin is empty.");
    await goTo(a.page, "Rides");
    await a.page.getByTestId("ride-count").getByText("2 rides", { exact: true }).waitFor();
    expect(a.errors).toEqual([]);
  });

  it("downloads all my data: a zip whose library.json lists the rides", async () => {
    await goTo(a.page, "Account");
    const [download] = await Promise.all([
      a.page.waitForEvent("download"),
      a.page.getByRole("button", { name: "Download all my data" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^ridevault-all-data-\d{4}-\d\d-\d\d\.zip$/);
    const zip = new Uint8Array(await readFile(await download.path()));
    const [library] = unwrap(zipSources(zip, (name) => name === "library.json"));
    if (!library) throw new Error("the archive has no library.json");
    const json = JSON.parse(new TextDecoder().decode(await library.read())) as LibraryJson;
    expect(json.workouts.map((entry) => entry.title).sort()).toEqual([...titles].sort());
    expect(json.problems).toEqual([]);
  });

  it("deletes a ride forever from the bin", async () => {
    const title = titles[1] ?? "";
    await goTo(a.page, "Rides");
    await a.page.getByRole("link", { name: new RegExp(escapeRegExp(title)) }).click();
    await a.page.getByRole("button", { name: "Delete ride" }).click();
    await a.page.getByRole("link", { name: "Bin (1)" }).click();
    await a.page.getByRole("button", { name: `Delete “${title}” forever` }).click();
    await a.page.getByRole("button", { name: "Yes, delete forever" }).click();
    await a.page.getByTestId("bin-message").getByText(`Deleted “${title}” forever`).waitFor();
    expect(await a.page.getByTestId("bin-count").textContent()).toBe("The bin is empty.");
    await goTo(a.page, "Rides");
    await a.page.getByTestId("ride-count").getByText("1 ride", { exact: true }).waitFor();
  });

  it("deletes the account after the password; A keeps its rides, local only", async () => {
    await goTo(a.page, "Account");
    await a.page.getByLabel("Password, to confirm").fill("wrong password");
    await a.page.getByRole("button", { name: "Delete my account" }).click();
    await a.page
      .locator(".danger-zone [role=alert]")
      .getByText("Wrong email or password")
      .waitFor();
    await a.page.getByLabel("Password, to confirm").fill(NEW_PASSWORD);
    await a.page.getByRole("button", { name: "Delete my account" }).click();
    await a.page.getByTestId("account-status").getByText("without an account").waitFor();
    await a.page.locator('.sync-badge[data-state="local-only"]').waitFor();
    await goTo(a.page, "Rides");
    expect(await a.page.getByTestId("ride-count").textContent()).toBe("1 ride");
    // The account is gone: logging in with its password fails on another device.
    await goTo(b.page, "Account");
    await b.page.locator('.sync-badge[data-state="signed-out"]').waitFor();
    await logIn(b.page, EMAIL, NEW_PASSWORD);
    await b.page.getByRole("alert").getByText("Wrong email or password").waitFor();
    expect([...a.errors, ...b.errors]).toEqual([]);
  });
});

async function register(page: Page): Promise<void> {
  const form = page.locator("form[aria-labelledby=register-title]");
  await form.getByLabel("Email").fill(EMAIL);
  await form.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await form.getByLabel("Password again").fill(PASSWORD);
  await form.getByRole("button", { name: "Create account" }).click();
}

async function logIn(page: Page, email: string, password: string): Promise<void> {
  const form = page.locator("form[aria-labelledby=login-title]");
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill(password);
  await form.getByRole("button", { name: "Log in" }).click();
}

async function goTo(page: Page, name: string): Promise<void> {
  await page.getByRole("navigation").getByRole("link", { name, exact: true }).click();
  await page.getByRole("heading", { level: 1, name: name === "Rides" ? "Rides" : name }).waitFor();
}

async function waitForSynced(page: Page): Promise<void> {
  await page.locator('.sync-badge[data-state="synced"]').waitFor();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** FIT files of two demo rides, written by core's FIT exporter (as the app's export does). */
async function demoFits(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const vault = unwrap(
    await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() }),
  );
  try {
    unwrap(await addDemoRides(vault, 2, () => undefined));
    const files: { name: string; bytes: Uint8Array }[] = [];
    for (const [index, entry] of vault.workouts.list().entries()) {
      const workout = unwrap(await vault.workouts.open(entry.id));
      const exported = exportWorkout(workout, "fit");
      if (!exported.ok) throw new Error(exported.message);
      files.push({
        name: `ride-${index + 1}.fit`,
        bytes: new Uint8Array(await exported.file.arrayBuffer()),
      });
    }
    return files;
  } finally {
    await vault.close();
  }
}
