/**
 * A session kept across an app restart, against a real relay (in process, SQLite account
 * file): the device saves its session in the vault's storage (sealed under the vault key),
 * the app "restarts" — vault closed, session object dropped — and the restored session syncs
 * a new ride that another device then receives. Once the rider signs out everywhere — or a
 * thief replays the refresh token from before the restart — the saved session restores to
 * `signed-out` and is removed.
 */
import {
  type AccountClient,
  logIn,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  persistSession,
  registerAccount,
  restoreSession,
  SESSION_STORAGE_KEY,
  startSync,
  unwrap,
  type Vault,
} from "@ridevault/core";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  clientFor,
  type InProcessAccountsRelay,
  openAccountDevice,
  startInProcessRelay,
} from "./accounts-helpers.js";
import {
  closeDevices,
  type Device,
  eventually,
  record,
  ride,
  sameAs,
  snapshot,
} from "./devices.js";

const T0 = Date.UTC(2026, 7, 9, 6, 0, 0);
let relay: InProcessAccountsRelay | undefined;
const devices: Device[] = [];
afterEach(async () => {
  await closeDevices(devices.splice(0));
  await relay?.close();
  relay = undefined;
});

/** A vault on fresh storage whose new account `email` is registered, its session saved. */
async function registerAndSave(client: AccountClient, email: string) {
  const storage = new MemoryStorageAdapter();
  const open = async () =>
    unwrap(await openVault({ storage, crashLog: new MemoryCrashLog(), summaryDelayMs: 10 }));
  const vault = await open();
  const registered = unwrap(
    await registerAccount({
      client,
      unsafeTestKdf: true,
      email,
      password: "pw",
      library: await vault.libraryAccess(),
    }),
  );
  const { vaultKey } = registered;
  await persistSession({ storage, vaultKey, session: registered.session });
  return { storage, open, vault, registered, vaultKey };
}

describe("a saved session across restarts", () => {
  it("restores after a restart; a replayed old refresh token signs the saved session out", async () => {
    relay = await startInProcessRelay();
    const { url } = relay;
    const client = clientFor(url);

    // First run: register, save the session, record, sync.
    const firstRun = await registerAndSave(client, "restart@example.org");
    const { storage, open, registered, vaultKey } = firstRun;
    let vault: Vault = firstRun.vault;
    const saved = await storage.load([...SESSION_STORAGE_KEY]);
    expect(Buffer.from(saved ?? []).includes(Buffer.from(registered.session.refreshToken))).toBe(
      false,
    );
    const sync = await startSync(vault, {
      url,
      WebSocket: registered.session.webSocket(WebSocket as never),
    });
    const device = { name: "A", vault, sync, url };
    const first = unwrap(await vault.workouts.create({ title: "Before", startTime: T0 }));
    await record(device, first.id, ride(T0, 60, 1));
    await sync.whenSynced(20_000);
    await sync.stop();
    await vault.close();

    // The app restarts: no session object, only the storage and the vault key.
    vault = await open();
    const restored = unwrap(await restoreSession({ storage, vaultKey, client }));
    if (!restored) throw new Error("no saved session");
    expect(restored.accountId).toBe(registered.session.accountId);
    expect(restored.email).toBe("restart@example.org");
    // The restore used the saved token up: replaying it (a copy taken before the restart)
    // is refused and revokes the session, so the saved state restores no more.
    const replayed = await client.refresh(registered.session.refreshToken);
    expect(replayed.ok ? "" : replayed.error.code).toBe("refresh-reused");
    const restarted = await restoreSession({ storage, vaultKey, client });
    expect(restarted.ok ? "" : restarted.error.code).toBe("signed-out");
    expect(await storage.load([...SESSION_STORAGE_KEY])).toBeUndefined();
  });

  it("syncs through the restored session", async () => {
    relay = await startInProcessRelay();
    const { url } = relay;
    const client = clientFor(url);
    const firstRun = await registerAndSave(client, "synced@example.org");
    const { storage, open, vaultKey } = firstRun;
    await firstRun.vault.close();

    const vault = await open();
    const restored = unwrap(await restoreSession({ storage, vaultKey, client }));
    if (!restored) throw new Error("no saved session");
    await persistSession({ storage, vaultKey, session: restored });
    const sync = await startSync(vault, { url, WebSocket: restored.webSocket(WebSocket as never) });
    const a: Device = { name: "A", vault, sync, url };
    devices.push(a);
    const workout = unwrap(await vault.workouts.create({ title: "After restart", startTime: T0 }));
    await record(a, workout.id, ride(T0, 90, 2));
    await sync.whenSynced(20_000);

    const b = unwrap(
      await logIn({ client, unsafeTestKdf: true, email: "synced@example.org", password: "pw" }),
    );
    const deviceB = await openAccountDevice("B", url, b.session, b.library);
    devices.push(deviceB);
    const expected = await snapshot(a);
    await eventually(
      () => sameAs(deviceB, expected),
      20_000,
      "B has the ride recorded through the restored session",
    );

    // Signed out everywhere (from B): the saved session of A no longer restores.
    unwrap(await b.session.logout(true));
    await sync.stop();
    const after = await restoreSession({ storage, vaultKey, client });
    expect(after.ok ? "" : after.error.code).toBe("signed-out");
    expect(await storage.load([...SESSION_STORAGE_KEY])).toBeUndefined();
  });
});
