/**
 * Live view on the Workers relay (workerd through miniflare, 127.0.0.1, Durable Objects
 * persisted in a temporary directory), where the document objects count the watchers.
 * Frames: every follower hears the count when it changes, a follower that subscribes while
 * the document is watched hears it at once, and a watcher that stops, unsubscribes or closes
 * its socket no longer counts. Devices: as `live-view.test.ts` on the Node relay, a rider's
 * core `SyncEngine` publishes live seconds to a coach's engine that holds the ride's read key
 * only — sending only while watched, every second arriving equal, nothing stored — and a
 * rider who reconnects while watched hears so and sends again.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  createDocumentKeys,
  createLivePublisher,
  type DocumentKeys,
  deriveAccessSecret,
  type LiveSample,
  type LiveSampleError,
  loadSodium,
  type Sodium,
  type SyncEngine,
  unwrap,
  watchLiveRide,
} from "@ridevault/core";
import type { RelayMessage } from "@ridevault/core/protocol";
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
import { randomDocId, storedSeqs } from "./protocol-suite-context.js";
import { connectRaw, type RawClient } from "./raw-client.js";
import { registerRaw } from "./raw-documents.js";
import { bundleWorker, startWorkerd, type Workerd } from "./workers-runtime.js";

const T0 = Date.UTC(2026, 10, 25, 6, 0, 0);

let sodium: Sodium;
let persistDir = "";
let workerd: Workerd | undefined;
let url = "";

beforeAll(async () => {
  sodium = await loadSodium();
  const script = await bundleWorker(
    fileURLToPath(new URL("../src/workers/worker.ts", import.meta.url)),
  );
  persistDir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-workers-live-"));
  workerd = await startWorkerd({ script, persistDir });
  url = `ws://127.0.0.1:${workerd.url.port}/sync`;
}, 30_000);

afterAll(async () => {
  await workerd?.dispose();
  if (persistDir) await fs.rm(persistDir, { recursive: true, force: true });
});

describe("watcher counts on the Workers relay (frames)", () => {
  const isCount = (docId: string, count: number) => (m: RelayMessage) =>
    m.type === "watchers" && m.docId === docId && m.count === count;

  async function follower(docId: string, keys: DocumentKeys, deviceId: string, id = 3) {
    const client = await connectRaw(url, { deviceId });
    const accessSecret = deriveAccessSecret(sodium, keys.readKey);
    client.send({ type: "subscribe", id, docId, afterSeq: 0, accessSecret });
    await client.next((m) => m.type === "caught-up" && m.id === id);
    return client;
  }

  function watch(client: RawClient, docId: string, id: number, on: boolean): Promise<unknown> {
    client.send({ type: "watch", id, docId, on });
    return client.next((m) => m.type === "ack" && m.id === id);
  }

  it("counts watchers up and down and tells every follower, new ones at once", async () => {
    const docId = randomDocId();
    const keys = createDocumentKeys(sodium);
    const owner = await connectRaw(url);
    const clients: RawClient[] = [owner];
    try {
      await registerRaw(owner, sodium, docId, keys);
      const rider = await follower(docId, keys, "1111111111111111");
      const coach = await follower(docId, keys, "2222222222222222");
      const second = await follower(docId, keys, "3333333333333333");
      clients.push(rider, coach, second);

      await watch(coach, docId, 10, true);
      await rider.next(isCount(docId, 1));
      await coach.next(isCount(docId, 1));
      await watch(second, docId, 11, true);
      await rider.next(isCount(docId, 2));
      // Watching twice changes nothing; the next count the rider hears is the real change.
      await watch(second, docId, 12, true);
      await watch(second, docId, 13, false);
      expect(await rider.next((m) => m.type === "watchers")).toMatchObject({ count: 1 });

      // A device that subscribes while the document is watched hears so with no change.
      const late = await follower(docId, keys, "4444444444444444");
      clients.push(late);
      await late.next(isCount(docId, 1));

      // The coach leaving by unsubscribing stops its watch.
      coach.send({ type: "unsubscribe", id: 14, docId });
      await coach.next((m) => m.type === "ack" && m.id === 14);
      await rider.next(isCount(docId, 0));
      await late.next(isCount(docId, 0));

      // A watch without a subscription is refused and not counted.
      await watch(second, docId, 15, false);
      const stranger = await connectRaw(url, { deviceId: "5555555555555555" });
      clients.push(stranger);
      stranger.send({ type: "watch", id: 16, docId, on: true });
      expect(await stranger.next((m) => m.type === "error" && m.id === 16)).toMatchObject({
        code: "forbidden",
      });

      // A watcher whose socket closes stops counting too.
      await watch(late, docId, 17, true);
      await rider.next(isCount(docId, 1));
      late.close();
      await late.closed;
      await rider.next(isCount(docId, 0));
      expect(rider.received.filter((m) => m.type === "watchers")).toEqual([]);
    } finally {
      for (const client of clients) client.close();
    }
  }, 30_000);
});

const second = (i: number) => liveSecond(T0, i);

describe("live ride view on the Workers relay (core engines)", () => {
  let rider: Device | undefined;
  let coach: SyncEngine | undefined;
  let rideId = "";
  let rideKeys: DocumentKeys | undefined;

  beforeAll(async () => {
    rider = await openDevice("rider", url);
    const ride = unwrap(await rider.vault.workouts.create({ title: "Live", startTime: T0 }));
    rideId = ride.id;
    await rider.sync.whenSynced(20_000);
    const shared = (await rider.vault.syncSource().documents()).find((d) => d.docId === rideId);
    rideKeys = shared && [...shared.keys.values()][0];
    if (!rideKeys) throw new Error("the rider's device has no keys for its ride");
    coach = await startCoach(url, rideId, rideKeys);
    await coach.whenSynced(20_000);
  }, 60_000);

  afterAll(async () => {
    await coach?.stop();
    if (rider) await closeDevices([rider]);
  });

  function started() {
    if (!rider || !coach || !rideKeys) throw new Error("beforeAll starts the rider and coach");
    return { rider, coach, keys: rideKeys };
  }

  it("sends only while watched, delivers every second, and stores none of it", async () => {
    const { rider, coach, keys } = started();
    const stored = await storedSeqs(url, sodium, rideId, keys);
    expect(stored.length).toBeGreaterThan(0);
    const publisher = createLivePublisher({ channel: rider.sync, docId: rideId });
    const received: LiveSample[] = [];
    const errors: LiveSampleError[] = [];

    for (let i = 0; i < 3; i++) expect(unwrap(publisher.publish(second(i)))).toBe(false);

    const stop = watchLiveRide({
      channel: coach,
      docId: rideId,
      onSample: (sample) => received.push(sample),
      onError: (error) => errors.push(error),
    });
    await eventually(() => publisher.watchers() === 1, 10_000, "the rider hears of the watcher");
    const sent = Array.from({ length: 12 }, (_, i) => second(3 + i));
    for (const sample of sent) expect(unwrap(publisher.publish(sample))).toBe(true);
    await eventually(() => received.length >= sent.length, 10_000, "every second arrives");
    expect(received).toEqual(sent);
    expect(errors).toEqual([]);

    stop();
    await eventually(() => publisher.watchers() === 0, 10_000, "the rider hears nobody watches");
    for (let i = 20; i < 23; i++) expect(unwrap(publisher.publish(second(i)))).toBe(false);
    expect(received).toHaveLength(sent.length);
    expect(await storedSeqs(url, sodium, rideId, keys)).toEqual(stored);
  }, 30_000);

  it("a rider who reconnects while watched hears so and sends again", async () => {
    const { rider, coach } = started();
    const received: LiveSample[] = [];
    const errors: LiveSampleError[] = [];
    const stop = watchLiveRide({
      channel: coach,
      docId: rideId,
      onSample: (sample) => received.push(sample),
      onError: (error) => errors.push(error),
    });
    try {
      await eventually(() => rider.sync.watchers(rideId) === 1, 10_000, "the rider hears it");
      await goOffline(rider);
      expect(
        unwrap(createLivePublisher({ channel: rider.sync, docId: rideId }).publish(second(30))),
      ).toBe(false);
      await goOnline(rider);
      const publisher = createLivePublisher({ channel: rider.sync, docId: rideId });
      await eventually(() => publisher.watchers() === 1, 10_000, "the reconnected rider hears it");
      expect(unwrap(publisher.publish(second(31)))).toBe(true);
      await eventually(() => received.length === 1, 10_000, "the second after reconnecting");
      expect(received).toEqual([second(31)]);
      expect(errors).toEqual([]);
    } finally {
      stop();
    }
  }, 30_000);
});
