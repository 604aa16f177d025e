/**
 * Scale-out: two relay processes on one PostgreSQL database (a fresh one per run). Devices
 * on different instances converge; killing an instance mid-push sends its devices to the
 * other through the balancer and loses nothing; killing the `LISTEN` connections while
 * pushes continue still gives every subscriber every sequence number once, in order.
 */
import {
  createDocumentKeys,
  deriveAccessSecret,
  loadSodium,
  type Sodium,
  unwrap,
} from "@ridevault/core";
import postgres from "postgres";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  closeDevices,
  type Device,
  eventually,
  openDevice,
  record,
  ride,
  snapshot,
} from "./devices.js";
import { terminateBackends, useTestDatabase } from "./postgres-database.js";
import { connectRaw, type RawClient } from "./raw-client.js";
import { registerRaw, sealTestEnvelope } from "./raw-documents.js";
import {
  type Balancer,
  type ClusterRelay,
  startBalancer,
  startClusterRelay,
} from "./relay-cluster.js";

const T0 = Date.UTC(2026, 7, 9, 6, 0, 0);

const testDatabase = useTestDatabase();
let sodium: Sodium;
const relays: ClusterRelay[] = [];
const devices: Device[] = [];
const clients: RawClient[] = [];
let balancer: Balancer | undefined;

beforeAll(async () => {
  sodium = await loadSodium();
});
afterEach(async () => {
  await closeDevices(devices.splice(0));
  for (const client of clients.splice(0)) client.close();
  await balancer?.close();
  balancer = undefined;
  for (const relay of relays.splice(0)) await relay.stop();
});

async function twoRelays(): Promise<[ClusterRelay, ClusterRelay]> {
  const started = await Promise.all([
    startClusterRelay(testDatabase().url),
    startClusterRelay(testDatabase().url),
  ]);
  relays.push(...started);
  return started;
}

async function device(name: string, url: string, join?: string): Promise<Device> {
  const opened = await openDevice(name, url, join);
  devices.push(opened);
  return opened;
}

/** Duplicate (document, author, counter) rows and per-document gaps among changes. */
async function integrity(): Promise<{ duplicates: number; gaps: number }> {
  const sql = postgres(testDatabase().url, { max: 1, onnotice: () => undefined });
  const [duplicates] = await sql`SELECT COUNT(*)::int AS n FROM (
    SELECT 1 FROM envelopes GROUP BY doc_id, author, counter HAVING COUNT(*) > 1) d`;
  const [gaps] = await sql`SELECT COUNT(*)::int AS n FROM (
    SELECT doc_id FROM envelopes WHERE kind = 'change' GROUP BY doc_id
    HAVING MAX(seq) - MIN(seq) + 1 <> COUNT(*)) g`;
  await sql.end();
  return { duplicates: Number(duplicates?.n), gaps: Number(gaps?.n) };
}

