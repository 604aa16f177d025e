/**
 * The Record screen end to end, in real Chromium against the real relay: a simulated ride
 * survives a reload (resume, stop: the samples of both sides are there, no second twice, no
 * gap longer than the reload), the simulator's trainer follows an ERG target and refuses one
 * out of its range, and a (fake) Bluetooth heart-rate strap is picked, supplies heart rate
 * over the simulator when chosen, and shows its reconnecting state after a drop.
 */
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppBrowser, type ServedApp } from "./app-harness.js";
import { type FakeStrapControl, installFakeBluetooth } from "./fake-bluetooth-page.js";

const UI_TIMEOUT = 15_000;
const SPEED = 20;

const { start, device, close } = createAppBrowser({
  uiTimeout: UI_TIMEOUT,
  context: { acceptDownloads: true },
});
let app: ServedApp;

beforeAll(async () => {
  app = await start();
}, 60_000);

afterAll(() => close());

/** The live timer in seconds. */
async function timerSeconds(page: Page): Promise<number> {
  const text = (await page.getByTestId("live-time").locator(".live-value").textContent()) ?? "";
  return text.split(":").reduce((total, part) => total * 60 + Number(part), 0);
}

/** Waits until the live timer reads at least `seconds`. */
async function waitForTimer(page: Page, seconds: number): Promise<void> {
  await expect
    .poll(() => timerSeconds(page), { timeout: UI_TIMEOUT })
    .toBeGreaterThanOrEqual(seconds);
}

/** The live value of a cell ("live-power"), as a number (NaN for "–"). */
async function liveValue(page: Page, testId: string): Promise<number> {
  return Number(await page.getByTestId(testId).locator(".live-value").textContent());
}

async function startSimulatedRide(page: Page, title: string): Promise<void> {
  await page.getByLabel(/Use the simulator/).check();
  await page.getByLabel("Title").fill(title);
  await page.getByRole("button", { name: "Start ride" }).click();
  await page.getByRole("heading", { name: "Recording" }).waitFor();
}

/** Stops the ride and downloads its TCX; returns the sample times (Unix ms). */
async function stopAndExportTimes(page: Page): Promise<number[]> {
  await page.getByRole("button", { name: "Stop and save" }).click();
  await page.getByRole("heading", { name: "Export" }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: /TCX/ }).click(),
  ]);
  const tcx = await readFile(await download.path(), "utf8");
  return [...tcx.matchAll(/<Time>([^<]+)<\/Time>/g)].map((match) => Date.parse(match[1] ?? ""));
}

