/**
 * The relay-store suite's law, checked against a model with fast-check: after any sequence
 * of appends, retries, snapshots and prunes, every append gets the number the contract
 * says, and a client catching up from any cursor, with any page size, ends with every
 * change (what a snapshot covers counts as received).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AppendInput, EnvelopeKind } from "./relay-store.js";
import {
  author,
  change,
  type RelayStoreFactory,
  readAll,
  registerAll,
  snapshot,
} from "./relay-store-suite-helpers.js";

type Op =
  | { readonly type: "change"; readonly author: number }
  | { readonly type: "retry"; readonly pick: number }
  | { readonly type: "snapshot"; readonly author: number; readonly percent: number }
  | { readonly type: "prune" };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant("change"), author: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant("retry"), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("snapshot"),
      author: fc.nat(2),
      percent: fc.integer({ min: 0, max: 100 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ type: "prune" as const }) },
);

interface Entry {
  readonly input: AppendInput;
  readonly seq: number;
}

/** The contract, executed on plain Maps. */
class Model {
  lastSeq = 0;
  latest: { seq: number; covers: number } | null = null;
  readonly sent: Entry[] = [];
  readonly stored = new Map<number, Entry>();
  readonly changeSeqs: number[] = [];
  readonly prunedByAuthor = new Map<string, { counter: number; seq: number }>();
  readonly counters = [0, 0, 0];

  next(a: number, kind: EnvelopeKind, percent: number, docId: string): AppendInput {
    const counter = ++(this.counters[a] as number);
    if (kind === "change") return change(docId, author(a), counter);
    return snapshot(docId, author(a), counter, Math.floor((this.lastSeq * percent) / 100));
  }

  store(input: AppendInput): number {
    const seq = ++this.lastSeq;
    const entry = { input, seq };
    this.sent.push(entry);
    this.stored.set(seq, entry);
    if (input.kind === "change") this.changeSeqs.push(seq);
    const covers = input.coversSeq;
    if (covers !== null && covers >= (this.latest?.covers ?? 0)) this.latest = { seq, covers };
    return seq;
  }

  retrySeq(entry: Entry): number {
    if (this.stored.has(entry.seq)) return entry.seq;
    return this.prunedByAuthor.get(entry.input.author)?.seq ?? Number.NaN;
  }

  prune(): number {
    const latest = this.latest;
    if (!latest) return 0;
    let deleted = 0;
    for (const [seq, { input }] of this.stored) {
      const covered = input.kind === "change" ? seq <= latest.covers : seq !== latest.seq;
      if (!covered) continue;
      this.stored.delete(seq);
      deleted++;
      const before = this.prunedByAuthor.get(input.author);
      this.prunedByAuthor.set(input.author, {
        counter: Math.max(input.counter, before?.counter ?? -1),
        seq: Math.max(seq, before?.seq ?? 0),
      });
    }
    return deleted;
  }
}

/** Describes the model-based law. */
export function describeModel(factory: RelayStoreFactory): void {
  describe("law", () => {
    it("numbers every append as the contract says, and catch-up from any cursor is complete", async () => {
      const { store, teardown } = await factory.create();
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(opArbitrary, { maxLength: 30 }),
          fc.integer({ min: 0, max: 100 }),
          fc.integer({ min: 1, max: 6 }),
          async (ops, cursorPercent, limit) => {
            const docId = `law-${run++}`;
            await registerAll(store, docId);
            const model = new Model();
            for (const op of ops) {
              if (op.type === "prune") {
                expect(await store.prune(docId)).toBe(model.prune());
              } else if (op.type === "retry") {
                const entry = model.sent[op.pick % Math.max(1, model.sent.length)];
                if (!entry) continue;
                const result = await store.append(entry.input);
                expect(result).toEqual({ seq: model.retrySeq(entry), duplicate: true });
                expect(result.seq).toBeGreaterThanOrEqual(entry.seq);
              } else {
                const percent = op.type === "snapshot" ? op.percent : 0;
                const input = model.next(op.author, op.type, percent, docId);
                const expected = { seq: model.store(input), duplicate: false };
                expect(await store.append(input)).toEqual(expected);
              }
            }
            const cursor = Math.floor((model.lastSeq * cursorPercent) / 100);
            const received = new Set(model.changeSeqs.filter((seq) => seq <= cursor));
            for (const item of await readAll(store, docId, cursor, limit)) {
              expect(item.envelope).toEqual(model.stored.get(item.seq)?.input.envelope);
              const covers = item.coversSeq ?? 0;
              if (item.kind === "change") received.add(item.seq);
              else for (const seq of model.changeSeqs) if (seq <= covers) received.add(seq);
            }
            expect([...received].sort((a, b) => a - b)).toEqual(model.changeSeqs);
            const kinds = [...model.stored.values()].map((e) => e.input.kind);
            expect(await store.stats(docId)).toMatchObject({
              changes: kinds.filter((k) => k === "change").length,
              snapshots: kinds.filter((k) => k === "snapshot").length,
            });
          },
        ),
        { numRuns: 40 },
      );
      await store.close();
      await teardown?.();
    });
  });
}
