/**
 * Accounts across instances: two relay processes on one PostgreSQL database (a fresh one per
 * run) share accounts and the token secret kept in that database. Register through instance
 * 1, log in and refresh through instance 2; an access token from either is accepted by the
 * other, on HTTP and at the WebSocket upgrade; a rider's library reaches a device on the
 * other instance; signing a device out through one instance closes its connection on the
 * other at once: the account store NOTIFYs every instance (`ridevault_signout`) — shown with
 * the periodic session check set to ten minutes, so only the notification can close it.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AccountSession, logIn, TEST_KDF, unwrap } from "@ridevault/core";
import postgres from "postgres";
import { afterEach, describe, expect, it } from "vitest";
import { openPostgresAccountStore } from "../src/accounts/postgres-account-store.js";
import { type RunningRelay, startRelay } from "../src/start-relay.js";
import { MemoryRelayStore } from "../src/store/memory-relay-store.js";
import {
  type AccountsRelayProcess,
  clientFor,
  connectWithToken,
  openAccountDevice,
  registerRider,
  registerVaultDevice,
  startAccountsRelay,
  tryUpgrade,
} from "./accounts-helpers.js";
import { closeDevices, type Device, eventually, record, ride, snapshot } from "./devices.js";
import { useTestDatabase } from "./postgres-database.js";

const T0 = Date.UTC(2026, 8, 1, 7, 0, 0);
const testDatabase = useTestDatabase();
const relays: AccountsRelayProcess[] = [];
const devices: Device[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await closeDevices(devices.splice(0));
  for (const relay of relays.splice(0)) await relay.stop();
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

async function twoRelays(): Promise<[AccountsRelayProcess, AccountsRelayProcess]> {
  const start = async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-scale-accounts-"));
    dirs.push(dir);
    const args = ["--database-url", testDatabase().url, "--accounts", "required"];
    return startAccountsRelay(dir, [...args, "--login-rate", "60"]);
  };
  const started = await Promise.all([start(), start()]);
  relays.push(...started);
  return started;
}

describe("accounts on several relay instances sharing PostgreSQL", () => {
  it("registers on one, logs in and refreshes on the other, and tokens work on both", async () => {
    const [one, two] = await twoRelays();
    const email = "spread@example.org";
    const registered = await registerRider(one, email, "pw");
    const onTwo = clientFor(two.url);
    const login = unwrap(
      await logIn({ client: onTwo, unsafeTestKdf: true, email, password: "pw" }),
    );
    expect(login.session.accountId).toBe(registered.session.accountId);

    // The session made on instance 1 refreshes on instance 2.
    const resumed = unwrap(
      await AccountSession.resume({
        client: onTwo,
        accountId: registered.session.accountId,
        refreshToken: registered.session.refreshToken,
      }),
    );
    const tokenFromTwo = unwrap(await resumed.accessToken());
    const tokenFromOne = unwrap(await login.session.accessToken());
    expect(unwrap(await clientFor(one.url).me(tokenFromTwo)).email).toBe(email);
    expect(unwrap(await onTwo.me(tokenFromOne)).email).toBe(email);
    for (const [relay, token] of [
      [one, tokenFromTwo],
      [two, tokenFromOne],
    ] as const) {
      const upgrade = await tryUpgrade(relay.url, {
        protocols: ["ridevault.v1", `ridevault.access-token.${token}`],
      });
      expect(upgrade.status).toBe(101);
      upgrade.socket?.close();
    }
    // The used refresh token is used on every instance.
    const replay = await clientFor(one.url).refresh(registered.session.refreshToken);
    expect(replay.ok ? "" : replay.error.code).toBe("refresh-reused");

    // One shared secret, kept in the database; no secret file in either data directory.
    const sql = postgres(testDatabase().url, { max: 1, onnotice: () => undefined });
    const [secrets] = await sql`SELECT COUNT(*)::int AS n FROM relay_secrets`;
    await sql.end();
    expect(secrets?.n).toBe(1);
    for (const dir of dirs) expect(await fs.readdir(dir)).not.toContain("relay-secret");
  });

  it("syncs a rider's library to a device on the other instance", async () => {
    const [one, two] = await twoRelays();
    const email = "library@example.org";
    // Device A: a vault first, then an account for it (through instance 1), then sync.
    const registered = await registerVaultDevice("A", one.url, email);
    const a = registered.device;
    devices.push(a);
    const id = unwrap(await a.vault.workouts.create({ title: "Two instances", startTime: T0 })).id;
    await record(a, id, ride(T0, 120, 3));
    await a.sync.whenSynced(20_000);
    const login = unwrap(
      await logIn({ client: clientFor(two.url), unsafeTestKdf: true, email, password: "pw" }),
    );
    const b = await openAccountDevice("B", two.url, login.session, login.library);
    devices.push(b);
    const expected = await snapshot(a);
    await eventually(
      async () => {
        try {
          return JSON.stringify(await snapshot(b)) === JSON.stringify(expected);
        } catch {
          return false;
        }
      },
      20_000,
      "B (instance 2) has A's workout (instance 1)",
    );
  });

  it("signing out through one instance closes the device's connection on the other", async () => {
    const [one, two] = await twoRelays();
    const email = "signout@example.org";
    await registerRider(one, email, "pw");
    const login = async (relay: AccountsRelayProcess) =>
      unwrap(
        await logIn({ client: clientFor(relay.url), unsafeTestKdf: true, email, password: "pw" }),
      );
    const leaving = await login(two);
    const staying = await login(two);
    const leavingSocket = await connectWithToken(
      two.url,
      unwrap(await leaving.session.accessToken()),
    );
    const stayingSocket = await connectWithToken(
      two.url,
      unwrap(await staying.session.accessToken()),
    );
    let stayingClosed = false;
    void stayingSocket.closed.then(() => {
      stayingClosed = true;
    });
    // Sign the device out through instance 1.
    const token = unwrap(await leaving.session.accessToken());
    unwrap(await clientFor(one.url).logout(token));
    const began = Date.now();
    expect(await leavingSocket.closed).toBe(4001);
    const delay = Date.now() - began;
    expect(delay).toBeLessThan(7_000);
    expect(stayingClosed).toBe(false);
    // The signed-out token is refused by both instances from now on.
    for (const relay of [one, two]) {
      const upgrade = await tryUpgrade(relay.url, {
        protocols: ["ridevault.v1", `ridevault.access-token.${token}`],
      });
      expect(upgrade.status).toBe(401);
    }
    stayingSocket.close();
    process.stdout.write(`cross-instance sign-out closed the connection after ${delay} ms\n`);
  });

  it("closes the connection on the other instance by NOTIFY, long before any poll", async () => {
    const url = testDatabase().url;
    const roomy = { burst: 100, perMinute: 100 };
    const running: RunningRelay[] = [];
    const start = async () => {
      const store = unwrap(await openPostgresAccountStore({ url, poolSize: 2 }));
      const relay = await startRelay({
        store: new MemoryRelayStore(),
        host: "127.0.0.1",
        port: 0,
        accounts: {
          store,
          secret: store.secret,
          requireAccount: true,
          defaultKdf: TEST_KDF,
          // Ten minutes: the periodic check cannot be what closes the socket in this test.
          sessionCheckMs: 600_000,
          rateLimits: { register: roomy, challenge: roomy, login: roomy, refresh: roomy },
        },
      });
      running.push(relay);
      return relay;
    };
    try {
      const one = await start();
      const two = await start();
      const email = "notify@example.org";
      await registerRider(one, email, "pw");
      const login = async () =>
        unwrap(
          await logIn({ client: clientFor(two.url), unsafeTestKdf: true, email, password: "pw" }),
        );
      const leaving = await login();
      const staying = await login();
      const everywhere = await login();
      const socketOf = async (session: AccountSession) =>
        connectWithToken(two.url, unwrap(await session.accessToken()));
      const leavingSocket = await socketOf(leaving.session);
      const stayingSocket = await socketOf(staying.session);
      let stayingClosed = false;
      void stayingSocket.closed.then(() => {
        stayingClosed = true;
      });
      // This device signs out through instance 1: closed on instance 2, the other stays.
      unwrap(await clientFor(one.url).logout(unwrap(await leaving.session.accessToken())));
      expect(await leavingSocket.closed).toBe(4001);
      expect(stayingClosed).toBe(false);
      // "Everywhere but this device" (a password change does it) reaches instance 2 too.
      const everywhereSocket = await socketOf(everywhere.session);
      const token = unwrap(await everywhere.session.accessToken());
      unwrap(await clientFor(one.url).logout(token, true));
      expect(await stayingSocket.closed).toBe(4001);
      expect(await everywhereSocket.closed).toBe(4001);
    } finally {
      for (const relay of running) await relay.close();
    }
  });
});
