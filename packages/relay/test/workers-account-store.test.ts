/**
 * The account-store acceptance suite against `DurableObjectAccountStore` inside workerd: a
 * test Worker (`workers-store-worker.ts`, `POST /accounts-rpc`) runs every call on the real
 * accounts Durable Object and its SQLite storage. Each store has its own namespace, so one
 * workerd serves all; `reopen` restarts workerd on the same persistence directory.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import type { AccountStore } from "../src/accounts/account-store.js";
import { runAccountStoreTests } from "../src/accounts/account-store-suite.js";
import { decodeValue, encodeValue } from "./workers-codec.js";
import { bundleWorker, startWorkerd, type Workerd } from "./workers-runtime.js";
import type { CallReply } from "./workers-store-worker.js";

const entry = fileURLToPath(new URL("./workers-store-worker.ts", import.meta.url));
let script = "";
let persistDir = "";
let workerd: Workerd | undefined;
let stores = 0;

beforeAll(async () => {
  script = await bundleWorker(entry);
  persistDir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-workers-accounts-"));
  workerd = await startWorkerd({ script, persistDir, sessions: false });
}, 30_000);

afterAll(async () => {
  await workerd?.dispose();
  if (persistDir) await fs.rm(persistDir, { recursive: true, force: true });
});

/** An `AccountStore` whose every call runs in the test Worker, on the store named `name`. */
function remoteAccountStore(name: string): AccountStore {
  let closed = false;
  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    if (closed) throw new Error("the account store is closed");
    if (!workerd) throw new Error("workerd is not running");
    const response = await workerd.miniflare.dispatchFetch("http://store.test/accounts-rpc", {
      method: "POST",
      body: encodeValue({ store: name, instance: 0, method, args }),
    });
    const reply = decodeValue(await response.text()) as CallReply;
    if ("error" in reply) throw new Error(reply.error.message);
    return "undefined" in reply ? undefined : reply.value;
  };
  return new Proxy({} as AccountStore, {
    get(_target, method) {
      if (method === "then" || method === "listenRevocations") return undefined;
      if (method === "close")
        return async () => {
          closed = true;
        };
      return (...args: unknown[]) => call(String(method), args);
    },
  });
}

runAccountStoreTests("durable objects (workerd)", {
  async create() {
    const name = `accounts-${++stores}`;
    return {
      store: remoteAccountStore(name),
      reopen: async () => {
        await workerd?.dispose();
        workerd = await startWorkerd({ script, persistDir, sessions: false });
        return remoteAccountStore(name);
      },
    };
  },
});
