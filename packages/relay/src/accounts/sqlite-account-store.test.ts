/** The SQLite account store runs the acceptance suite on a real file, and across reopening. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { unwrap } from "@ridevault/core";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { runAccountStoreTests } from "./account-store-suite.js";
import { ACCOUNTS_SCHEMA_VERSION } from "./sqlite-account-schema.js";
import { openSqliteAccountStore } from "./sqlite-account-store.js";

const dir = mkdtempSync(path.join(tmpdir(), "ridevault-accounts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runAccountStoreTests("sqlite", {
  async create() {
    const file = path.join(dir, `accounts-${++n}.sqlite`);
    const store = unwrap(openSqliteAccountStore(file));
    return {
      store,
      async reopen() {
        await store.close();
        return unwrap(openSqliteAccountStore(file));
      },
    };
  },
});

describe("sqlite account store file", () => {
  it("is versioned, and refuses files that are not account stores", async () => {
    const file = path.join(dir, "versioned.sqlite");
    await unwrap(openSqliteAccountStore(file)).close();
    const db = new Database(file);
    expect(db.pragma("user_version", { simple: true })).toBe(ACCOUNTS_SCHEMA_VERSION);
    db.close();
    const other = path.join(dir, "other.sqlite");
    const foreign = new Database(other);
    foreign.pragma("application_id = 1234");
    foreign.close();
    const refused = openSqliteAccountStore(other);
    expect(refused.ok ? "" : refused.error.message).toMatch(/not a ridevault account store/);
  });
});
