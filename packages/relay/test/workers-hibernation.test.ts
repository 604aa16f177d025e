/**
 * Hibernation in workerd: after about ten idle seconds workerd evicts a connection object
 * whose socket is accepted through the hibernation API (observed with miniflare 4.20260426),
 * while the socket stays open. The connection must go on as if nothing happened: its hello
 * still counts, and a follower is sent every later envelope exactly once, with no stray
 * replies to the requests the object replays to restore itself.
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
});
