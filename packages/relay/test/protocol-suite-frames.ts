/**
 * The frame-level half of the relay protocol suite (`protocol-suite.ts`): raw frames over a
 * real WebSocket, real libsodium. Bad input gets the Node relay's error codes, stores
 * nothing and leaves the relay serving; retries are idempotent; committed envelopes reach
 * followers once; ephemeral ones are relayed unstored; a snapshot prunes what it covers;
 * `/metrics` counts what happened; a device that stops reading is cut off with 4008.
 */
import {
  createDocumentKeys,
  createSeededRandom,
  type DocumentKeys,
  deriveAccessSecret,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
} from "@ridevault/core";
import { encodeClientMessage } from "@ridevault/core/protocol";
import { describe, expect, it } from "vitest";
import { eventually } from "./devices.js";
import {
  metricsText,
  metricValue,
  randomDocId,
  type SuiteContext,
  storedSeqs,
} from "./protocol-suite-context.js";
import { connectRaw, type RawClient } from "./raw-client.js";
import { registerRaw, sealTestEnvelope } from "./raw-documents.js";

type Kind = { kind: "change" | "ephemeral" } | { kind: "snapshot"; coversSeq: number };

/** Registers the frame tests of the suite. */
export function frameTests(context: SuiteContext): void {
  const { relay, sodium, capabilities } = context;

  /** A registered document and its owner's connection. */
  async function openDocument(url = relay().url) {
    const docId = randomDocId();
    const keys = createDocumentKeys(sodium());
    const owner = await connectRaw(url);
    await registerRaw(owner, sodium(), docId, keys);
    const seal = (counter: number, kind: Kind = { kind: "change" }, plaintext = [1, 2, 3]) =>
      sealTestEnvelope(sodium(), {
        docId,
        keys,
        counter,
        kind,
        plaintext: new Uint8Array(plaintext),
      });
    const stored = () => storedSeqs(url, sodium(), docId, keys);
    /** Pushes `seal(counter)` as request `counter` and waits for its ack. */
    const pushAcked = async (counter: number) => {
      owner.send({ type: "push", id: counter, docId, envelope: seal(counter) });
      return await owner.next((m) => m.type === "ack" && m.id === counter);
    };
    return { docId, keys, owner, seal, stored, pushAcked };
  }

  async function expectError(client: RawClient, id: number, code: string): Promise<void> {
    const reply = await client.next((m) => m.type === "error" && m.id === id);
    expect(reply).toMatchObject({ type: "error", code });
    expect(reply.type === "error" && reply.message.length).toBeGreaterThan(10);
  }

  /** The owner can still push: the next envelope is acknowledged with `seq`. */
  async function expectStillServing(
    doc: Awaited<ReturnType<typeof openDocument>>,
    seq: number,
  ): Promise<void> {
    doc.owner.send({ type: "push", id: 99, docId: doc.docId, envelope: doc.seal(500 + seq) });
    expect(await doc.owner.next((m) => m.type === "ack" && m.id === 99)).toMatchObject({
      seq,
      duplicate: false,
    });
  }

  async function subscribe(
    client: RawClient,
    docId: string,
    keys: DocumentKeys,
    id: number,
    afterSeq = 0,
  ): Promise<void> {
    const accessSecret = deriveAccessSecret(sodium(), keys.readKey);
    client.send({ type: "subscribe", id, docId, afterSeq, accessSecret });
    await client.next((m) => m.type === "caught-up" && m.id === id);
  }

  describe("bad input", () => {
    it("answers garbage bytes with bad-frame and unsupported-version, and keeps the connection", async () => {
      const doc = await openDocument();
      doc.owner.sendBytes(new Uint8Array([PROTOCOL_VERSION, 200, 3, 4, 5]));
      await expectError(doc.owner, 0, "bad-frame");
      doc.owner.sendBytes(new Uint8Array([(PROTOCOL_VERSION + 7) % 256, 9]));
      await expectError(doc.owner, 0, "unsupported-version");
      expect(await doc.stored()).toEqual([]);
      await expectStillServing(doc, 1);
      doc.owner.close();
    });

    it("refuses a push before hello with not-authenticated", async () => {
      const doc = await openDocument();
      const stranger = await connectRaw(relay().url, { hello: false });
      stranger.send({ type: "push", id: 3, docId: doc.docId, envelope: doc.seal(1) });
      await expectError(stranger, 3, "not-authenticated");
      stranger.close();
      expect(await doc.stored()).toEqual([]);
      doc.owner.close();
    });

    it("refuses a push to, and a subscription of, an unknown document", async () => {
      const keys = createDocumentKeys(sodium());
      const unknown = randomDocId();
      const client = await connectRaw(relay().url);
      const envelope = sealTestEnvelope(sodium(), {
        docId: unknown,
        keys,
        counter: 1,
        plaintext: new Uint8Array([1]),
      });
      client.send({ type: "push", id: 3, docId: unknown, envelope });
      await expectError(client, 3, "unknown-document");
      const accessSecret = deriveAccessSecret(sodium(), keys.readKey);
      client.send({ type: "subscribe", id: 4, docId: unknown, afterSeq: 0, accessSecret });
      await expectError(client, 4, "unknown-document");
      client.close();
    });

    it("refuses an envelope signed with another key (a writer without the write key)", async () => {
      const doc = await openDocument();
      const forged = sealTestEnvelope(sodium(), {
        docId: doc.docId,
        keys: createDocumentKeys(sodium()),
        counter: 1,
        plaintext: new Uint8Array([1]),
      });
      doc.owner.send({ type: "push", id: 3, docId: doc.docId, envelope: forged });
      await expectError(doc.owner, 3, "bad-signature");
      expect(await doc.stored()).toEqual([]);
      await expectStillServing(doc, 1);
      doc.owner.close();
    });

    it("refuses a tampered envelope: any flipped byte breaks the signature", async () => {
      const doc = await openDocument();
      const sealed = doc.seal(1);
      for (const index of [0, 20, sealed.length >> 1, sealed.length - 70, sealed.length - 1]) {
        const tampered = sealed.slice();
        tampered[index] = (tampered[index] as number) ^ 0x40;
        // The envelope is the frame's tail; the encoder would refuse a header naming another id.
        const id = 3 + index;
        const frame = encodeClientMessage({ type: "push", id, docId: doc.docId, envelope: sealed });
        frame.set(tampered, frame.length - tampered.length);
        doc.owner.sendBytes(frame);
        const reply = await doc.owner.next((m) => m.type === "error" && m.id === id);
        // A flipped byte of the document id may name another (unknown) document.
        expect(["bad-signature", "bad-frame", "unknown-document"]).toContain(
          reply.type === "error" && reply.code,
        );
      }
      expect(await doc.stored()).toEqual([]);
      await expectStillServing(doc, 1);
      doc.owner.close();
    });

    it("refuses a subscription with a wrong access secret with forbidden", async () => {
      const doc = await openDocument();
      const reader = await connectRaw(relay().url, { deviceId: "fedcba9876543210" });
      const accessSecret = new Uint8Array(32).fill(7);
      reader.send({ type: "subscribe", id: 4, docId: doc.docId, afterSeq: 0, accessSecret });
      await expectError(reader, 4, "forbidden");
      reader.close();
      doc.owner.close();
    });

    it("closes a connection that sends an oversized frame (1009) and serves the others", async () => {
      const doc = await openDocument();
      const big = await connectRaw(relay().url, { deviceId: "aaaaaaaaaaaaaaaa" });
      // A frame of exactly the limit is still read (and answered: it is not a message).
      const atLimit = new Uint8Array(MAX_FRAME_BYTES).fill(200);
      atLimit[0] = PROTOCOL_VERSION;
      big.sendBytes(atLimit);
      await expectError(big, 0, "bad-frame");
      big.sendBytes(new Uint8Array(MAX_FRAME_BYTES + 1024));
      expect(await big.closed).toBe(1009);
      expect(await doc.stored()).toEqual([]);
      await expectStillServing(doc, 1);
      doc.owner.close();
    });
  });

  describe("envelopes", () => {
    it("answers a retried push with the original sequence number and stores it once", async () => {
      const doc = await openDocument();
      const sealed = doc.seal(1);
      doc.owner.send({ type: "push", id: 5, docId: doc.docId, envelope: sealed });
      doc.owner.send({ type: "push", id: 6, docId: doc.docId, envelope: sealed });
      expect(await doc.owner.next((m) => m.type === "ack" && m.id === 5)).toMatchObject({
        seq: 1,
        duplicate: false,
      });
      expect(await doc.owner.next((m) => m.type === "ack" && m.id === 6)).toMatchObject({
        seq: 1,
        duplicate: true,
      });
      expect(await doc.stored()).toEqual([1]);
      doc.owner.close();
    });

    it("sends a follower every later envelope once, in order, and catches it up from its cursor", async () => {
      const doc = await openDocument();
      for (const counter of [1, 2]) await doc.pushAcked(counter);
      const follower = await connectRaw(relay().url, { deviceId: "bbbbbbbbbbbbbbbb" });
      await subscribe(follower, doc.docId, doc.keys, 8, 1);
      expect(follower.received.flatMap((m) => (m.type === "envelope" ? [m.seq] : []))).toEqual([2]);
      follower.received.splice(0);
      for (const counter of [3, 4, 5]) {
        doc.owner.send({
          type: "push",
          id: counter,
          docId: doc.docId,
          envelope: doc.seal(counter),
        });
      }
      await doc.owner.next((m) => m.type === "ack" && m.id === 5);
      for (const seq of [3, 4, 5]) {
        expect(await follower.next((m) => m.type === "envelope")).toMatchObject({ seq });
      }
      // A round trip on the follower's socket: anything sent twice would be here by now.
      follower.send({ type: "push", id: 9, docId: doc.docId, envelope: doc.seal(9) });
      expect(await follower.next((m) => m.type === "ack" && m.id === 9)).toMatchObject({ seq: 6 });
      expect(follower.received.filter((m) => m.type === "envelope")).toEqual([]);
      follower.close();
      doc.owner.close();
    });

    it("relays an ephemeral envelope to a watching follower without storing it", async () => {
      const doc = await openDocument();
      const follower = await connectRaw(relay().url, { deviceId: "bbbbbbbbbbbbbbbb" });
      await subscribe(follower, doc.docId, doc.keys, 8);
      follower.send({ type: "watch", id: 9, docId: doc.docId, on: true });
      await follower.next((m) => m.type === "ack" && m.id === 9);
      const live = doc.seal(60, { kind: "ephemeral" });
      doc.owner.send({ type: "ephemeral", id: 10, docId: doc.docId, envelope: live });
      expect(await follower.next((m) => m.type === "ephemeral")).toMatchObject({
        docId: doc.docId,
        envelope: live,
      });
      expect(await doc.stored()).toEqual([]);
      follower.close();
      doc.owner.close();
    });

    it("prunes what a snapshot covers, and a new reader catches up from the snapshot", async () => {
      const doc = await openDocument();
      for (const counter of [1, 2]) await doc.pushAcked(counter);
      const snapshot = doc.seal(3, { kind: "snapshot", coversSeq: 2 });
      doc.owner.send({ type: "push", id: 3, docId: doc.docId, envelope: snapshot });
      expect(await doc.owner.next((m) => m.type === "ack" && m.id === 3)).toMatchObject({ seq: 3 });
      doc.owner.send({ type: "push", id: 4, docId: doc.docId, envelope: doc.seal(4) });
      await doc.owner.next((m) => m.type === "ack" && m.id === 4);
      await eventually(async () => (await doc.stored()).join() === "3,4", 10_000, "pruning");
      const reader = await connectRaw(relay().url, { deviceId: "cccccccccccccccc" });
      await subscribe(reader, doc.docId, doc.keys, 5);
      expect(reader.received.filter((m) => m.type === "envelope")).toMatchObject([
        { seq: 3, envelope: snapshot },
        { seq: 4 },
      ]);
      reader.close();
      doc.owner.close();
    });

    it(
      capabilities.watcherCounts
        ? "tells subscribers how many connections watch a document"
        : "acknowledges watch but sends no watcher counts (capability watcherCounts: false)",
      async () => {
        const doc = await openDocument();
        await subscribe(doc.owner, doc.docId, doc.keys, 20);
        const coach = await connectRaw(relay().url, { deviceId: "dddddddddddddddd" });
        await subscribe(coach, doc.docId, doc.keys, 21);
        coach.send({ type: "watch", id: 22, docId: doc.docId, on: true });
        await coach.next((m) => m.type === "ack" && m.id === 22);
        if (capabilities.watcherCounts) {
          expect(await doc.owner.next((m) => m.type === "watchers")).toMatchObject({ count: 1 });
        } else {
          // A round trip on the owner's socket: a count sent before it would be here by now.
          doc.owner.send({ type: "push", id: 23, docId: doc.docId, envelope: doc.seal(1) });
          await doc.owner.next((m) => m.type === "ack" && m.id === 23);
          expect(doc.owner.received.filter((m) => m.type === "watchers")).toEqual([]);
        }
        coach.close();
        doc.owner.close();
      },
    );
  });

  describe("operations", () => {
    it("counts frames, envelopes stored by kind, errors by code and connections in /metrics", async () => {
      const url = relay().url;
      const before = await metricsText(url);
      const doc = await openDocument();
      doc.owner.send({ type: "push", id: 3, docId: doc.docId, envelope: doc.seal(1) });
      await doc.owner.next((m) => m.type === "ack" && m.id === 3);
      doc.owner.sendBytes(new Uint8Array([PROTOCOL_VERSION, 200, 3]));
      await expectError(doc.owner, 0, "bad-frame");
      const grew = (text: string, name: string, labels?: Record<string, string>, by = 1) =>
        metricValue(text, name, labels) - metricValue(before, name, labels) >= by;
      await eventually(
        async () => {
          const after = await metricsText(url);
          return (
            grew(after, "ridevault_relay_envelopes_stored_total", { kind: "change" }) &&
            grew(after, "ridevault_relay_errors_total", { code: "bad-frame" }) &&
            grew(after, "ridevault_relay_frames_in_total", {}, 4) &&
            grew(after, "ridevault_relay_frames_out_total", {}, 4) &&
            metricValue(after, "ridevault_relay_connections") >= 1
          );
        },
        15_000,
        "the counts in /metrics",
      );
      doc.owner.close();
    });

    it("cuts off a device that stops reading (4008), counts it, and keeps serving the others", async () => {
      const small = await context.start({ maxBufferedBytes: 64 * 1024 });
      try {
        const doc = await openDocument(small.url);
        const slow = await connectRaw(small.url, { deviceId: "bbbbbbbbbbbbbbbb" });
        await subscribe(slow, doc.docId, doc.keys, 7);
        // Stop reading: the kernel's buffers fill, then the relay's for this socket.
        (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
        // Random bytes: envelopes deflate their content, and these must stay 60 KB on the wire.
        const payload = Array.from(createSeededRandom(3).bytes(60_000));
        for (let i = 1; i <= 300; i++) {
          const envelope = doc.seal(i, { kind: "change" }, payload);
          doc.owner.send({ type: "push", id: 1000 + i, docId: doc.docId, envelope });
        }
        await doc.owner.next((m) => m.type === "ack" && m.id === 1300, 60_000);
        await eventually(
          async () =>
            metricValue(await metricsText(small.url), "ridevault_relay_slow_consumers_total") === 1,
          15_000,
          "the slow consumer counted",
        );
        (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
        expect(await slow.closed).toBe(4008);
        await expectStillServing(doc, 301);
        doc.owner.close();
      } finally {
        await small.close();
      }
    }, 120_000);
  });
}
