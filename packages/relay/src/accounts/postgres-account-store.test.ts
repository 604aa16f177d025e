/**
 * The PostgreSQL account store runs the acceptance suite on a real server (a fresh database
 * per file), instances opening one database together agree on one token secret, and every
 * revocation made through one instance reaches the others by NOTIFY.
 */
import { unwrap } from "@ridevault/core";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { createTestDatabase, useTestDatabase } from "../../test/postgres-database.js";
import type { Revocation } from "./account-store.js";
import { runAccountStoreTests, sampleAccount } from "./account-store-suite.js";
import { ACCOUNTS_PG_SCHEMA_VERSION } from "./postgres-account-schema.js";
import { openPostgresAccountStore } from "./postgres-account-store.js";

const testDatabase = useTestDatabase();

runAccountStoreTests("postgres", {
  async create() {
    const url = testDatabase().url;
    const store = unwrap(await openPostgresAccountStore({ url, poolSize: 2 }));
    const sql = postgres(url, { max: 1, onnotice: () => undefined });
    await sql`TRUNCATE accounts, login_challenges, refresh_families, refresh_tokens,
              pairing_mailboxes`;
    await sql.end();
    return {
      store,
      async reopen() {
        await store.close();
        return unwrap(await openPostgresAccountStore({ url, poolSize: 2 }));
      },
    };
  },
});

describe("postgres account store: a database shared by instances", () => {
  it("migrates once and gives every instance the same token secret", async () => {
    const fresh = await createTestDatabase();
    try {
      const stores = (
        await Promise.all(
          Array.from({ length: 3 }, () =>
            openPostgresAccountStore({ url: fresh.url, poolSize: 1 }),
          ),
        )
      ).map((opened) => unwrap(opened));
      const [first] = stores;
      expect(first?.secret.length).toBe(32);
      for (const store of stores) expect(store.secret).toEqual(first?.secret);
      const sql = postgres(fresh.url, { max: 1, onnotice: () => undefined });
      const versions = await sql`SELECT version FROM ridevault_account_migrations`;
      const secrets = await sql`SELECT name FROM relay_secrets`;
      await sql.end();
      expect(versions.length).toBe(ACCOUNTS_PG_SCHEMA_VERSION);
      expect(secrets.length).toBe(1);
      for (const store of stores) await store.close();
      const again = unwrap(await openPostgresAccountStore({ url: fresh.url, poolSize: 1 }));
      expect(again.secret).toEqual(first?.secret);
      await again.close();
    } finally {
      await fresh.drop();
    }
  });

  it("announces every revocation to the other instances (NOTIFY), ids only", async () => {
    const fresh = await createTestDatabase();
    const one = unwrap(await openPostgresAccountStore({ url: fresh.url, poolSize: 1 }));
    const two = unwrap(await openPostgresAccountStore({ url: fresh.url, poolSize: 1 }));
    try {
      const heard: Revocation[] = [];
      const stop = await two.listenRevocations((revocation) => heard.push(revocation));
      await one.createAccount(sampleAccount("a1", "a@x.org"));
      for (const [familyId, hash] of [
        ["f1", 1],
        ["f2", 2],
      ] as const)
        await one.createFamily({
          familyId,
          accountId: "a1",
          tokenHash: new Uint8Array([hash]),
          expiresAt: Date.now() + 60_000,
          createdAt: 1,
        });
      await one.revokeFamily("f1");
      await one.revokeFamilies("a1", "f2");
      // A reused refresh token revokes its family too.
      const rotation = { tokenHash: new Uint8Array([2]), nextExpiresAt: Date.now() + 60_000 };
      await one.rotateRefreshToken({ ...rotation, nextHash: new Uint8Array([3]), now: 2 });
      await one.rotateRefreshToken({ ...rotation, nextHash: new Uint8Array([4]), now: 3 });
      const expected: Revocation[] = [
        { familyId: "f1" },
        { accountId: "a1", except: "f2" },
        { familyId: "f2" },
      ];
      const deadline = Date.now() + 10_000;
      while (heard.length < expected.length && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(heard).toEqual(expected);
      await stop();
      await one.revokeFamily("f1");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(heard.length).toBe(expected.length);
    } finally {
      await one.close();
      await two.close();
      await fresh.drop();
    }
  });

  it("fails to open with open-failed when the server is unreachable", async () => {
    const opened = await openPostgresAccountStore({
      url: "postgres://relay:hunter2@127.0.0.1:1/relay",
      connectTimeoutSeconds: 1,
    });
    expect(opened.ok ? "" : opened.error.code).toBe("open-failed");
    expect(opened.ok ? "" : opened.error.message).not.toContain("hunter2");
  });
});
