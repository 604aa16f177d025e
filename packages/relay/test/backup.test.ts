/**
 * `ridevault-relay backup` against a running relay process while a device keeps pushing:
 * every envelope committed before a backup started (so every one acknowledged by then) is in
 * the copy, byte for byte; the copy is a gapless prefix of each document's log; it opens
 * with the store; and a relay started on the copy serves the ride to a new device.
 */
import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { unwrap } from "@ridevault/core";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteRelayStore } from "../src/store/sqlite-relay-store.js";
import { eventually, openDevice, ride } from "./devices.js";
import { startRelayProcess } from "./relay-process.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const T0 = Date.UTC(2026, 8, 1, 7, 0, 0);
const BACKUPS = 3;

/** Every stored envelope, keyed `docId#seq`, read through a connection of its own. */
function storedEnvelopes(file: string): Map<string, Buffer> {
  const db = new Database(file, { fileMustExist: true });
  try {
    const rows = db.prepare("SELECT doc_id, seq, envelope FROM envelopes").all() as {
      doc_id: string;
      seq: number;
      envelope: Buffer;
    }[];
    return new Map(rows.map((row) => [`${row.doc_id}#${row.seq}`, row.envelope]));
  } finally {
    db.close();
  }
}

/** Runs `ridevault-relay backup DEST --data DIR` as the docs show; resolves exit code and output. */
function runBackup(dataDir: string, destination: string) {
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(process.execPath, [MAIN, "backup", destination, "--data", dataDir]);
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once("exit", (code) => resolve({ code, out, err }));
  });
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

describe("backing up a running relay", () => {
  it("keeps every acknowledged envelope while pushes go on", { timeout: 60_000 }, async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-backup-"));
    dirs.push(root);
    const dataDir = path.join(root, "data");
    const relay = await startRelayProcess(dataDir);
    const live = path.join(dataDir, "relay.sqlite");
    const phone = await openDevice("phone", relay.url);
    const id = unwrap(
      await phone.vault.workouts.create({ title: "Backed up mid-ride", startTime: T0 }),
    ).id;
    const recording = unwrap(await phone.vault.workouts.record(id, { chunkSamples: 3 }));
    const samples = ride(T0, 3000, 5);
    for (const sample of samples.slice(0, 150)) unwrap(await recording.append(sample));
    await phone.sync.whenSynced(20_000);
    const acknowledged = storedEnvelopes(live);

    let stop = false;
    let appended = 150;
    const recorder = (async () => {
      for (const sample of samples.slice(150)) {
        if (stop) break;
        unwrap(await recording.append(sample));
        appended++;
        if (appended % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await recording.finish();
    })();

    const backups: { dir: string; before: Map<string, Buffer>; grewDuring: number }[] = [];
    for (let i = 0; i < BACKUPS; i++) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const before = storedEnvelopes(live);
      const dir = path.join(root, `backup-${i}`);
      const result = await runBackup(dataDir, dir);
      expect(result.err).toBe("");
      expect(result.code).toBe(0);
      expect(JSON.parse(result.out).files.map((f: { name: string }) => f.name)).toEqual([
        "relay.sqlite",
        "accounts.sqlite",
        "relay-secret",
      ]);
      backups.push({ dir, before, grewDuring: storedEnvelopes(live).size - before.size });
    }
    stop = true;
    await recorder;
    await phone.sync.whenSynced(20_000);
    await relay.stop();
    await phone.sync.stop();

    const final = storedEnvelopes(live);
    // Pushes were committed while the backups ran (not only between them).
    expect(backups.some((b) => b.grewDuring > 0)).toBe(true);
    for (const { dir, before } of backups) {
      const copy = storedEnvelopes(path.join(dir, "relay.sqlite"));
      expect(before.size).toBeGreaterThanOrEqual(acknowledged.size);
      for (const [key, envelope] of before) expect(copy.get(key)?.equals(envelope)).toBe(true);
      // Nothing in the copy that the relay did not commit, and no holes in any log.
      for (const [key, envelope] of copy) expect(final.get(key)?.equals(envelope)).toBe(true);
      const opened = unwrap(await openSqliteRelayStore({ path: path.join(dir, "relay.sqlite") }));
      for (const docId of new Set([...copy.keys()].map((key) => key.split("#")[0] as string))) {
        const seqs = (await opened.read({ docId, afterSeq: 0, limit: 100_000 })).map((i) => i.seq);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
        expect(seqs.length).toBe([...copy.keys()].filter((k) => k.startsWith(`${docId}#`)).length);
      }
      await opened.close();
    }

    // Restore: a relay on the last copy serves the ride to a device that joins now.
    const restoredDir = backups.at(-1)?.dir as string;
    const restored = await startRelayProcess(restoredDir);
    const laptop = await openDevice("laptop", restored.url, await phone.vault.invite());
    await eventually(
      () => laptop.vault.workouts.list().some((entry) => entry.id === id),
      20_000,
      "the restored relay serves the workout",
    );
    await laptop.sync.stop();
    await restored.stop();
  });
});
