/**
 * Anonymous → account, through a real relay process with real SQLite files (`--accounts
 * optional`, a private relay): device A records rides without an account, device B syncs
 * them by capability alone; A attaches to a new account — its documents are claimed, nothing
 * is uploaded again (the relay's stored-envelope count does not move) — a fresh device C
 * logs in with the password and gets the same library and workouts, B keeps syncing, and
 * deleting the account removes the claimed documents. Claims with a bad signature, for an
 * unknown document or for another account's document are refused.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  attachAccount,
  claimProofMessage,
  deleteAccount,
  hashAccessSecret,
  loadSodium,
  logIn,
  startSync,
  unwrap,
} from "@ridevault/core";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  type AccountsRelayProcess,
  clientFor,
  connectWithToken,
  envelopesStored,
  openAccountDevice,
  registerRider,
  startAccountsRelay,
} from "./accounts-helpers.js";
import {
  closeDevices,
  type Device,
  eventually,
  openDevice,
  record,
  ride,
  sameAs,
  snapshot,
} from "./devices.js";

const T0 = Date.UTC(2026, 6, 4, 6, 0, 0);
const EMAIL = "anonymous-no-more@example.org";
const PASSWORD = "attach me 4412";

describe("attaching an anonymous vault to a new account", () => {
  let relay: AccountsRelayProcess | undefined;
  let dir: string | undefined;
  const devices: Device[] = [];
  afterAll(async () => {
    await closeDevices(devices);
    await relay?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it("claims the vault's documents: nothing lost, duplicated or uploaded again", async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-attach-"));
    relay = await startAccountsRelay(dir, ["--accounts", "optional", "--login-rate", "60"]);
    const { url } = relay;
    const client = clientFor(url);

    // A records without an account; B joins by invite and syncs by capability alone.
    const a = await openDevice("A", url);
    devices.push(a);
    for (const day of [0, 1]) {
      const start = T0 + day * 86_400_000;
      const id = unwrap(
        await a.vault.workouts.create({ title: `Ride ${day}`, startTime: start }),
      ).id;
      await record(a, id, ride(start, 120, day + 1));
    }
    await a.sync.whenSynced(20_000);
    const b = await openDevice("B", url, await a.vault.invite());
    devices.push(b);
    const before = await snapshot(a);
    await eventually(() => sameAs(b, before), 20_000, "B has A's rides");
    const docIds = (await a.vault.syncSource().documents()).map((doc) => doc.docId).sort();
    expect(docIds.length).toBe(3); // the library and two workouts
    expect(owners(dir, docIds)).toEqual(docIds.map(() => null));
    const storedBefore = await envelopesStored(relay);

    // A attaches to a new account and syncs through it from now on.
    const attached = unwrap(
      await attachAccount({
        client,
        unsafeTestKdf: true,
        vault: a.vault,
        email: EMAIL,
        password: PASSWORD,
      }),
    );
    expect(attached.claimError).toBeNull();
    expect([...attached.claims.entries()].sort()).toEqual(docIds.map((id) => [id, "claimed"]));
    const { accountId } = attached.session;
    expect(owners(dir, docIds)).toEqual(docIds.map(() => accountId));
    await a.sync.stop();
    a.sync = await startSync(a.vault, {
      url,
      WebSocket: attached.session.webSocket(WebSocket as never),
      backoff: { minMs: 20, maxMs: 300 },
    });
    await a.sync.whenSynced(20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await envelopesStored(relay)).toBe(storedBefore);
    // Claiming again changes nothing.
    const again = unwrap(
      await client.claimDocuments(unwrap(await attached.session.accessToken()), [
        { docId: docIds[0] as string, signature: await sign(a, docIds[0] as string, accountId) },
      ]),
    );
    expect(again).toEqual([{ docId: docIds[0], status: "already" }]);

    // A fresh device logs in with the password: the same library and workouts.
    const loggedIn = unwrap(
      await logIn({ client, unsafeTestKdf: true, email: EMAIL, password: PASSWORD }),
    );
    expect(loggedIn.library).toEqual(await a.vault.libraryAccess());
    expect(loggedIn.shareKeys).toEqual(attached.shareKeys);
    const c = await openAccountDevice("C", url, loggedIn.session, loggedIn.library);
    devices.push(c);
    await eventually(() => sameAs(c, before), 20_000, "C has A's rides");

    // B keeps syncing by capability: a ride A records now reaches B.
    const later = T0 + 2 * 86_400_000;
    const third = unwrap(
      await a.vault.workouts.create({ title: "After attach", startTime: later }),
    );
    await record(a, third.id, ride(later, 60, 3));
    await a.sync.whenSynced(20_000);
    const after = await snapshot(a);
    await eventually(() => sameAs(b, after), 20_000, "B has the ride recorded after attaching");
    await eventually(() => sameAs(c, after), 20_000, "C has it too");

    // Deleting the account deletes the claimed documents.
    await closeDevices(devices.splice(0));
    unwrap(
      await deleteAccount({
        client,
        unsafeTestKdf: true,
        session: attached.session,
        email: EMAIL,
        password: PASSWORD,
      }),
    );
    expect(owners(dir, [...docIds, third.id]).every((owner) => owner === undefined)).toBe(true);
  });

  it("refuses claims with a bad signature, for unknown documents and for another account's", async () => {
    if (!relay) throw new Error("the relay of the first test is gone");
    const { url } = relay;
    const client = clientFor(url);
    const sodium = await loadSodium();
    // A capability-only document, registered without an account.
    const writeKey = sodium.crypto_sign_keypair();
    const docId = "5RtYq8ZnW2kP7mVx3Hc9";
    const socket = await connectWithToken(url, null);
    socket.send({
      type: "register",
      id: 1,
      docId,
      writePublicKey: writeKey.publicKey,
      accessHash: hashAccessSecret(sodium, new Uint8Array(32).fill(1)),
    });
    expect(await socket.next((m) => "id" in m && m.id === 1)).toMatchObject({ type: "ack" });
    socket.close();

    const mallory = await registerRider(relay, "mallory@example.org");
    const rider = await registerRider(relay, "rider@example.org");
    const malloryToken = unwrap(await mallory.session.accessToken());
    const riderToken = unwrap(await rider.session.accessToken());
    const signFor = (accountId: string) =>
      sodium.crypto_sign_detached(claimProofMessage(docId, accountId), writeKey.privateKey);
    const claim = async (token: string, signature: Uint8Array, id = docId) =>
      unwrap(await client.claimDocuments(token, [{ docId: id, signature }]))[0]?.status;

    // Someone without the write key, or a signature made for another account: refused.
    expect(await claim(malloryToken, new Uint8Array(64).fill(7))).toBe("bad-signature");
    expect(await claim(malloryToken, signFor(rider.session.accountId))).toBe("bad-signature");
    expect(
      await claim(malloryToken, signFor(mallory.session.accountId), "9xFq2WnR7kLm3VbT8pYz"),
    ).toBe("unknown");
    // The writer claims it; afterwards it is taken for everyone else.
    expect(await claim(riderToken, signFor(rider.session.accountId))).toBe("claimed");
    expect(await claim(malloryToken, signFor(mallory.session.accountId))).toBe("taken");
    // A bad signature on another account's document reads like a missing document.
    expect(await claim(malloryToken, new Uint8Array(64).fill(7))).toBe("unknown");
    expect(owners(dir as string, [docId])).toEqual([rider.session.accountId]);

    // No token, a malformed body: refused before anything is looked at.
    const raw = (body: unknown, token?: string) =>
      fetch(`${relay?.origin}/v1/documents/claim`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token && { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(body),
      });
    expect((await raw({ documents: [] })).status).toBe(401);
    expect((await raw({ documents: [] }, riderToken)).status).toBe(400);
    expect(
      (await raw({ documents: [{ docId: "../x", signature: "AA" }] }, riderToken)).status,
    ).toBe(400);
  });
});

async function sign(device: Device, docId: string, accountId: string): Promise<Uint8Array> {
  const sodium = await loadSodium();
  const doc = (await device.vault.syncSource().documents()).find((d) => d.docId === docId);
  const keys = [...(doc?.keys.values() ?? [])].sort((x, y) => y.generation - x.generation)[0];
  if (!keys?.writeKey) throw new Error(`no write key for ${docId}`);
  return sodium.crypto_sign_detached(claimProofMessage(docId, accountId), keys.writeKey.secretKey);
}

/** Each document's owner in the relay's SQLite file (undefined: not there). */
function owners(dir: string, docIds: readonly string[]): (string | null | undefined)[] {
  const db = new Database(path.join(dir, "relay.sqlite"), { readonly: true });
  try {
    const query = db.prepare("SELECT owner FROM documents WHERE doc_id = ?");
    return docIds.map((id) => (query.get(id) as { owner: string | null } | undefined)?.owner);
  } finally {
    db.close();
  }
}
