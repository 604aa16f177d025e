/**
 * The sync engine against a scripted relay (a fake transport speaking the real protocol):
 * what it does when the relay refuses a registration or a push for a while.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { concatBytes } from "../bytes.js";
import { createDocumentKeys, type DocumentKeys } from "../crypto/document-keys.js";
import { loadSodium } from "../crypto/sodium.js";
import { createDeviceId } from "../ids.js";
import { createSeededRandom } from "../runtime.js";
import { MemoryStorageAdapter } from "../storage/storage-adapter.js";
import {
  type ClientMessage,
  decodeClientMessage,
  encodeRelayMessage,
  type RelayMessage,
} from "./protocol.js";
import { SyncEngine, type SyncOptions } from "./sync-engine.js";
import type { SyncedDocument, SyncSource } from "./sync-source.js";
import type { Transport } from "./transport.js";

const DOC_ID = "4vJ9kQ2mXbT7pLrN8sWd";

type Answer = (message: ClientMessage, relay: FakeRelay) => RelayMessage[] | undefined;

/** A relay scripted by `answer`; what it does not answer, it answers like a good relay. */
class FakeRelay {
  readonly received: ClientMessage[] = [];
  readonly registered = new Set<string>();
  connections = 0;
  #seq = 0;
  readonly #answer: Answer;

  constructor(answer: Answer) {
    this.#answer = answer;
  }

  readonly transport: Transport = (_url, events) => {
    this.connections++;
    queueMicrotask(() => events.open());
    return {
      send: (frame) => {
        const decoded = decodeClientMessage(frame);
        if (!decoded.ok) throw new Error(decoded.error.message);
        this.received.push(decoded.value);
        const replies = this.#answer(decoded.value, this) ?? this.#good(decoded.value);
        queueMicrotask(() => {
          for (const reply of replies) events.frame(encodeRelayMessage(reply));
        });
      },
      close: (code = 1000, reason = "") => events.closed(code, reason),
    };
  };

  count(type: ClientMessage["type"]): number {
    return this.received.filter((m) => m.type === type).length;
  }

  #good(message: ClientMessage): RelayMessage[] {
    const { id } = message;
    switch (message.type) {
      case "hello":
        return [{ type: "welcome", id, protocol: 3, serverTime: 0 }];
      case "register":
        this.registered.add(message.docId);
        return [{ type: "ack", id, docId: message.docId, seq: 0, duplicate: false }];
      case "subscribe":
        if (!this.registered.has(message.docId))
          return [refusal(id, "unknown-document", `document ${message.docId} is not registered`)];
        return [{ type: "caught-up", id, docId: message.docId, seq: this.#seq }];
      case "push":
        this.#seq++;
        return [{ type: "ack", id, docId: message.docId, seq: this.#seq, duplicate: false }];
      default:
        return [{ type: "ack", id, docId: message.docId, seq: 0, duplicate: false }];
    }
  }
}

function refusal(id: number, code: RelayErrorCode, message: string): RelayMessage {
  return { type: "error", id, code, message, docId: DOC_ID };
}
type RelayErrorCode = Extract<RelayMessage, { type: "error" }>["code"];

/** One writable document with one local change, as a vault would list it. */
function fakeSource(keys: DocumentKeys): SyncSource {
  const log = [new Uint8Array([1, 2, 3])];
  const doc: SyncedDocument = {
    docId: DOC_ID,
    keys: new Map([[0, keys]]),
    heads: () => [String(log.length)],
    changesSince: (heads) => concatBytes(log.slice(Number(heads[0] ?? 0))),
    save: () => concatBytes(log),
    onLocalChange: () => () => undefined,
  };
  return {
    deviceId: createDeviceId(createSeededRandom(7)),
    storage: new MemoryStorageAdapter(),
    documents: async () => [doc],
    persist: async () => undefined,
    merge: async () => ({ ok: true }),
    onDocumentsChanged: () => () => undefined,
  };
}

/** Lets every pending promise and queued frame run (timers stay put). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Moves the fake clock by `ms`, firing due timers, and settles. */
async function elapse(ms: number): Promise<void> {
  vi.advanceTimersByTime(ms);
  await settle();
}

let keys: DocumentKeys;
let engine: SyncEngine | undefined;

beforeAll(async () => {
  keys = createDocumentKeys(await loadSodium(), 0, createSeededRandom(3));
});
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
});
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
  vi.useRealTimers();
});

async function startEngine(
  relay: FakeRelay,
  options: Partial<SyncOptions> = {},
): Promise<SyncEngine> {
  engine = new SyncEngine({
    source: fakeSource(keys),
    url: "wss://relay.test/sync",
    transport: relay.transport,
    random: createSeededRandom(11),
    ...options,
  });
  await engine.start();
  await settle();
  return engine;
}

