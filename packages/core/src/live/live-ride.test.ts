import { describe, expect, it } from "vitest";
import { createLivePublisher, type LiveChannel, watchLiveRide } from "./live-ride.js";
import { encodeLiveSample, type LiveSample, type LiveSampleError } from "./live-sample-codec.js";

const DOC = "LiveRideDocument1234567";
const OTHER = "OtherRideDocument765432";
const T0 = Date.UTC(2026, 6, 4, 5, 0, 0);

/**
 * Channels joined by an in-memory "relay": it counts watches per document, tells every
 * channel the count, and hands a live message to the other channels, the way the sync
 * engine and the relay do (sendLive only while somebody watches).
 */
class FakeLiveHub {
  readonly channels: FakeLiveChannel[] = [];
  readonly watching = new Map<string, Set<FakeLiveChannel>>();

  channel(): FakeLiveChannel {
    const channel = new FakeLiveChannel(this);
    this.channels.push(channel);
    return channel;
  }

  count(docId: string): number {
    return this.watching.get(docId)?.size ?? 0;
  }
}

class FakeLiveChannel implements LiveChannel {
  readonly #hub: FakeLiveHub;
  readonly #watchersListeners = new Set<(docId: string, count: number) => void>();
  readonly #liveListeners = new Set<(docId: string, plaintext: Uint8Array) => void>();
  /** Every `watch` call, in order. */
  readonly watchCalls: [string, boolean][] = [];
  /** Every message this channel actually sent. */
  readonly sent: [string, Uint8Array][] = [];

  constructor(hub: FakeLiveHub) {
    this.#hub = hub;
  }

  watch(docId: string, on: boolean): void {
    this.watchCalls.push([docId, on]);
    const set = this.#hub.watching.get(docId) ?? new Set();
    if (on) set.add(this);
    else set.delete(this);
    this.#hub.watching.set(docId, set);
    for (const channel of this.#hub.channels) channel.heard(docId, set.size);
  }

  watchers(docId: string): number {
    return this.#hub.count(docId);
  }

  onWatchers(listener: (docId: string, count: number) => void): () => void {
    this.#watchersListeners.add(listener);
    return () => this.#watchersListeners.delete(listener);
  }

  sendLive(docId: string, plaintext: Uint8Array): boolean {
    if (this.#hub.count(docId) === 0) return false;
    this.sent.push([docId, plaintext]);
    for (const channel of this.#hub.channels)
      if (channel !== this) channel.arrive(docId, plaintext);
    return true;
  }

  onLive(listener: (docId: string, plaintext: Uint8Array) => void): () => void {
    this.#liveListeners.add(listener);
    return () => this.#liveListeners.delete(listener);
  }

  heard(docId: string, count: number): void {
    for (const listener of this.#watchersListeners) listener(docId, count);
  }

  arrive(docId: string, plaintext: Uint8Array): void {
    for (const listener of this.#liveListeners) listener(docId, plaintext);
  }
}

function second(i: number, extra: Partial<LiveSample> = {}): LiveSample {
  return {
    time: T0 + i * 1000,
    timerMs: i * 1000,
    lap: 1,
    state: "recording",
    power: 200 + i,
    heartRate: 140,
    ...extra,
  };
}

function watcher(channel: LiveChannel, docId = DOC) {
  const samples: LiveSample[] = [];
  const errors: LiveSampleError[] = [];
  const stop = watchLiveRide({
    channel,
    docId,
    onSample: (s) => samples.push(s),
    onError: (e) => errors.push(e),
  });
  return { samples, errors, stop };
}

describe("live ride", () => {
  it("sends nothing until somebody watches, then every second, and stops with the watch", () => {
    const hub = new FakeLiveHub();
    const rider = hub.channel();
    const coach = hub.channel();
    const publisher = createLivePublisher({ channel: rider, docId: DOC });
    const counts: number[] = [];
    publisher.onWatchers((count) => counts.push(count));

    expect(publisher.publish(second(0))).toEqual({ ok: true, value: false });
    expect(rider.sent).toHaveLength(0);

    const view = watcher(coach);
    expect(publisher.watchers()).toBe(1);
    const sent = [second(1), second(2, { state: "paused", power: 0 }), second(3, { lap: 2 })];
    for (const sample of sent) expect(publisher.publish(sample)).toEqual({ ok: true, value: true });
    expect(view.samples).toEqual(sent);
    expect(view.errors).toEqual([]);

    view.stop();
    view.stop();
    expect(coach.watchCalls).toEqual([
      [DOC, true],
      [DOC, false],
    ]);
    expect(publisher.publish(second(4))).toEqual({ ok: true, value: false });
    expect(view.samples).toHaveLength(3);
    expect(counts).toEqual([1, 0]);
  });

  it("reports a garbled or newer message to onError, skips it, and keeps watching", () => {
    const hub = new FakeLiveHub();
    const rider = hub.channel();
    const coach = hub.channel();
    const view = watcher(coach);
    rider.sendLive(DOC, Uint8Array.of(1, 0x80, 3));
    rider.sendLive(DOC, Uint8Array.of(9, 0, 0, 0, 0));
    rider.sendLive(DOC, new Uint8Array());
    const good = encodeLiveSample(second(5));
    if (!good.ok) throw new Error(good.error.message);
    rider.sendLive(DOC, good.value);
    expect(view.errors.map((e) => e.code)).toEqual([
      "live-sample-corrupt",
      "live-sample-version",
      "live-sample-corrupt",
    ]);
    expect(view.samples).toEqual([second(5)]);
  });

  it("refuses an out-of-range sample whether or not anybody watches", () => {
    const hub = new FakeLiveHub();
    const rider = hub.channel();
    const publisher = createLivePublisher({ channel: rider, docId: DOC });
    const unwatched = publisher.publish(second(1, { heartRate: 300 }));
    watcher(hub.channel());
    const watched = publisher.publish(second(2, { cadence: -5 }));
    expect([unwatched, watched].map((r) => !r.ok && r.error.code)).toEqual([
      "live-sample-invalid",
      "live-sample-invalid",
    ]);
    expect(rider.sent).toHaveLength(0);
  });

  it("hears only its own ride", () => {
    const hub = new FakeLiveHub();
    const rider = hub.channel();
    const coach = hub.channel();
    const view = watcher(coach, DOC);
    watcher(coach, OTHER);
    createLivePublisher({ channel: rider, docId: OTHER }).publish(second(1));
    createLivePublisher({ channel: rider, docId: DOC }).publish(second(2));
    expect(view.samples).toEqual([second(2)]);
  });

  it("keeps watching while another view of the same ride on the channel is open", () => {
    const hub = new FakeLiveHub();
    const rider = hub.channel();
    const coach = hub.channel();
    const first = watcher(coach);
    const later = watcher(coach);
    first.stop();
    expect(hub.count(DOC)).toBe(1);
    createLivePublisher({ channel: rider, docId: DOC }).publish(second(7));
    expect(first.samples).toEqual([]);
    expect(later.samples).toEqual([second(7)]);
    later.stop();
    expect(hub.count(DOC)).toBe(0);
    expect(coach.watchCalls).toEqual([
      [DOC, true],
      [DOC, false],
    ]);
  });
});
