/**
 * Helpers for the account tests: a relay process with account flags, an in-process relay
 * with accounts and an injectable clock, devices that sync through an account session, and
 * raw upgrades that report the HTTP status a refused handshake got.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AccountClient,
  type AccountSession,
  createDocumentKeys,
  type LibraryAccess,
  loadSodium,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  type Registered,
  registerAccount,
  startSync,
  TEST_KDF,
  unwrap,
} from "@ridevault/core";
import { WebSocket } from "ws";
import type { RelayAccountsOptions } from "../src/accounts/relay-accounts.js";
import { openSqliteAccountStore } from "../src/accounts/sqlite-account-store.js";
import type { AccountRateLimits } from "../src/http/account-routes.js";
import { startRelay } from "../src/start-relay.js";
import { MemoryRelayStore } from "../src/store/memory-relay-store.js";
import { type Device, openDevice } from "./devices.js";
import { type RawClient, rawClientOf } from "./raw-client.js";
import { type RelayProcess, startRelayProcess } from "./relay-process.js";

/** A relay process started with extra flags. */
export interface AccountsRelayProcess extends RelayProcess {
  /** `http://host:port`. */
  readonly origin: string;
}

/** Starts `ridevault-relay` on port 0 over `dataDir` with `args`, and waits until it serves. */
export async function startAccountsRelay(
  dataDir: string,
  args: readonly string[] = [],
): Promise<AccountsRelayProcess> {
  const relay = await startRelayProcess(dataDir, 0, args);
  return { ...relay, origin: relay.url.replace(/^ws/, "http").replace(/\/sync$/, "") };
}

/** Opens a vault (joining `join`) that syncs through `session`. */
export async function openAccountDevice(
  name: string,
  url: string,
  session: AccountSession,
  join?: LibraryAccess,
): Promise<Device> {
  return openDevice(name, url, join, session.webSocket(WebSocket as never));
}

/** An account client for the relay at `url` (`ws://…/sync` or `http://…`). */
export function clientFor(url: string): AccountClient {
  return new AccountClient({ baseUrl: url });
}

/**
 * Tries a WebSocket upgrade with `protocols` and `origin`; resolves with the HTTP status
 * of a refused handshake, or 101 and the open socket.
 */
export function tryUpgrade(
  url: string,
  options: { protocols?: string[]; origin?: string } = {},
): Promise<{ status: number; socket?: WebSocket }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, options.protocols ?? [], {
      ...(options.origin && { headers: { origin: options.origin } }),
    });
    socket.once("unexpected-response", (_request, response) => {
      resolve({ status: response.statusCode ?? 0 });
      socket.terminate();
    });
    socket.once("open", () => resolve({ status: 101, socket }));
    socket.once("error", () => resolve({ status: 0 }));
  });
}

/** An in-process relay with accounts on a SQLite account file, and a clock tests can move. */
export interface InProcessAccountsRelay {
  readonly url: string;
  readonly origin: string;
  readonly secret: Uint8Array;
  readonly accountFile: string;
  /** Milliseconds added to the accounts' clock. */
  shift: number;
  /** Stops the relay (closing the account file) but keeps its files. */
  stop(): Promise<void>;
  /** Stops the relay and removes its files. */
  close(): Promise<void>;
}

/** Starts a relay with accounts in this process (tiny KDF quoted for unknown emails). */
export async function startInProcessRelay(
  options: {
    requireAccount?: boolean;
    allowedOrigins?: readonly string[] | null;
    rateLimits?: AccountRateLimits;
    audience?: string;
    limits?: RelayAccountsOptions["limits"];
    sessionCheckMs?: number;
  } = {},
): Promise<InProcessAccountsRelay> {
  const dir = await mkdtemp(path.join(tmpdir(), "ridevault-accounts-"));
  const accountFile = path.join(dir, "accounts.sqlite");
  const secret = new Uint8Array(randomBytes(32));
  const state = { shift: 0 };
  let stopped = false;
  const running = await startRelay({
    store: new MemoryRelayStore(),
    ...(options.allowedOrigins !== undefined && { allowedOrigins: options.allowedOrigins }),
    accounts: {
      store: unwrap(openSqliteAccountStore(accountFile)),
      secret,
      requireAccount: options.requireAccount ?? true,
      audience: options.audience ?? "relay-under-test",
      defaultKdf: TEST_KDF,
      now: () => Date.now() + state.shift,
      ...(options.limits && { limits: options.limits }),
      ...(options.sessionCheckMs !== undefined && { sessionCheckMs: options.sessionCheckMs }),
      rateLimits: options.rateLimits ?? {
        register: { burst: 100, perMinute: 100 },
        challenge: { burst: 100, perMinute: 100 },
        login: { burst: 100, perMinute: 100 },
        refresh: { burst: 100, perMinute: 100 },
      },
    },
  });
  const relay: InProcessAccountsRelay = {
    url: running.url,
    origin: running.url.replace(/^ws/, "http").replace(/\/sync$/, ""),
    secret,
    accountFile,
    get shift() {
      return state.shift;
    },
    set shift(value: number) {
      state.shift = value;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await running.close();
    },
    async close() {
      await relay.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return relay;
}

/** A library access that stands in for a vault's (the relay never sees inside it). */
export async function someLibrary(): Promise<LibraryAccess> {
  const sodium = await loadSodium();
  return { libraryId: "2x8Lib7zWq3vK9ptRmNc", libraryKeys: createDocumentKeys(sodium) };
}

/** Registers `email` with `password` (tiny KDF): session, recovery code and keys. */
export async function registerRider(
  relay: { url: string },
  email: string,
  password = "pw",
): Promise<Registered> {
  return unwrap(
    await registerAccount({
      client: clientFor(relay.url),
      unsafeTestKdf: true,
      email,
      password,
      library: await someLibrary(),
    }),
  );
}

/**
 * A device whose new local vault registers an account for its library (tiny KDF, through
 * the relay at `url`), then syncs through that account.
 */
export async function registerVaultDevice(
  name: string,
  url: string,
  email: string,
  password = "pw",
): Promise<{ device: Device; session: AccountSession; recoveryCode: string }> {
  const vault = unwrap(
    await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() }),
  );
  const { session, recoveryCode } = unwrap(
    await registerAccount({
      client: clientFor(url),
      unsafeTestKdf: true,
      email,
      password,
      library: await vault.libraryAccess(),
    }),
  );
  const sync = await startSync(vault, {
    url,
    WebSocket: session.webSocket(WebSocket as never),
    backoff: { minMs: 20, maxMs: 300 },
  });
  return { device: { name, vault, sync, url }, session, recoveryCode };
}

/** A raw protocol connection that presents `token` in the upgrade. */
export type AuthedSocket = RawClient;

/** Opens a sync connection with `token` (or none) and says hello. */
export async function connectWithToken(url: string, token: string | null): Promise<AuthedSocket> {
  const protocols = ["ridevault.v1", ...(token ? [`ridevault.access-token.${token}`] : [])];
  const upgraded = await tryUpgrade(url, { protocols });
  const socket = upgraded.socket;
  if (!socket) throw new Error(`upgrade refused with ${upgraded.status}`);
  return rawClientOf(socket);
}

/** How many envelopes the relay at `origin` stored, of every kind, from its `/metrics`. */
export async function envelopesStored(relay: { readonly origin: string }): Promise<number> {
  const text = await (await fetch(`${relay.origin}/metrics`)).text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("ridevault_relay_envelopes_stored_total"))
      total += Number(line.split(" ").pop());
  }
  return total;
}
