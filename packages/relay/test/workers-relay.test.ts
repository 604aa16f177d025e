/**
 * What only the Workers relay has, in workerd (miniflare, 127.0.0.1, Durable Objects
 * persisted in a temporary directory): its HTTP routes and Origin allowlist, `/metrics`
 * added up across Durable Objects and kept across a restart of the runtime, a bad limit
 * variable refused with a message, and a `wrangler.toml` that matches what the tests run.
 * The protocol itself — the same suite as the Node relay's, the core sync engine with only
 * the URL changed — is `protocol-suite-workers.test.ts`.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from "@ridevault/core/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket as WsWebSocket } from "ws";
import {
  DEFAULT_DRAIN_BYTES_PER_SECOND,
  DEFAULT_MAX_BUFFERED_BYTES,
} from "../src/workers/send-budget.js";
import { eventually } from "./devices.js";
import { metricsText, metricValue } from "./protocol-suite-context.js";
import { connectRaw, type RawClient } from "./raw-client.js";
import {
  bundleWorker,
  COMPATIBILITY_DATE,
  COMPATIBILITY_FLAGS,
  RELAY_DURABLE_OBJECTS,
  startWorkerd,
  type Workerd,
} from "./workers-runtime.js";

const entry = fileURLToPath(new URL("../src/workers/worker.ts", import.meta.url));

let script = "";
let persistDir = "";
let workerd: Workerd;

beforeAll(async () => {
  script = await bundleWorker(entry);
  persistDir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-workers-relay-"));
  workerd = await startWorkerd({ script, persistDir });
}, 30_000);

afterAll(async () => {
  await workerd?.dispose();
  if (persistDir) await fs.rm(persistDir, { recursive: true, force: true });
});

describe("the Workers relay: HTTP", () => {
  it("answers /health and /metrics, refuses /sync without an upgrade and unknown paths", async () => {
    const health = await fetch(new URL("/health", workerd.url));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const metrics = await fetch(new URL("/metrics", workerd.url));
    expect(metrics.headers.get("content-type")).toBe("text/plain; version=0.0.4");
    expect(await metrics.text()).toContain("# TYPE ridevault_relay_frames_in_total counter");
    expect((await fetch(new URL("/sync", workerd.url))).status).toBe(426);
    expect((await fetch(new URL("/nowhere", workerd.url))).status).toBe(404);
  });

  it("refuses an origin outside ALLOWED_ORIGINS with 403 and accepts a listed one", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-workers-origin-"));
    const strict = await startWorkerd({
      script,
      persistDir: dir,
      bindings: { ALLOWED_ORIGINS: "https://app.example" },
    });
    try {
      const status = (origin: string) =>
        new Promise<number>((resolve, reject) => {
          const ws = new WsWebSocket(`ws://127.0.0.1:${strict.url.port}/sync`, { origin });
          ws.once("open", () => {
            ws.close();
            resolve(101);
          });
          ws.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
          ws.once("error", reject);
        });
      expect(await status("https://evil.example")).toBe(403);
      expect(await status("https://app.example")).toBe(101);
    } finally {
      await strict.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe("the Workers relay: wrangler.toml", () => {
  it("declares the bindings, SQLite classes and compatibility date the tests run with", async () => {
    const toml = await fs.readFile(new URL("../wrangler.toml", import.meta.url), "utf8");
    const bindings = [...toml.matchAll(/name = "(\w+)"\s*\nclass_name = "(\w+)"/g)].map((match) => [
      match[1],
      match[2],
    ]);
    expect(Object.fromEntries(bindings)).toEqual(RELAY_DURABLE_OBJECTS);
    // Every class is created by exactly one migration (tags v1, v2, … are never edited).
    const classes = [...toml.matchAll(/new_sqlite_classes = \[(.*)\]/g)].flatMap((match) =>
      (match[1] ?? "").split(",").map((name) => name.trim().replaceAll('"', "")),
    );
    expect(classes.sort()).toEqual(Object.values(RELAY_DURABLE_OBJECTS).sort());
    const vars = Object.fromEntries(
      [...toml.matchAll(/^(\w+) = "(\d+)"$/gm)].map((match) => [match[1], match[2]]),
    );
    expect(vars).toEqual({
      MAX_BUFFERED_BYTES: String(DEFAULT_MAX_BUFFERED_BYTES),
      DRAIN_BYTES_PER_SECOND: String(DEFAULT_DRAIN_BYTES_PER_SECOND),
    });
    expect(toml).toContain(`compatibility_date = "${COMPATIBILITY_DATE}"`);
    const flags = COMPATIBILITY_FLAGS.map((flag) => `"${flag}"`).join(", ");
    expect(toml).toContain(`compatibility_flags = [${flags}]`);
    expect(toml).toContain('ACCOUNTS_MODE = "required"');
    // The token secret is a Worker secret, never a variable in the file.
    expect(toml).not.toMatch(/^ACCESS_TOKEN_SECRET\s*=/m);
    expect(toml).toContain('main = "src/workers/worker.ts"');
  });
});

describe("the Workers relay: metrics and limits", () => {
  it("adds up every connection's counts and keeps them across a restart of the runtime", async () => {
    const url = `ws://127.0.0.1:${workerd.url.port}/sync`;
    const before = await metricsText(url);
    const clients = await Promise.all(
      ["1111111111111111", "2222222222222222", "3333333333333333"].map((deviceId) =>
        connectRaw(url, { deviceId }),
      ),
    );
    for (const client of clients) {
      client.sendBytes(new Uint8Array([PROTOCOL_VERSION, 200, 3]));
      await client.next((m) => m.type === "error");
    }
    const count = (text: string, name: string, labels?: Record<string, string>) =>
      metricValue(text, name, labels) - metricValue(before, name, labels);
    await eventually(
      async () => {
        const text = await metricsText(url);
        return (
          count(text, "ridevault_relay_errors_total", { code: "bad-frame" }) === 3 &&
          count(text, "ridevault_relay_frames_in_total") === 6 &&
          count(text, "ridevault_relay_connections") === 3
        );
      },
      15_000,
      "three connections' counts in /metrics",
    );
    // Closed by the device, by the device, and by the relay (a frame above the limit).
    const [first, second, third] = clients as [RawClient, RawClient, RawClient];
    first.close();
    second.close();
    third.sendBytes(new Uint8Array(MAX_FRAME_BYTES + 1));
    expect(await third.closed).toBe(1009);
    await Promise.all([first.closed, second.closed]);
    await eventually(
      async () => count(await metricsText(url), "ridevault_relay_connections") === 0,
      15_000,
      "the closed connections counted",
    );
    const counted = await metricsText(url);

    const port = Number(workerd.url.port);
    await workerd.dispose();
    workerd = await startWorkerd({ script, persistDir, port });
    expect(await metricsText(url)).toBe(counted);
  });

  it("refuses the upgrade with a message when a limit variable is not a number", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-workers-limits-"));
    const misconfigured = await startWorkerd({
      script,
      persistDir: dir,
      bindings: { MAX_BUFFERED_BYTES: "8 MiB" },
    });
    try {
      const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const ws = new WsWebSocket(`ws://127.0.0.1:${misconfigured.url.port}/sync`);
        ws.once("unexpected-response", (_request, res) => {
          let body = "";
          res.on("data", (chunk: Buffer) => {
            body += chunk.toString();
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        ws.once("open", () => reject(new Error("the upgrade was accepted")));
      });
      expect(response.status).toBe(500);
      expect(response.body).toContain("MAX_BUFFERED_BYTES must be a positive whole number");
    } finally {
      await misconfigured.dispose();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
