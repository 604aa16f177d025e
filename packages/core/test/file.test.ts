import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
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
