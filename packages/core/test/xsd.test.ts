/**
 * Schema validation of the TCX and GPX exports with xmllint against the official XSD files
 * vendored in fixtures/xsd (see its README). `--nonet` keeps xmllint off the network; the
 * wrapper schemas import every schema from its local copy. Rides come from the property
 * generator plus fixed edge cases, and from files imported from other apps and exported
 * again. A deliberately broken file must fail, so the check itself is known to bite.
 */
import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type MetadataOverrides, metadataFixture } from "../src/formats/testing-fixtures.js";
import {
  exportGpx,
  exportTcx,
  importGpx,
  importTcx,
  type Sample,
  samplesToColumns,
  type WorkoutMetadata,
} from "../src/index.js";
import { rideArbitrary } from "../src/testing/arbitraries.js";

const run = promisify(execFile);
const XSD = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "xsd");
let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-xsd-"));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Validates files with xmllint; resolves with the failures (empty when all are valid). */
async function validate(schema: string, files: readonly string[]): Promise<string> {
  try {
    await run("xmllint", ["--nonet", "--noout", "--schema", path.join(XSD, schema), ...files], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return "";
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
}

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, text);
  return file;
}

function metadataFor(samples: readonly Sample[], extra: MetadataOverrides = {}): WorkoutMetadata {
  return metadataFixture(samples[0]?.time ?? Date.UTC(2024, 0, 1), {
    title: "Ride <with> \"markup\" & 'quotes'",
    notes: "Notes & more",
    settings: { ftp: 250 },
    ...extra,
  });
}

const rides = fc.sample(rideArbitrary({ maxLength: 200 }), { numRuns: 40, seed: 7 });

describe("exports validate against the official schemas", () => {
  test("every TCX (generated rides, laps, an empty ride, re-exported imports)", async () => {
    const files: string[] = [];
    for (const [i, samples] of rides.entries()) {
      const first = samples[0]?.time ?? 0;
      const laps =
        i % 3 === 0
          ? [
              { id: "a", start: first, end: first + 30_000, trigger: "manual" as const },
              { id: "b", start: first + 30_000, end: null, trigger: "distance" as const },
            ]
          : [];
      const tcx = exportTcx({
        metadata: metadataFor(samples, { laps }),
        columns: samplesToColumns(samples),
      });
      files.push(await write(`ride-${i}.tcx`, tcx));
    }
    files.push(
      await write(
        "empty.tcx",
        exportTcx({ metadata: metadataFor([]), columns: samplesToColumns([]) }),
      ),
    );
    const imported = importTcx(
      exportTcx({
        metadata: metadataFor(rides[1] ?? []),
        columns: samplesToColumns(rides[1] ?? []),
      }),
    );
    if (!imported.ok) throw new Error(imported.error.message);
    files.push(
      await write(
        "reexported.tcx",
        exportTcx({
          metadata: metadataFor(imported.value.samples),
          columns: samplesToColumns(imported.value.samples),
        }),
      ),
    );
    expect(await validate("tcx-with-extensions.xsd", files)).toBe("");
  });

  test("every GPX, with TrackPointExtension v2 and PowerExtension", async () => {
    const files: string[] = [];
    for (const [i, samples] of rides.entries()) {
      const gpx = exportGpx({ metadata: metadataFor(samples), columns: samplesToColumns(samples) });
      if (gpx.ok) files.push(await write(`ride-${i}.gpx`, gpx.value));
    }
    expect(files.length).toBeGreaterThan(10);
    const back = importGpx(await fs.readFile(files[0] as string, "utf8"));
    if (!back.ok) throw new Error(back.error.message);
    const again = exportGpx({
      metadata: metadataFor(back.value.samples),
      columns: samplesToColumns(back.value.samples),
    });
    if (again.ok) files.push(await write("reexported.gpx", again.value));
    expect(await validate("gpx-with-extensions.xsd", files)).toBe("");
  });

  test("the check bites: elements out of schema order fail", async () => {
    const samples = rides[0] ?? [];
    const tcx = exportTcx({ metadata: metadataFor(samples), columns: samplesToColumns(samples) });
    const broken = tcx
      .replace("<Intensity>Active</Intensity>", "")
      .replace("</TriggerMethod>", "</TriggerMethod><Intensity>Active</Intensity>");
    expect(
      await validate("tcx-with-extensions.xsd", [await write("broken.tcx", broken)]),
    ).toContain("fails to validate");
    const gpx = `<?xml version="1.0"?><gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg><trkpt lat="1" lon="2"><time>2024-01-01T00:00:00Z</time><extensions><power>1</power></extensions></trkpt></trkseg></trk></gpx>`;
    expect(
      await validate("gpx-with-extensions.xsd", [await write("strava-power.gpx", gpx)]),
    ).toContain("fails to validate");
  });
});
