/**
 * The SQLite relay store on real files in a temporary directory: the acceptance suite, then
 * what only a database file has — durability settings, group commit, timed checkpoints,
 * migrations (also of an older file), no bytes left of a deleted account's grants, and clear
 * errors for files it cannot use.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { unwrap } from "@ridevault/core";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { AppendResult } from "./relay-store.js";
import { runRelayStoreTests } from "./relay-store-suite.js";
import {
  author,
  change,
  grant,
  readAll,
  registerAll,
  registration,
  rotation,
  seqs,
  value,
} from "./relay-store-suite-helpers.js";
import {
  openSqliteRelayStore,
  type SqliteRelayStore,
  type SqliteRelayStoreOptions,
} from "./sqlite-relay-store.js";
import { APPLICATION_ID, configureConnection, migrate, SCHEMA_VERSION } from "./sqlite-schema.js";

async function temporaryDirectory(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), "ridevault-relay-store-"));
}

runRelayStoreTests("sqlite", {
  async create() {
    const directory = await temporaryDirectory();
    const file = path.join(directory, "relay.db");
    const open = async () => unwrap(await openSqliteRelayStore({ path: file }));
    return {
      store: await open(),
      reopen: open,
      teardown: () => fs.rm(directory, { recursive: true, force: true }),
    };
  },
});

describe("sqlite relay store: the database file", () => {
  let directory = "";
  const opened: SqliteRelayStore[] = [];
  const open = async (options: Partial<SqliteRelayStoreOptions> = {}) => {
    directory ||= await temporaryDirectory();
    const store = unwrap(
      await openSqliteRelayStore({ path: path.join(directory, "relay.db"), ...options }),
    );
    opened.push(store);
    return store;
  };

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    if (directory) await fs.rm(directory, { recursive: true, force: true });
    directory = "";
  });

  it("uses WAL with synchronous=FULL, no automatic checkpoints, and the current schema", async () => {
    const store = await open();
    expect(store.settings()).toEqual({
      journalMode: "wal",
      synchronous: 2,
      walAutocheckpoint: 0,
      schemaVersion: SCHEMA_VERSION,
    });
    // WAL mode, the schema version and the application id are in the file itself.
    const db = new Database(path.join(directory, "relay.db"), { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma("application_id", { simple: true })).toBe(APPLICATION_ID);
    db.close();
  });

  it("has every acknowledged envelope in the file, seen from a new connection, without a clean close", async () => {
    const store = await open({ checkpointIntervalMs: 3_600_000 });
    await registerAll(store, "a", "b", "c");
    const acked: { docId: string; seq: number }[] = [];
    for (let wave = 0; wave < 4; wave++) {
      await Promise.all(
        ["a", "b", "c"].flatMap((docId) =>
          [0, 1].map(async (a) => {
            const { seq } = await store.append(change(docId, author(a), wave + 1));
            acked.push({ docId, seq });
          }),
        ),
      );
    }
    expect(store.counters.checkpoints).toBe(0);
    // A second store on the same file, while the first is still open and never checkpointed.
    const other = await open();
    for (const docId of ["a", "b", "c"]) {
      const stored = seqs(await readAll(other, docId));
      expect(stored).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      for (const ack of acked.filter((x) => x.docId === docId)) expect(stored).toContain(ack.seq);
    }
  });

  it("commits the appends of one event-loop turn in one transaction", async () => {
    const store = await open();
    await registerAll(store, "a", "b");
    const before = store.counters;
    const turn = Array.from({ length: 300 }, (_, i) =>
      store.append(change(i % 2 ? "a" : "b", author(i % 3), Math.floor(i / 2))),
    );
    const results = await Promise.all(turn);
    expect(store.counters.transactions - before.transactions).toBe(1);
    expect(store.counters.appends - before.appends).toBe(300);
    expect(new Set(results.map((r: AppendResult) => r.seq)).size).toBe(150);
    // Appends awaited one at a time each get their own commit.
    await store.append(change("a", author(0), 1000));
    await store.append(change("a", author(0), 1001));
    expect(store.counters.transactions - before.transactions).toBe(3);
  });

  it("without group commit, gives every append its own transaction", async () => {
    const store = await open({ groupCommit: false });
    await registerAll(store, "a");
    const results = await Promise.all(
      [1, 2, 3, 2].map((c) => store.append(change("a", author(0), c))),
    );
    expect(results.map((r) => [r.seq, r.duplicate])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [2, true],
    ]);
    expect(store.counters.transactions).toBe(4);
  });

  it("checkpoints on its timer, and only after writes", async () => {
    const store = await open({ checkpointIntervalMs: 20 });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const until = async (checkpoints: number) => {
      for (let waited = 0; store.counters.checkpoints < checkpoints; waited += 10) {
        if (waited > 5000) throw new Error(`no checkpoint ${checkpoints} within 5 s`);
        await sleep(10);
      }
    };
    await sleep(60);
    expect(store.counters.checkpoints).toBe(0);
    await registerAll(store, "a");
    await until(1);
    await sleep(60);
    expect(store.counters.checkpoints).toBe(1);
    await store.append(change("a", author(0), 1));
    await until(2);
    expect(store.counters.checkpointErrors).toBe(0);
  });

  it("migrates once: reopening keeps the data and the schema version", async () => {
    const first = await open();
    await registerAll(first, "a");
    await first.append(change("a", author(0), 1));
    await first.close();
    const second = await open();
    expect(second.settings().schemaVersion).toBe(SCHEMA_VERSION);
    expect(seqs(await readAll(second, "a"))).toEqual([1]);
  });

  it("upgrades a file of schema version 2: its documents are at generation 0 and take grants", async () => {
    directory = await temporaryDirectory();
    const db = new Database(path.join(directory, "relay.db"));
    configureConnection(db);
    migrate(db, 2);
    db.prepare(
      `INSERT INTO documents (doc_id, write_public_key, access_hash, owner, created_at)
       VALUES (?, ?, ?, NULL, 5)`,
    ).run("old", Buffer.alloc(32, 1), Buffer.alloc(32, 0xaa));
    db.close();
    const store = await open();
    expect(SCHEMA_VERSION).toBe(3);
    expect(store.settings().schemaVersion).toBe(SCHEMA_VERSION);
    expect(await store.getDocument("old")).toMatchObject({ generation: 0, owner: null });
    expect(await store.rotateDocument(rotation("old", 1))).toBe("rotated");
    expect(await store.createGrant(grant(1, ["old"]))).toBe("created");
    expect(await store.claimDocument("old", "alice")).toBe("claimed");
    expect((await store.getDocument("old"))?.generation).toBe(1);
  });

  it("leaves no byte of a deleted owner's grants or documents in the file", async () => {
    const store = await open();
    const leaving = "leaving-account-4711";
    const leavingDoc = "leaving-doc-0815";
    const staying = "staying-account-1234";
    value(await store.registerDocument({ ...registration(leavingDoc), owner: leaving }));
    value(await store.registerDocument({ ...registration("staying-doc"), owner: staying }));
    for (const [n, docIds, createdBy, recipient] of [
      [1, [leavingDoc], leaving, null],
      [2, ["staying-doc"], leaving, staying],
      [3, ["staying-doc"], staying, leaving],
      [4, ["staying-doc", leavingDoc], staying, "another-rider-99"],
    ] as const) {
      expect(await store.createGrant(grant(n, docIds, { createdBy, recipient }))).toBe("created");
    }
    expect(await store.deleteDocumentsOwnedBy(leaving)).toBe(1);
    await store.close();
    const files = await fs.readdir(directory);
    const bytes = Buffer.concat(
      await Promise.all(files.map((name) => fs.readFile(path.join(directory, name)))),
    );
    for (const gone of [leaving, leavingDoc]) {
      expect(bytes.includes(Buffer.from(gone)), `${gone} left in the file`).toBe(false);
    }
    for (const kept of [staying, "another-rider-99"]) {
      expect(bytes.includes(Buffer.from(kept)), `${kept} kept`).toBe(true);
    }
  });

  it("refuses a file written by a newer relay, naming the path and the reason", async () => {
    directory = await temporaryDirectory();
    const file = path.join(directory, "relay.db");
    await unwrap(await openSqliteRelayStore({ path: file })).close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const result = await openSqliteRelayStore({ path: file });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatchObject({ code: "open-failed", path: file });
      expect(result.error.message).toContain(file);
      expect(result.error.message).toContain(`schema version is ${SCHEMA_VERSION + 1}`);
    }
  });

  it("fails clearly for a missing directory, a file that is not a database, or another application's database", async () => {
    directory = await temporaryDirectory();
    const missing = path.join(directory, "no-such-dir", "relay.db");
    const garbage = path.join(directory, "notes.txt");
    await fs.writeFile(garbage, "not a database, just some text that is long enough ".repeat(40));
    const foreign = path.join(directory, "foreign.db");
    const db = new Database(foreign);
    db.pragma("application_id = 42");
    db.exec("CREATE TABLE t (x)");
    db.close();
    const expectations: [string, RegExp][] = [
      [missing, /directory does not exist/],
      [garbage, /not a database/],
      [foreign, /not a ridevault relay store/],
    ];
    for (const [file, reason] of expectations) {
      const result = await openSqliteRelayStore({ path: file });
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error.code).toBe("open-failed");
      expect(result.error.message).toContain(`cannot open the relay store at ${file}`);
      expect(result.error.message).toMatch(reason);
    }
    // Refusing left the foreign file alone.
    const check = new Database(foreign, { readonly: true });
    expect(check.pragma("application_id", { simple: true })).toBe(42);
    check.close();
  });
});
