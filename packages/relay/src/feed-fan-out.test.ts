/**
 * Cross-instance fan-out against a fake change feed whose log the test controls: local
 * commits next in line go out without a read; gaps, hints and resyncs read the tail; every
 * sequence number reaches subscribers once, in order, whatever the hints do.
 */
import { describe, expect, it } from "vitest";
import { FeedFanOut } from "./feed-fan-out.js";
import type { ReadInput, ReadItem } from "./store/relay-store.js";

/** The store's log as every instance sees it, and how often the fan-out read it. */
class FakeFeed {
  readonly log: ReadItem[] = [];
  reads = 0;
  failNext = false;

  commit(seq: number): Uint8Array {
    const envelope = Uint8Array.of(seq);
    this.log.push({ seq, kind: "change", envelope, coversSeq: null });
    return envelope;
  }

  async readLog({ afterSeq, limit }: ReadInput): Promise<ReadItem[]> {
    this.reads++;
    await Promise.resolve();
    if (this.failNext) {
      this.failNext = false;
      throw new Error("database unreachable");
    }
    return this.log.filter((item) => item.seq > afterSeq).slice(0, limit);
  }
}

function setup(page = 500) {
  const feed = new FakeFeed();
  const delivered: { seq: number; except: string | undefined }[] = [];
  const fanOut = new FeedFanOut<string>({
    feed,
    page,
    retryMs: 5,
    deliver: (_docId, seq, _envelope, except) => delivered.push({ seq, except }),
  });
  return { feed, delivered, fanOut };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe("feed fan-out", () => {
  it("delivers a local commit that is next in line at once, without reading the store", async () => {
    const { feed, delivered, fanOut } = setup();
    fanOut.follow("doc", 0);
    fanOut.committed("doc", 1, feed.commit(1), "alice");
    fanOut.committed("doc", 2, feed.commit(2), "bob");
    fanOut.hint("doc", 2); // its own hint, late: nothing more
    await settle();
    expect(delivered).toEqual([
      { seq: 1, except: "alice" },
      { seq: 2, except: "bob" },
    ]);
    expect(feed.reads).toBe(0);
  });

  it("reads the tail for another instance's commits, repeated and reordered hints included", async () => {
    const { feed, delivered, fanOut } = setup(2);
    fanOut.follow("doc", 0);
    for (let seq = 1; seq <= 5; seq++) feed.commit(seq);
    fanOut.hint("doc", 5);
    fanOut.hint("doc", 3);
    fanOut.hint("doc", 5);
    await settle();
    // A local commit after a gap waits for the read, and its sender is still skipped.
    feed.commit(6); // another instance's, its hint lost
    fanOut.committed("doc", 7, feed.commit(7), "carol");
    fanOut.committed("doc", 7, Uint8Array.of(7), "carol"); // repeated: ignored
    await settle();
    expect(delivered.map((d) => d.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(delivered.at(-1)).toEqual({ seq: 7, except: "carol" });
  });

  it("catches up every followed document on resync, so lost hints lose nothing", async () => {
    const { feed, delivered, fanOut } = setup();
    fanOut.follow("doc", 2);
    for (let seq = 1; seq <= 4; seq++) feed.commit(seq);
    fanOut.follow("doc", 0); // already followed: keeps its position
    fanOut.resync();
    await settle();
    expect(delivered.map((d) => d.seq)).toEqual([3, 4]);
    fanOut.forget("doc");
    feed.commit(5);
    fanOut.resync();
    fanOut.hint("doc", 5);
    await settle();
    expect(delivered.map((d) => d.seq)).toEqual([3, 4]);
    expect(fanOut.size).toBe(0);
  });

  it("retries a failed tail read until it succeeds", async () => {
    const { feed, delivered, fanOut } = setup();
    fanOut.follow("doc", 0);
    feed.commit(1);
    feed.failNext = true;
    fanOut.hint("doc", 1);
    await settle();
    expect(delivered.map((d) => d.seq)).toEqual([1]);
    expect(feed.reads).toBe(2);
  });
});
