/**
 * A fresh PostgreSQL database per test run: created through the server's `postgres`
 * database, dropped afterwards (its connections terminated first). The server is
 * `RIDEVAULT_TEST_DATABASE_URL` when set, else 127.0.0.1:5432 as `postgres` (or the login
 * user). When no server answers, `createTestDatabase` throws with what to do — the tests
 * fail, they are never skipped.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";

/** A database that exists until `drop`. */
export interface TestDatabase {
  /** Its URL (user and host of the server, the new database's name). */
  readonly url: string;
  readonly name: string;
  /** Terminates its connections and drops it. */
  drop(): Promise<void>;
}

const DEFAULT_SERVERS = [
  "postgres://postgres@127.0.0.1:5432/postgres",
  "postgres://root@127.0.0.1:5432/postgres",
];

function servers(): string[] {
  const url = process.env.RIDEVAULT_TEST_DATABASE_URL;
  return url ? [url] : DEFAULT_SERVERS;
}

function admin(url: string) {
  return postgres(url, { max: 1, connect_timeout: 3, onnotice: () => undefined });
}

/** Creates `ridevault_test_<random>` on the first server that answers. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const failures: string[] = [];
  for (const server of servers()) {
    const sql = admin(server);
    const name = `ridevault_test_${randomBytes(6).toString("hex")}`;
    try {
      await sql.unsafe(`CREATE DATABASE ${name}`);
    } catch (error) {
      failures.push(`${redact(server)}: ${(error as Error).message}`);
      await sql.end({ timeout: 1 });
      continue;
    }
    await sql.end({ timeout: 1 });
    const url = new URL(server);
    url.pathname = `/${name}`;
    return { url: url.toString(), name, drop: () => dropDatabase(server, name) };
  }
  throw new Error(
    `PostgreSQL is needed for these tests and none answered (${failures.join("; ")}). Start PostgreSQL on 127.0.0.1:5432 with trust authentication, or set RIDEVAULT_TEST_DATABASE_URL to a server URL whose user may create databases.`,
  );
}

async function dropDatabase(server: string, name: string): Promise<void> {
  const sql = admin(server);
  try {
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = ${name} AND pid <> pg_backend_pid()`;
    await sql.unsafe(`DROP DATABASE IF EXISTS ${name}`);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * Terminates the backends of `database` whose last query matches `queryPattern` (a LIKE
 * pattern), as an operator or a failing network would; returns how many.
 */
export async function terminateBackends(database: TestDatabase, queryPattern: string) {
  const sql = admin(adminUrl(database.url));
  try {
    const rows = await sql`SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
      WHERE datname = ${database.name} AND query LIKE ${queryPattern}
        AND pid <> pg_backend_pid()`;
    return rows.filter((row) => row.done === true).length;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function adminUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = "/postgres";
  return url.toString();
}

function redact(url: string): string {
  const parsed = new URL(url);
  parsed.password = "";
  return parsed.toString();
}

/**
 * Creates a test database before the file's tests and drops it after them. Returns a getter
 * every test calls: when PostgreSQL is unreachable each test fails with the reason (rather
 * than vitest reporting them skipped after a failed hook).
 */
export function useTestDatabase(): () => TestDatabase {
  let database: TestDatabase | undefined;
  let failure: unknown;
  beforeAll(async () => {
    try {
      database = await createTestDatabase();
    } catch (error) {
      failure = error;
    }
  });
  afterAll(async () => {
    await database?.drop();
  });
  return () => {
    if (!database) throw failure ?? new Error("the test database is not created yet");
    return database;
  };
}
