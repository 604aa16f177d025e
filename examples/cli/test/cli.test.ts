/** The CLI, run as a user runs it: a real process over a real vault directory. */
import { execFile, spawn } from "node:child_process";
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

    const fitFile = path.join(dir, "lunch.fit");
    expect(await cli("export", id, "--out", fitFile)).toContain("lunch.fit");
    const fit = await fs.readFile(fitFile);
    expect(fit.subarray(8, 12).toString("latin1")).toBe(".FIT");
    expect(fit.length).toBeGreaterThan(180 * 10);
    const tcxFile = path.join(dir, "lunch.tcx");
    await cli("export", id, "--format", "tcx", "--out", tcxFile);
    const tcx = await fs.readFile(tcxFile, "utf8");
    expect(tcx).toContain('<Activity Sport="Biking">');
    expect(tcx.match(/<Trackpoint>/g)).toHaveLength(180);
    // The demo ride is indoors: GPX needs positions, and the CLI says so.
    await expect(cli("export", id, "--format", "gpx")).rejects.toMatchObject({
      stderr: expect.stringContaining("no GPS positions"),
    });

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

  it("syncs through a relay, and a second vault joins with an invite", async () => {
    const relayMain = fileURLToPath(
      new URL("../../../packages/relay/dist/main.js", import.meta.url),
    );
    const relay = spawn(
      process.execPath,
      [relayMain, "--data", path.join(dir, "relay"), "--port", "0"],
      {
        stdio: ["ignore", "pipe", "ignore"],
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        relay.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const match = /\{"ready":"([^"]+)"\}/.exec(out);
          if (match) resolve(match[1] as string);
        });
        relay.once("exit", () => reject(new Error("relay exited")));
      });
      const recorded = await cli("record-demo", "--minutes", "2", "--title", "Synced spin");
      const id = recorded.trim().split(/\s+/).pop() as string;
      expect(await cli("sync", "--relay", url)).toContain("in step with");
      const invite = (await cli("invite")).trim();
      expect(invite).toMatch(/^ridevault-invite-1\./);
      const other = path.join(dir, "second-device");
      const { stdout } = await exec(process.execPath, [
        MAIN,
        "--dir",
        other,
        "join",
        invite,
        "--relay",
        url,
      ]);
      expect(stdout).toContain("1 workouts");
      const listed = await exec(process.execPath, [MAIN, "--dir", other, "list"]);
      expect(listed.stdout).toContain(id);
      expect(listed.stdout).toContain("Synced spin");
    } finally {
      relay.kill();
    }
  });

  it("fails with a clear message for an unknown workout", async () => {
    await expect(cli("show", "NoSuchWorkout1234567890")).rejects.toMatchObject({
      stderr: expect.stringContaining("is not in this vault"),
    });
  });
});
