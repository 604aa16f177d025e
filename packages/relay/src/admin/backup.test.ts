/**
 * `backupDataDir` on an open SQLite store in this process (the relay process itself is
 * exercised in test/backup.test.ts): the copy opens as a store with the same envelopes, the
 * secret travels along, and the refusals say what is wrong.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteAccountStore } from "../accounts/sqlite-account-store.js";
import { change, readAll, registerAll } from "../store/relay-store-suite-helpers.js";
import { openSqliteRelayStore } from "../store/sqlite-relay-store.js";
import { backupDataDir } from "./backup.js";
import { runBackupCommand } from "./backup-command.js";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-backup-unit-"));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

async function openStore(dataDir: string) {
  const opened = await openSqliteRelayStore({ path: path.join(dataDir, "relay.sqlite") });
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.value;
}

describe("backupDataDir", () => {
  it("copies an open store, the accounts file and the secret", async () => {
    const dataDir = await tempDir();
    const store = await openStore(dataDir);
    await registerAll(store, "doc-a", "doc-b");
    for (let counter = 1; counter <= 30; counter++) {
      await store.append(change(counter % 2 ? "doc-a" : "doc-b", "a1a1a1a1a1a1a1a1", counter));
    }
    const accounts = openSqliteAccountStore(path.join(dataDir, "accounts.sqlite"));
    if (!accounts.ok) throw new Error(accounts.error.message);
    await fs.writeFile(path.join(dataDir, "relay-secret"), `${"ab".repeat(32)}\n`);
    const destination = path.join(await tempDir(), "backup-1");

    // The store stays open (as in a running relay) while the backup reads it.
    const result = await backupDataDir({ dataDir, destination });
    await store.append(change("doc-a", "a1a1a1a1a1a1a1a1", 31));

    expect(result.ok && result.value.map((file) => file.name)).toEqual([
      "relay.sqlite",
      "accounts.sqlite",
      "relay-secret",
    ]);
    const copy = await openStore(destination);
    expect((await readAll(copy, "doc-a")).map((item) => item.seq)).toEqual(
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    expect((await readAll(copy, "doc-b")).length).toBe(15);
    expect((await readAll(store, "doc-a")).length).toBe(16);
    expect(await fs.readFile(path.join(destination, "relay-secret"), "utf8")).toBe(
      `${"ab".repeat(32)}\n`,
    );
    const accountsCopy = openSqliteAccountStore(path.join(destination, "accounts.sqlite"));
    expect(accountsCopy.ok).toBe(true);
    if (accountsCopy.ok) await accountsCopy.value.close();
    await copy.close();
    await store.close();
    await accounts.value.close();
  });

  it("refuses a directory without a store", async () => {
    const result = await backupDataDir({
      dataDir: await tempDir(),
      destination: path.join(await tempDir(), "b"),
    });
    expect(!result.ok && result.error.code).toBe("no-store");
  });

  it("refuses a file that is not a relay store", async () => {
    const dataDir = await tempDir();
    const other = new Database(path.join(dataDir, "relay.sqlite"));
    other.exec("CREATE TABLE t (x)");
    other.close();
    const result = await backupDataDir({ dataDir, destination: path.join(dataDir, "b") });
    expect(!result.ok && result.error.code).toBe("not-a-relay-store");
  });

  it("never writes into a non-empty destination", async () => {
    const dataDir = await tempDir();
    await (await openStore(dataDir)).close();
    const destination = await tempDir();
    await fs.writeFile(path.join(destination, "relay.sqlite"), "an older backup");
    const result = await backupDataDir({ dataDir, destination });
    expect(!result.ok && result.error.code).toBe("destination-not-empty");
    expect(await fs.readFile(path.join(destination, "relay.sqlite"), "utf8")).toBe(
      "an older backup",
    );
  });
});

describe("runBackupCommand", () => {
  function capture() {
    const out: string[] = [];
    const error: string[] = [];
    return {
      out,
      error,
      output: { out: (l: string) => out.push(l), error: (l: string) => error.push(l) },
    };
  }

  it("reads the data directory from the environment and prints the files", async () => {
    const dataDir = await tempDir();
    await (await openStore(dataDir)).close();
    const destination = path.join(await tempDir(), "b");
    const io = capture();
    const code = await runBackupCommand([destination], { RIDEVAULT_DATA_DIR: dataDir }, io.output);
    expect(code).toBe(0);
    const printed = JSON.parse(io.out[0] as string) as { files: { name: string }[] };
    expect(printed.files.map((file) => file.name)).toEqual(["relay.sqlite"]);
  });

  it("sends PostgreSQL users to pg_dump and explains usage errors", async () => {
    const io = capture();
    expect(
      await runBackupCommand(["b"], { DATABASE_URL: "postgres://u@db/ridevault" }, io.output),
    ).toBe(2);
    expect(io.error.join("")).toMatch(/pg_dump/);
    expect(await runBackupCommand([], {}, io.output)).toBe(2);
    expect(io.error.join("")).toMatch(/backup needs a destination/);
    expect(await runBackupCommand(["b", "--nope", "x"], {}, io.output)).toBe(2);
    expect(io.error.join("")).toMatch(/unknown option --nope/);
  });
});
