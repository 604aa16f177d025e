/**
 * The store test Worker: runs in workerd and exposes `DurableObjectRelayStore` over a small
 * RPC (`POST /rpc`, a batch of calls), so the acceptance suite in Node drives the real
 * Durable Object SQLite storage. The calls of one batch start in order without waiting for
 * each other, as the suite issues them; their outcomes come back in order. `POST
 * /accounts-rpc` does the same for `DurableObjectAccountStore` (one call at a time).
 */
import type { AccountsRpc } from "../src/workers/accounts-object.js";
import type { Namespace, RelayEnv } from "../src/workers/document-rpc.js";
import { DurableObjectAccountStore } from "../src/workers/durable-object-account-store.js";
import { DurableObjectRelayStore } from "../src/workers/durable-object-store.js";
import { decodeValue, encodeValue } from "./workers-codec.js";

export { AccountsObject } from "../src/workers/accounts-object.js";
export { DirectoryObject } from "../src/workers/directory-object.js";
export { DocumentObject } from "../src/workers/document-object.js";

/** One store call: which store (namespace), which instance of it, the method, its arguments. */
export interface StoreCall {
  readonly store: string;
  /** A closed instance stays closed; a reopened one is a new instance over the same data. */
  readonly instance: number;
  readonly method: string;
  readonly args: unknown[];
}

/** A call's outcome. */
export type CallReply =
  | { readonly value: unknown }
  | { readonly undefined: true }
  | { readonly error: { readonly code?: string; readonly message: string } };

/** Instances closed so far (a stub cannot outlive its request, so stores are per batch). */
const closed = new Set<number>();

function storeFor(env: RelayEnv, call: StoreCall): DurableObjectRelayStore {
  const store = new DurableObjectRelayStore({
    documents: env.DOCUMENTS,
    directory: env.DIRECTORY,
    namespace: `${call.store}/`,
  });
  if (closed.has(call.instance)) void store.close();
  if (call.method === "close") closed.add(call.instance);
  return store;
}

const METHODS = new Set([
  "registerDocument",
  "getDocument",
  "append",
  "read",
  "prune",
  "stats",
  "deleteDocument",
  "ownerStats",
  "deleteDocumentsOwnedBy",
  "claimDocument",
  "rotateDocument",
  "createGrant",
  "grantByCapability",
  "getGrant",
  "grantsForDocument",
  "grantsForRecipient",
  "deleteGrant",
  "touchGrant",
  "close",
]);

function invoke(store: DurableObjectRelayStore, call: StoreCall): Promise<unknown> {
  if (!METHODS.has(call.method)) return Promise.reject(new Error(`no method ${call.method}`));
  const method = Reflect.get(store, call.method) as (...args: unknown[]) => Promise<unknown>;
  return method.apply(store, call.args);
}

/** The test Worker's bindings: the store's, and the accounts object. */
interface TestEnv extends RelayEnv {
  readonly ACCOUNTS: Namespace<AccountsRpc>;
}

/** Runs one account-store call on the store named `call.store`. */
async function accountCall(env: TestEnv, call: StoreCall): Promise<CallReply> {
  const store = new DurableObjectAccountStore({
    accounts: env.ACCOUNTS,
    namespace: `${call.store}/`,
  });
  try {
    const method = Reflect.get(store, call.method) as unknown;
    if (typeof method !== "function" || call.method.startsWith("#"))
      throw new Error(`no method ${call.method}`);
    const value: unknown = await (method as (...args: unknown[]) => Promise<unknown>).apply(
      store,
      call.args,
    );
    return value === undefined ? { undefined: true } : { value };
  } catch (error) {
    return { error: { message: String((error as Error).message ?? error) } };
  }
}

export default {
  async fetch(request: Request, env: TestEnv): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/accounts-rpc") {
      const call = decodeValue(await request.text()) as StoreCall;
      return new Response(encodeValue(await accountCall(env, call)));
    }
    if (path !== "/rpc") return new Response("not found", { status: 404 });
    const calls = decodeValue(await request.text()) as StoreCall[];
    const batchStores = new Map<number, DurableObjectRelayStore>();
    const pending = calls.map((call) => {
      try {
        let store = batchStores.get(call.instance);
        if (!store || call.method === "close") {
          store = storeFor(env, call);
          batchStores.set(call.instance, store);
        }
        return invoke(store, call);
      } catch (error) {
        return Promise.reject(error);
      }
    });
    const settled = await Promise.allSettled(pending);
    const replies: CallReply[] = settled.map((outcome) =>
      outcome.status === "fulfilled"
        ? outcome.value === undefined
          ? { undefined: true }
          : { value: outcome.value }
        : {
            error: {
              ...(typeof outcome.reason?.code === "string" && { code: outcome.reason.code }),
              message: String(outcome.reason?.message ?? outcome.reason),
            },
          },
    );
    return new Response(encodeValue(replies));
  },
};
