/**
 * The relay-store suite's catch-up: reads after a cursor with a limit, snapshots (the newest
 * covering one, then the changes after it), pruning, and retries of pruned envelopes.
 */
import { describe, expect, it } from "vitest";
import {
  author,
  change,
  envelopeBytes,
  type RelayStoreFactory,
  readAll,
  registerAll,
  seqs,
  snapshot,
} from "./relay-store-suite-helpers.js";

/** Describes the catch-up tests. */
export function describeCatchUp(factory: RelayStoreFactory): void {
  describe("catch-up", () => {
    it("reads the changes after a cursor, ascending, at most `limit`", async () => {
      const { store, teardown } = await factory.create();
      await registerAll(store, "doc", "other");
      for (let c = 1; c <= 10; c++) await store.append(change("doc", author(c), c));
      await store.append(change("other", author(0), 1));
      expect(seqs(await store.read({ docId: "doc", afterSeq: 0, limit: 3 }))).toEqual([1, 2, 3]);
      expect(seqs(await store.read({ docId: "doc", afterSeq: 3, limit: 3 }))).toEqual([4, 5, 6]);
      expect(seqs(await store.read({ docId: "doc", afterSeq: 8, limit: 5 }))).toEqual([9, 10]);
      expect(await store.read({ docId: "doc", afterSeq: 10, limit: 5 })).toEqual([]);
      expect(await store.read({ docId: "nowhere", afterSeq: 0, limit: 5 })).toEqual([]);
      const [fifth] = await store.read({ docId: "doc", afterSeq: 4, limit: 1 });
      expect(fifth).toEqual({
        seq: 5,
        kind: "change",
        envelope: envelopeBytes("doc", author(5), 5),
        coversSeq: null,
      });
      for (const limit of [1, 2, 7, 100]) {
        expect(seqs(await readAll(store, "doc", 0, limit))).toEqual([
          1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
        ]);
      }
      await store.close();
      await teardown?.();
    });

    it("serves the newest covering snapshot first, then the changes after what it covers", async () => {
      const { store, teardown } = await factory.create();
      await registerAll(store, "doc");
      // Seqs 1–6 changes, 7 a snapshot of 1–4, 8–9 changes, 10 a snapshot of 1–8, 11 a change.
      for (let c = 1; c <= 6; c++) await store.append(change("doc", author(0), c));
      expect(await store.append(snapshot("doc", author(1), 1, 4))).toEqual({
        seq: 7,
        duplicate: false,
      });
      await store.append(change("doc", author(0), 7));
      await store.append(change("doc", author(0), 8));
      expect(await store.append(snapshot("doc", author(2), 1, 8))).toEqual({
        seq: 10,
        duplicate: false,
      });
      await store.append(change("doc", author(0), 9));
      expect(await store.getDocument("doc")).toMatchObject({
        lastSeq: 11,
        snapshotSeq: 10,
        snapshotCoversSeq: 8,
      });
      const fromStart = await store.read({ docId: "doc", afterSeq: 0, limit: 100 });
      expect(fromStart.map((i) => [i.seq, i.kind, i.coversSeq])).toEqual([
        [10, "snapshot", 8],
        [9, "change", null],
        [11, "change", null],
      ]);
      expect(fromStart[0]?.envelope).toEqual(snapshot("doc", author(2), 1, 8).envelope);
      expect(seqs(await store.read({ docId: "doc", afterSeq: 7, limit: 100 }))).toEqual([
        10, 9, 11,
      ]);
      // A client that has everything the snapshot covers gets only changes.
      expect(seqs(await store.read({ docId: "doc", afterSeq: 8, limit: 100 }))).toEqual([9, 11]);
      expect(seqs(await store.read({ docId: "doc", afterSeq: 0, limit: 2 }))).toEqual([10, 9]);
      expect(seqs(await readAll(store, "doc", 0, 1))).toEqual([10, 9, 11]);
      await store.close();
      await teardown?.();
    });

    it("keeps the snapshot covering the most as the latest, and accepts one in the same turn as what it covers", async () => {
      const { store, teardown } = await factory.create();
      await registerAll(store, "doc");
      const results = await Promise.all([
        store.append(change("doc", author(0), 1)),
        store.append(change("doc", author(0), 2)),
        store.append(snapshot("doc", author(1), 1, 2)),
        store.append(snapshot("doc", author(2), 1, 1)),
      ]);
      expect(results.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
      expect(await store.getDocument("doc")).toMatchObject({
        snapshotSeq: 3,
        snapshotCoversSeq: 2,
      });
      expect(seqs(await readAll(store, "doc"))).toEqual([3]);
      await store.close();
      await teardown?.();
    });

    it("prunes covered changes and older snapshots, keeps the rest, and catch-up stays complete", async () => {
      const { store, teardown } = await factory.create();
      await registerAll(store, "doc", "other");
      for (let c = 1; c <= 5; c++) await store.append(change("doc", author(0), c));
      await store.append(snapshot("doc", author(1), 1, 3)); // seq 6
      await store.append(change("doc", author(2), 1)); // seq 7
      await store.append(snapshot("doc", author(1), 2, 5)); // seq 8
      await store.append(change("doc", author(0), 6)); // seq 9
      await store.append(change("other", author(0), 1));
      expect(await store.prune("other")).toBe(0);
      const before = await readAll(store, "doc", 0, 2);
      expect(await store.prune("doc")).toBe(6); // changes 1–5 and the snapshot at 6
      expect(await store.prune("doc")).toBe(0);
      expect(await store.stats("doc")).toMatchObject({ documents: 1, changes: 2, snapshots: 1 });
      expect(await readAll(store, "doc", 0, 2)).toEqual(before);
      expect(seqs(before)).toEqual([8, 7, 9]);
      // A client that had seqs 1–2 gets the snapshot (everything to 5) and the rest.
      expect(seqs(await readAll(store, "doc", 2))).toEqual([8, 7, 9]);
      expect(seqs(await readAll(store, "doc", 7))).toEqual([9]);
      expect(await store.getDocument("doc")).toMatchObject({ lastSeq: 9, snapshotSeq: 8 });
      expect(seqs(await readAll(store, "other"))).toEqual([1]);
      expect(await store.append(change("doc", author(0), 7))).toEqual({
        seq: 10,
        duplicate: false,
      });
      await store.close();
      await teardown?.();
    });

    it("still treats a retry of a pruned envelope as a duplicate, also after a restart", async () => {
      const { store, reopen, teardown } = await factory.create();
      await registerAll(store, "doc");
      for (let c = 1; c <= 3; c++) await store.append(change("doc", author(0), c)); // 1–3
      await store.append(change("doc", author(1), 1)); // 4
      await store.append(change("doc", author(0), 4)); // 5, not covered
      await store.append(snapshot("doc", author(2), 1, 4)); // 6
      expect(await store.prune("doc")).toBe(4);
      const check = async (s: typeof store) => {
        // The author's newest pruned envelope gets exactly its original number…
        expect(await s.append(change("doc", author(0), 3))).toEqual({ seq: 3, duplicate: true });
        expect(await s.append(change("doc", author(1), 1))).toEqual({ seq: 4, duplicate: true });
        // …an older one an upper bound within what the snapshot covers.
        expect(await s.append(change("doc", author(0), 1))).toEqual({ seq: 3, duplicate: true });
        // Unpruned envelopes keep their exact numbers, and new ones continue the sequence.
        expect(await s.append(change("doc", author(0), 4))).toEqual({ seq: 5, duplicate: true });
        expect(await s.append(snapshot("doc", author(2), 1, 4))).toEqual({
          seq: 6,
          duplicate: true,
        });
        expect((await s.getDocument("doc"))?.lastSeq).toBe(6);
        expect(await s.stats("doc")).toMatchObject({ changes: 1, snapshots: 1 });
      };
      await check(store);
      await store.close();
      const again = await reopen();
      await check(again);
      expect(await again.append(change("doc", author(1), 2))).toEqual({ seq: 7, duplicate: false });
      await again.close();
      await teardown?.();
    });
  });
}
