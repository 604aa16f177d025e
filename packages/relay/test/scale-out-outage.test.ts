/**
 * A database outage seen by a relay on PostgreSQL (through a proxy the test can cut):
 * `/health` turns 503, pushes fail with a retryable error instead of hanging or being
 * acknowledged, and once the database is back the pool and the `LISTEN` connection
 * reconnect by themselves — health is 200 again, pushes are stored, and an envelope pushed
 * through another instance during the listener's absence still reaches the subscriber.
 */
import os from "node:os";
import { createDocumentKeys, deriveAccessSecret, loadSodium, unwrap } from "@ridevault/core";
import { describe, expect, it } from "vitest";
import { type RunningRelay, startRelay } from "../src/start-relay.js";
import { openConfiguredStore } from "../src/store/open-configured-store.js";
import { eventually } from "./devices.js";
import { useTestDatabase } from "./postgres-database.js";
import { connectRaw } from "./raw-client.js";
import { registerRaw, sealTestEnvelope } from "./raw-documents.js";
import { type OutageProxy, startOutageProxy } from "./relay-cluster.js";

const DOC = "9vqUq6DKgorSexouEZeEpk";

const testDatabase = useTestDatabase();

/** A relay in this process whose database connections all go through `proxy`. */
async function relayThrough(proxy: OutageProxy | null): Promise<RunningRelay> {
  const url = new URL(testDatabase().url);
  if (proxy) url.port = String(proxy.port);
  const opened = unwrap(
    await openConfiguredStore({ dataDir: os.tmpdir(), databaseUrl: url.toString() }),
  );
  return startRelay({
    store: opened.store,
    ...(opened.feed && { feed: opened.feed }),
    ...(opened.healthy && { healthy: opened.healthy }),
  });
}

async function health(relay: RunningRelay): Promise<number> {
  const response = await fetch(relay.url.replace("ws://", "http://").replace("/sync", "/health"));
  return response.status;
}

describe("a PostgreSQL outage", () => {
  it("makes the relay unhealthy and its pushes fail retryably, then it recovers by itself", {
    timeout: 60_000,
  }, async () => {
    const sodium = await loadSodium();
    const proxy = await startOutageProxy(Number(new URL(testDatabase().url).port || 5432));
    const cut = await relayThrough(proxy);
    const other = await relayThrough(null);
    const keys = createDocumentKeys(sodium);
    const accessSecret = deriveAccessSecret(sodium, keys.readKey);
    const seal = (counter: number) =>
      sealTestEnvelope(sodium, { docId: DOC, keys, counter, plaintext: Uint8Array.of(counter) });
    const writer = await connectRaw(cut.url, { deviceId: "0123456789abcdef" });
    const reader = await connectRaw(cut.url, { deviceId: "fedcba9876543210" });
    const elsewhere = await connectRaw(other.url, { deviceId: "aaaaaaaaaaaaaaaa" });
    try {
      await registerRaw(writer, sodium, DOC, keys);
      reader.send({ type: "subscribe", id: 3, docId: DOC, afterSeq: 0, accessSecret });
      await reader.next((m) => m.type === "caught-up" && m.id === 3);
      expect(await health(cut)).toBe(200);

      proxy.setDown(true);
      await eventually(async () => (await health(cut)) === 503, 15_000, "503 during the outage");
      writer.send({ type: "push", id: 10, docId: DOC, envelope: seal(1) });
      const failed = await writer.next((m) => "id" in m && m.id === 10, 20_000);
      expect(failed).toMatchObject({ type: "error", code: "internal" });
      expect(failed.type === "error" && failed.message).toMatch(/retry/);
      // Meanwhile another instance takes a push: its hint cannot reach the cut instance.
      elsewhere.send({ type: "push", id: 11, docId: DOC, envelope: seal(2) });
      expect(await elsewhere.next((m) => "id" in m && m.id === 11)).toMatchObject({
        type: "ack",
        seq: 1,
      });

      proxy.setDown(false);
      await eventually(async () => (await health(cut)) === 200, 20_000, "200 after the outage");
      // The listener's reconnect caught the subscriber up with what it missed.
      await eventually(
        () => reader.received.some((m) => m.type === "envelope" && m.seq === 1),
        10_000,
        "the envelope pushed elsewhere during the outage",
      );
      writer.send({ type: "push", id: 12, docId: DOC, envelope: seal(1) });
      expect(await writer.next((m) => "id" in m && m.id === 12, 10_000)).toMatchObject({
        type: "ack",
        seq: 2,
        duplicate: false,
      });
      await eventually(
        () => reader.received.some((m) => m.type === "envelope" && m.seq === 2),
        10_000,
        "the retried push at the subscriber",
      );
      const seqs = reader.received.flatMap((m) => (m.type === "envelope" ? [m.seq] : []));
      expect(seqs).toEqual([1, 2]);
    } finally {
      for (const client of [writer, reader, elsewhere]) client.close();
      await cut.close();
      await other.close();
      await proxy.close();
    }
  });
});
