/**
 * The relay-store suite's protocol guarantees that the other parts leave implicit: the
 * relay does not await one write before issuing the next (it prunes right after acking a
 * snapshot while other pushes arrive), so writes must take effect in call order; envelopes
 * are opaque bytes that come back bit for bit, whatever their size; and author counters
 * use the whole safe-integer range.
 */
import { describe, expect, it } from "vitest";
import type { AppendInput } from "./relay-store.js";
import {
  author,
  change,
  type RelayStoreFactory,
  readAll,
  registration,
  seqs,
  snapshot,
} from "./relay-store-suite-helpers.js";

/** Describes the protocol-guarantee tests. */
export function describeProtocol(factory: RelayStoreFactory): void {
  describe("protocol guarantees", () => {
    it("applies writes issued in one turn in call order: register, appends, prune, appends", async () => {
      const { store, teardown } = await factory.create();
      const calls = await Promise.all([
        store.registerDocument(registration("doc")),
        store.append(change("doc", author(0), 1)),
        store.append(change("doc", author(0), 2)),
        store.append(snapshot("doc", author(1), 1, 2)),
        store.prune("doc"),
        store.append(change("doc", author(0), 3)),
        store.append(change("doc", author(0), 2)),
      ]);
      expect(calls[0]).toEqual({ ok: true, value: "created" });
      expect(calls.slice(1, 4)).toEqual([
        { seq: 1, duplicate: false },
        { seq: 2, duplicate: false },
        { seq: 3, duplicate: false },
      ]);
      // The prune ran after the snapshot was stored and before the next change.
      expect(calls[4]).toBe(2);
      expect(calls[5]).toEqual({ seq: 4, duplicate: false });
      // A retry of a change pruned earlier in the same turn is still a duplicate.
      expect(calls[6]).toEqual({ seq: 2, duplicate: true });
      expect(seqs(await readAll(store, "doc"))).toEqual([3, 4]);
      const deleted = await Promise.all([
        store.append(change("doc", author(2), 1)),
        store.deleteDocument("doc"),
      ]);
      expect(deleted).toEqual([{ seq: 5, duplicate: false }, true]);
      expect(await store.getDocument("doc")).toBeUndefined();
      await store.close();
      await teardown?.();
    });

    it("returns envelopes bit for bit: every byte value, empty-looking and large ones", async () => {
      const { store, teardown } = await factory.create();
      expect((await store.registerDocument(registration("doc"))).ok).toBe(true);
      const everyByte = Uint8Array.from({ length: 512 }, (_, i) => (i * 7) % 256);
      const zeros = new Uint8Array(64);
      const large = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31 + (i >> 8)) % 256);
      const inputs: AppendInput[] = [everyByte, zeros, large].map((envelope, i) => ({
        ...change("doc", author(0), i + 1),
        envelope,
      }));
      for (const input of inputs) await store.append(input);
      const items = await readAll(store, "doc");
      expect(items.map((item) => item.envelope)).toEqual(inputs.map((input) => input.envelope));
      expect(items.every((item) => item.envelope.constructor === Uint8Array)).toBe(true);
      expect((await store.stats("doc")).bytes).toBe(512 + 64 + (1 << 20));
      await store.close();
      await teardown?.();
    });

    it("keeps counters up to the largest safe integer, and retries of them duplicates", async () => {
      const { store, teardown } = await factory.create();
      expect((await store.registerDocument(registration("doc"))).ok).toBe(true);
      const counters = [0, 2 ** 31, 2 ** 40 + 1, Number.MAX_SAFE_INTEGER];
      for (const [i, counter] of counters.entries()) {
        expect(await store.append(change("doc", author(i), counter))).toEqual({
          seq: i + 1,
          duplicate: false,
        });
      }
      for (const [i, counter] of counters.entries()) {
        expect(await store.append(change("doc", author(i), counter))).toEqual({
          seq: i + 1,
          duplicate: true,
        });
      }
      expect((await store.getDocument("doc"))?.lastSeq).toBe(counters.length);
      await store.close();
      await teardown?.();
    });
  });
}
