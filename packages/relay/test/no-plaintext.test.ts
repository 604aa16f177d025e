/**
 * The relay never holds plaintext: after a ride with a known title, notes and distinctive
 * samples is recorded and synced, none of it — nor any key or access secret — appears in
 * the SQLite file, its WAL, or the relay's log output.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { deriveAccessSecret, encodeChunk, loadSodium, type Sample, unwrap } from "@ridevault/core";
import { describe, expect, it } from "vitest";
import { openDevice, record } from "./devices.js";
import { startRelayProcess } from "./relay-process.js";

const T0 = Date.UTC(2026, 6, 4, 5, 0, 0);

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).indexOf(Buffer.from(needle)) !== -1;
}

describe("what the relay stores", () => {
  it("contains no title, notes, samples, keys or access secrets", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-plaintext-"));
    const relay = await startRelayProcess(dir);
    const phone = await openDevice("phone", relay.url);
    const title = "Zanzibar sunrise 7431";
    const notes = "secret notes: left knee twinge after the KOM";
    const ride = unwrap(await phone.vault.workouts.create({ title, notes, startTime: T0 }));
    const samples: Sample[] = Array.from({ length: 600 }, (_, i) => ({
      time: T0 + i * 1000,
      power: 1337 + (i % 3),
      heartRate: 173,
      cadence: 101,
    }));
    await record(phone, ride.id, samples, 60);
    await phone.sync.whenSynced(20_000);

    const sodium = await loadSodium();
    const secrets: [string, Uint8Array][] = [
      ["title", new TextEncoder().encode(title)],
      ["notes", new TextEncoder().encode(notes)],
      ["a sealed chunk", encodeChunk(samples.slice(0, 60)).subarray(0, 24)],
    ];
    for (const doc of await phone.vault.syncSource().documents()) {
      for (const keys of doc.keys.values()) {
        secrets.push([`read key of ${doc.docId}`, keys.readKey]);
        secrets.push([`access secret of ${doc.docId}`, deriveAccessSecret(sodium, keys.readKey)]);
        if (keys.writeKey)
          secrets.push([
            `write secret key of ${doc.docId}`,
            keys.writeKey.secretKey.subarray(0, 32),
          ]);
      }
    }
    await phone.sync.stop();
    await phone.vault.close();
    await relay.kill(); // keep the WAL as it is: no checkpoint on a clean shutdown

    const files = (await fs.readdir(dir)).map((name) => path.join(dir, name));
    expect(files.some((f) => f.endsWith("-wal"))).toBe(true);
    const blobs: [string, Uint8Array][] = await Promise.all(
      files.map(
        async (file) =>
          [path.basename(file), new Uint8Array(await fs.readFile(file))] as [string, Uint8Array],
      ),
    );
    blobs.push(["logs", new TextEncoder().encode(relay.logs())]);
    expect(relay.logs().length).toBeGreaterThan(100);
    const totalBytes = blobs.reduce((n, [, b]) => n + b.length, 0);
    expect(totalBytes).toBeGreaterThan(20_000);
    for (const [where, blob] of blobs) {
      for (const [what, secret] of secrets) {
        expect(contains(blob, secret), `${what} found in ${where}`).toBe(false);
      }
    }
    await fs.rm(dir, { recursive: true, force: true });
  });
});
