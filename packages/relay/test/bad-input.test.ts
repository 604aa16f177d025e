/**
 * Bad input at the relay: each gets a clear error code, stores nothing, and the relay keeps
 * serving. A device receiving a tampered envelope rejects it and its documents stay intact.
 * Real WebSockets, real libsodium.
 */
import {
  createDocumentKeys,
  createSeededRandom,
  type DocumentKeys,
  deriveAccessSecret,
  loadSodium,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  type Sodium,
  sealEnvelope,
  unwrap,
} from "@ridevault/core";
import { encodeClientMessage } from "@ridevault/core/protocol";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningRelay, startRelay } from "../src/start-relay.js";
import { MemoryRelayStore } from "../src/store/memory-relay-store.js";
import { eventually, openDevice } from "./devices.js";
import { connectRaw, type RawClient } from "./raw-client.js";
import { registerRaw, sealTestEnvelope } from "./raw-documents.js";

const DOC = "7vqUq6DKgorSexouEZeEpi";
const AUTHOR = "0123456789abcdef";

describe("bad input at the relay", () => {
  let sodium: Sodium;
  let store: MemoryRelayStore;
  let relay: RunningRelay;
  let keys: DocumentKeys;
  let owner: RawClient;

  beforeAll(async () => {
    sodium = await loadSodium();
  });

  beforeEach(async () => {
    store = new MemoryRelayStore();
    relay = await startRelay({ store, maxBufferedBytes: 64 * 1024 });
    keys = createDocumentKeys(sodium);
    owner = await connectRaw(relay.url);
    await registerRaw(owner, sodium, DOC, keys);
  });

  afterEach(async () => {
    owner.close();
    await relay.close();
  });

  function envelope(
    counter: number,
    withKeys = keys,
    plaintext = new Uint8Array([1, 2, 3]),
  ): Uint8Array {
    return sealTestEnvelope(sodium, {
      docId: DOC,
      keys: withKeys,
      counter,
      plaintext,
      author: AUTHOR,
    });
  }

  async function expectError(client: RawClient, id: number, code: string): Promise<void> {
    const reply = await client.next((m) => m.type === "error" && m.id === id);
    expect(reply).toMatchObject({ type: "error", code });
    expect(reply.type === "error" && reply.message.length).toBeGreaterThan(10);
  }

  async function expectNothingStored(): Promise<void> {
    expect((await store.stats(DOC)).changes).toBe(0);
  }

  async function expectStillServing(): Promise<void> {
    owner.send({ type: "push", id: 99, docId: DOC, envelope: envelope(50) });
    expect(await owner.next((m) => m.type === "ack" && m.id === 99)).toMatchObject({
      seq: 1,
      duplicate: false,
    });
  }

  it("answers garbage bytes with bad-frame and keeps the connection", async () => {
    owner.sendBytes(new Uint8Array([PROTOCOL_VERSION, 200, 3, 4, 5]));
    await expectError(owner, 0, "bad-frame");
    owner.sendBytes(new Uint8Array([9, 9]));
    await expectError(owner, 0, "unsupported-version");
    await expectNothingStored();
    await expectStillServing();
  });

  it("refuses a push before hello", async () => {
    const stranger = await connectRaw(relay.url, { hello: false });
    stranger.send({ type: "push", id: 3, docId: DOC, envelope: envelope(1) });
    await expectError(stranger, 3, "not-authenticated");
    stranger.close();
    await expectNothingStored();
  });

  it("refuses a push to an unknown document", async () => {
    const other = "4d3h4UghPqkj6TuVHYXfgr";
    const sealed = unwrap(
      sealEnvelope(sodium, {
        header: {
          kind: "change",
          docId: other,
          generation: 0,
          authorDevice: AUTHOR as never,
          counter: 1,
        },
        plaintext: new Uint8Array([1]),
        keys,
      }),
    );
    owner.send({ type: "push", id: 3, docId: other, envelope: sealed });
    await expectError(owner, 3, "unknown-document");
    expect((await store.stats()).changes).toBe(0);
  });

  it("refuses an envelope signed with another key (a writer without the write key)", async () => {
    owner.send({
      type: "push",
      id: 3,
      docId: DOC,
      envelope: envelope(1, createDocumentKeys(sodium)),
    });
    await expectError(owner, 3, "bad-signature");
    await expectNothingStored();
    await expectStillServing();
  });

  it("refuses a tampered envelope: any flipped byte breaks the signature", async () => {
    const sealed = envelope(1);
    for (const index of [
      0,
      20,
      Math.floor(sealed.length / 2),
      sealed.length - 70,
      sealed.length - 1,
    ]) {
      const tampered = sealed.slice();
      tampered[index] = (tampered[index] as number) ^ 0x40;
      // The envelope is the frame's tail; the encoder would refuse a header naming another id.
      const frame = encodeClientMessage({
        type: "push",
        id: 3 + index,
        docId: DOC,
        envelope: sealed,
      });
      frame.set(tampered, frame.length - tampered.length);
      owner.sendBytes(frame);
      const reply = await owner.next((m) => m.type === "error" && m.id === 3 + index);
      // A flipped byte of the document id may name another (unknown) document.
      expect(["bad-signature", "bad-frame", "unknown-document"]).toContain(
        reply.type === "error" && reply.code,
      );
    }
    await expectNothingStored();
    await expectStillServing();
  });

  it("refuses a subscription with a bad access secret", async () => {
    const reader = await connectRaw(relay.url, { deviceId: "fedcba9876543210" });
    reader.send({
      type: "subscribe",
      id: 4,
      docId: DOC,
      afterSeq: 0,
      accessSecret: new Uint8Array(32).fill(7),
    });
    await expectError(reader, 4, "forbidden");
    reader.close();
  });

  it("closes a connection that sends an oversized frame (1009) and serves the others", async () => {
    const big = await connectRaw(relay.url, { deviceId: "aaaaaaaaaaaaaaaa" });
    big.sendBytes(new Uint8Array(MAX_FRAME_BYTES + 1024));
    expect(await big.closed).toBe(1009);
    await expectNothingStored();
    await expectStillServing();
  });

  it("answers a retried push with the original sequence number and stores it once", async () => {
    const sealed = envelope(1);
    owner.send({ type: "push", id: 5, docId: DOC, envelope: sealed });
    owner.send({ type: "push", id: 6, docId: DOC, envelope: sealed });
    expect(await owner.next((m) => m.type === "ack" && m.id === 5)).toMatchObject({
      seq: 1,
      duplicate: false,
    });
    expect(await owner.next((m) => m.type === "ack" && m.id === 6)).toMatchObject({
      seq: 1,
      duplicate: true,
    });
    expect((await store.stats(DOC)).changes).toBe(1);
  });

  it("cuts off a slow consumer (4008) instead of buffering without bound", async () => {
    const slow = await connectRaw(relay.url, { deviceId: "bbbbbbbbbbbbbbbb" });
    slow.send({
      type: "subscribe",
      id: 7,
      docId: DOC,
      afterSeq: 0,
      accessSecret: deriveAccessSecret(sodium, keys.readKey),
    });
    await slow.next((m) => m.type === "caught-up");
    // Stop reading: the kernel's buffers fill, then the relay's own buffer for this socket.
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    // Random bytes: envelopes deflate their content, and these must stay 60 KB on the wire.
    const payload = new Uint8Array(createSeededRandom(3).bytes(60_000));
    for (let i = 1; i <= 300; i++)
      owner.send({ type: "push", id: 1000 + i, docId: DOC, envelope: envelope(i, keys, payload) });
    await owner.next((m) => m.type === "ack" && m.id === 1300, 20_000);
    await eventually(
      () => relay.metrics.slowConsumers.value() === 1,
      10_000,
      "slow consumer cut off",
    );
    (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await slow.closed).toBe(4008);
    await expectStillServingAfter(300);
  });

  async function expectStillServingAfter(count: number): Promise<void> {
    owner.send({ type: "push", id: 99, docId: DOC, envelope: envelope(count + 1) });
    expect(await owner.next((m) => m.type === "ack" && m.id === 99)).toMatchObject({
      seq: count + 1,
    });
  }
});

