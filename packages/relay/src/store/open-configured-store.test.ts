/**
 * From configuration to store: `DATABASE_URL` (or `--database-url`) selects PostgreSQL with
 * its change feed, no URL keeps SQLite under the data directory, a URL of another scheme is
 * refused with a message, and an unreachable database is an `open-failed` error.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { unwrap } from "@ridevault/core";
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "../../test/postgres-database.js";
import { readConfig } from "../config.js";
import { openConfiguredStore } from "./open-configured-store.js";
import { PostgresRelayStore } from "./postgres/postgres-relay-store.js";
import { SqliteRelayStore } from "./sqlite-relay-store.js";

const testDatabase = useTestDatabase();

/** The database URL of a configuration that must be valid. */
function configured(result: ReturnType<typeof readConfig>): { databaseUrl: string | null } {
  if (!result.ok) throw new Error(`expected a valid configuration: ${result.message}`);
  return result.value;
}

describe("the configured store", () => {
  it("reads the database URL from --database-url over DATABASE_URL, and refuses other schemes", () => {
    const env = { DATABASE_URL: "postgres://relay@db.internal/ridevault" };
    expect(configured(readConfig([], env)).databaseUrl).toBe(env.DATABASE_URL);
    expect(
      configured(readConfig(["--database-url", "postgresql://other@127.0.0.1/x"], env)).databaseUrl,
    ).toBe("postgresql://other@127.0.0.1/x");
    expect(configured(readConfig([], {})).databaseUrl).toBeNull();
    const refused = readConfig(["--database-url", "mysql://relay@db/x"], {});
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.message).toMatch(/postgres:\/\//);
  });

  it("opens SQLite under the data directory without a URL, with no change feed", async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-configured-"));
    const opened = unwrap(await openConfiguredStore({ dataDir, databaseUrl: null }));
    expect(opened.store).toBeInstanceOf(SqliteRelayStore);
    expect(opened.feed).toBeUndefined();
    expect(opened.location).toBe(path.join(dataDir, "relay.sqlite"));
    await opened.store.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it("opens PostgreSQL with its change feed and health check when given a URL", async () => {
    const opened = unwrap(
      await openConfiguredStore({ dataDir: os.tmpdir(), databaseUrl: testDatabase().url }),
    );
    expect(opened.store).toBeInstanceOf(PostgresRelayStore);
    expect(opened.feed?.listening).toBe(false);
    expect(await opened.healthy?.()).toBe(true);
    expect(opened.location).toBe(testDatabase().url);
    await opened.store.close();
  });

  it("fails with open-failed, without the password, when the database is unreachable", async () => {
    const opened = await openConfiguredStore({
      dataDir: os.tmpdir(),
      databaseUrl: "postgres://relay:hunter2@127.0.0.1:1/ridevault",
    });
    expect(opened.ok).toBe(false);
    expect(!opened.ok && opened.error.code).toBe("open-failed");
    expect(!opened.ok && opened.error.message).not.toContain("hunter2");
  });
});
