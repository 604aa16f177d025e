/**
 * Sharing in the PWA, in real Chromium against the real relay with accounts required: the
 * owner registers, imports a ride and creates a read-only link; a third browser context with
 * no account opens the link and sees the ride with the read-only label and no editing
 * control; the owner revokes, renames the ride, and the link then shows the "revoked" error
 * while the holder's copy is marked ended and never gets the new title. The owner shares
 * with a known rider by email (an unknown email is refused with a sentence), and that rider,
 * signed in, accepts it read-write. Then the live view: the owner records with the simulator
 * and shares the ride in progress, a coach context watches it at /live/<id> and sees the
 * power change when the rider's trainer is set to another ERG target, and the rider's screen
 * says "1 watching".
 */
import { MemoryCrashLog, MemoryStorageAdapter, openVault, unwrap } from "@ridevault/core";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportWorkout } from "../src/export/download-export.js";
import { addDemoRides } from "../src/recording/demo-rides.js";
import { type AppDevice, createAppBrowser, type ServedApp } from "./app-harness.js";

/** Registering runs Argon2id (64 MiB) in WebAssembly: seconds on 2 shared cores. */
const UI_TIMEOUT = 30_000;
const TEST_TIMEOUT = 180_000;
const EMAIL = "owner@example.org";
const PASSWORD = "correct horse battery";
const RIDER_EMAIL = "rider@example.org";

const { start, device, close } = createAppBrowser({
  accounts: "required",
  relayArgs: ["--login-rate", "100"],
  uiTimeout: UI_TIMEOUT,
});
let app: ServedApp;
let fit: Uint8Array;

beforeAll(async () => {
  fit = await demoFit();
  app = await start();
}, 90_000);

afterAll(() => close());

