/**
 * The relay-store suite's documents: registration (idempotent, conflicting), the document
 * record, stats, deletion of everything of a document, surviving a restart, and closing.
 */
import { describe, expect, it } from "vitest";
import {
  author,
  change,
  type RelayStoreFactory,
  readAll,
  registerAll,
  registration,
  seqs,
  snapshot,
  value,
} from "./relay-store-suite-helpers.js";

/** Describes the document tests. */
export function describeDocuments(factory: RelayStoreFactory): void {
  describe("documents", () => {
    it("registers once; the same key again is 'exists', another key is document-exists", async () => {
      const { store, teardown } = await factory.create();
      expect(await store.getDocument("doc")).toBeUndefined();
      expect(value(await store.registerDocument(registration("doc")))).toBe("created");
      const again = { ...registration("doc"), accessHash: new Uint8Array([1]), owner: null };
      expect(value(await store.registerDocument(again))).toBe("exists");
      const conflict = await store.registerDocument(registration("doc", 2));
      expect(conflict.ok).toBe(false);
      if (!conflict.ok) {
        expect(conflict.error).toMatchObject({ code: "document-exists", docId: "doc" });
        expect(conflict.error.message).toContain("doc");
      }
      // The first registration stands.
      expect(await store.getDocument("doc")).toEqual({
        ...registration("doc"),
        generation: 0,
        lastSeq: 0,
        snapshotSeq: null,
        snapshotCoversSeq: null,
      });
      await store.close();
      await teardown?.();
    });

    it("reports each document's last sequence number and latest snapshot", async () => {
      const { store, teardown } = await factory.create();
      await registerAll(store, "doc", "empty");
      const ownerless = { ...registration("solo", 3), owner: null, createdAt: 5 };
      value(await store.registerDocument(ownerless));
      await Promise.all([1, 2, 3].map((c) => store.append(change("doc", author(0), c))));
      await store.append(snapshot("doc", author(1), 1, 2));
      expect(await store.getDocument("doc")).toMatchObject({
        docId: "doc",
        lastSeq: 4,
        snapshotSeq: 4,
        snapshotCoversSeq: 2,
      });
      expect((await store.getDocument("empty"))?.lastSeq).toBe(0);
      expect(await store.getDocument("solo")).toMatchObject({ owner: null, createdAt: 5 });
      await store.close();
      await teardown?.();
    });

    it("counts documents, changes, snapshots and bytes, per document and in total", async () => {
      const { store, teardown } = await factory.create();
      expect(await store.stats()).toEqual({ documents: 0, changes: 0, snapshots: 0, bytes: 0 });
      await registerAll(store, "doc", "other");
      const inputs = [change("doc", author(0), 1), change("doc", author(0), 2)];
      const snap = snapshot("doc", author(1), 1, 2);
      const elsewhere = change("other", author(0), 1);
      for (const input of [...inputs, snap, elsewhere]) await store.append(input);
      const docBytes = [...inputs, snap].reduce((sum, i) => sum + i.envelope.byteLength, 0);
      expect(await store.stats("doc")).toEqual({
        documents: 1,
        changes: 2,
        snapshots: 1,
        bytes: docBytes,
      });
      expect(await store.stats()).toEqual({
        documents: 2,
        changes: 3,
        snapshots: 1,
        bytes: docBytes + elsewhere.envelope.byteLength,
      });
      expect(await store.stats("nowhere")).toEqual({
        documents: 0,
        changes: 0,
        snapshots: 0,
        bytes: 0,
      });
      await store.close();
      await teardown?.();
    });

    it("deletes everything of a document, and only of it", async () => {
      const { store, teardown } = await factory.create();
      await registerAll(store, "doc", "other");
      for (let c = 1; c <= 4; c++) await store.append(change("doc", author(0), c));
      await store.append(snapshot("doc", author(1), 1, 3));
      await store.prune("doc");
      await store.append(change("other", author(0), 1));
      expect(await store.deleteDocument("doc")).toBe(true);
      expect(await store.deleteDocument("doc")).toBe(false);
      expect(await store.getDocument("doc")).toBeUndefined();
      expect(await store.read({ docId: "doc", afterSeq: 0, limit: 10 })).toEqual([]);
      expect(await store.stats("doc")).toMatchObject({ documents: 0, changes: 0, snapshots: 0 });
      expect(await store.stats()).toMatchObject({ documents: 1, changes: 1, snapshots: 0 });
      await expect(store.append(change("doc", author(0), 5))).rejects.toMatchObject({
        code: "unknown-document",
      });
      // A new document under the same id starts afresh: nothing of the old one is a retry.
      expect(value(await store.registerDocument(registration("doc", 9)))).toBe("created");
      expect(await store.append(change("doc", author(0), 1))).toEqual({ seq: 1, duplicate: false });
      expect(seqs(await readAll(store, "other"))).toEqual([1]);
      await store.close();
      await teardown?.();
    });

    it("counts an owner's documents and bytes, and deletes everything of an owner only", async () => {
      const { store, reopen, teardown } = await factory.create();
      const owned = (docId: string, owner: string | null) => ({ ...registration(docId), owner });
      for (const [docId, owner] of [
        ["a1", "alice"],
        ["a2", "alice"],
        ["b1", "bob"],
        ["free", null],
      ] as const) {
        expect(value(await store.registerDocument(owned(docId, owner)))).toBe("created");
        await store.append(change(docId, author(0), 1));
      }
      await store.append(change("a1", author(1), 1));
      await store.append(snapshot("a1", author(1), 2, 2));
      await store.prune("a1");
      const one = (await store.stats("b1")).bytes;
      const alice = await store.ownerStats("alice");
      expect(alice).toEqual({
        documents: 2,
        changes: 1,
        snapshots: 1,
        bytes: (await store.stats("a1")).bytes + one,
      });
      expect(await store.ownerStats("nobody")).toEqual({
        documents: 0,
        changes: 0,
        snapshots: 0,
        bytes: 0,
      });
      expect(await store.deleteDocumentsOwnedBy("alice")).toBe(2);
      expect(await store.deleteDocumentsOwnedBy("alice")).toBe(0);
      await store.close();
      const again = await reopen();
      for (const docId of ["a1", "a2"]) {
        expect(await again.getDocument(docId)).toBeUndefined();
        expect(await again.read({ docId, afterSeq: 0, limit: 10 })).toEqual([]);
      }
      expect((await again.ownerStats("alice")).documents).toBe(0);
      expect(await again.stats()).toMatchObject({ documents: 2, changes: 2, snapshots: 0 });
      expect((await again.ownerStats("bob")).bytes).toBe(one);
      // A re-registered id starts afresh: nothing pruned before is taken for a retry.
      expect(value(await again.registerDocument(owned("a1", "carol")))).toBe("created");
      expect(await again.append(change("a1", author(1), 1))).toEqual({ seq: 1, duplicate: false });
      await again.close();
      await teardown?.();
    });

    it("keeps documents, envelopes, snapshots and sequences across a close and reopen", async () => {
      const { store, reopen, teardown } = await factory.create();
      await registerAll(store, "doc", "other");
      const big = { ...change("doc", author(2), 1), envelope: new Uint8Array(70_000).fill(7) };
      await Promise.all([
        ...[1, 2, 3].map((c) => store.append(change("doc", author(0), c))),
        store.append(big),
        store.append(change("other", author(1), 1)),
      ]);
      await store.append(snapshot("doc", author(1), 1, 3));
      const record = await store.getDocument("doc");
      const items = await readAll(store, "doc");
      const stats = await store.stats();
      await store.close();
      const again = await reopen();
      expect(await again.getDocument("doc")).toEqual(record);
      expect(await readAll(again, "doc")).toEqual(items);
      expect(items.map((i) => i.seq)).toEqual([5, 4]);
      expect(items[1]?.envelope).toEqual(big.envelope);
      expect(await again.stats()).toEqual(stats);
      expect(await again.append(change("doc", author(0), 4))).toEqual({ seq: 6, duplicate: false });
      await again.close();
      await teardown?.();
    });

    it("rejects every call after close with store-closed", async () => {
      const { store, teardown } = await factory.create();
      await registerAll(store, "doc");
      await store.close();
      const closed = { code: "store-closed" };
      await expect(store.getDocument("doc")).rejects.toMatchObject(closed);
      await expect(store.append(change("doc", author(0), 1))).rejects.toMatchObject(closed);
      await expect(store.read({ docId: "doc", afterSeq: 0, limit: 1 })).rejects.toMatchObject(
        closed,
      );
      await expect(store.registerDocument(registration("x"))).rejects.toMatchObject(closed);
      await expect(store.prune("doc")).rejects.toMatchObject(closed);
      await expect(store.stats()).rejects.toMatchObject(closed);
      await expect(store.deleteDocument("doc")).rejects.toMatchObject(closed);
      await store.close();
      await teardown?.();
    });
  });
}
