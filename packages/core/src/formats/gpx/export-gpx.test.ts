import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rideArbitrary } from "../../testing/arbitraries.js";
import { samplesToColumns } from "../../workout/columns.js";
import type { Sample } from "../../workout/sample.js";
import { metadataFixture } from "../testing-fixtures.js";
import { exportGpx } from "./export-gpx.js";

const T0 = Date.UTC(2026, 4, 17, 6, 30, 0);

const metadata = (title: string) => metadataFixture(T0, { title, subSport: "road" });

/** Reads the track points back with a strict pattern: an independent parse of our output. */
function points(gpx: string): Sample[] {
  const out: Sample[] = [];
  const pattern =
    /<trkpt lat="(-?\d+\.\d{7})" lon="(-?\d+\.\d{7})">(?:<ele>(-?[\d.]+)<\/ele>)?<time>([^<]+)<\/time>(?:<extensions>(.*?)<\/extensions>)?<\/trkpt>/g;
  for (const match of gpx.matchAll(pattern)) {
    const [, lat, lon, ele, time, ext = ""] = match;
    const sample: Record<string, number> = {
      time: Date.parse(time as string),
      lat: Math.round(Number(lat) * 1e7),
      lon: Math.round(Number(lon) * 1e7),
    };
    if (ele !== undefined) sample.altitude = Math.round(Number(ele) * 1000);
    const power = /<pwr:PowerInWatts>(\d+)<\/pwr:PowerInWatts>/.exec(ext);
    if (power) sample.power = Number(power[1]);
    const hr = /<gpxtpx:hr>(\d+)<\/gpxtpx:hr>/.exec(ext);
    if (hr) sample.heartRate = Number(hr[1]);
    const cad = /<gpxtpx:cad>(\d+)<\/gpxtpx:cad>/.exec(ext);
    if (cad) sample.cadence = Number(cad[1]);
    const speed = /<gpxtpx:speed>([\d.]+)<\/gpxtpx:speed>/.exec(ext);
    if (speed) sample.speed = Math.round(Number(speed[1]) * 1000);
    out.push(sample as unknown as Sample);
  }
  return out;
}

describe("GPX export", () => {
  it("writes every positioned sample, with HR and cadence in TrackPointExtension and power", () => {
    const samples: Sample[] = [
      {
        time: T0,
        lat: 476_062_000,
        lon: -1_223_321_000,
        altitude: 56_000,
        power: 210,
        heartRate: 120,
        cadence: 88,
        speed: 8200,
      },
      { time: T0 + 1000, lat: 476_062_100, lon: -1_223_320_900, power: 215 },
      { time: T0 + 2000, power: 220 },
    ];
    const gpx = exportGpx({
      metadata: metadata("Lake <loop> & back"),
      columns: samplesToColumns(samples),
    });
    if (!gpx.ok) throw new Error(gpx.error.message);
    expect(gpx.value).toContain('<gpx version="1.1"');
    expect(gpx.value).toContain("<name>Lake &#60;loop&#62; &#38; back</name>");
    expect(points(gpx.value)).toEqual(
      samples.slice(0, 2).map(({ time, lat, lon, altitude, power, heartRate, cadence, speed }) => ({
        time,
        lat,
        lon,
        ...(altitude !== undefined && { altitude }),
        ...(power !== undefined && { power }),
        ...(heartRate !== undefined && { heartRate }),
        ...(cadence !== undefined && { cadence }),
        ...(speed !== undefined && { speed }),
      })),
    );
  });

  it("refuses a ride without positions and says why", () => {
    const gpx = exportGpx({
      metadata: metadata("Trainer"),
      columns: samplesToColumns([{ time: T0, power: 200 }]),
    });
    expect(gpx.ok ? "" : gpx.error.code).toBe("no-positions");
    expect(gpx.ok ? "" : gpx.error.message).toContain("GPS");
  });

  it("round-trips positions, time and values of any ride exactly", () => {
    fc.assert(
      fc.property(rideArbitrary({ maxLength: 60 }), (ride) => {
        const withPositions = ride.filter((s) => s.lat !== undefined);
        const gpx = exportGpx({ metadata: metadata("x"), columns: samplesToColumns(ride) });
        if (withPositions.length === 0) {
          expect(gpx.ok).toBe(false);
          return;
        }
        if (!gpx.ok) throw new Error(gpx.error.message);
        const expected = withPositions.map((s) => {
          const e: Record<string, number> = {
            time: s.time,
            lat: s.lat as number,
            lon: s.lon as number,
          };
          if (s.altitude !== undefined) e.altitude = s.altitude;
          if (s.power !== undefined) e.power = s.power;
          if (s.heartRate !== undefined) e.heartRate = s.heartRate;
          if (s.cadence !== undefined) e.cadence = s.cadence;
          if (s.speed !== undefined) e.speed = s.speed;
          return e;
        });
        expect(points(gpx.value)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});