describe("a refused registration", () => {
  it("is retried after 1 s, then 2 s, instead of looping, and says so", async () => {
    let refusals = 2;
    const relay = new FakeRelay((message) => {
      if (message.type !== "register" || refusals === 0) return undefined;
      refusals--;
      return [refusal(message.id, "forbidden", "this relay needs an account to create documents")];
    });
    const sync = await startEngine(relay);
    expect(relay.count("register")).toBe(1);
    // The subscribe behind it fails as `unknown-document`; that must not register again.
    expect(relay.count("subscribe")).toBe(1);
    expect(sync.status.lastError?.code).toBe("forbidden");
    expect(sync.status.lastError?.message).toContain(`${DOC_ID} is registered again in 1 s`);
    await elapse(999);
    expect(relay.count("register")).toBe(1);
    await elapse(1);
    expect(relay.count("register")).toBe(2);
    expect(sync.status.lastError?.message).toContain("registered again in 2 s");
    await elapse(1999);
    expect(relay.count("register")).toBe(2);
    expect(relay.count("push")).toBe(0);
    await elapse(1);
    expect(relay.count("register")).toBe(3);
    expect(sync.status).toMatchObject({ state: "synced", pending: 0 });
    expect(relay.count("push")).toBe(1);
    expect(relay.connections).toBe(1);
  });

  it("doubles its wait up to the reconnect maximum", async () => {
    const relay = new FakeRelay((message) =>
      message.type === "register" || message.type === "subscribe"
        ? [refusal(message.id, "quota-exceeded", "this account has 10 documents, its limit")]
        : undefined,
    );
    const sync = await startEngine(relay, { backoff: { maxMs: 4000 } });
    // Registrations at 0, 1, 3, 7 and 11 s: waits of 1, 2, 4 and (capped) 4 s.
    const expected: [number, number][] = [
      [999, 1],
      [1, 2],
      [1999, 2],
      [1, 3],
      [3999, 3],
      [1, 4],
      [3999, 4],
      [1, 5],
    ];
    for (const [ms, registers] of expected) {
      await elapse(ms);
      expect(relay.count("register")).toBe(registers);
    }
    expect(sync.status.lastError?.code).toBe("quota-exceeded");
    expect(sync.status.state).toBe("syncing");
  });

  it("waits as long as the relay asks when that is longer", async () => {
    const relay = new FakeRelay((message, r) =>
      message.type === "register" && r.count("register") === 1
        ? [
            refusal(
              message.id,
              "rate-limited",
              "too many new documents from this account: retry in 5 s",
            ),
          ]
        : undefined,
    );
    const sync = await startEngine(relay);
    expect(sync.status.lastError?.message).toContain("registered again in 5 s");
    await elapse(4999);
    expect(relay.count("register")).toBe(1);
    await elapse(1);
    expect(relay.count("register")).toBe(2);
    expect(sync.status).toMatchObject({ state: "synced", pending: 0 });
  });
});

describe("a refused push", () => {
  it("is pushed again after the relay's 'retry in N s', on the same connection", async () => {
    const relay = new FakeRelay((message, r) =>
      message.type === "push" && r.count("push") === 1
        ? [refusal(message.id, "rate-limited", "too many pushes from this account: retry in 3 s")]
        : undefined,
    );
    const sync = await startEngine(relay);
    expect(relay.count("push")).toBe(1);
    expect(sync.status).toMatchObject({ state: "syncing", pending: 1 });
    expect(sync.status.lastError?.code).toBe("rate-limited");
    expect(sync.status.lastError?.message).toContain("retry in 3 s");
    await elapse(2999);
    expect(relay.count("push")).toBe(1);
    await elapse(1);
    expect(relay.count("push")).toBe(2);
    expect(sync.status).toMatchObject({ state: "synced", pending: 0 });
    expect(relay.connections).toBe(1);
  });

  it("without a number, is pushed again after the reconnect backoff", async () => {
    const relay = new FakeRelay((message, r) =>
      message.type === "push" && r.count("push") <= 2
        ? [refusal(message.id, "quota-exceeded", "this account stores 1.0 MiB, and its quota")]
        : undefined,
    );
    const sync = await startEngine(relay, { backoff: { minMs: 1000, maxMs: 8000 } });
    expect(relay.count("push")).toBe(1);
    expect(sync.status.lastError?.message).toMatch(/pushing \w+ again in [12] s/);
    // The first wait is 1 s with ±50 % jitter; the second doubles.
    await elapse(499);
    expect(relay.count("push")).toBe(1);
    await elapse(1001);
    expect(relay.count("push")).toBe(2);
    await elapse(3000);
    expect(relay.count("push")).toBe(3);
    expect(sync.status).toMatchObject({ state: "synced", pending: 0 });
    expect(relay.connections).toBe(1);
  });
});
