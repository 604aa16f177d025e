/**
 * Kill the recording process (SIGKILL, no chance to clean up) mid-ride: reopening the vault
 * recovers every sample whose append had resolved.
 */
import { spawn } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { columnsToSamples, openNodeVault, unwrap } from "../src/node.js";

const CHILD = fileURLToPath(new URL("./fixtures/record-child.mjs", import.meta.url));
const T0 = Date.UTC(2026, 6, 14, 6, 0, 0);

/** Runs the child until it has acknowledged `acks` samples, then kills it. */
async function recordAndKill(
  directory: string,
  acks: number,
): Promise<{ id: string; acked: number }> {
  const child = spawn(process.execPath, [CHILD, directory], { stdio: ["ignore", "pipe", "pipe"] });
  let id = "";
  let acked = -1;
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith("workout ")) id = line.slice(8);
        if (line.startsWith("ack ")) acked = Number(line.slice(4));
        if (acked + 1 >= acks && child.exitCode === null) {
          child.kill("SIGKILL");
          resolve();
        }
      }
    });
    child.on("exit", (code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`recorder exited early (${code}): ${stderr}`));
    });
  });
  await new Promise((resolve) => child.once("close", resolve));
  return { id, acked: acked + 1 };
}

describe("killing the recording process", () => {
  for (const acks of [7, 73, 250]) {
    it(`recovers every acknowledged sample after SIGKILL at sample ${acks}`, async () => {
      const directory = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-kill-"));
      try {
        const { id, acked } = await recordAndKill(directory, acks);
        expect(acked).toBeGreaterThanOrEqual(acks);
        const vault = unwrap(await openNodeVault({ directory }));
        const workout = unwrap(await vault.workouts.open(id));
        const samples = columnsToSamples(workout.samples().columns);
        // Everything acknowledged is there, exactly; at most what was in flight comes extra.
        expect(samples.length).toBeGreaterThanOrEqual(acked);
        expect(samples.length).toBeLessThanOrEqual(acked + 1);
        samples.forEach((sample, i) => {
          expect(sample).toEqual({
            time: T0 + i * 1000,
            power: 100 + (i % 300),
            heartRate: 90 + (i % 80),
            distance: i * 7000,
          });
        });
        expect(vault.workouts.get(id)?.summary?.samples).toBe(samples.length);
        expect(vault.recovery.problems).toEqual([]);
        await vault.close();
      } finally {
        await fs.rm(directory, { recursive: true, force: true });
      }
    });
  }
});