describe("sharing in the PWA", () => {
  let owner: AppDevice;
  let holder: AppDevice;
  let workoutId = "";
  let title = "";
  let link = "";

  it("creates a read-only link to an owner's ride", { timeout: TEST_TIMEOUT }, async () => {
    owner = await device();
    await owner.page.goto(`${app.origin}/account`);
    await register(owner.page);
    await owner.page.getByLabel("I have saved my recovery code").check();
    await owner.page.getByRole("button", { name: "Continue" }).click();
    await owner.page.getByTestId("account-status").getByText(`Signed in as ${EMAIL}`).waitFor();

    await goTo(owner.page, "Rides");
    await owner.page.getByLabel(/drop FIT, TCX or GPX/).setInputFiles({
      name: "ride.fit",
      mimeType: "application/vnd.ant.fit",
      buffer: Buffer.from(fit),
    });
    await owner.page.getByTestId("ride-count").getByText("1 ride", { exact: true }).waitFor();
    await waitForSynced(owner.page);
    const row = owner.page.locator(".ride-row").first();
    workoutId = (await row.getAttribute("data-workout-id")) ?? "";
    await row.click();
    title = (await owner.page.getByTestId("workout-title").textContent()) ?? "";
    expect(title.length).toBeGreaterThan(0);

    link = await createLink(owner.page, "Read-only");
    expect(link).toMatch(new RegExp(`^${escapeRegExp(app.origin)}/#share=rvshare1`));
    const shares = owner.page.getByTestId("share-list").getByRole("listitem");
    await shares.first().getByText("read-only").waitFor();
    expect(await shares.count()).toBe(1);
    await expect(owner.page.getByTestId("revoke-honesty").textContent()).resolves.toMatch(
      /cannot be taken back/,
    );
    expect(owner.errors).toEqual([]);
  });

  it("opens the link in a context with no account: the ride, read-only, no edit control", {
    timeout: TEST_TIMEOUT,
  }, async () => {
    holder = await device();
    await holder.page.goto(link);
    await holder.page.waitForURL(`${app.origin}/workouts/${workoutId}`);
    await holder.page.getByTestId("workout-title").getByText(title, { exact: true }).waitFor();
    // The secret does not stay in the address bar.
    expect(new URL(holder.page.url()).hash).toBe("");
    await holder.page
      .getByTestId("shared-label")
      .getByText(/Shared with you · read-only/)
      .waitFor();
    await holder.page.getByTestId("summary").waitFor();
    expect(await holder.page.locator("#title-input").count()).toBe(0);
    expect(await holder.page.getByRole("button", { name: "Delete ride" }).count()).toBe(0);
    expect(await holder.page.getByRole("button", { name: /Share/ }).count()).toBe(0);
    // Without an account on this relay only shares sync, and the badge says so.
    await holder.page.locator('.sync-badge[data-state="account-needed"]').waitFor();
    // Exports still work: reading is what a read-only share is for.
    await holder.page.getByRole("button", { name: "FIT" }).waitFor();

    await goTo(holder.page, "Rides");
    const shared = holder.page.getByTestId("shared-list").locator(":scope > li");
    await shared.getByRole("link", { name: title }).waitFor();
    expect(await shared.first().textContent()).toMatch(/From a link · read-only/);
    expect(await shared.first().getAttribute("data-ended")).toBe("false");
    // The holder's own history is still empty: the shared ride is listed apart.
    expect(await holder.page.getByTestId("ride-count").textContent()).toBe("0 rides");
    expect(holder.errors).toEqual([]);
  });

  it("revoking stops the link; the holder's copy ends and gets no new changes", {
    timeout: TEST_TIMEOUT,
  }, async () => {
    const dialog = owner.page.getByRole("dialog");
    await dialog.getByRole("button", { name: "Revoke", exact: true }).click();
    await dialog.getByTestId("no-shares").waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    const renamed = `${title} (after revoking)`;
    await owner.page.locator("#title-input").fill(renamed);
    await owner.page.getByRole("button", { name: "Save title" }).click();
    await owner.page.getByText("Title saved").waitFor();
    await waitForSynced(owner.page);

    await holder.page.goto(link);
    const status = holder.page.getByTestId("share-link-status");
    await status.getByText(/This share was revoked/).waitFor();
    expect(await status.getAttribute("role")).toBe("alert");

    await goTo(holder.page, "Rides");
    const row = holder.page.getByTestId("shared-list").locator(":scope > li").first();
    await holder.page.locator('[data-testid=shared-list] > li[data-ended="true"]').waitFor();
    expect(await row.textContent()).toMatch(/ended/);
    expect(await row.textContent()).toContain(title);
    expect(await row.textContent()).not.toContain(renamed);
    await holder.page.goto(`${app.origin}/workouts/${workoutId}`);
    await holder.page
      .getByRole("alert")
      .getByText(/share of this ride ended/)
      .waitFor();
    expect([...owner.errors, ...holder.errors]).toEqual([]);
  });

  it("shares with a known rider by email; the rider accepts it signed in", {
    timeout: TEST_TIMEOUT,
  }, async () => {
    await owner.page.getByRole("button", { name: "Share…" }).click();
    const form = owner.page.getByRole("dialog").locator("form[aria-labelledby=share-rider-title]");
    await form.getByLabel("Their email").fill("nobody@example.org");
    await form.getByRole("button", { name: "Share with rider" }).click();
    await form
      .getByRole("alert")
      .getByText(/No rider has an account with nobody@example.org/)
      .waitFor();

    const rider = await device();
    await rider.page.goto(`${app.origin}/account`);
    await register(rider.page, RIDER_EMAIL);
    await rider.page.getByLabel("I have saved my recovery code").check();
    await rider.page.getByRole("button", { name: "Continue" }).click();
    await rider.page
      .getByTestId("account-status")
      .getByText(`Signed in as ${RIDER_EMAIL}`)
      .waitFor();

    await form.getByLabel("Read and write (can rename and edit)").check();
    await form.getByLabel("Their email").fill(RIDER_EMAIL);
    await form.getByRole("button", { name: "Share with rider" }).click();
    await form.getByTestId("share-rider-result").getByText(`Shared with ${RIDER_EMAIL}.`).waitFor();
    const shares = owner.page.getByTestId("share-list").getByRole("listitem");
    await shares.getByText(RIDER_EMAIL).waitFor();
    expect(await shares.first().textContent()).toMatch(/read and write/);
    await owner.page.getByRole("dialog").getByRole("button", { name: "Close" }).click();

    await goTo(rider.page, "Rides");
    await rider.page.getByRole("button", { name: "Check for shared rides" }).click();
    await rider.page.getByTestId("check-shares-result").getByText("1 new share added.").waitFor();
    const row = rider.page.getByTestId("shared-list").locator(":scope > li").first();
    await row.getByText(`From ${EMAIL} · read and write`).waitFor();
    await row.getByRole("link").click();
    await rider.page
      .getByTestId("shared-label")
      .getByText(/read and write/)
      .waitFor();
    // Read-write: the title can be edited, but only the owner can delete or share the ride.
    await rider.page.locator("#title-input").waitFor();
    expect(await rider.page.getByRole("button", { name: "Delete ride" }).count()).toBe(0);
    expect(await rider.page.getByRole("button", { name: "Share…" }).count()).toBe(0);
    expect([...owner.errors, ...rider.errors]).toEqual([]);
  });

  it("a coach watches a ride in progress live; the rider sees 1 watching", {
    timeout: TEST_TIMEOUT,
  }, async () => {
    await goTo(owner.page, "Record");
    await owner.page.getByLabel(/Use the simulator/).check();
    await owner.page.getByLabel("Title").fill("Live intervals");
    await owner.page.getByRole("button", { name: "Start ride" }).click();
    await owner.page.getByRole("heading", { name: "Recording" }).waitFor();
    await waitForSynced(owner.page);
    const liveLink = await (async () => {
      await goTo(owner.page, "Rides");
      const row = owner.page.locator(".ride-row", { hasText: "Live intervals" });
      await row.click();
      return createLink(owner.page, "Read-only");
    })();
    const liveId = new URL(owner.page.url()).pathname.split("/").pop() ?? "";
    await owner.page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
    await goTo(owner.page, "Record");
    await owner.page.getByRole("heading", { name: "Recording" }).waitFor();

    const coach = await device();
    await coach.page.goto(liveLink);
    await coach.page.waitForURL(`${app.origin}/workouts/${liveId}`);
    await coach.page.getByRole("link", { name: "Watch live" }).click();
    await coach.page.getByRole("heading", { name: /^Live: / }).waitFor();
    await coach.page.getByTestId("live-status").getByText("Live", { exact: true }).waitFor();
    const coachPower = async () =>
      Number(await coach.page.getByTestId("live-power").locator(".live-value").textContent());
    await expect.poll(coachPower, { timeout: UI_TIMEOUT }).toBeGreaterThan(0);
    // The rider's trainer is set to another power in ERG: the coach sees the new number.
    const target = (await coachPower()) === 250 ? 200 : 250;
    await owner.page.getByLabel("Target power (W)").fill(String(target));
    await owner.page.getByRole("button", { name: "Set ERG" }).click();
    await expect.poll(coachPower, { timeout: UI_TIMEOUT }).toBe(target);
    await owner.page.getByTestId("live-watchers").getByText("1 watching").waitFor();

    // Leaving the live page stops watching: the rider's count goes back to none.
    await coach.page.getByRole("link", { name: "Back to the ride" }).click();
    await owner.page.getByTestId("live-watchers").waitFor({ state: "detached" });
    await owner.page.getByRole("button", { name: "Stop and save" }).click();
    await owner.page.getByRole("heading", { name: "Export" }).waitFor();
    expect([...owner.errors, ...coach.errors]).toEqual([]);
  });
});

