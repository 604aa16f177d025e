/**
 * Deleting an account removes everything of it from the relay, through a real relay process:
 * its documents (registrations, envelopes, snapshots), key bundle, sessions and refresh
 * tokens, login challenges and pairing mailboxes. Afterwards the SQLite files are searched
 * byte by byte — and with PostgreSQL every table of the database, row by row — for the
 * account id, the email and every document id it owned (as text and as hex): none is left,
 * while another rider's account and documents are untouched.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type AccountSession, createPairing, deleteAccount, unwrap } from "@ridevault/core";
import Database from "better-sqlite3";
import postgres from "postgres";
import { afterEach, describe, expect, it } from "vitest";
import {
  type AccountsRelayProcess,
  clientFor,
  registerVaultDevice,
  startAccountsRelay,
} from "./accounts-helpers.js";
import { closeDevices, type Device, record, ride } from "./devices.js";
import { useTestDatabase } from "./postgres-database.js";

const T0 = Date.UTC(2026, 9, 3, 6, 0, 0);
const testDatabase = useTestDatabase();
let relay: AccountsRelayProcess | undefined;
let dir: string | undefined;
const devices: Device[] = [];

afterEach(async () => {
  await closeDevices(devices.splice(0));
  await relay?.stop();
  relay = undefined;
  if (dir) await fs.rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A rider with a vault syncing through an account, and two recorded workouts. */
async function rider(
  url: string,
  email: string,
): Promise<{ device: Device; accountId: string; session: AccountSession }> {
  const client = clientFor(url);
  const { device, session } = await registerVaultDevice(email, url, email);
  const { vault, sync } = device;
  const library = await vault.libraryAccess();
  devices.push(device);
  for (const day of [0, 1]) {
    const start = T0 + day * 86_400_000;
    const id = unwrap(await vault.workouts.create({ title: `Ride ${day}`, startTime: start })).id;
    await record(device, id, ride(start, 90, day + 1));
  }
  await sync.whenSynced(20_000);
  // Leave a pairing mailbox and a login challenge behind as well.
  unwrap(await createPairing({ client, session, library }));
  unwrap(await client.startLogin(email));
  return { device, accountId: session.accountId, session };
}

/** Deletes the rider's account with the password, then stops its device. */
async function deleteRider(
  url: string,
  { device, session }: { device: Device; session: AccountSession },
  email: string,
): Promise<void> {
  unwrap(
    await deleteAccount({
      client: clientFor(url),
      unsafeTestKdf: true,
      session,
      email,
      password: "pw",
    }),
  );
  await device.sync.stop();
}

const hex = (text: string) => Buffer.from(text).toString("hex");

describe("deleting an account removes everything of it from the relay", () => {
  it("SQLite: no byte of its id, email or documents stays in any file", async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-delete-"));
    relay = await startAccountsRelay(dir, ["--accounts", "required", "--login-rate", "60"]);
    const leavingEmail = "leaving-rider-8812@example.org";
    const leaving = await rider(relay.url, leavingEmail);
    const staying = await rider(relay.url, "staying-rider-3307@example.org");
    const owned = (accountId: string) => {
      const db = new Database(path.join(dir as string, "relay.sqlite"), { readonly: true });
      const rows = db
        .prepare("SELECT doc_id FROM documents WHERE owner = ?")
        .pluck()
        .all(accountId) as string[];
      db.close();
      return rows;
    };
    const leavingDocs = owned(leaving.accountId);
    const stayingDocs = owned(staying.accountId);
    expect(leavingDocs.length).toBe(3); // the library and two workouts
    expect(stayingDocs.length).toBe(3);

    await deleteRider(relay.url, leaving, leavingEmail);
    await relay.stop();
    relay = undefined;

    const files = await fs.readdir(dir);
    expect(files).toEqual(expect.arrayContaining(["relay.sqlite", "accounts.sqlite"]));
    const everything = Buffer.concat(
      await Promise.all(files.map((name) => fs.readFile(path.join(dir as string, name)))),
    );
    for (const needle of [leaving.accountId, leavingEmail, ...leavingDocs])
      expect(everything.includes(Buffer.from(needle)), `${needle} left in the files`).toBe(false);
    // The search does find what stays.
    for (const needle of [staying.accountId, ...stayingDocs])
      expect(everything.includes(Buffer.from(needle)), `${needle} kept`).toBe(true);
  });

  it("PostgreSQL: no row of any table mentions its id, email or documents", async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-delete-pg-"));
    const url = testDatabase().url;
    relay = await startAccountsRelay(dir, [
      "--database-url",
      url,
      "--accounts",
      "required",
      "--login-rate",
      "60",
    ]);
    const leavingEmail = "leaving-pg-5150@example.org";
    const leaving = await rider(relay.url, leavingEmail);
    const staying = await rider(relay.url, "staying-pg-6061@example.org");
    const sql = postgres(url, { max: 1, onnotice: () => undefined });
    try {
      const owned = async (accountId: string) =>
        (
          await sql<{ doc_id: string }[]>`SELECT doc_id FROM documents WHERE owner = ${accountId}`
        ).map((row) => row.doc_id);
      const leavingDocs = await owned(leaving.accountId);
      const stayingDocs = await owned(staying.accountId);
      expect(leavingDocs.length).toBe(3);

      await deleteRider(relay.url, leaving, leavingEmail);

      const tables = (
        await sql<{ name: string }[]>`
          SELECT table_name AS name FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`
      ).map((row) => row.name);
      expect(tables).toEqual(
        expect.arrayContaining([
          "accounts",
          "documents",
          "envelopes",
          "login_challenges",
          "pairing_mailboxes",
          "pruned_authors",
          "refresh_families",
          "refresh_tokens",
        ]),
      );
      let dump = "";
      for (const table of tables) {
        const [row] = await sql.unsafe<{ text: string | null }[]>(
          `SELECT string_agg(t::text, E'\\n') AS text FROM "${table}" t`,
        );
        dump += `${table}:\n${row?.text ?? ""}\n`;
      }
      for (const needle of [leaving.accountId, leavingEmail, ...leavingDocs]) {
        expect(dump.includes(needle), `${needle} left in the database`).toBe(false);
        expect(dump.includes(hex(needle)), `${needle} (hex) left in the database`).toBe(false);
      }
      for (const needle of [staying.accountId, ...stayingDocs])
        expect(dump.includes(needle), `${needle} kept`).toBe(true);
    } finally {
      await sql.end();
    }
  });
});