describe("several relay instances on one PostgreSQL database", () => {
  it("converges devices connected to different instances, both ways", async () => {
    const [a, b] = await twoRelays();
    const phone = await device("phone", a.url);
    const laptop = await device("laptop", b.url, await phone.vault.invite());
    const ride1 = unwrap(await phone.vault.workouts.create({ title: "Col du A", startTime: T0 }));
    await record(phone, ride1.id, ride(T0, 300, 1));
    await eventually(
      async () =>
        (await laptop.vault.workouts.open(ride1.id)).ok &&
        unwrap(await laptop.vault.workouts.open(ride1.id)).samples().columns.length === 300,
      20_000,
      "the phone's ride on the laptop (other instance)",
    );
    const ride2 = unwrap(
      await laptop.vault.workouts.create({ title: "Col du B", startTime: T0 + 86_400_000 }),
    );
    await record(laptop, ride2.id, ride(T0 + 86_400_000, 120, 2));
    await eventually(
      async () => (await phone.vault.workouts.open(ride2.id)).ok,
      20_000,
      "the laptop's ride on the phone",
    );
    await phone.sync.whenSynced(20_000);
    await laptop.sync.whenSynced(20_000);
    await eventually(
      async () => JSON.stringify(await snapshot(phone)) === JSON.stringify(await snapshot(laptop)),
      20_000,
      "both devices equal",
    );
    expect(await snapshot(laptop)).toEqual(await snapshot(phone));
    expect(await integrity()).toEqual({ duplicates: 0, gaps: 0 });
  });

  it("moves a device to the other instance when its instance is killed mid-push, losing nothing", async () => {
    const [a, b] = await twoRelays();
    balancer = await startBalancer([a.port, b.port]);
    const phone = await device("phone", balancer.url);
    await phone.sync.whenSynced(20_000);
    expect(balancer.routed[0]).toBe(a.port);
    const laptop = await device("laptop", b.url, await phone.vault.invite());
    const id = unwrap(await phone.vault.workouts.create({ title: "Failover", startTime: T0 })).id;
    const recording = unwrap(await phone.vault.workouts.record(id, { chunkSamples: 3 }));
    const samples = ride(T0, 600, 7);
    let appended = 0;
    let appendedAtKill = -1;
    const recorder = (async () => {
      for (const sample of samples) {
        unwrap(await recording.append(sample));
        appended++;
        if (appended % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await recording.finish();
    })();
    await eventually(() => appended >= 200, 20_000, "pushes under way");
    appendedAtKill = appended;
    await a.kill();
    relays.splice(relays.indexOf(a), 1);
    await recorder;
    expect(appendedAtKill).toBeLessThan(samples.length);
    await phone.sync.whenSynced(30_000);
    expect(phone.sync.status.pending).toBe(0);
    // The phone reconnected through the balancer, to the surviving instance.
    expect(balancer.routed.slice(1).length).toBeGreaterThan(0);
    expect(balancer.routed.slice(1).every((port) => port === b.port)).toBe(true);
    await eventually(
      async () =>
        (await laptop.vault.workouts.open(id)).ok &&
        unwrap(await laptop.vault.workouts.open(id)).samples().columns.length === samples.length,
      30_000,
      "every sample on the laptop",
    );
    await laptop.sync.whenSynced(20_000);
    expect(await snapshot(laptop)).toEqual(await snapshot(phone));
    expect(await integrity()).toEqual({ duplicates: 0, gaps: 0 });
  });

  it("gives every subscriber every sequence number once, in order, while LISTEN connections are killed", async () => {
    const [a, b] = await twoRelays();
    const keys = createDocumentKeys(sodium);
    const docId = "8vqUq6DKgorSexouEZeEpj";
    const accessSecret = deriveAccessSecret(sodium, keys.readKey);
    const connect = async (url: string, deviceId: string) => {
      const client = await connectRaw(url, { deviceId });
      clients.push(client);
      return client;
    };
    const writerA = await connect(a.url, "aaaaaaaaaaaaaaaa");
    const writerB = await connect(b.url, "bbbbbbbbbbbbbbbb");
    await registerRaw(writerA, sodium, docId, keys);
    const subscribers = [
      await connect(a.url, "cccccccccccccccc"),
      await connect(b.url, "dddddddddddddddd"),
      await connect(b.url, "eeeeeeeeeeeeeeee"),
    ];
    for (const subscriber of subscribers) {
      subscriber.send({ type: "subscribe", id: 3, docId, afterSeq: 0, accessSecret });
      await subscriber.next((m) => m.type === "caught-up" && m.id === 3);
    }
    const seal = (author: string, counter: number) =>
      sealTestEnvelope(sodium, {
        docId,
        keys,
        counter,
        plaintext: Uint8Array.of(counter % 256),
        author,
      });
    const ROUNDS = 30;
    const BURST = 5;
    let terminated = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const acks: Promise<unknown>[] = [];
      for (const [writer, author] of [
        [writerA, "aaaaaaaaaaaaaaaa"],
        [writerB, "bbbbbbbbbbbbbbbb"],
      ] as const) {
        for (let i = 0; i < BURST; i++) {
          const counter = round * BURST + i + 1;
          const id = 100 + counter;
          writer.send({ type: "push", id, docId, envelope: seal(author, counter) });
          acks.push(writer.next((m) => m.type === "ack" && m.id === id, 15_000));
        }
      }
      if (round % 6 === 2) terminated += await terminateBackends(testDatabase(), "LISTEN%");
      await Promise.all(acks);
    }
    const total = ROUNDS * BURST * 2;
    // Both instances' listeners were killed, again and again.
    expect(terminated).toBeGreaterThanOrEqual(ROUNDS / 6);
    const seqsOf = (client: RawClient) =>
      client.received.flatMap((m) => (m.type === "envelope" ? [m.seq] : []));
    await eventually(
      () => subscribers.every((s) => seqsOf(s).length >= total),
      20_000,
      "every envelope at every subscriber",
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const expected = Array.from({ length: total }, (_, i) => i + 1);
    for (const subscriber of subscribers) expect(seqsOf(subscriber)).toEqual(expected);
    expect(await integrity()).toEqual({ duplicates: 0, gaps: 0 });
  });
});
