/**
 * The PostgreSQL relay store on a real server, in a fresh database per file (see
 * test/postgres-database.ts): the acceptance suite, then what only a shared database has —
 * migrations racing from several instances (and upgrading an older schema), appends racing
 * from several instances, group commit, rotations, claims and grants seen at once by every
 * instance, commit hints and the change feed across a broken listener connection.
 */
import { unwrap } from "@ridevault/core";
import postgres from "postgres";
import { afterEach, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  terminateBackends,
  useTestDatabase,
} from "../../../test/postgres-database.js";
import { runRelayStoreTests } from "../relay-store-suite.js";
import {
  author,
  change,
  grant,
  grantId,
  readAll,
  registerAll,
  registration,
  rotation,
  seqs,
  value,
} from "../relay-store-suite-helpers.js";
import { openPostgresRelayStore, type PostgresRelayStore } from "./postgres-relay-store.js";
import { migrate, SCHEMA_VERSION } from "./postgres-schema.js";

const testDatabase = useTestDatabase();

/** Opens a store on the test database (migrating it the first time). */
async function open(): Promise<PostgresRelayStore> {
  return unwrap(await openPostgresRelayStore({ url: testDatabase().url, poolSize: 4 }));
}

/** Empties the tables, so each suite test starts from nothing. */
async function truncate(): Promise<void> {
  const sql = postgres(testDatabase().url, { max: 1, onnotice: () => undefined });
  await sql`TRUNCATE documents, envelopes, pruned_authors, grants, grant_documents`;
  await sql.end();
}

runRelayStoreTests("postgres", {
  async create() {
    const store = await open();
    await truncate();
    return { store, reopen: open };
  },
});