describe("the Record screen", () => {
  it("survives a reload mid-ride: resume, stop, every second once, no gap beyond the reload", async () => {
    const { page, errors } = await device();
    await page.goto(`${app.origin}/record?speed=${SPEED}`);
    await startSimulatedRide(page, "Reloaded ride");
    await waitForTimer(page, 30);
    const beforeReload = await timerSeconds(page);

    const reloadStart = Date.now();
    await page.reload();
    await page.getByRole("heading", { name: "Unfinished ride" }).waitFor();
    expect(await page.getByTestId("unfinished").textContent()).toContain("Reloaded ride");
    await page.getByLabel(/Use the simulator/).check();
    await page.getByRole("button", { name: "Resume ride" }).click();
    await page.getByRole("heading", { name: "Recording" }).waitFor();
    const reloadMs = Date.now() - reloadStart;
    // The timer carries on from the recorded part (at most the second in progress lost).
    expect(await timerSeconds(page)).toBeGreaterThanOrEqual(beforeReload - 1);
    await waitForTimer(page, beforeReload + 20);

    const times = await stopAndExportTimes(page);
    const steps = times.slice(1).map((time, i) => time - (times[i] as number));
    expect(times.every((time) => time % 1000 === 0)).toBe(true);
    // Strictly increasing: no second recorded twice.
    expect(steps.every((step) => step >= 1000)).toBe(true);
    const gaps = steps.filter((step) => step > 1000);
    expect(gaps.length).toBe(1);
    const gap = gaps[0] as number;
    // The gap is the reload in ride time, plus the second in progress and a tick's slack.
    expect(gap).toBeLessThanOrEqual((reloadMs + 100) * SPEED + 1000);
    // Before it: every second the timer had counted, but the first (it may hold no
    // notification yet, so no sample) and the one being written as the page went away.
    const before = steps.indexOf(gap) + 1;
    expect(before).toBeGreaterThanOrEqual(beforeReload - 2);
    expect(times.length - before).toBeGreaterThanOrEqual(15);
    expect(errors).toEqual([]);
  });

  it("drives the simulator's trainer in ERG: power converges on 250 W; an out-of-range target is refused", async () => {
    const { page, errors } = await device();
    await page.goto(`${app.origin}/record?speed=10`);
    await startSimulatedRide(page, "ERG ride");
    await page.getByRole("heading", { name: "Trainer: ERG" }).waitFor();
    await waitForTimer(page, 2);
    await page.getByLabel("Target power (W)").fill("240");
    await page.getByRole("button", { name: "10 W more" }).click();
    await page.getByTestId("erg-status").getByText("ERG: holding 250 W").waitFor();
    const setAt = await timerSeconds(page);
    // Watched in the page on every frame: the timer when power first reads 250 W.
    const convergedAt = await page.waitForFunction(
      () => {
        const value = (id: string) =>
          document.querySelector(`[data-testid="${id}"] .live-value`)?.textContent ?? "";
        if (value("live-power") !== "250") return false;
        return value("live-time")
          .split(":")
          .reduce((total, part) => total * 60 + Number(part), 0);
      },
      undefined,
      { polling: "raf" },
    );
    expect(await convergedAt.jsonValue()).toBeLessThanOrEqual(setAt + 3);

    // The trainer (not the power meter) can be chosen as the source of power.
    await page.getByLabel("Power from").selectOption({ label: "Simulated trainer" });
    await page.getByTestId("source-now-power").getByText("now: Simulated trainer").waitFor();

    await page.getByLabel("Target power (W)").fill("2500");
    await page.getByRole("button", { name: "Set ERG" }).click();
    const refusal = await page.getByTestId("erg-error").textContent();
    expect(refusal).toContain("ftms-invalid-parameter");
    expect(await page.getByTestId("erg-status").textContent()).toBe("ERG: holding 250 W");
    await page.getByRole("button", { name: "Stop and save" }).click();
    await page.getByRole("heading", { name: "Export" }).waitFor();
    expect(errors).toEqual([]);
  });

  it("without Web Bluetooth the sensor buttons say why, and the simulator stays available", async () => {
    const { page, errors } = await device();
    await page.addInitScript(() => {
      Object.defineProperty(navigator, "bluetooth", { value: undefined });
    });
    await page.goto(`${app.origin}/record`);
    const note = page.getByTestId("bluetooth-note");
    expect(await note.textContent()).toContain("no Web Bluetooth");
    expect(await page.getByRole("button", { name: "Connect heart rate" }).isDisabled()).toBe(true);
    expect(await page.getByLabel(/Use the simulator/).isEnabled()).toBe(true);
    expect(errors).toEqual([]);
  });

  it("pairs a Bluetooth strap, prefers its heart rate, and shows it reconnecting after a drop", async () => {
    const { page, errors } = await device();
    await page.addInitScript(installFakeBluetooth, { heartRate: 77 });
    await page.goto(`${app.origin}/record?speed=5`);
    await page.getByRole("button", { name: "Connect heart rate" }).click();
    const strap = page.locator('[data-sensor="heart-rate"]');
    await strap.getByText("connected", { exact: true }).waitFor();
    expect(await strap.textContent()).toContain("Fake HR strap");
    await startSimulatedRide(page, "Strap ride");
    // By default the strap is the heart rate's first choice; choose the trainer, then back.
    await expect.poll(() => liveValue(page, "live-heart-rate"), { timeout: UI_TIMEOUT }).toBe(77);
    const heartRateFrom = page.getByLabel("Heart rate from");
    await heartRateFrom.selectOption({ label: "Simulated heart-rate strap" });
    await expect
      .poll(() => liveValue(page, "live-heart-rate"), { timeout: UI_TIMEOUT })
      .not.toBe(77);
    await heartRateFrom.selectOption({ label: "Fake HR strap (heart-rate strap)" });
    await expect.poll(() => liveValue(page, "live-heart-rate"), { timeout: UI_TIMEOUT }).toBe(77);

    // The strap drops out and cannot be reached: the screen counts down to the next attempt.
    await page.evaluate(() => {
      const control = (window as unknown as { fakeStrap: FakeStrapControl }).fakeStrap;
      control.reachable = false;
      control.drop();
    });
    await strap.getByText(/reconnecting in \d+ s/).waitFor();
    await page.evaluate(() => {
      (window as unknown as { fakeStrap: FakeStrapControl }).fakeStrap.reachable = true;
    });
    await strap.getByText("connected", { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Stop and save" }).click();
    await page.getByRole("heading", { name: "Export" }).waitFor();
    expect(errors).toEqual([]);
  });
});
