/**
 * Online backup of a one-process relay (the SQLite store): copies `relay.sqlite` and
 * `accounts.sqlite` through SQLite's online backup API (better-sqlite3's `db.backup()`) and
 * the token secret file, while the relay keeps serving. The backup reads through its own
 * connection; in WAL mode a reader never blocks the relay's commits, and a commit that lands
 * mid-copy makes SQLite restart the copy, so each file is a consistent snapshot that holds
 * every envelope acknowledged before the backup started. Each copy is checked with
 * `PRAGMA integrity_check` before the backup reports success. PostgreSQL is backed up with
 * `pg_dump` instead (docs/deploy.md).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { err, ok, type Result } from "@ridevault/core/protocol";
import Database from "better-sqlite3";
import { ACCOUNTS_APPLICATION_ID } from "../accounts/sqlite-account-schema.js";
import { APPLICATION_ID } from "../store/sqlite-schema.js";

/** What `backupDataDir` copies from a data directory, and what each file must be. */
const FILES = [
  { name: "relay.sqlite", applicationId: APPLICATION_ID },
  { name: "accounts.sqlite", applicationId: ACCOUNTS_APPLICATION_ID },
] as const;

/** The token secret: losing it signs every device out, so it travels with the databases. */
const SECRET_FILE = "relay-secret";

/** Options of `backupDataDir`. */
export interface BackupOptions {
  /** The relay's data directory (`--data`). */
  readonly dataDir: string;
  /** A directory to create (or an empty one) that receives the copies. */
  readonly destination: string;
}

/** One file written by a backup. */
export interface BackedUpFile {
  readonly name: string;
  readonly bytes: number;
}

/** Why a backup failed; the message names the file and what to do. */
export interface BackupError {
  readonly code: "no-store" | "not-a-relay-store" | "destination-not-empty" | "backup-failed";
  readonly message: string;
}

/**
 * Backs up the data directory of a running (or stopped) relay into `destination`. Resolves
 * with the files written, or fails without touching the data directory.
 */
export async function backupDataDir(
  options: BackupOptions,
): Promise<Result<BackedUpFile[], BackupError>> {
  const { dataDir, destination } = options;
  if (!existsSync(path.join(dataDir, "relay.sqlite"))) {
    return err({
      code: "no-store",
      message: `${dataDir} holds no relay.sqlite: give the relay's data directory (--data or RIDEVAULT_DATA_DIR)`,
    });
  }
  if (existsSync(destination) && readdirSync(destination).length > 0) {
    return err({
      code: "destination-not-empty",
      message: `${destination} is not empty: back up into a new directory, so no earlier backup is overwritten`,
    });
  }
  mkdirSync(destination, { recursive: true });
  const written: BackedUpFile[] = [];
  for (const file of FILES) {
    const source = path.join(dataDir, file.name);
    // relay.sqlite was checked above; accounts.sqlite exists once accounts were on.
    if (!existsSync(source)) continue;
    const target = path.join(destination, file.name);
    const copied = await backupDatabase(source, target, file.applicationId);
    if (!copied.ok) return copied;
    written.push({ name: file.name, bytes: copied.value });
  }
  const secret = path.join(dataDir, SECRET_FILE);
  if (existsSync(secret)) {
    const target = path.join(destination, SECRET_FILE);
    copyFileSync(secret, target);
    written.push({ name: SECRET_FILE, bytes: statSync(target).size });
  }
  return ok(written);
}

/** Copies one database through the online backup API and checks the copy; resolves its size. */
async function backupDatabase(
  source: string,
  target: string,
  applicationId: number,
): Promise<Result<number, BackupError>> {
  let db: Database.Database | undefined;
  try {
    // Not read-only: a WAL reader may need to create the shared-memory file. Nothing is
    // written through this connection.
    db = new Database(source, { fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    const found = Number(db.pragma("application_id", { simple: true }));
    if (found !== applicationId) {
      return err({
        code: "not-a-relay-store",
        message: `${source} is not a ridevault database (application_id ${found}); check the data directory`,
      });
    }
    // Copy everything in one step (the largest step better-sqlite3 takes): a page-by-page
    // copy yields between steps, and every commit in between restarts it, so under steady
    // pushes it might never finish; one step reads one snapshot. 75 MB take about 0.5 s.
    await db.backup(target, { progress: () => 0x7fffffff });
  } catch (error) {
    return failed(source, error);
  } finally {
    db?.close();
  }
  try {
    const copy = new Database(target, { fileMustExist: true });
    try {
      const check = String(copy.pragma("integrity_check", { simple: true }));
      if (check !== "ok") {
        return err({
          code: "backup-failed",
          message: `the copy of ${source} fails its integrity check (${check}); run the backup again`,
        });
      }
      // One self-contained file: fold the copy's WAL (if any) into it.
      copy.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      copy.close();
    }
    return ok(statSync(target).size);
  } catch (error) {
    return failed(target, error);
  }
}

function failed(file: string, error: unknown): { ok: false; error: BackupError } {
  const reason = error instanceof Error ? error.message : String(error);
  return err({
    code: "backup-failed",
    message: `backing up ${file} failed: ${reason}. Check free space and permissions, then run it again`,
  });
}
