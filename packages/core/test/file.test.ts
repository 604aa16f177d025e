import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FileCrashLog, FileStorageAdapter, openNodeVault, unwrap } from "../src/node.js";
import { runCrashLogTests, runStorageAdapterTests, runVaultTests } from "../src/testing/index.js";

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), "ridevault-test-"));
}

runStorageAdapterTests("files", {
  async create() {
    const dir = await tempDir();
    return {
      store: new FileStorageAdapter(dir),
      reopen: async () => new FileStorageAdapter(dir),
      teardown: () => fs.rm(dir, { recursive: true, force: true }),
    };
  },
});

runCrashLogTests("files", {
  async create() {
    const dir = await tempDir();
    return {
      store: new FileCrashLog(dir),
      reopen: async () => new FileCrashLog(dir),
      teardown: () => fs.rm(dir, { recursive: true, force: true }),
    };
  },
});

runVaultTests("files", async () => {
  const directory = await tempDir();
  return {
    open: async (options = {}) =>
      unwrap(await openNodeVault({ ...options, directory, durable: false })),
    async damage(workoutId) {
      const folder = path.join(directory, "docs", workoutId);
      for (const name of await fs.readdir(folder)) {
        const file = path.join(folder, name);
        const data = await fs.readFile(file);
        await fs.writeFile(file, data.subarray(0, Math.floor(data.length / 2)));
      }
    },
    teardown: () => fs.rm(directory, { recursive: true, force: true }),
  };
});

describe("purging on a file system", () => {
  it("leaves no file of the workout behind", async () => {
    const directory = await tempDir();
    try {
      const vault = unwrap(await openNodeVault({ directory, durable: false }));
      const workout = unwrap(await vault.workouts.create({ title: "Secret ride" }));
      const recording = unwrap(await vault.workouts.record(workout.id, { chunkSamples: 5 }));
      for (let i = 0; i < 7; i++)
        unwrap(await recording.append({ time: 1_780_000_000_000 + i * 1000, power: 1 }));
      await recording.whenPersisted();
      const folder = path.join(directory, "docs", workout.id);
      expect((await fs.readdir(folder)).length).toBeGreaterThan(0);
      expect((await fs.readdir(path.join(directory, "crash-log"))).length).toBe(1);
      unwrap(await vault.workouts.purge(workout.id));
      await expect(fs.readdir(folder)).rejects.toMatchObject({ code: "ENOENT" });
      expect(await fs.readdir(path.join(directory, "crash-log"))).toEqual([]);
      await vault.close();
    } finally {
      await fs.rm(directory, { recursive: true, force: true });
    }
  });
});