describe("a device receiving a tampered envelope", () => {
  it("rejects it with a clear error and keeps its documents intact", async () => {
    const store = new MemoryRelayStore();
    const relay = await startRelay({ store });
    const phone = await openDevice("phone", relay.url);
    const ride = unwrap(await phone.vault.workouts.create({ title: "Honest ride" }));
    await phone.sync.whenSynced();
    const laptop = await openDevice("laptop", relay.url, await phone.vault.invite());
    await laptop.sync.whenSynced();
    await eventually(
      async () => (await laptop.vault.workouts.open(ride.id)).ok,
      10_000,
      "ride on the laptop",
    );

    // A compromised relay serves an altered copy of one of the phone's envelopes.
    await laptop.sync.stop();
    const items = await store.read({ docId: ride.id, afterSeq: 0, limit: 100 });
    const last = items[items.length - 1];
    if (!last) throw new Error("no envelope stored");
    const tampered = last.envelope.slice();
    tampered[tampered.length - 80] = (tampered[tampered.length - 80] as number) ^ 1;
    await store.append({
      docId: ride.id,
      author: "ffffffffffffffff",
      counter: 1,
      kind: "change",
      coversSeq: null,
      envelope: tampered,
      receivedAt: Date.now(),
    });

    const restarted = await openDeviceAgain(laptop, relay.url);
    await eventually(
      () => restarted.status.lastError?.code === "tampered",
      10_000,
      "tampered envelope reported",
    );
    expect(restarted.status.lastError?.message).toContain(ride.id);
    const copy = unwrap(await laptop.vault.workouts.open(ride.id));
    expect(copy.metadata().title).toBe("Honest ride");
    expect(laptop.vault.workouts.get(ride.id)?.title).toBe("Honest ride");
    await restarted.stop();
    await phone.sync.stop();
    await laptop.vault.close();
    await phone.vault.close();
    await relay.close();
  });
});

async function openDeviceAgain(device: Awaited<ReturnType<typeof openDevice>>, url: string) {
  const { startSync } = await import("@ridevault/core");
  const { WebSocket } = await import("ws");
  return startSync(device.vault, {
    url,
    WebSocket: WebSocket as never,
    backoff: { minMs: 20, maxMs: 200 },
  });
}
