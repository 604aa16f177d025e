/**
 * The live ride view end to end (issue #5): a rider's device publishes live seconds through
 * a real relay process on SQLite to a coach's device that holds the ride's read key only.
 * The rider sends nothing while nobody watches (the relay's frame counter stays put), every
 * second published while watched arrives decoded and equal, sending stops with the watch,
 * and the relay's database holds exactly what it held before: no live message is stored. A
 * rider who reconnects mid-ride hears from the relay that it is watched and sends again.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  createLivePublisher,
  type LiveSample,
  type LiveSampleError,
  type SyncEngine,
  unwrap,
  watchLiveRide,
} from "@ridevault/core";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closeDevices,
  type Device,
  eventually,
  goOffline,
  goOnline,
  openDevice,
} from "./devices.js";
import { liveSecond, startCoach } from "./live-helpers.js";
import { type RelayProcess, startRelayProcess } from "./relay-process.js";

const T0 = Date.UTC(2026, 6, 4, 5, 0, 0);

/** Rows and envelope bytes the relay's SQLite file holds, per document and kind. */
function storedRows(dir: string): unknown[] {
  const db = new Database(path.join(dir, "relay.sqlite"), { readonly: true });
  try {
    return db
      .prepare(
        `SELECT doc_id, kind, COUNT(*) AS rows, SUM(LENGTH(envelope)) AS bytes
         FROM envelopes GROUP BY doc_id, kind ORDER BY doc_id, kind`,
      )
      .all();
  } finally {
    db.close();
  }
}

async function metric(relay: RelayProcess, name: string): Promise<number> {
  const origin = relay.url.replace(/^ws/, "http").replace(/\/sync$/, "");
  const text = await (await fetch(`${origin}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n"))
    if (line.startsWith(name)) total += Number(line.split(" ").pop());
  return total;
}

const framesIn = (relay: RelayProcess) => metric(relay, "ridevault_relay_frames_in_total");

const second = (i: number) => liveSecond(T0, i);

describe("live ride view through a real relay", () => {
  let dir: string;
  let relay: RelayProcess;
  let rider: Device;
  let coach: SyncEngine | undefined;
  let rideId = "";

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-live-"));
    relay = await startRelayProcess(dir);
    rider = await openDevice("rider", relay.url);
    const ride = unwrap(await rider.vault.workouts.create({ title: "Live", startTime: T0 }));
    rideId = ride.id;
    await rider.sync.whenSynced(20_000);
    const shared = (await rider.vault.syncSource().documents()).find((d) => d.docId === rideId);
    const keys = shared && [...shared.keys.values()][0];
    if (!keys) throw new Error("the rider's device has no keys for its ride");
    coach = await startCoach(relay.url, rideId, keys);
    await coach.whenSynced(20_000);
  });

  afterAll(async () => {
    await coach?.stop();
    await closeDevices([rider]);
    await relay.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("sends only while watched, delivers every second, and stores none of it", async () => {
    if (!coach) throw new Error("beforeAll starts the coach");
    const stored = storedRows(dir);
    const storedTotal = await metric(relay, "ridevault_relay_envelopes_stored_total");
    expect(stored.length).toBeGreaterThan(0);

    const publisher = createLivePublisher({ channel: rider.sync, docId: rideId });
    const received: LiveSample[] = [];
    const errors: LiveSampleError[] = [];

    // Nobody watches: publishing sends nothing, the relay hears not one frame.
    let before = await framesIn(relay);
    expect(before).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) expect(unwrap(publisher.publish(second(i)))).toBe(false);
    expect(await framesIn(relay)).toBe(before);

    const stop = watchLiveRide({
      channel: coach,
      docId: rideId,
      onSample: (sample) => received.push(sample),
      onError: (error) => errors.push(error),
    });
    await eventually(() => publisher.watchers() === 1, 10_000, "the rider hears of the watcher");
    before = await framesIn(relay);
    const sent = Array.from({ length: 12 }, (_, i) => second(3 + i));
    for (const sample of sent) expect(unwrap(publisher.publish(sample))).toBe(true);
    await eventually(() => received.length >= sent.length, 10_000, "every second arrives");
    expect(received).toEqual(sent);
    expect(errors).toEqual([]);
    expect(await framesIn(relay)).toBeGreaterThanOrEqual(before + sent.length);

    stop();
    await eventually(() => publisher.watchers() === 0, 10_000, "the rider hears nobody watches");
    before = await framesIn(relay);
    for (let i = 20; i < 23; i++) expect(unwrap(publisher.publish(second(i)))).toBe(false);
    expect(await framesIn(relay)).toBe(before);
    expect(received).toHaveLength(sent.length);

    // Nothing of it was stored: the same rows and bytes per document, no new envelopes.
    expect(storedRows(dir)).toEqual(stored);
    expect(await metric(relay, "ridevault_relay_envelopes_stored_total")).toBe(storedTotal);
  });
  it("a rider who reconnects while watched hears so and sends again", async () => {
    if (!coach) throw new Error("beforeAll starts the coach");
    const received: LiveSample[] = [];
    const errors: LiveSampleError[] = [];
    const stop = watchLiveRide({
      channel: coach,
      docId: rideId,
      onSample: (sample) => received.push(sample),
      onError: (error) => errors.push(error),
    });
    await eventually(() => rider.sync.watchers(rideId) === 1, 10_000, "the rider hears the watch");
    await goOffline(rider);
    expect(
      unwrap(createLivePublisher({ channel: rider.sync, docId: rideId }).publish(second(30))),
    ).toBe(false);
    await goOnline(rider);
    const publisher = createLivePublisher({ channel: rider.sync, docId: rideId });
    await eventually(
      () => publisher.watchers() === 1,
      10_000,
      "the reconnected rider hears the watch",
    );
    expect(unwrap(publisher.publish(second(31)))).toBe(true);
    await eventually(() => received.length === 1, 10_000, "the second after reconnecting arrives");
    expect(received).toEqual([second(31)]);
    expect(errors).toEqual([]);
    stop();
  });
});
