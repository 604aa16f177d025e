/**
 * Per-account limits on the sync connection, against a real relay server (in process, real
 * sockets, a clock the test moves): pushes and new documents past their rate get
 * `rate-limited` and go through again after the window; a document past the count quota
 * and envelopes past the storage quota get `quota-exceeded`; a snapshot still compacts an
 * account at its quota, and once the store's usage is read again pushes are accepted. A
 * real device shows the refusal in its sync status (`lastError`), and a refused new
 * document does not send it into a register/subscribe loop.
 */
import {
  createDocumentKeys,
  type DocumentKeys,
  deriveAccessSecret,
  hashAccessSecret,
  loadSodium,
  type Sodium,
  sealEnvelope,
  unwrap,
} from "@ridevault/core";
import type { RelayMessage } from "@ridevault/core/protocol";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type AuthedSocket,
  connectWithToken,
  type InProcessAccountsRelay,
  registerRider,
  registerVaultDevice,
  startInProcessRelay,
} from "./accounts-helpers.js";
import { eventually, ride } from "./devices.js";

const AUTHOR = "0123456789abcdef";
let sodium: Sodium;
let relay: InProcessAccountsRelay | undefined;
const sockets: AuthedSocket[] = [];

beforeAll(async () => {
  sodium = await loadSodium();
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await relay?.close();
  relay = undefined;
});

const withId = (id: number) => (m: RelayMessage) => "id" in m && m.id === id;
let nextId = 10;

/** A signed-in raw connection that registers documents and pushes envelopes. */
async function riderSocket(r: InProcessAccountsRelay, email: string) {
  const { session } = await registerRider(r, email);
  const socket = await connectWithToken(r.url, unwrap(await session.accessToken()));
  sockets.push(socket);
  const request = async (message: Record<string, unknown>) => {
    const id = nextId++;
    socket.send({ ...message, id } as never);
    return socket.next(withId(id));
  };
  return {
    async register(docId: string, keys: DocumentKeys) {
      const accessSecret = deriveAccessSecret(sodium, keys.readKey);
      return request({
        type: "register",
        docId,
        writePublicKey: keys.writePublicKey,
        accessHash: hashAccessSecret(sodium, accessSecret),
      });
    },
    async push(
      docId: string,
      keys: DocumentKeys,
      counter: number,
      options: { bytes?: number; coversSeq?: number } = {},
    ) {
      const header =
        options.coversSeq === undefined
          ? { kind: "change" as const }
          : { kind: "snapshot" as const, coversSeq: options.coversSeq };
      const envelope = unwrap(
        sealEnvelope(sodium, {
          header: {
            ...header,
            docId,
            generation: keys.generation,
            authorDevice: AUTHOR as never,
            counter,
          },
          plaintext: new Uint8Array(options.bytes ?? 10).fill(counter % 256),
          keys,
        }),
      );
      return request({ type: "push", docId, envelope });
    },
  };
}

/** Document ids are 20 base58 characters. */
const docId = (n: number) => `7wQm3JxP9kLr2VbN5tY${"abcdefgh"[n]}`;

