/** The CLI, run as a user runs it: a real process over a real vault directory. */
import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const exec = promisify(execFile);
let dir = "";

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await exec(process.execPath, [MAIN, "--dir", dir, ...args]);
  return stdout;
}

describe("ridevault CLI", () => {
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-cli-"));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("records a demo ride, lists, shows, exports, removes, restores and purges it", async () => {
    expect(await cli("list")).toContain("no workouts yet");
    const recorded = await cli("record-demo", "--minutes", "3", "--title", "Lunch spin");
    const id = recorded.trim().split(/\s+/).pop() as string;
    expect(recorded).toContain("Lunch spin");
    expect(await cli("list")).toContain(id);

    const shown = JSON.parse(await cli("show", id)) as {
      title: string;
      summary: { samples: number };
    };
    expect(shown.title).toBe("Lunch spin");
    expect(shown.summary.samples).toBe(180);

    const csv = (await cli("samples", id)).trim().split("\n");
    expect(csv[0]).toBe("time,power,heartRate,cadence,speed,distance,lat,lon,altitude,rr");
    expect(csv).toHaveLength(181);

    await cli("rename", id, "Lunch", "loop");
    expect(await cli("list")).toContain("Lunch loop");
    await cli("remove", id);
    expect(await cli("list")).not.toContain(id);
    expect(await cli("list", "--bin")).toContain(id);
    await cli("restore", id);
    expect(await cli("list")).toContain(id);
    await cli("purge", id);
    expect(await cli("list", "--bin")).not.toContain(id);
  });

  it("fails with a clear message for an unknown workout", async () => {
    await expect(cli("show", "NoSuchWorkout1234567890")).rejects.toMatchObject({
      stderr: expect.stringContaining("is not in this vault"),
    });
  });
});
