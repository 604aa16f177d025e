/**
 * Sharing end to end (issue #5), through a real relay process on real SQLite, accounts
 * required (a public relay): an owner shares a ride read-only by link with a rider who has
 * no account — the rider reads it whole, cannot change it (core refuses, and the relay
 * refuses a forged push with `read-only`, storing nothing); a read-write link lets a second
 * rider edit, and both converge; an expired link stops working; revoking the read-only link
 * rotates the keys — the revoked rider can no longer fetch, cannot open what is written
 * afterwards even when handed the envelopes, while the read-write holder reads on without a
 * new link; sharing with a known rider's account works across two accounts.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type AccountSession,
  createDocumentKeys,
  createLivePublisher,
  createShareSecret,
  type DocumentKeys,
  deriveShareKeys,
  formatShareLink,
  loadSodium,
  MemoryCrashLog,
  MemoryStorageAdapter,
  openEnvelope,
  openVault,
  parseShareLink,
  registerAccount,
  ShareClient,
  shareHolderWebSocket,
  startSync,
  systemRandom,
  unwrap,
  watchLiveRide,
} from "@ridevault/core";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  type AccountsRelayProcess,
  clientFor,
  registerVaultDevice,
  startAccountsRelay,
} from "./accounts-helpers.js";
import { closeDevices, type Device, eventually, openDevice, record, ride } from "./devices.js";
import { rawClientOf } from "./raw-client.js";
import { sealTestEnvelope } from "./raw-documents.js";

const T0 = Date.UTC(2026, 5, 2, 6, 0, 0);

let dir: string;
let relay: AccountsRelayProcess;
let owner: Device;
let ownerShares: ShareClient;
let ownerSession: AccountSession;
let workoutId: string;
const devices: Device[] = [];

/** A device with a local vault and no account, syncing as a share holder. */
async function holderDevice(name: string): Promise<Device> {
  const webSocket = shareHolderWebSocket(WebSocket as never);
  const device = await openDevice(name, relay.url, undefined, webSocket);
  devices.push(device);
  return device;
}

const titleOn = (device: Device, id: string): string | undefined =>
  device.vault.sharedWithMe.entry(id)?.title ?? device.vault.workouts.get(id)?.title;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-sharing-"));
  relay = await startAccountsRelay(dir, ["--accounts", "required", "--login-rate", "60"]);
  const registered = await registerVaultDevice("owner", relay.url, "owner@example.org");
  owner = registered.device;
  devices.push(owner);
  const session = registered.session;
  ownerSession = session;
  ownerShares = new ShareClient({
    baseUrl: relay.origin,
    accessToken: async () => {
      const token = await session.accessToken();
      return token.ok ? token.value : null;
    },
  });
  const workout = unwrap(
    await owner.vault.workouts.create({ title: "Hill repeats", startTime: T0 }),
  );
  workoutId = workout.id;
  await record(owner, workoutId, ride(T0, 600, 7));
  await owner.sync.whenSynced();
});

