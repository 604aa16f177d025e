/**
 * kill -9 the relay again and again while a device pushes: nothing acknowledged is lost,
 * retries create no duplicates, and devices converge.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { unwrap } from "@ridevault/core";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { closeDevices, eventually, openDevice, ride, snapshot } from "./devices.js";
import { startRelayProcess } from "./relay-process.js";

const T0 = Date.UTC(2026, 7, 8, 6, 0, 0);
// RIDEVAULT_KILLS=200 for the nightly run; 20 in every test run.
const KILLS = Number(process.env.RIDEVAULT_KILLS ?? 20);

/** Whatever relay process a test left running (a timeout under load must not leak it). */
let running: { kill(): Promise<void> } | undefined;
afterEach(async () => {
  await running?.kill();
  running = undefined;
});

describe("killing the relay during pushes", () => {
  it(`loses nothing acknowledged over ${KILLS} kill -9 restarts`, {
    timeout: 30_000 + KILLS * 1000,
  }, async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-crash-"));
    let relay = await startRelayProcess(dir);
    running = relay;
    const port = Number(new URL(relay.url).port);
    const phone = await openDevice("phone", relay.url);
    const id = unwrap(
      await phone.vault.workouts.create({ title: "Through the storm", startTime: T0 }),
    ).id;
    const recording = unwrap(await phone.vault.workouts.record(id, { chunkSamples: 3 }));
    // Enough ride for every kill to land mid-recording however slow the machine; the
    // recording stops soon after the last kill.
    const samples = ride(T0, 3600, 11);
    let appended = 0;
    let killsDone = false;
    const recorder = (async () => {
      for (const sample of samples) {
        if (killsDone && appended >= 300) break;
        unwrap(await recording.append(sample));
        appended++;
        // A chunk every ~25 ms keeps pushes flowing while the relay is being killed.
        if (appended % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await recording.finish();
    })();

    let killsWhileRecording = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 40 + ((kill * 37) % 60)));
      if (appended < samples.length) killsWhileRecording++;
      await relay.kill();
      relay = await startRelayProcess(dir, port);
      running = relay;
    }
    killsDone = true;
    await recorder;
    expect(killsWhileRecording).toBeGreaterThanOrEqual(KILLS / 2);
    await phone.sync.whenSynced(30_000);
    expect(phone.sync.status.pending).toBe(0);

    const laptop = await openDevice("laptop", relay.url, await phone.vault.invite());
    await eventually(
      async () => (await laptop.vault.workouts.open(id)).ok,
      20_000,
      "ride on the laptop",
    );
    await laptop.sync.whenSynced(30_000);
    await eventually(
      async () =>
        unwrap(await laptop.vault.workouts.open(id)).samples().columns.length === appended,
      20_000,
      "every sample on the laptop",
    );
    expect(await snapshot(laptop)).toEqual(await snapshot(phone));

    await closeDevices([phone, laptop]);
    await relay.stop();
    const db = new Database(path.join(dir, "relay.sqlite"), { readonly: true });
    const rows = db
      .prepare(
        "select doc_id, author, counter, count(*) n from envelopes group by 1, 2, 3 having n > 1",
      )
      .all();
    const gaps = db
      .prepare(
        "select doc_id, max(seq) - min(seq) + 1 - count(*) missing from envelopes where kind = 'change' group by doc_id having missing > 0",
      )
      .all();
    db.close();
    expect(rows).toEqual([]);
    expect(gaps).toEqual([]);
    await fs.rm(dir, { recursive: true, force: true });
  });
});