/** Opens the share dialog of the workout page shown and creates a link; returns it. */
async function createLink(page: Page, access: "Read-only" | "Read and write"): Promise<string> {
  await page.getByRole("button", { name: "Share…" }).click();
  const dialog = page.getByRole("dialog");
  const form = dialog.locator("form[aria-labelledby=share-link-title]");
  await form.getByLabel(access === "Read-only" ? "Read-only" : /Read and write/).check();
  await form.getByRole("button", { name: "Create link" }).click();
  const field = dialog.getByLabel("Share link");
  await field.waitFor();
  return await field.inputValue();
}

async function register(page: Page, email = EMAIL): Promise<void> {
  const form = page.locator("form[aria-labelledby=register-title]");
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await form.getByLabel("Password again").fill(PASSWORD);
  await form.getByRole("button", { name: "Create account" }).click();
}

async function goTo(page: Page, name: string): Promise<void> {
  await page.getByRole("navigation").getByRole("link", { name, exact: true }).click();
  await page
    .getByRole("heading", { level: 1, name: name === "Record" ? /Record|Recording/ : name })
    .first()
    .waitFor();
}

async function waitForSynced(page: Page): Promise<void> {
  await page.locator('.sync-badge[data-state="synced"]').waitFor();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A FIT file of a demo ride, written by core's FIT exporter (as the app's export does). */
async function demoFit(): Promise<Uint8Array> {
  const vault = unwrap(
    await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() }),
  );
  try {
    unwrap(await addDemoRides(vault, 1, () => undefined));
    const entry = vault.workouts.list()[0];
    if (!entry) throw new Error("no demo ride");
    const exported = exportWorkout(unwrap(await vault.workouts.open(entry.id)), "fit");
    if (!exported.ok) throw new Error(exported.message);
    return new Uint8Array(await exported.file.arrayBuffer());
  } finally {
    await vault.close();
  }
}
