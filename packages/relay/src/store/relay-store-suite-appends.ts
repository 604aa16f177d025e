/**
 * The relay-store suite's appends: gapless per-document sequence numbers under concurrency,
 * idempotent retries (one after another, in the same turn, after a restart), and refusals
 * that affect no other append.
 */
import { describe, expect, it } from "vitest";
import type { AppendInput, AppendResult } from "./relay-store.js";
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

/** Describes the append tests. */
export function describeAppends(factory: RelayStoreFactory): void {
  describe("appends", () => {
    it("assigns gapless sequence numbers per document, in call order, under hundreds of concurrent appends", async () => {
      const { store, teardown } = await factory.create();
      const docs = ["doc-a", "doc-b", "doc-c", "doc-d"];
      await registerAll(store, ...docs);
      // Interleave documents and authors: 4 documents × 3 authors × 50 counters.
      const inputs: AppendInput[] = [];
      for (let counter = 1; counter <= 50; counter++) {
        for (let a = 0; a < 3; a++) {
          for (const docId of docs) inputs.push(change(docId, author(a), counter));
        }
      }
      const results = await Promise.all(inputs.map((input) => store.append(input)));
      expect(results.every((r) => !r.duplicate)).toBe(true);
      for (const docId of docs) {
        const assigned = results.filter((_, i) => inputs[i]?.docId === docId).map((r) => r.seq);
        // Call order within a document is sequence order: 1, 2, 3, … with no gap.
        expect(assigned).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
        expect((await store.getDocument(docId))?.lastSeq).toBe(150);
        const items = await readAll(store, docId);
        expect(seqs(items)).toEqual(assigned);
        items.forEach((item, i) => {
          const input = inputs.filter((x) => x.docId === docId)[i] as AppendInput;
          expect(item).toEqual({
            seq: i + 1,
            kind: "change",
            envelope: input.envelope,
            coversSeq: null,
          });
        });
      }
      // A second wave, awaited one by one, continues each sequence.
      for (const docId of docs) {
        expect(await store.append(change(docId, author(0), 51))).toEqual({
          seq: 151,
          duplicate: false,
        });
      }
      await store.close();
      await teardown?.();
    });

    it("returns the original sequence number for a retry and stores nothing", async () => {
      const { store, teardown } = await factory.create();
      await registerAll(store, "doc");
      expect(await store.append(change("doc", author(0), 1))).toEqual({ seq: 1, duplicate: false });
      expect(await store.append(change("doc", author(1), 1))).toEqual({ seq: 2, duplicate: false });
      const retry = { ...change("doc", author(0), 1), envelope: new Uint8Array([9, 9, 9]) };
      expect(await store.append(retry)).toEqual({ seq: 1, duplicate: true });
      expect(await store.append(change("doc", author(1), 1))).toEqual({ seq: 2, duplicate: true });
      expect((await store.getDocument("doc"))?.lastSeq).toBe(2);
      const items = await readAll(store, "doc");
      expect(items.map((i) => i.envelope)).toEqual([
        envelopeBytes("doc", author(0), 1),
        envelopeBytes("doc", author(1), 1),
      ]);
      expect(await store.stats("doc")).toMatchObject({ changes: 2 });
      expect(await store.append(change("doc", author(0), 2))).toEqual({ seq: 3, duplicate: false });
      await store.close();
      await teardown?.();
    });

    it("gives retries that arrive together the one original sequence number", async () => {
      const { store, teardown } = await factory.create();
      await registerAll(store, "doc", "other");
      const a = change("doc", author(0), 7);
      const results = await Promise.all([
        store.append(a),
        store.append(a),
        store.append(change("other", author(0), 7)),
        store.append(change("doc", author(1), 7)),
        store.append(a),
        store.append(change("doc", author(1), 7)),
      ]);
      expect(results).toEqual<AppendResult[]>([
        { seq: 1, duplicate: false },
        { seq: 1, duplicate: true },
        { seq: 1, duplicate: false },
        { seq: 2, duplicate: false },
        { seq: 1, duplicate: true },
        { seq: 2, duplicate: true },
      ]);
      expect(seqs(await readAll(store, "doc"))).toEqual([1, 2]);
      expect((await store.stats()).changes).toBe(3);
      await store.close();
      await teardown?.();
    });

    it("recognises retries after a restart, and continues the sequence", async () => {
      const { store, reopen, teardown } = await factory.create();
      await registerAll(store, "doc");
      await Promise.all([1, 2, 3].map((c) => store.append(change("doc", author(0), c))));
      await store.close();
      const again = await reopen();
      expect(await again.append(change("doc", author(0), 2))).toEqual({ seq: 2, duplicate: true });
      expect(await again.append(change("doc", author(0), 4))).toEqual({ seq: 4, duplicate: false });
      expect(seqs(await readAll(again, "doc"))).toEqual([1, 2, 3, 4]);
      await again.close();
      await teardown?.();
    });

    it("refuses an append to an unknown document or a malformed one, without affecting the others", async () => {
      const { store, teardown } = await factory.create();
      await registerAll(store, "doc");
      const settled = await Promise.allSettled([
        store.append(change("doc", author(0), 1)),
        store.append(change("nowhere", author(0), 1)),
        store.append(snapshot("doc", author(1), 1, 5)),
        store.append({ ...change("doc", author(0), 2), author: "A1A1A1A1A1A1A1A1" }),
        store.append({ ...change("doc", author(0), 2), counter: -1 }),
        store.append({ ...change("doc", author(0), 2), coversSeq: 1 }),
        store.append({ ...snapshot("doc", author(0), 2, 1), coversSeq: null }),
        store.append(change("doc", author(0), 2)),
      ]);
      const outcome = settled.map((s) =>
        s.status === "fulfilled" ? s.value : (s.reason as { code?: string }).code,
      );
      expect(outcome).toEqual([
        { seq: 1, duplicate: false },
        "unknown-document",
        "invalid-append",
        "invalid-append",
        "invalid-append",
        "invalid-append",
        "invalid-append",
        { seq: 2, duplicate: false },
      ]);
      expect(seqs(await readAll(store, "doc"))).toEqual([1, 2]);
      await store.close();
      await teardown?.();
    });
  });
}
