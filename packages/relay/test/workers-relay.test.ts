/**
 * The Workers relay in workerd (miniflare, 127.0.0.1, Durable Objects persisted in a
 * temporary directory) with the same core sync engine the Node relay tests use — only the
 * URL differs: devices converge; what was acknowledged survives a restart of the runtime;
 * bad input gets the Node relay's error codes and stores nothing; ephemeral envelopes are
 * fanned out unstored and a snapshot prunes what it covers. `wrangler.toml` matches.
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
  MAX_FRAME_BYTES,
  type Sodium,
  unwrap,
} from "@ridevault/core";
import { encodeClientMessage, PROTOCOL_VERSION } from "@ridevault/core/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket as WsWebSocket } from "ws";
import { closeDevices, eventually, openDevice, record, ride, snapshot } from "./devices.js";
import { connectRaw, type RawClient } from "./raw-client.js";
import { registerRaw, sealTestEnvelope } from "./raw-documents.js";
import {
  bundleWorker,
  COMPATIBILITY_DATE,
  RELAY_DURABLE_OBJECTS,
  startWorkerd,
  type Workerd,
} from "./workers-runtime.js";

const entry = fileURLToPath(new URL("../src/workers/worker.ts", import.meta.url));
const T0 = Date.UTC(2026, 8, 1, 7, 0, 0);

let script = "";
let persistDir = "";
let workerd: Workerd;
let url = "";
let sodium: Sodium;

beforeAll(async () => {
  sodium = await loadSodium();
  script = await bundleWorker(entry);
  persistDir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-workers-relay-"));
  workerd = await startWorkerd({ script, persistDir });
  url = `ws://127.0.0.1:${workerd.url.port}/sync`;
}, 30_000);

afterAll(async () => {
  await workerd?.dispose();
  if (persistDir) await fs.rm(persistDir, { recursive: true, force: true });
});

describe("the Workers relay: HTTP", () => {
  it("answers /health, refuses /sync without an upgrade and unknown paths", async () => {
    const health = await fetch(new URL("/health", workerd.url));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    expect((await fetch(new URL("/sync", workerd.url))).status).toBe(426);
    expect((await fetch(new URL("/nowhere", workerd.url))).status).toBe(404);
  });

  it("refuses an origin outside ALLOWED_ORIGINS with 403 and accepts a listed one", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-workers-origin-"));
    const strict = await startWorkerd({
      script,
      persistDir: dir,
      bindings: { ALLOWED_ORIGINS: "https://app.example" },
    });
    try {
      const status = (origin: string) =>
        new Promise<number>((resolve, reject) => {
          const ws = new WsWebSocket(`ws://127.0.0.1:${strict.url.port}/sync`, { origin });
          ws.once("open", () => {
            ws.close();
            resolve(101);
          });
          ws.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
          ws.once("error", reject);
        });
      expect(await status("https://evil.example")).toBe(403);
      expect(await status("https://app.example")).toBe(101);
    } finally {
      await strict.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the Workers relay: wrangler.toml", () => {
  it("declares the bindings, SQLite classes and compatibility date the tests run with", async () => {
    const toml = await fs.readFile(new URL("../wrangler.toml", import.meta.url), "utf8");
    const bindings = [...toml.matchAll(/name = "(\w+)"\s*\nclass_name = "(\w+)"/g)].map((match) => [
      match[1],
      match[2],
    ]);
    expect(Object.fromEntries(bindings)).toEqual(RELAY_DURABLE_OBJECTS);
    const classes = toml.match(/new_sqlite_classes = \[(.*)\]/)?.[1] ?? "";
    expect(
      classes
        .split(",")
        .map((name) => name.trim().replaceAll('"', ""))
        .sort(),
    ).toEqual(Object.values(RELAY_DURABLE_OBJECTS).sort());
    expect(toml).toContain(`compatibility_date = "${COMPATIBILITY_DATE}"`);
    expect(toml).toContain('main = "src/workers/worker.ts"');
  });
});

describe("the Workers relay: sync", () => {
  it("lets two devices of a rider converge", async () => {
    const first = await openDevice("phone", url);
    const invite = await first.vault.invite();
    await first.sync.whenSynced(15_000);
    const second = await openDevice("laptop", url, invite);
    try {
      await second.sync.whenSynced(15_000);
      const a = unwrap(await first.vault.workouts.create({ title: "Morning", startTime: T0 }));
      await record(first, a.id, ride(T0, 90, 1));
      const b = unwrap(
        await second.vault.workouts.create({ title: "Evening", startTime: T0 + 9e6 }),
      );
      await record(second, b.id, ride(T0 + 9e6, 60, 2));
      await Promise.all([first.sync.whenSynced(15_000), second.sync.whenSynced(15_000)]);
      await eventually(
        async () =>
          [first, second].every((d) => d.vault.workouts.list().length === 2) &&
          JSON.stringify(await snapshot(first)) === JSON.stringify(await snapshot(second)),
        20_000,
        "convergence",
      );
      expect(
        first.vault.workouts
          .list()
          .map((w) => w.title)
          .sort(),
      ).toEqual(["Evening", "Morning"]);
    } finally {
      await closeDevices([first, second]);
    }
  });

  it("keeps acknowledged envelopes across a restart of the runtime", async () => {
    const writer = await openDevice("writer", url);
    const invite = await writer.vault.invite();
    const workout = unwrap(await writer.vault.workouts.create({ title: "Kept", startTime: T0 }));
    await record(writer, workout.id, ride(T0, 60, 3));
    await writer.sync.whenSynced(15_000);
    const before = await snapshot(writer);
    await closeDevices([writer]);

    const port = Number(workerd.url.port);
    await workerd.dispose();
    workerd = await startWorkerd({ script, persistDir, port });

    const reader = await openDevice("reader", url, invite);
    try {
      await reader.sync.whenSynced(15_000);
      await eventually(
        async () =>
          reader.vault.workouts.list().length === 1 &&
          (await reader.vault.workouts.open(workout.id)).ok &&
          JSON.stringify(await snapshot(reader)) === JSON.stringify(before),
        20_000,
        "the reader catching up after the restart",
      );
      expect(reader.vault.workouts.list().map((w) => w.title)).toEqual(["Kept"]);
    } finally {
      await closeDevices([reader]);
    }
  });
});

describe("the Workers relay: frames", () => {
  const DOC = "7vqUq6DKgorSexouEZeEpi";
  let keys: DocumentKeys;
  let owner: RawClient;

  beforeAll(async () => {
    keys = createDocumentKeys(sodium);
    owner = await connectRaw(url);
    await registerRaw(owner, sodium, DOC, keys);
  });

  afterAll(() => owner.close());

  function envelope(
    counter: number,
    withKeys = keys,
    kind: { kind: "change" | "ephemeral" } | { kind: "snapshot"; coversSeq: number } = {
      kind: "change",
    },
  ): Uint8Array {
    return sealTestEnvelope(sodium, {
      docId: DOC,
      keys: withKeys,
      counter,
      kind,
      plaintext: new Uint8Array([1, 2, 3]),
    });
  }

  async function expectError(client: RawClient, id: number, code: string): Promise<void> {
    const reply = await client.next((m) => m.type === "error" && m.id === id);
    expect(reply).toMatchObject({ type: "error", code });
  }

  /** What a new reader catching up from 0 is sent: the document's stored sequence numbers. */
  async function storedSeqs(): Promise<number[]> {
    const reader = await connectRaw(url, { deviceId: "fedcba9876543210" });
    reader.send({
      type: "subscribe",
      id: 7,
      docId: DOC,
      afterSeq: 0,
      accessSecret: deriveAccessSecret(sodium, keys.readKey),
    });
    await reader.next((m) => m.type === "caught-up" && m.id === 7);
    const seqs = reader.received.flatMap((m) => (m.type === "envelope" ? [m.seq] : []));
    reader.close();
    return seqs;
  }

  it("answers garbage bytes with bad-frame and unsupported-version, and keeps the connection", async () => {
    owner.sendBytes(new Uint8Array([PROTOCOL_VERSION, 200, 3, 4, 5]));
    await expectError(owner, 0, "bad-frame");
    owner.sendBytes(new Uint8Array([PROTOCOL_VERSION + 7, 9]));
    await expectError(owner, 0, "unsupported-version");
    expect(await storedSeqs()).toEqual([]);
  });

  it("refuses an envelope signed by another key and a tampered one with bad-signature", async () => {
    owner.send({
      type: "push",
      id: 3,
      docId: DOC,
      envelope: envelope(1, createDocumentKeys(sodium)),
    });
    await expectError(owner, 3, "bad-signature");
    const sealed = envelope(1);
    const frame = encodeClientMessage({ type: "push", id: 4, docId: DOC, envelope: sealed });
    frame[frame.length - 1] = (frame[frame.length - 1] as number) ^ 0x40;
    owner.sendBytes(frame);
    await expectError(owner, 4, "bad-signature");
    expect(await storedSeqs()).toEqual([]);
  });

  it("closes a connection that sends an oversized frame with 1009 and serves the others", async () => {
    const big = await connectRaw(url, { deviceId: "aaaaaaaaaaaaaaaa" });
    // A frame of exactly the limit is still read (and answered: it is not a message).
    const atLimit = new Uint8Array(MAX_FRAME_BYTES).fill(200);
    atLimit[0] = PROTOCOL_VERSION;
    big.sendBytes(atLimit);
    await expectError(big, 0, "bad-frame");
    big.sendBytes(new Uint8Array(MAX_FRAME_BYTES + 1024));
    expect(await big.closed).toBe(1009);
    expect(await storedSeqs()).toEqual([]);
    owner.send({ type: "push", id: 5, docId: DOC, envelope: envelope(50) });
    expect(await owner.next((m) => m.type === "ack" && m.id === 5)).toMatchObject({
      seq: 1,
      duplicate: false,
    });
    expect(await storedSeqs()).toEqual([1]);
  });

  it("fans an ephemeral envelope out without storing it, and prunes behind a snapshot", async () => {
    const follower = await connectRaw(url, { deviceId: "bbbbbbbbbbbbbbbb" });
    const accessSecret = deriveAccessSecret(sodium, keys.readKey);
    follower.send({ type: "subscribe", id: 8, docId: DOC, afterSeq: 1, accessSecret });
    await follower.next((m) => m.type === "caught-up" && m.id === 8);
    owner.send({
      type: "ephemeral",
      id: 9,
      docId: DOC,
      envelope: envelope(60, keys, { kind: "ephemeral" }),
    });
    expect(await follower.next((m) => m.type === "ephemeral")).toMatchObject({ docId: DOC });
    expect(await storedSeqs()).toEqual([1]);
    owner.send({ type: "push", id: 10, docId: DOC, envelope: envelope(51) });
    await owner.next((m) => m.type === "ack" && m.id === 10);
    const snapshotEnvelope = envelope(52, keys, { kind: "snapshot", coversSeq: 2 });
    owner.send({ type: "push", id: 11, docId: DOC, envelope: snapshotEnvelope });
    expect(await owner.next((m) => m.type === "ack" && m.id === 11)).toMatchObject({ seq: 3 });
    expect(await follower.next((m) => m.type === "envelope" && m.seq === 3)).toMatchObject({
      envelope: snapshotEnvelope,
    });
    await eventually(async () => (await storedSeqs()).join() === "3", 5_000, "pruning");
    follower.close();
  });
});
