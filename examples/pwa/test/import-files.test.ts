import {
  MemoryCrashLog,
  MemoryStorageAdapter,
  openVault,
  unwrap,
  type Vault,
} from "@ridevault/core";
import { afterEach, describe, expect, it } from "vitest";
import { exportWorkout } from "../src/export/download-export.js";
import { importFiles, type PickedFile } from "../src/import/import-files.js";
import { addDemoRides } from "../src/recording/demo-rides.js";

const vaults: Vault[] = [];

async function newVault(): Promise<Vault> {
  const vault = unwrap(
    await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() }),
  );
  vaults.push(vault);
  return vault;
}

afterEach(async () => {
  for (const vault of vaults.splice(0)) await vault.close();
});

function picked(name: string, bytes: Uint8Array | string): PickedFile {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  return { name, arrayBuffer: async () => data.slice().buffer };
}

/** A vault with two demo rides, and a FIT export of the first. */
async function source(): Promise<{ vault: Vault; fit: Uint8Array; titles: string[] }> {
  const vault = await newVault();
  unwrap(await addDemoRides(vault, 2, () => undefined));
  const entries = vault.workouts.list();
  const first = unwrap(await vault.workouts.open(entries[0]?.id ?? ""));
  const exported = exportWorkout(first, "fit");
  if (!exported.ok) throw new Error(exported.message);
  const fit = new Uint8Array(await exported.file.arrayBuffer());
  return { vault, fit, titles: entries.map((entry) => entry.title) };
}

describe("importFiles", () => {
  it("imports a FIT file, reports a duplicate and a bad file, one line each", async () => {
    const { fit } = await source();
    const vault = await newVault();
    const steps: number[] = [];
    const lines = await importFiles(
      vault,
      [picked("morning.fit", fit), picked("again.fit", fit), picked("notes.txt", "hello")],
      (step) => steps.push(step.done),
    );
    expect(lines.map((line) => [line.name, line.status])).toEqual([
      ["morning.fit", "imported"],
      ["again.fit", "duplicate"],
      ["notes.txt", "failed"],
    ]);
    expect(lines[2]?.text).toMatch(/not a FIT, TCX or GPX file/);
    expect(lines[2]?.text.startsWith("notes.txt")).toBe(false);
    expect(vault.workouts.list()).toHaveLength(1);
    expect(vault.workouts.get(lines[0]?.workoutId ?? "")?.summary?.samples).toBeGreaterThan(100);
    expect(steps).toEqual([0, 1, 2, 3]);
  });

  it("restores a 'download all my data' zip and reports a damaged zip", async () => {
    const { vault: from, titles } = await source();
    const archive = await from.exportAll();
    const vault = await newVault();
    const lines = await importFiles(vault, [
      picked("ridevault-all-data.zip", archive),
      picked("broken.zip", new Uint8Array([1, 2, 3, 4])),
    ]);
    const restored = lines.filter((line) => line.status === "imported");
    expect(restored).toHaveLength(2);
    expect(restored.every((line) => line.name.startsWith("ridevault-all-data.zip › "))).toBe(true);
    expect(lines.at(-1)).toMatchObject({ name: "broken.zip", status: "failed" });
    expect(
      vault.workouts
        .list()
        .map((entry) => entry.title)
        .sort(),
    ).toEqual([...titles].sort());
  });
});