afterAll(async () => {
  await closeDevices(devices);
  await relay?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe("sharing through a real relay", () => {
  let readLink: string;
  let readGrant: string;
  let reader: Device;
  let writer: Device;

  it("a read-only link lets a rider without an account read the whole ride", async () => {
    const share = unwrap(
      await owner.vault.shares.create(ownerShares, {
        workoutIds: [workoutId],
        mode: "read",
        baseUrl: `${relay.origin}/`,
      }),
    );
    expect(share.link).toMatch(/#share=rvshare1\./);
    readLink = share.link as string;
    readGrant = share.grantId;
    reader = await holderDevice("reader");
    const opened = unwrap(
      await reader.vault.sharedWithMe.open(new ShareClient({ baseUrl: relay.origin }), readLink),
    );
    expect(opened.mode).toBe("read");
    await eventually(() => titleOn(reader, workoutId) === "Hill repeats", 20_000, "shared ride");
    const mine = unwrap(await owner.vault.workouts.open(workoutId));
    const theirs = unwrap(await reader.vault.workouts.open(workoutId));
    await eventually(
      () => theirs.samples().columns.length === mine.samples().columns.length,
      20_000,
      "samples",
    );
    expect(theirs.samples().columns).toEqual(mine.samples().columns);
    expect(reader.vault.workouts.list()).toEqual([]); // listed apart, as shared with me
    expect(reader.vault.sharedWithMe.list()[0]?.workouts.map((w) => w.id)).toEqual([workoutId]);
  });

  it("the read-only holder cannot write: core refuses, the relay refuses a forged push", async () => {
    const edited = await reader.vault.workouts.update(workoutId, { title: "Mine now" });
    expect(edited.ok ? "" : edited.error.code).toBe("read-only");
    expect(titleOn(reader, workoutId)).toBe("Hill repeats");

    const sodium = await loadSodium();
    const db = new Database(path.join(dir, "relay.sqlite"), { readonly: true });
    const count = () =>
      (
        db.prepare("SELECT count(*) AS n FROM envelopes WHERE doc_id = ?").get(workoutId) as {
          n: number;
        }
      ).n;
    const before = count();
    const { capability } = deriveShareKeys(sodium, unwrap(parseShareLink(sodium, readLink)));
    const socket = new WebSocket(relay.url, ["ridevault.v1", "ridevault.share"]);
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const raw = await rawClientOf(socket);
    raw.send({ type: "subscribe", id: 5, docId: workoutId, afterSeq: 0, accessSecret: capability });
    await raw.next((m) => m.type === "caught-up" && m.id === 5);
    // The holder's keys have no write key; a key of its own signs nothing the relay takes.
    const held = [...reader.vault.sharedWithMe.list()][0];
    expect(held?.mode).toBe("read");
    const forged: DocumentKeys = createDocumentKeys(sodium);
    raw.send({
      type: "push",
      id: 6,
      docId: workoutId,
      envelope: sealTestEnvelope(sodium, {
        docId: workoutId,
        keys: forged,
        counter: 1,
        plaintext: new Uint8Array([1, 2, 3]),
      }),
    });
    const refusal = await raw.next((m) => m.type === "error" && m.id === 6);
    expect(refusal.type === "error" && refusal.code).toBe("read-only");
    raw.close();
    expect(count()).toBe(before);
    db.close();
  });

  it("the read-only holder watches the owner's ride live through the share", async () => {
    const publisher = createLivePublisher({ channel: owner.sync, docId: workoutId });
    const second = (i: number) => ({
      time: T0 + 3_600_000 + i * 1000,
      timerMs: i * 1000,
      lap: 1,
      state: "recording" as const,
      power: 200 + i,
    });
    // Nobody watches yet: nothing is sent.
    expect(unwrap(publisher.publish(second(0)))).toBe(false);
    const seen: number[] = [];
    const stop = watchLiveRide({
      channel: reader.sync,
      docId: workoutId,
      onSample: (sample) => seen.push(sample.power ?? -1),
      onError: (error) => {
        throw new Error(error.message);
      },
    });
    await eventually(() => publisher.watchers() === 1, 10_000, "the owner sees a watcher");
    for (let i = 1; i <= 5; i++) expect(unwrap(publisher.publish(second(i)))).toBe(true);
    await eventually(() => seen.length === 5, 10_000, "five live seconds");
    expect(seen).toEqual([201, 202, 203, 204, 205]);
    stop();
    await eventually(() => publisher.watchers() === 0, 10_000, "no watcher left");
    expect(unwrap(publisher.publish(second(6)))).toBe(false);
  });

  it("revokeAll revokes every share of a ride at once", async () => {
    const extra = unwrap(
      await owner.vault.workouts.create({ title: "Spare", startTime: T0 - 86_400_000 }),
    );
    await owner.sync.whenSynced();
    for (const mode of ["read", "write"] as const)
      unwrap(await owner.vault.shares.create(ownerShares, { workoutIds: [extra.id], mode }));
    expect(await owner.vault.shares.list({ workoutId: extra.id })).toHaveLength(2);
    unwrap(await owner.vault.shares.revokeAll(ownerShares, extra.id));
    expect(await owner.vault.shares.list({ workoutId: extra.id })).toEqual([]);
    // The ride's shares are gone from the relay too, and its keys moved on.
    expect(await owner.vault.shares.list({ workoutId: extra.id, client: ownerShares })).toEqual([]);
  });

  it("a read-write link lets a second rider edit; both converge", async () => {
    const share = unwrap(
      await owner.vault.shares.create(ownerShares, {
        workoutIds: [workoutId],
        mode: "write",
        baseUrl: `${relay.origin}/`,
      }),
    );
    writer = await holderDevice("writer");
    unwrap(
      await writer.vault.sharedWithMe.open(
        new ShareClient({ baseUrl: relay.origin }),
        share.link as string,
      ),
    );
    await eventually(() => titleOn(writer, workoutId) === "Hill repeats", 20_000, "rw share");
    unwrap(await writer.vault.workouts.update(workoutId, { notes: "legs heavy" }));
    unwrap(await owner.vault.workouts.update(workoutId, { tags: ["intervals"] }));
    const meta = async (d: Device) => unwrap(await d.vault.workouts.open(workoutId)).metadata();
    await eventually(
      async () => {
        const [a, b] = [await meta(owner), await meta(writer)];
        return a.notes === "legs heavy" && b.tags.includes("intervals");
      },
      20_000,
      "both edits on both devices",
    );
    expect(await meta(owner)).toEqual(await meta(writer));
  });

  it("an expired link stops working, with a clear reason", async () => {
    const share = unwrap(
      await owner.vault.shares.create(ownerShares, {
        workoutIds: [workoutId],
        mode: "read",
        expiresAt: Date.now() + 1500,
      }),
    );
    const early = await holderDevice("early");
    unwrap(
      await early.vault.sharedWithMe.open(
        new ShareClient({ baseUrl: relay.origin }),
        share.link as string,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 1700));
    const late = await holderDevice("late");
    const refused = await late.vault.sharedWithMe.open(
      new ShareClient({ baseUrl: relay.origin }),
      share.link as string,
    );
    expect(refused.ok ? "" : refused.error.code).toBe("share-expired");
    expect(refused.ok ? "" : refused.error.message).toMatch(/expired at .*new link/);
  });

  it("revoking rotates the keys: the revoked rider is cut off, the others read on", async () => {
    const sodium = await loadSodium();
    const shares = await owner.vault.shares.list({ workoutId, client: ownerShares });
    const readShare = shares.find((s) => s.grantId === readGrant);
    expect(readShare?.lastUsedAt).not.toBeNull();
    const readerKeys = (await reader.vault.sharedWithMe.documents())[0]?.keys;
    expect(readerKeys?.size).toBe(1);
    const db = new Database(path.join(dir, "relay.sqlite"), { readonly: true });
    const lastSeq = () =>
      (
        db.prepare("SELECT last_seq AS s FROM documents WHERE doc_id = ?").get(workoutId) as {
          s: number;
        }
      ).s;
    const before = lastSeq();

    unwrap(await owner.vault.shares.revoke(ownerShares, [readShare?.grantId as string]));
    expect(
      (await owner.vault.shares.list({ workoutId })).some((s) => s.grantId === readGrant),
    ).toBe(false);
    unwrap(await owner.vault.workouts.update(workoutId, { title: "After the revocation" }));
    await owner.sync.whenSynced();
    // The read-write holder gets the new keys from its refreshed keyring, without a new link.
    await eventually(
      () => titleOn(writer, workoutId) === "After the revocation",
      20_000,
      "the remaining holder reads on",
    );
    // The revoked link no longer opens anything…
    const again = await (await holderDevice("again")).vault.sharedWithMe.open(
      new ShareClient({ baseUrl: relay.origin }),
      readLink,
    );
    expect(again.ok ? "" : again.error.code).toBe("not-found");
    // …the revoked device notices the share ended and never sees the new title…
    await eventually(
      () => reader.vault.sharedWithMe.list()[0]?.ended !== null,
      20_000,
      "the reader's share marked ended",
    );
    expect(titleOn(reader, workoutId)).toBe("Hill repeats");
    // …and the envelopes written since, handed over, do not open with its keys (while the
    // remaining holder's keys open every one of them).
    const after = db
      .prepare("SELECT envelope FROM envelopes WHERE doc_id = ? AND seq > ?")
      .all(workoutId, before) as { envelope: Buffer }[];
    db.close();
    expect(after.length).toBeGreaterThan(0);
    const writerKeys = (await writer.vault.sharedWithMe.documents())[0]?.keys;
    for (const { envelope } of after) {
      const bytes = new Uint8Array(envelope);
      const revoked = openEnvelope(sodium, bytes, readerKeys as Map<number, DocumentKeys>);
      expect(revoked.ok ? "opened" : revoked.error.code).toBe("unknown-generation");
      expect(openEnvelope(sodium, bytes, writerKeys as Map<number, DocumentKeys>).ok).toBe(true);
    }
  });

  it("shares with a known rider's account: it shows up as shared with them, with its owner", async () => {
    const client = clientFor(relay.url);
    const vault = unwrap(
      await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() }),
    );
    const coach = unwrap(
      await registerAccount({
        client,
        unsafeTestKdf: true,
        email: "coach@example.org",
        password: "pw",
        library: await vault.libraryAccess(),
      }),
    );
    const token = async () => {
      const t = await coach.session.accessToken();
      return t.ok ? t.value : null;
    };
    const coachShares = new ShareClient({ baseUrl: relay.origin, accessToken: token });
    const sync = await startSync(vault, {
      url: relay.url,
      WebSocket: coach.session.webSocket(WebSocket as never),
      shareClient: coachShares,
      backoff: { minMs: 20, maxMs: 300 },
    });
    const coachDevice = { name: "coach", vault, sync, url: relay.url };
    devices.push(coachDevice);

    const ownerToken = unwrap(await ownerSession.accessToken());
    const found = unwrap(await client.lookupAccount(ownerToken, "coach@example.org"));
    const share = unwrap(
      await owner.vault.shares.create(ownerShares, {
        workoutIds: [workoutId],
        mode: "read",
        recipient: found,
      }),
    );
    expect(share.link).toBeNull();
    expect(share.recipient?.email).toBe("coach@example.org");
    // Another rider cannot take it: the grant is bound to the coach's account.
    const accepted = unwrap(
      await vault.sharedWithMe.acceptIncoming(coachShares, coach.shareKeys, async (id) => {
        const profile = await client.accountProfile(unwrap(await coach.session.accessToken()), id);
        return profile.ok ? profile.value.email : null;
      }),
    );
    expect(accepted).toHaveLength(1);
    expect(accepted[0]?.owner?.email).toBe("owner@example.org");
    expect(accepted[0]?.mode).toBe("read");
    await eventually(
      () => titleOn(coachDevice, workoutId) === owner.vault.workouts.get(workoutId)?.title,
      20_000,
      "the shared ride on the coach's device",
    );
    // Accepting again adds nothing twice.
    expect(unwrap(await vault.sharedWithMe.acceptIncoming(coachShares, coach.shareKeys))).toEqual(
      [],
    );
  });

  it("bad links give a clear error and change nothing", async () => {
    const device = await holderDevice("bad-links");
    const client = new ShareClient({ baseUrl: relay.origin });
    for (const bad of [readLink.slice(0, -4), `${readLink}x`, "rvshare1.", "https://x/#share=zz"]) {
      const opened = await device.vault.sharedWithMe.open(client, bad);
      expect(opened.ok ? "opened" : opened.error.code, bad).toBe("share-link-invalid");
    }
    // Well-formed, but no such share on this relay.
    const sodium = await loadSodium();
    const stranger = formatShareLink(sodium, createShareSecret(systemRandom));
    const missing = await device.vault.sharedWithMe.open(client, stranger);
    expect(missing.ok ? "opened" : missing.error.code).toBe("not-found");
    expect(device.vault.sharedWithMe.list()).toEqual([]);
  });
});