describe("per-account limits on the sync connection", () => {
  it("pushes past the account's rate are rate-limited, and accepted again after the window", async () => {
    relay = await startInProcessRelay({ limits: { push: { burst: 3, perMinute: 6 } } });
    const rider = await riderSocket(relay, "pusher@example.org");
    const other = await riderSocket(relay, "other-pusher@example.org");
    const keys = createDocumentKeys(sodium);
    const otherKeys = createDocumentKeys(sodium);
    expect(await rider.register(docId(1), keys)).toMatchObject({ type: "ack" });
    expect(await other.register(docId(2), otherKeys)).toMatchObject({ type: "ack" });
    for (const counter of [1, 2, 3])
      expect(await rider.push(docId(1), keys, counter)).toMatchObject({
        type: "ack",
        seq: counter,
      });
    const limited = await rider.push(docId(1), keys, 4);
    expect(limited).toMatchObject({
      type: "error",
      code: "rate-limited",
      docId: docId(1),
      message: "too many pushes from this account: retry in 10 s",
    });
    // Another account is not slowed down.
    expect(await other.push(docId(2), otherKeys, 1)).toMatchObject({ type: "ack" });
    relay.shift += 10_000;
    expect(await rider.push(docId(1), keys, 4)).toMatchObject({ type: "ack", seq: 4 });
  });

  it("new documents past the rate or the count quota are refused with clear codes", async () => {
    relay = await startInProcessRelay({
      limits: { quotaDocuments: 3, create: { burst: 2, perMinute: 2 } },
    });
    const rider = await riderSocket(relay, "creator@example.org");
    const keys = [1, 2, 3, 4].map(() => createDocumentKeys(sodium));
    expect(await rider.register(docId(1), keys[0] as DocumentKeys)).toMatchObject({ type: "ack" });
    expect(await rider.register(docId(2), keys[1] as DocumentKeys)).toMatchObject({ type: "ack" });
    expect(await rider.register(docId(3), keys[2] as DocumentKeys)).toMatchObject({
      type: "error",
      code: "rate-limited",
    });
    // Registering an existing document again (a new device does) is neither rate nor count.
    expect(await rider.register(docId(1), keys[0] as DocumentKeys)).toMatchObject({
      type: "ack",
      duplicate: true,
    });
    relay.shift += 30_000;
    expect(await rider.register(docId(3), keys[2] as DocumentKeys)).toMatchObject({ type: "ack" });
    relay.shift += 30_000;
    const full = await rider.register(docId(4), keys[3] as DocumentKeys);
    expect(full).toMatchObject({ type: "error", code: "quota-exceeded" });
    expect(full.type === "error" && full.message).toMatch(/3 documents, its limit/);
  });

  it("envelopes past the storage quota are refused; a snapshot compacts, and pushes resume", async () => {
    relay = await startInProcessRelay({
      limits: { quotaBytes: 4_000, usageTtlMs: 60_000, push: { burst: 100, perMinute: 100 } },
    });
    const rider = await riderSocket(relay, "hoarder@example.org");
    const keys = createDocumentKeys(sodium);
    await rider.register(docId(1), keys);
    let counter = 0;
    let answer: RelayMessage;
    do answer = await rider.push(docId(1), keys, ++counter, { bytes: 900 });
    while (answer.type === "ack" && counter < 20);
    expect(answer).toMatchObject({ type: "error", code: "quota-exceeded" });
    expect(answer.type === "error" && answer.message).toMatch(
      /stores \d+ KiB, and its quota on this relay is 4 KiB/,
    );
    const stored = counter - 1;
    expect(stored).toBeGreaterThanOrEqual(3);
    // A snapshot covering everything is admitted at the quota; the relay prunes behind it.
    const compacted = await rider.push(docId(1), keys, counter, { bytes: 100, coversSeq: stored });
    expect(compacted).toMatchObject({ type: "ack", seq: stored + 1 });
    // Still counted as full until the usage is read from the store again.
    expect(await rider.push(docId(1), keys, counter + 1, { bytes: 900 })).toMatchObject({
      code: "quota-exceeded",
    });
    relay.shift += 60_000;
    expect(await rider.push(docId(1), keys, counter + 1, { bytes: 900 })).toMatchObject({
      type: "ack",
    });
  });

  it("a device whose new document is refused shows why, and does not retry in a loop", async () => {
    relay = await startInProcessRelay({ limits: { quotaDocuments: 1 } });
    const r = relay;
    const { device } = await registerVaultDevice("phone", r.url, "many@example.org");
    const { vault, sync } = device;
    const framesIn = async () => {
      const text = await (await fetch(`${r.origin}/metrics`)).text();
      return Number(/ridevault_relay_frames_in_total (\d+)/.exec(text)?.[1]);
    };
    try {
      await sync.whenSynced(10_000);
      unwrap(
        await vault.workouts.create({ title: "One too many", startTime: Date.UTC(2026, 1, 1) }),
      );
      await eventually(
        () => sync.status.lastError?.code === "quota-exceeded",
        10_000,
        "quota-exceeded in the sync status",
      );
      const before = await framesIn();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // Register and subscribe were refused once; the device waits instead of retrying.
      expect((await framesIn()) - before).toBeLessThan(10);
      expect(sync.status.lastError?.code).toBe("quota-exceeded");
    } finally {
      await sync.stop();
      await vault.close();
    }
  });

  it("a device shows a refused push in its sync status", async () => {
    relay = await startInProcessRelay({ limits: { quotaBytes: 3_000 } });
    const { device } = await registerVaultDevice("phone", relay.url, "full@example.org");
    const { vault, sync } = device;
    try {
      const T0 = Date.UTC(2026, 5, 1, 6);
      const id = unwrap(await vault.workouts.create({ title: "Too much", startTime: T0 })).id;
      const recording = unwrap(await vault.workouts.record(id, { chunkSamples: 60 }));
      for (const sample of ride(T0, 600, 4)) unwrap(await recording.append(sample));
      await recording.finish();
      await eventually(
        () => sync.status.lastError?.code === "quota-exceeded",
        10_000,
        "quota-exceeded in the sync status",
      );
      expect(sync.status.lastError?.message).toMatch(
        /delete workouts, or ask the relay's operator/,
      );
      expect(sync.status.pending).toBeGreaterThan(0);
    } finally {
      await sync.stop();
      await vault.close();
    }
  });
});
