/**
 * The relay-store acceptance suite against `DurableObjectRelayStore` inside workerd: a test
 * Worker exposes the store over a batched RPC and every call runs on real Durable Object
 * SQLite storage. A restart (`reopen`) disposes workerd and starts it again on the same
 * persistence directory. Each test's store has its own namespace, so one workerd serves all.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import {
  type AppendInput,
  type AppendResult,
  type DocumentRecord,
  type DocumentRegistration,
  type GrantRecord,
  type ReadInput,
  type ReadItem,
  type RelayStore,
  RelayStoreError,
  type RelayStoreErrorCode,
  type RotateInput,
  type StoreError,
  type StoreStats,
} from "../src/store/relay-store.js";
import { runRelayStoreTests } from "../src/store/relay-store-suite.js";
import { decodeValue, encodeValue } from "./workers-codec.js";
import { bundleWorker, startWorkerd, type Workerd } from "./workers-runtime.js";
import type { CallReply, StoreCall } from "./workers-store-worker.js";

const entry = fileURLToPath(new URL("./workers-store-worker.ts", import.meta.url));
let script = "";
let persistDir = "";
let workerd: Workerd | undefined;
let stores = 0;
let instances = 0;

beforeAll(async () => {
  script = await bundleWorker(entry);
  persistDir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-workers-store-"));
  workerd = await startWorkerd({ script, persistDir, sessions: false });
}, 30_000);

afterAll(async () => {
  await workerd?.dispose();
  if (persistDir) await fs.rm(persistDir, { recursive: true, force: true });
});

/** Disposes workerd and starts it again over the same storage: a restart. */
async function restart(): Promise<void> {
  await workerd?.dispose();
  workerd = await startWorkerd({ script, persistDir, sessions: false });
}

/**
 * A `RelayStore` whose calls run in the test Worker. Calls issued in one turn travel in
 * one batch; batches are sent one after another, so the Worker sees every call in order.
 */
class RemoteRelayStore implements RelayStore {
  readonly #name: string;
  readonly #instance = ++instances;
  #batch: { call: StoreCall; settle: (reply: CallReply) => void }[] = [];
  #sending: Promise<void> = Promise.resolve();

  constructor(name: string) {
    this.#name = name;
  }

  registerDocument(
    registration: DocumentRegistration,
  ): Promise<{ ok: true; value: "created" | "exists" } | { ok: false; error: StoreError }> {
    return this.#call("registerDocument", registration) as never;
  }
  getDocument(docId: string): Promise<DocumentRecord | undefined> {
    return this.#call("getDocument", docId) as never;
  }
  append(input: AppendInput): Promise<AppendResult> {
    return this.#call("append", input) as never;
  }
  read(input: ReadInput): Promise<ReadItem[]> {
    return this.#call("read", input) as never;
  }
  prune(docId: string): Promise<number> {
    return this.#call("prune", docId) as never;
  }
  stats(docId?: string): Promise<StoreStats> {
    return this.#call("stats", ...(docId === undefined ? [] : [docId])) as never;
  }
  deleteDocument(docId: string): Promise<boolean> {
    return this.#call("deleteDocument", docId) as never;
  }
  ownerStats(owner: string): Promise<StoreStats> {
    return this.#call("ownerStats", owner) as never;
  }
  deleteDocumentsOwnedBy(owner: string): Promise<number> {
    return this.#call("deleteDocumentsOwnedBy", owner) as never;
  }
  claimDocument(
    docId: string,
    owner: string,
  ): Promise<"claimed" | "already" | "taken" | "unknown"> {
    return this.#call("claimDocument", docId, owner) as never;
  }
  rotateDocument(input: RotateInput): Promise<"rotated" | "stale-generation" | "unknown"> {
    return this.#call("rotateDocument", input) as never;
  }
  createGrant(grant: GrantRecord): Promise<"created" | "exists" | "conflict"> {
    return this.#call("createGrant", grant) as never;
  }
  grantByCapability(capabilityHash: Uint8Array): Promise<GrantRecord | undefined> {
    return this.#call("grantByCapability", capabilityHash) as never;
  }
  getGrant(grantId: string): Promise<GrantRecord | undefined> {
    return this.#call("getGrant", grantId) as never;
  }
  grantsForDocument(docId: string): Promise<GrantRecord[]> {
    return this.#call("grantsForDocument", docId) as never;
  }
  grantsForRecipient(accountId: string): Promise<GrantRecord[]> {
    return this.#call("grantsForRecipient", accountId) as never;
  }
  deleteGrant(grantId: string): Promise<boolean> {
    return this.#call("deleteGrant", grantId) as never;
  }
  touchGrant(grantId: string, at: number): Promise<void> {
    return this.#call("touchGrant", grantId, at) as never;
  }
  async close(): Promise<void> {
    await this.#call("close");
  }

  #call(method: string, ...args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#batch.length === 0) queueMicrotask(() => this.#flush());
      this.#batch.push({
        call: { store: this.#name, instance: this.#instance, method, args },
        settle: (reply) => {
          if ("error" in reply) {
            const { code, message } = reply.error;
            reject(
              code ? new RelayStoreError(code as RelayStoreErrorCode, message) : new Error(message),
            );
          } else resolve("undefined" in reply ? undefined : reply.value);
        },
      });
    });
  }

  #flush(): void {
    const batch = this.#batch;
    this.#batch = [];
    this.#sending = this.#sending.then(async () => {
      if (!workerd) throw new Error("workerd is not running");
      const response = await workerd.miniflare.dispatchFetch("http://store.test/rpc", {
        method: "POST",
        body: encodeValue(batch.map((item) => item.call)),
      });
      const replies = decodeValue(await response.text()) as CallReply[];
      batch.forEach((item, i) => {
        item.settle(replies[i] ?? { error: { message: "the test Worker sent no reply" } });
      });
    });
  }
}

runRelayStoreTests(
  "durable objects (workerd)",
  {
    async create() {
      const name = `store-${++stores}`;
      return {
        store: new RemoteRelayStore(name),
        reopen: async () => {
          await restart();
          return new RemoteRelayStore(name);
        },
      };
    },
  },
  { grants: true },
);
