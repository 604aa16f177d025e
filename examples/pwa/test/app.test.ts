/**
 * The example app end to end, in real Chromium against the real relay: it loads and syncs;
 * two browser contexts (two devices of one rider) pair with an invite, a ride recorded on one
 * appears on the other with the same summary, titles edited on both while one is offline
 * converge after it reconnects, and the app shell opens offline after the first visit.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppDevice, createAppBrowser, type ServedApp } from "./app-harness.js";

const UI_TIMEOUT = 15_000;

const { start, device, assertLaunched, close } = createAppBrowser({ uiTimeout: UI_TIMEOUT });
let app: ServedApp;

beforeAll(async () => {
  app = await start();
}, 60_000);

afterAll(() => close());

async function waitForSynced(page: Page): Promise<void> {
  await page.locator('.sync-badge[data-state="synced"]').waitFor();
}

describe("the example PWA", () => {
  it("loads, creates a vault and shows it synced", async () => {
    const { page, errors } = await device();
    await page.goto(app.origin);
    await page.getByRole("heading", { name: "Rides", exact: true }).waitFor();
    await waitForSynced(page);
    expect(await page.locator(".sync-badge").textContent()).toBe("Synced");
    expect(await page.getByTestId("ride-count").textContent()).toBe("0 rides");
    expect(errors).toEqual([]);
  });

  describe("two devices of one rider", () => {
    let a: AppDevice;
    let b: AppDevice;
    let workoutPath = "";

    it("pairs B with A's invite, and a ride recorded on A appears on B", async () => {
      a = await device();
      b = await device();
      await a.page.goto(`${app.origin}/devices?speed=50`);
      await waitForSynced(a.page);
      await a.page.getByRole("button", { name: "Create invite" }).click();
      const invite = await a.page.getByLabel("Invite code", { exact: true }).inputValue();
      expect(invite).toMatch(/^ridevault-invite-1\./);

      await b.page.goto(`${app.origin}/devices`);
      await waitForSynced(b.page);
      await b.page.getByLabel("Invite code from your other device").fill(invite);
      await b.page.getByRole("button", { name: "Join" }).click();
      await b.page.getByTestId("join-message").getByText("Joined").waitFor();
      await waitForSynced(b.page);

      // A records a simulated ride, 50× faster than real time, with one lap.
      await a.page.getByRole("navigation").getByRole("link", { name: "Record" }).click();
      await a.page.getByLabel(/Use the simulator/).check();
      await a.page.getByLabel("Title").fill("Sim ride");
      await a.page.getByRole("button", { name: "Start ride" }).click();
      await a.page
        .getByTestId("live-time")
        .getByText(/^Time0:[3-5]\d/)
        .waitFor();
      await a.page.getByRole("button", { name: "Lap" }).click();
      await a.page
        .getByTestId("live-time")
        .getByText(/^Time1:[1-5]\d/)
        .waitFor();
      await a.page.getByRole("button", { name: "Stop and save" }).click();
      await a.page.getByRole("heading", { name: "Laps" }).waitFor();
      workoutPath = new URL(a.page.url()).pathname;
      expect(workoutPath).toMatch(/^\/workouts\/[A-Za-z0-9_-]+$/);
      await waitForSynced(a.page);
      const summaryA = await a.page.getByTestId("summary").textContent();
      expect(summaryA).toMatch(/Samples\d{2,}/);

      // B lists it and shows the same summary.
      await b.page.getByRole("navigation").getByRole("link", { name: "Rides" }).click();
      await b.page.getByTestId("ride-count").getByText("1 ride", { exact: true }).waitFor();
      await b.page.getByRole("link", { name: /Sim ride/ }).click();
      await b.page.getByRole("heading", { name: "Laps" }).waitFor();
      expect(new URL(b.page.url()).pathname).toBe(workoutPath);
      expect(await b.page.getByTestId("summary").textContent()).toBe(summaryA);
      expect([...a.errors, ...b.errors]).toEqual([]);
    });

    it("merges titles edited on both while B is offline", async () => {
      assertLaunched();
      expect(workoutPath, "needs the ride of the previous test").not.toBe("");
      await waitForSynced(b.page);
      const online = await relayConnections();
      await b.context.setOffline(true);
      await b.page.locator('.sync-badge[data-state="offline"]').waitFor();
      // B's WebSocket is really gone: the relay holds one connection fewer.
      await waitForConnections(online - 1);

      await rename(a.page, "Morning loop");
      await waitForSynced(a.page);
      await rename(b.page, "Evening spin");
      await b.page.locator('.sync-badge[data-state="offline"]').waitFor();
      expect(await b.page.getByTestId("workout-title").textContent()).toBe("Evening spin");

      await b.context.setOffline(false);
      await waitForConnections(online);
      await waitForSynced(b.page);
      await waitForSynced(a.page);
      const titleA = a.page.getByTestId("workout-title");
      const titleB = b.page.getByTestId("workout-title");
      // Both converge on one title, whichever the merge makes of the two edits.
      await expect
        .poll(async () => [await titleA.textContent(), await titleB.textContent()], {
          timeout: UI_TIMEOUT,
        })
        .toSatisfy(([x, y]) => x === y && x !== "Sim ride");
      // The workout document (the form) and the library (the heading) agree on both devices.
      const merged = await titleA.textContent();
      expect(await a.page.getByLabel("Title").inputValue()).toBe(merged);
      expect(await b.page.getByLabel("Title").inputValue()).toBe(merged);
      expect([...a.errors, ...b.errors]).toEqual([]);
    });
  });

  it("opens offline after the first visit (service worker), with the vault's rides", async () => {
    const { context, page, errors } = await device();
    await page.goto(app.origin);
    await waitForSynced(page);
    const cached = await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      const names = await caches.keys();
      const cache = await caches.open(names.find((n) => n.startsWith("ridevault-shell-")) ?? "");
      return (await cache.keys()).map((request) => new URL(request.url).pathname);
    });
    expect(cached).toContain("/");
    expect(cached.some((file) => file.endsWith(".wasm"))).toBe(true);
    await page.getByRole("navigation").getByRole("link", { name: "Record" }).click();
    await page.getByLabel(/Use the simulator/).check();
    await page.getByRole("button", { name: "Start ride" }).click();
    await page.getByRole("heading", { name: "Recording" }).waitFor();
    await page.getByRole("button", { name: "Stop and save" }).click();
    await page.getByRole("heading", { name: "Export" }).waitFor();

    // The relay goes away and the device goes offline: the app still opens, from the cache.
    await app.close();
    await context.setOffline(true);
    await page.goto(`${app.origin}/`);
    await page.getByRole("heading", { name: "Rides", exact: true }).waitFor();
    await page.locator('.sync-badge[data-state="offline"]').waitFor();
    expect(await page.getByTestId("ride-count").textContent()).toBe("1 ride");
    expect(errors).toEqual([]);
  });
});

async function rename(page: Page, title: string): Promise<void> {
  await page.getByLabel("Title").fill(title);
  await page.getByRole("button", { name: "Save title" }).click();
  await page.getByTestId("workout-title").getByText(title, { exact: true }).waitFor();
}

/** The relay's open sync connections, from its metrics. */
async function relayConnections(): Promise<number> {
  const metrics = await (await fetch(`${app.origin}/metrics`)).text();
  return Number(/^ridevault_relay_connections (\d+)/m.exec(metrics)?.[1]);
}

/** Waits until the relay's connection gauge reads `count`. */
async function waitForConnections(count: number): Promise<void> {
  await expect.poll(relayConnections, { timeout: UI_TIMEOUT, interval: 100 }).toBe(count);
}
