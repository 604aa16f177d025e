/** Helpers of the live-view tests (Node and Workers): a coach's engine and a live second. */
import {
  createDeviceId,
  type DocumentKeys,
  type LiveSample,
  MemoryStorageAdapter,
  readOnly,
  SyncEngine,
  type SyncedDocument,
  type SyncSource,
  systemRandom,
  webSocketTransport,
} from "@ridevault/core";
import { WebSocket } from "ws";

/** A coach's device: one shared ride, its read keys only, synced by a real engine. */
export async function startCoach(
  url: string,
  docId: string,
  keys: DocumentKeys,
): Promise<SyncEngine> {
  const doc: SyncedDocument = {
    docId,
    keys: new Map([[keys.generation, readOnly(keys)]]),
    heads: () => [],
    changesSince: () => new Uint8Array(),
    save: () => new Uint8Array(),
    onLocalChange: () => () => undefined,
  };
  const source: SyncSource = {
    deviceId: createDeviceId(systemRandom),
    storage: new MemoryStorageAdapter(),
    documents: async () => [doc],
    persist: async () => undefined,
    merge: async () => ({ ok: true }),
    onDocumentsChanged: () => () => undefined,
  };
  const engine = new SyncEngine({
    source,
    url,
    transport: webSocketTransport(WebSocket as never),
    backoff: { minMs: 20, maxMs: 300 },
  });
  await engine.start();
  return engine;
}

/** Live second `i` of a ride starting at `t0`: every field, a pause every seventh second. */
export function liveSecond(t0: number, i: number): LiveSample {
  return {
    time: t0 + i * 1000,
    timerMs: i * 1000,
    lap: 1 + Math.floor(i / 5),
    state: i % 7 === 6 ? "paused" : "recording",
    power: 180 + ((i * 37) % 200),
    heartRate: 130 + (i % 30),
    cadence: 85 + (i % 10),
    speed: 8000 + i * 13,
    distance: i * 8200,
  };
}
