/**
 * Hibernation in workerd: after about ten idle seconds workerd evicts a connection object
 * whose socket is accepted through the hibernation API (observed with miniflare 4.20260426),
 * while the socket stays open. The connection must go on as if nothing happened: its hello
 * still counts, and a follower is sent every later envelope exactly once, with no stray
 * replies to the requests the object replays to restore itself. Watchers counted before
 * the idle time still count after it (a new follower hears so), and a watcher whose socket
 * closes while its object is evicted stops counting.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  createDocumentKeys,
  type DocumentKeys,
  deriveAccessSecret,
  loadSodium,
  type Sodium,
} from "@ridevault/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectRaw } from "./raw-client.js";
import { registerRaw, sealTestEnvelope } from "./raw-documents.js";
import { bundleWorker, startWorkerd, type Workerd } from "./workers-runtime.js";

const DOC = "7vqUq6DKgorSexouEZeEpi";
const WATCHED_DOC = "8vqUq6DKgorSexouEZeEpj";
const IDLE_MS = 11_500;

describe("the Workers relay across hibernation", () => {
  let sodium: Sodium;
  let keys: DocumentKeys;
  let workerd: Workerd;
  let persistDir = "";

  beforeAll(async () => {
    sodium = await loadSodium();
    keys = createDocumentKeys(sodium);
    const script = await bundleWorker(
      fileURLToPath(new URL("../src/workers/worker.ts", import.meta.url)),
    );
    persistDir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-workers-hibernation-"));
    workerd = await startWorkerd({ script, persistDir });
  }, 30_000);

  afterAll(async () => {
    await workerd?.dispose();
    if (persistDir) await fs.rm(persistDir, { recursive: true, force: true });
  });

  function envelope(counter: number): Uint8Array {
    return sealTestEnvelope(sodium, {
      docId: DOC,
      keys,
      counter,
      plaintext: new Uint8Array([counter]),
    });
  }

  it("keeps hello and subscriptions, and sends each later envelope once", async () => {
    const url = `ws://127.0.0.1:${workerd.url.port}/sync`;
    const owner = await connectRaw(url);
    const follower = await connectRaw(url, { deviceId: "fedcba9876543210" });
    try {
      await registerRaw(owner, sodium, DOC, keys);
      const accessSecret = deriveAccessSecret(sodium, keys.readKey);
      follower.send({ type: "subscribe", id: 3, docId: DOC, afterSeq: 0, accessSecret });
      await follower.next((m) => m.type === "caught-up" && m.id === 3);
      owner.send({ type: "push", id: 4, docId: DOC, envelope: envelope(1) });
      await owner.next((m) => m.type === "ack" && m.id === 4);
      expect(await follower.next((m) => m.type === "envelope")).toMatchObject({ seq: 1 });

      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));

      // Both objects wake up: the owner's by its frame, the follower's by the delivery.
      owner.send({ type: "push", id: 5, docId: DOC, envelope: envelope(2) });
      expect(await owner.next((m) => m.type === "ack" && m.id === 5)).toMatchObject({
        seq: 2,
        duplicate: false,
      });
      expect(await follower.next((m) => m.type === "envelope")).toMatchObject({ seq: 2 });
      follower.send({ type: "push", id: 6, docId: DOC, envelope: envelope(3) });
      expect(await follower.next((m) => m.type === "ack" && m.id === 6)).toMatchObject({
        seq: 3,
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(owner.received).toEqual([]);
      expect(follower.received).toEqual([]);
    } finally {
      owner.close();
      follower.close();
    }
  }, 30_000);

  it("keeps counting watchers, and forgets one whose socket closes while evicted", async () => {
    const url = `ws://127.0.0.1:${workerd.url.port}/sync`;
    const accessSecret = deriveAccessSecret(sodium, keys.readKey);
    const rider = await connectRaw(url);
    const coach = await connectRaw(url, { deviceId: "1111111111111111" });
    let late: Awaited<ReturnType<typeof connectRaw>> | undefined;
    try {
      await registerRaw(rider, sodium, WATCHED_DOC, keys);
      for (const [client, id] of [
        [rider, 3],
        [coach, 4],
      ] as const) {
        client.send({ type: "subscribe", id, docId: WATCHED_DOC, afterSeq: 0, accessSecret });
        await client.next((m) => m.type === "caught-up" && m.id === id);
      }
      coach.send({ type: "watch", id: 5, docId: WATCHED_DOC, on: true });
      await coach.next((m) => m.type === "ack" && m.id === 5);
      expect(await rider.next((m) => m.type === "watchers")).toMatchObject({ count: 1 });

      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));

      // A frame wakes the rider's object, which replays its subscription: no count for that.
      rider.send({ type: "watch", id: 7, docId: WATCHED_DOC, on: false });
      await rider.next((m) => m.type === "ack" && m.id === 7);
      late = await connectRaw(url, { deviceId: "2222222222222222" });
      late.send({ type: "subscribe", id: 6, docId: WATCHED_DOC, afterSeq: 0, accessSecret });
      expect(await late.next((m) => m.type === "watchers")).toMatchObject({ count: 1 });
      // The coach's object is still evicted: only its close event wakes it.
      coach.close();
      await coach.closed;
      expect(await rider.next((m) => m.type === "watchers", 10_000)).toMatchObject({ count: 0 });
      expect(await late.next((m) => m.type === "watchers", 10_000)).toMatchObject({ count: 0 });
      expect(rider.received.filter((m) => m.type === "watchers")).toEqual([]);
    } finally {
      rider.close();
      coach.close();
      late?.close();
    }
  }, 30_000);
});
