/**
 * Kill the relay process (SIGKILL: no close, no checkpoint, no cleanup) while it appends:
 * reopening the file finds every envelope whose append had resolved, each document's
 * sequence has no gap, and each author's envelopes are an unbroken prefix of what it sent.
 * The child runs the build output (`npx tsc -b` first).
 */
import { spawn } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { unwrap } from "@ridevault/core";
import { describe, expect, it } from "vitest";
import { readAll } from "./relay-store-suite-helpers.js";
import { openSqliteRelayStore } from "./sqlite-relay-store.js";

const CHILD = fileURLToPath(new URL("./fixtures/append-child.mjs", import.meta.url));
const BUILT = fileURLToPath(new URL("../../dist/store/sqlite-relay-store.js", import.meta.url));
const DOCS = ["doc-0", "doc-1", "doc-2"];

/** Runs the child until it has acknowledged `acks` appends, kills it, returns every ack. */
async function appendAndKill(file: string, acks: number): Promise<Map<string, number[]>> {
  const child = spawn(process.execPath, [CHILD, file], { stdio: ["ignore", "pipe", "pipe"] });
  const acked = new Map<string, number[]>(DOCS.map((docId) => [docId, []]));
  let count = 0;
  let stderr = "";
  let buffer = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      const [word, docId = "", seq] = line.split(" ");
      if (word !== "ack") continue;
      acked.get(docId)?.push(Number(seq));
      if (++count >= acks && child.exitCode === null) child.kill("SIGKILL");
    }
  });
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.once("close", (c, s) => resolve([c, s])),
  );
  if (signal !== "SIGKILL") throw new Error(`the child exited by itself (${code}): ${stderr}`);
  return acked;
}

describe("killing the relay process mid-append", () => {
  for (const killAt of [60, 140, 200, 260, 330]) {
    it(`keeps every acknowledged envelope, gapless, after SIGKILL at ack ${killAt}`, async () => {
      if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run npx tsc -b first`);
      const directory = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-relay-kill-"));
      try {
        const file = path.join(directory, "relay.db");
        const acked = await appendAndKill(file, killAt);
        const total = [...acked.values()].reduce((sum, list) => sum + list.length, 0);
        expect(total).toBeGreaterThanOrEqual(killAt);
        const store = unwrap(await openSqliteRelayStore({ path: file }));
        for (const docId of DOCS) {
          const items = await readAll(store, docId);
          const stored = items.map((item) => item.seq);
          expect(stored).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
          expect((await store.getDocument(docId))?.lastSeq).toBe(stored.length);
          for (const seq of acked.get(docId) ?? []) expect(seq).toBeLessThanOrEqual(stored.length);
          // What survived of each author is 1, 2, 3, … in sequence order: a prefix.
          const countersByAuthor = new Map<string, number[]>();
          for (const item of items) {
            const [doc, author = "", counter] = new TextDecoder().decode(item.envelope).split("|");
            expect(doc).toBe(docId);
            countersByAuthor.set(author, [
              ...(countersByAuthor.get(author) ?? []),
              Number(counter),
            ]);
          }
          for (const counters of countersByAuthor.values()) {
            expect(counters).toEqual(counters.map((_, i) => i + 1));
          }
        }
        await store.close();
      } finally {
        await fs.rm(directory, { recursive: true, force: true });
      }
    });
  }
});
