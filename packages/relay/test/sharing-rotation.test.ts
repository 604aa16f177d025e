/**
 * Key rotation with several devices, through a real relay process on SQLite: a rider with
 * two devices shares every ride tagged "race" read-write by one link and read-only by
 * another. Device B goes offline and edits; meanwhile device A revokes the read-only link,
 * which rotates the keys of both rides. When B comes back, its changes — sealed with the old
 * keys, refused by the relay as `key-rotated` — are sealed again with the new keys from the
 * library and land: nothing is lost. The read-write holder sees everything without a new
 * link; the documents' generation moved to 1 on the relay.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  logIn,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  ShareClient,
  shareHolderWebSocket,
  startSync,
  unwrap,
} from "@ridevault/core";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  type AccountsRelayProcess,
  clientFor,
  openAccountDevice,
  registerVaultDevice,
  startAccountsRelay,
} from "./accounts-helpers.js";
import { closeDevices, type Device, eventually, goOffline, record, ride } from "./devices.js";

const T0 = Date.UTC(2026, 6, 4, 7, 0, 0);

let dir: string;
let relay: AccountsRelayProcess;
const devices: Device[] = [];

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-rotation-"));
  relay = await startAccountsRelay(dir, ["--accounts", "required", "--login-rate", "60"]);
});

afterAll(async () => {
  await closeDevices(devices);
  await relay?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe("revoking while another device of the owner is offline", () => {
  it("loses nothing: old-key changes are sealed again and accepted", async () => {
    const { device: a, session } = await registerVaultDevice("A", relay.url, "two@example.org");
    devices.push(a);
    const shares = new ShareClient({
      baseUrl: relay.origin,
      accessToken: async () => {
        const token = await session.accessToken();
        return token.ok ? token.value : null;
      },
    });
    const ids: string[] = [];
    for (const [i, title] of ["Crit", "Time trial"].entries()) {
      const workout = unwrap(
        await a.vault.workouts.create({ title, startTime: T0 + i * 86_400_000, tags: ["race"] }),
      );
      ids.push(workout.id);
      await record(a, workout.id, ride(T0 + i * 86_400_000, 120, i));
    }
    unwrap(await a.vault.workouts.create({ title: "Commute", startTime: T0 - 86_400_000 }));
    await a.sync.whenSynced();

    const signedIn = unwrap(
      await logIn({
        client: clientFor(relay.url),
        unsafeTestKdf: true,
        email: "two@example.org",
        password: "pw",
      }),
    );
    const b = await openAccountDevice("B", relay.url, signedIn.session, signedIn.library);
    devices.push(b);
    await eventually(() => ids.every((id) => b.vault.workouts.get(id)?.title), 20_000, "B synced");
    await eventually(
      async () =>
        (await Promise.all(ids.map((id) => b.vault.workouts.open(id)))).every((r) => r.ok),
      20_000,
      "B has both rides",
    );
    await b.sync.whenSynced();

    const rw = unwrap(
      await a.vault.shares.create(shares, { select: { tag: "race" }, mode: "write" }),
    );
    expect([...rw.workoutIds].sort()).toEqual([...ids].sort());
    const ro = unwrap(
      await a.vault.shares.create(shares, { select: { tag: "race" }, mode: "read" }),
    );

    const holderVault = unwrap(
      await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() }),
    );
    const holderSync = await startSync(holderVault, {
      url: relay.url,
      WebSocket: shareHolderWebSocket(WebSocket as never),
      backoff: { minMs: 20, maxMs: 300 },
    });
    const holder: Device = { name: "holder", vault: holderVault, sync: holderSync, url: relay.url };
    devices.push(holder);
    unwrap(
      await holderVault.sharedWithMe.open(
        new ShareClient({ baseUrl: relay.origin }),
        rw.link as string,
      ),
    );
    await eventually(
      () => ids.every((id) => holderVault.sharedWithMe.entry(id) !== undefined),
      20_000,
      "the holder has both rides",
    );

    // B goes offline and edits both rides; A revokes the read-only link meanwhile.
    await goOffline(b);
    for (const id of ids)
      unwrap(await b.vault.workouts.update(id, { notes: `offline note ${id}` }));
    unwrap(await a.vault.shares.revoke(shares, [ro.grantId]));
    const db = new Database(path.join(dir, "relay.sqlite"), { readonly: true });
    const generations = ids.map(
      (id) =>
        (
          db.prepare("SELECT generation FROM documents WHERE doc_id = ?").get(id) as {
            generation: number;
          }
        ).generation,
    );
    db.close();
    expect(generations).toEqual([1, 1]);

    // B comes back: its outbox was sealed with generation 0.
    b.sync = await startSync(b.vault, {
      url: relay.url,
      WebSocket: signedIn.session.webSocket(WebSocket as never),
      backoff: { minMs: 20, maxMs: 300 },
    });
    const notes = async (d: Device, id: string) =>
      (await d.vault.workouts.open(id)).ok
        ? unwrap(await d.vault.workouts.open(id)).metadata().notes
        : undefined;
    for (const id of ids) {
      await eventually(
        async () => (await notes(a, id)) === `offline note ${id}`,
        20_000,
        `A gets ${id}`,
      );
      await eventually(
        async () => (await notes(holder, id)) === `offline note ${id}`,
        20_000,
        `the holder gets ${id}`,
      );
    }
    await b.sync.whenSynced();
    expect(b.sync.status.pending).toBe(0);
  });
});
