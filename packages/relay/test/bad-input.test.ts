/**
 * A device receiving a tampered envelope (a compromised relay serving an altered copy,
 * written straight into the relay's store) rejects it with a clear error and its documents
 * stay intact. Bad input sent to a relay — garbage, forged, tampered and oversized frames —
 * is in the protocol suite (`protocol-suite.ts`), run against the Node and Workers relays.
 */
import { unwrap } from "@ridevault/core";
import { describe, expect, it } from "vitest";
import { startRelay } from "../src/start-relay.js";
import { MemoryRelayStore } from "../src/store/memory-relay-store.js";
import { eventually, openDevice } from "./devices.js";

describe("a device receiving a tampered envelope", () => {
  it("rejects it with a clear error and keeps its documents intact", async () => {
    const store = new MemoryRelayStore();
    const relay = await startRelay({ store });
    const phone = await openDevice("phone", relay.url);
    const ride = unwrap(await phone.vault.workouts.create({ title: "Honest ride" }));
    await phone.sync.whenSynced();
    const laptop = await openDevice("laptop", relay.url, await phone.vault.invite());
    await laptop.sync.whenSynced();
    await eventually(
      async () => (await laptop.vault.workouts.open(ride.id)).ok,
      10_000,
      "ride on the laptop",
    );

    // A compromised relay serves an altered copy of one of the phone's envelopes.
    await laptop.sync.stop();
    const items = await store.read({ docId: ride.id, afterSeq: 0, limit: 100 });
    const last = items[items.length - 1];
    if (!last) throw new Error("no envelope stored");
    const tampered = last.envelope.slice();
    tampered[tampered.length - 80] = (tampered[tampered.length - 80] as number) ^ 1;
    await store.append({
      docId: ride.id,
      author: "ffffffffffffffff",
      counter: 1,
      kind: "change",
      coversSeq: null,
      envelope: tampered,
      receivedAt: Date.now(),
    });

    const restarted = await openDeviceAgain(laptop, relay.url);
    await eventually(
      () => restarted.status.lastError?.code === "tampered",
      10_000,
      "tampered envelope reported",
    );
    expect(restarted.status.lastError?.message).toContain(ride.id);
    const copy = unwrap(await laptop.vault.workouts.open(ride.id));
    expect(copy.metadata().title).toBe("Honest ride");
    expect(laptop.vault.workouts.get(ride.id)?.title).toBe("Honest ride");
    await restarted.stop();
    await phone.sync.stop();
    await laptop.vault.close();
    await phone.vault.close();
    await relay.close();
  });
});

async function openDeviceAgain(device: Awaited<ReturnType<typeof openDevice>>, url: string) {
  const { startSync } = await import("@ridevault/core");
  const { WebSocket } = await import("ws");
  return startSync(device.vault, {
    url,
    WebSocket: WebSocket as never,
    backoff: { minMs: 20, maxMs: 200 },
  });
}