describe("postgres relay store: a database shared by instances", () => {
  const opened: PostgresRelayStore[] = [];
  const openTracked = async () => {
    const store = await open();
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  it("migrates once when several instances start at once on a fresh database", async () => {
    const fresh = await createTestDatabase();
    try {
      const results = await Promise.all(
        Array.from({ length: 4 }, () => openPostgresRelayStore({ url: fresh.url, poolSize: 2 })),
      );
      const stores = results.map((result) => unwrap(result));
      const sql = postgres(fresh.url, { max: 1, onnotice: () => undefined });
      const versions = await sql`SELECT version FROM ridevault_schema_migrations ORDER BY version`;
      await sql.end();
      expect(versions.map((row) => row.version)).toEqual(
        Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
      );
      // Every instance works on the one schema.
      await registerAll(stores[0] as PostgresRelayStore, "doc");
      for (const [i, store] of stores.entries()) {
        expect((await store.append(change("doc", author(0), i))).seq).toBe(i + 1);
      }
      for (const store of stores) await store.close();
    } finally {
      await fresh.drop();
    }
  });

  it("upgrades a database of schema version 2: its documents are at generation 0 and take grants", async () => {
    const fresh = await createTestDatabase();
    try {
      const sql = postgres(fresh.url, { max: 1, onnotice: () => undefined });
      await migrate(sql, 2);
      await sql`INSERT INTO documents (doc_id, write_public_key, access_hash, owner, created_at)
                VALUES ('old', ${Buffer.alloc(32, 1)}, ${Buffer.alloc(32, 0xaa)}, NULL, 5)`;
      const store = unwrap(await openPostgresRelayStore({ url: fresh.url, poolSize: 2 }));
      const versions = await sql`SELECT version FROM ridevault_schema_migrations ORDER BY version`;
      await sql.end();
      expect(SCHEMA_VERSION).toBe(3);
      expect(versions.map((row) => row.version)).toEqual([1, 2, 3]);
      expect(await store.getDocument("old")).toMatchObject({ generation: 0, owner: null });
      expect(await store.rotateDocument(rotation("old", 1))).toBe("rotated");
      expect(await store.createGrant(grant(1, ["old"]))).toBe("created");
      expect(await store.claimDocument("old", "alice")).toBe("claimed");
      await store.close();
    } finally {
      await fresh.drop();
    }
  });

  it("shows a rotation, a claim or a grant change made on one instance to every other at once", async () => {
    await truncate();
    const [a, b] = [await openTracked(), await openTracked()];
    value(await a.registerDocument({ ...registration("doc"), owner: null }));
    await b.getDocument("doc");
    expect(await a.createGrant(grant(1, ["doc"]))).toBe("created");
    expect(await b.getGrant(grantId(1))).toEqual(grant(1, ["doc"]));
    const keyrings = [{ grantId: grantId(1), keyring: new Uint8Array([7]) }];
    expect(await a.rotateDocument(rotation("doc", 1, { keyrings }))).toBe("rotated");
    expect(await b.getDocument("doc")).toMatchObject({
      generation: 1,
      writePublicKey: rotation("doc", 1).writePublicKey,
    });
    expect((await b.getGrant(grantId(1)))?.keyring).toEqual(new Uint8Array([7]));
    expect(await b.rotateDocument(rotation("doc", 1))).toBe("stale-generation");
    expect(await b.claimDocument("doc", "alice")).toBe("claimed");
    expect(await a.claimDocument("doc", "bob")).toBe("taken");
    expect(await b.deleteGrant(grantId(1))).toBe(true);
    expect(await a.grantByCapability(grant(1, []).capabilityHash)).toBeUndefined();
  });

  it("settles racing rotations and grant creations from two instances: one wins, nothing breaks", async () => {
    await truncate();
    const [a, b] = [await openTracked(), await openTracked()];
    await registerAll(a, "doc");
    for (let generation = 1; generation <= 5; generation++) {
      const outcomes = await Promise.all([
        a.rotateDocument(rotation("doc", generation)),
        b.rotateDocument(rotation("doc", generation)),
      ]);
      expect(outcomes.sort()).toEqual(["rotated", "stale-generation"]);
    }
    const created = await Promise.all(
      [1, 2, 3].flatMap((n) => [
        a.createGrant(grant(n, ["doc"])),
        b.createGrant(grant(n, ["doc"])),
      ]),
    );
    expect(created.filter((o) => o === "created")).toHaveLength(3);
    expect(created.filter((o) => o === "exists")).toHaveLength(3);
    expect(await a.grantsForDocument("doc")).toHaveLength(3);
    expect((await b.getDocument("doc"))?.generation).toBe(5);
  });

  it("keeps sequences gapless when two instances append to the same documents at once", async () => {
    await truncate();
    const [a, b] = [await openTracked(), await openTracked()];
    await registerAll(a, "x", "y");
    // Instance a writes as author 0, instance b as author 1, both documents interleaved.
    const pushes = [];
    for (let counter = 1; counter <= 100; counter++) {
      for (const docId of ["x", "y"]) {
        pushes.push(a.append(change(docId, author(0), counter)));
        pushes.push(b.append(change(docId, author(1), counter)));
      }
    }
    const results = await Promise.all(pushes);
    expect(results.every((result) => !result.duplicate)).toBe(true);
    for (const docId of ["x", "y"]) {
      const items = await readAll(b, docId);
      expect(seqs(items)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    }
    // Retries through the other instance are duplicates with the original numbers.
    const again = await Promise.all(
      pushes.slice(0, 10).map((_, i) => b.append(change("x", author(0), i + 1))),
    );
    expect(again.every((result) => result.duplicate)).toBe(true);
    // Group commit: far fewer transactions than appends.
    expect(a.counters.appends).toBe(200);
    expect(a.counters.transactions).toBeLessThan(20);
  });

  it("sends a hint per committed batch that every instance's change feed hears, also after its connection is killed", async () => {
    await truncate();
    const [writer, reader] = [await openTracked(), await openTracked()];
    await registerAll(writer, "doc");
    const hints: { docId: string; seq: number }[] = [];
    let resyncs = 0;
    const feed = reader.changeFeed();
    await feed.start({
      hint: (docId, seq) => hints.push({ docId, seq }),
      resync: () => resyncs++,
    });
    expect(feed.listening).toBe(true);
    expect(resyncs).toBe(1);
    await writer.append(change("doc", author(0), 1));
    await Promise.all([2, 3, 4].map((c) => writer.append(change("doc", author(0), c))));
    await waitFor(() => hints.length >= 2);
    expect(hints).toEqual([
      { docId: "doc", seq: 1 },
      { docId: "doc", seq: 4 },
    ]);
    expect(await feed.readLog({ docId: "doc", afterSeq: 1, limit: 2 })).toMatchObject([
      { seq: 2, kind: "change" },
      { seq: 3, kind: "change" },
    ]);
    expect(await terminateBackends(testDatabase(), "LISTEN%")).toBe(1);
    await waitFor(() => resyncs === 2 && feed.listening);
    await writer.append(change("doc", author(0), 5));
    await waitFor(() => hints.length >= 3);
    expect(hints.at(-1)).toEqual({ docId: "doc", seq: 5 });
    expect(feed.connections).toBe(2);
  });
});

describe("postgres relay store: an unreachable database", () => {
  it("fails to open with open-failed, naming the server without its password", async () => {
    const result = await openPostgresRelayStore({
      url: "postgres://relay:secret@127.0.0.1:1/relay",
      connectTimeoutSeconds: 2,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("open-failed");
    expect(result.error.message).toContain("127.0.0.1:1");
    expect(result.error.message).not.toContain("secret");
    expect(result.error.message).toMatch(/Check that the database is running/);
  });

  it("fails calls with store-unavailable while its connections are refused, then recovers", async () => {
    const fresh = await createTestDatabase();
    const store = unwrap(
      await openPostgresRelayStore({ url: fresh.url, connectTimeoutSeconds: 2 }),
    );
    await registerAll(store, "doc");
    expect(await store.ping()).toBe(true);
    // Killing every connection is what a database restart looks like to the relay.
    await terminateBackends(fresh, "%");
    const pushes = await Promise.allSettled(
      [1, 2, 3].map((c) => store.append(change("doc", author(0), c))),
    );
    // Each push either committed or failed with a clear, retryable error — never silently.
    for (const push of pushes) {
      if (push.status === "rejected") {
        expect(push.reason).toMatchObject({ code: "store-unavailable" });
      }
    }
    // The pool reconnects by itself: retries succeed and nothing is duplicated.
    for (const c of [1, 2, 3]) await store.append(change("doc", author(0), c));
    expect(seqs(await readAll(store, "doc"))).toEqual([1, 2, 3]);
    await store.close();
    await fresh.drop();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("waitFor: the condition never held");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
