/**
 * A seeded, in-process network between device transports and one `Relay` over a
 * `MemoryRelayStore`, for convergence tests (STYLE.md, Tests). Each connection has two FIFO
 * queues, device→relay and relay→device; nothing is ever reordered within one of them (the
 * protocol relies on WebSocket order), but a seeded scheduler picks which queue delivers
 * next, so frames of different connections and devices interleave in any order. Faults,
 * chosen by the seed: a connection is cut (queues dropped, both ends told, code 1006), a
 * `push` or an `envelope` frame is delivered twice, a queue is held back for some steps, and
 * a device goes offline (its transport refuses connections) for some steps.
 *
 * One `step()` performs one to three actions — deliveries, faults, or advancing time through
 * the `advanceTime` callback — and then lets every resulting promise settle, so a run is a
 * function of the seed. The engines reconnect on their own through `transport(device)`.
 */
import type { Connection, ConnectionEvents, Transport } from "@ridevault/core";
import {
  type ClientMessage,
  decodeClientMessage,
  decodeRelayMessage,
  hashAccessSecret,
  loadSodium,
  type RelayMessage,
} from "@ridevault/core/protocol";
import { createEnvelopeInspector } from "../src/envelope-inspector.js";
import { Relay, type RelayConnection } from "../src/relay.js";
import { MemoryRelayStore } from "../src/store/memory-relay-store.js";
import { Dice } from "./dice.js";

export { Dice, seededRandom } from "./dice.js";

/** How often each fault happens while faults are on. */
export interface FaultRates {
  /** Per action: cut a live connection. */
  readonly disconnect: number;
  /** Per action: take a device offline for 5–40 steps (its connection is cut). */
  readonly offline: number;
  /** Per action: hold one queue back for 1–20 steps. */
  readonly delay: number;
  /** Per delivered `push` frame: deliver it twice. */
  readonly duplicatePush: number;
  /** Per delivered `envelope` frame: deliver it twice. */
  readonly duplicateEnvelope: number;
}

/** Options of `SimulatedNetwork.create`. */
export interface SimulatedNetworkOptions {
  readonly seed: number;
  /**
   * Fires the next pending timer (the engines' reconnects, the vaults' saves); false when
   * none is pending. The network calls it now and then, and whenever nothing can be
   * delivered.
   */
  readonly advanceTime: () => boolean;
  /** Fault rates; by default drawn from the seed, so seeds range from calm to stormy. */
  readonly faults?: FaultRates;
  /** Keep a readable log of every action in `trace`. */
  readonly trace?: boolean;
}

type ToDevice =
  | { readonly kind: "open" }
  | { readonly kind: "frame"; readonly frame: Uint8Array }
  | { readonly kind: "close"; readonly code: number; readonly reason: string };

type ToRelay = { readonly kind: "frame"; readonly frame: Uint8Array } | { readonly kind: "close" };

interface Link {
  readonly id: string;
  readonly device: string;
  readonly events: ConnectionEvents;
  /** Undefined for a refused connection. */
  relay: RelayConnection | undefined;
  readonly toRelay: ToRelay[];
  readonly toDevice: ToDevice[];
  /** The step until which each queue is held back. */
  readonly heldUntil: { toRelay: number; toDevice: number };
  deviceOpen: boolean;
  deviceClosed: boolean;
  relayClosed: boolean;
  /** The relay handles one connection's frames strictly one after another. */
  relayChain: Promise<void>;
  /** Request ids of pushes delivered twice, and the first answer's seq. */
  readonly duplicated: Map<number, number | null>;
}

const MAX_ACTIONS_PER_STEP = 3;

/** Device transports wired to one in-process relay, scheduled by a seed. */
export class SimulatedNetwork {
  readonly store: MemoryRelayStore;
  readonly relay: Relay;
  /** What went wrong below the engines: relay exceptions, non-idempotent retries. */
  readonly problems: string[] = [];
  readonly #dice: Dice;
  readonly #advanceTime: () => boolean;
  readonly #trace: string[] | undefined;
  #faults: FaultRates | null;
  #links: Link[] = [];
  #step = 0;
  #nextLink = 1;
  readonly #offlineUntil = new Map<string, number>();

  private constructor(options: SimulatedNetworkOptions, store: MemoryRelayStore, relay: Relay) {
    this.store = store;
    this.relay = relay;
    this.#dice = new Dice(options.seed, 1);
    this.#advanceTime = options.advanceTime;
    this.#trace = options.trace ? [] : undefined;
    this.#faults = options.faults ?? drawFaultRates(new Dice(options.seed, 2));
  }

  /** A network around a fresh relay and store. */
  static async create(options: SimulatedNetworkOptions): Promise<SimulatedNetwork> {
    const sodium = await loadSodium();
    const store = new MemoryRelayStore();
    const relay = new Relay({
      store,
      inspector: createEnvelopeInspector(sodium),
      hashAccessSecret: (secret) => hashAccessSecret(sodium, secret),
    });
    return new SimulatedNetwork(options, store, relay);
  }

  /** The fault rates in force (null once healed). */
  get faults(): FaultRates | null {
    return this.#faults;
  }

  /** Every action so far, when created with `trace`. */
  get trace(): readonly string[] {
    return this.#trace ?? [];
  }

  /** The transport of one device; each call of it opens a connection through this network. */
  transport(device: string): Transport {
    return (_url, events) => this.#open(device, events);
  }

  /** No frame, open or close is waiting in any queue. */
  idle(): boolean {
    return this.#links.every((l) => l.toRelay.length === 0 && l.toDevice.length === 0);
  }

  /** Ends every fault: no more cuts, duplicates or hold-backs; offline devices come back. */
  heal(): void {
    this.#faults = null;
    this.#offlineUntil.clear();
    this.#log("heal");
  }

  /**
   * Performs one to three actions, then waits until every promise they started has settled.
   * Resolves false when nothing could be done: no queue holds anything and no timer is due.
   */
  async step(): Promise<boolean> {
    this.#step++;
    const actions =
      this.#faults && this.#dice.chance(0.25) ? 1 + this.#dice.int(MAX_ACTIONS_PER_STEP) : 1;
    let progress = false;
    for (let i = 0; i < actions; i++) progress = this.#act() || progress;
    this.#links = this.#links.filter(
      (l) => !(l.deviceClosed && l.relayClosed && l.toRelay.length + l.toDevice.length === 0),
    );
    await settle();
    return progress;
  }

  /** Steps until `done()` holds; throws, describing the network, when stuck or too slow. */
  async runUntil(done: () => boolean, what: string, maxSteps = 20_000): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      if (done()) return;
      if (!(await this.step()) && !done()) {
        throw new Error(`${what}: stuck at step ${this.#step}\n${this.describe()}`);
      }
    }
    if (!done()) {
      throw new Error(`${what}: not reached within ${maxSteps} steps\n${this.describe()}`);
    }
  }

  /** Adds a line to the trace (operations of the scenario, say). */
  note(line: string): void {
    this.#log(line);
  }

  /** The state of every connection, for failure messages. */
  describe(): string {
    const links = this.#links.map(
      (l) =>
        `  ${l.id}: ${l.toRelay.length} to relay, ${l.toDevice.length} to device` +
        `${l.deviceOpen ? ", open" : ""}${l.deviceClosed ? ", device closed" : ""}` +
        `${l.relayClosed ? ", relay closed" : ""}`,
    );
    return [`network at step ${this.#step}:`, ...links].join("\n");
  }

  /** Forgets every connection (call after stopping the engines). */
  close(): void {
    for (const link of this.#links) {
      if (!link.relayClosed) link.relay?.closed();
      link.relayClosed = true;
      link.deviceClosed = true;
    }
    this.#links = [];
  }

  #open(device: string, events: ConnectionEvents): Connection {
    const id = `${device}#${this.#nextLink++}`;
    const refused = (this.#offlineUntil.get(device) ?? 0) > this.#step;
    const link: Link = {
      id,
      device,
      events,
      relay: undefined,
      toRelay: [],
      toDevice: [],
      heldUntil: { toRelay: 0, toDevice: 0 },
      deviceOpen: false,
      deviceClosed: false,
      relayClosed: refused,
      relayChain: Promise.resolve(),
      duplicated: new Map(),
    };
    if (refused) {
      // Like a socket that fails to connect: the close arrives later, never synchronously.
      link.toDevice.push({ kind: "close", code: 1006, reason: "simulated: device offline" });
    } else {
      link.relay = this.relay.connect({
        send: (frame) => this.#fromRelay(link, frame),
        close: (code, reason) => {
          link.relayClosed = true;
          link.toRelay.length = 0;
          link.toDevice.push({ kind: "close", code, reason });
        },
      });
      link.toDevice.push({ kind: "open" });
    }
    this.#links.push(link);
    this.#log(`connect ${id}${refused ? " (refused: offline)" : ""}`);
    return {
      send: (frame) => {
        // A WebSocket drops what is sent before it opens or after it closed.
        if (!link.deviceOpen || link.deviceClosed || link.relayClosed) {
          this.#log(`${id} dropped a frame sent while the connection was not open`);
          return;
        }
        link.toRelay.push({ kind: "frame", frame });
      },
      close: (code = 1000, reason = "") => {
        if (link.deviceClosed) return;
        link.deviceClosed = true;
        link.toDevice.length = 0;
        link.toRelay.push({ kind: "close" });
        this.#log(`${id} closed by the device (${code} ${reason})`);
        // As `webSocketTransport` does: the engine hears its own close at once.
        events.closed(code, reason);
      },
    };
  }

  #fromRelay(link: Link, frame: Uint8Array): void {
    if (link.deviceClosed) return;
    if (link.duplicated.size > 0) this.#checkRetryAnswer(link, frame);
    link.toDevice.push({ kind: "frame", frame });
  }

  /** The second answer to a push delivered twice must say it is a duplicate. */
  #checkRetryAnswer(link: Link, frame: Uint8Array): void {
    const decoded = decodeRelayMessage(frame);
    if (!decoded.ok || decoded.value.type !== "ack") return;
    const ack = decoded.value;
    if (!link.duplicated.has(ack.id)) return;
    const first = link.duplicated.get(ack.id);
    if (first === null || first === undefined) {
      link.duplicated.set(ack.id, ack.seq);
      return;
    }
    link.duplicated.delete(ack.id);
    if (!ack.duplicate || ack.seq < first) {
      this.problems.push(
        `${link.id}: a push delivered twice was answered seq ${first}, then seq ${ack.seq} ` +
          `duplicate=${ack.duplicate} (request ${ack.id})`,
      );
    }
  }

  #act(): boolean {
    const faults = this.#faults;
    if (faults) {
      const roll = this.#dice.int(10_000) / 10_000;
      // A fault with nothing to act on falls through to an ordinary action.
      if (roll < faults.disconnect) {
        if (this.#disconnectSome()) return true;
      } else if (roll < faults.disconnect + faults.offline) {
        if (this.#offlineSome()) return true;
      } else if (roll < faults.disconnect + faults.offline + faults.delay) {
        if (this.#holdSome()) return true;
      }
    }
    if (this.#dice.chance(0.05) && this.#tick()) return true;
    const ready = this.#readyQueues();
    // With only held queues, waiting out the hold is progress too.
    if (ready.length === 0) return this.#tick() || !this.idle();
    const [link, direction] = this.#dice.pick(ready);
    if (direction === "toRelay") this.#deliverToRelay(link);
    else this.#deliverToDevice(link);
    return true;
  }

  #tick(): boolean {
    const fired = this.#advanceTime();
    if (fired) this.#log("time: next timer");
    return fired;
  }

  #readyQueues(): [Link, "toRelay" | "toDevice"][] {
    const ready: [Link, "toRelay" | "toDevice"][] = [];
    const held = (until: number): boolean => this.#faults !== null && until > this.#step;
    for (const link of this.#links) {
      if (link.toRelay.length > 0 && !held(link.heldUntil.toRelay)) ready.push([link, "toRelay"]);
      if (link.toDevice.length > 0 && !held(link.heldUntil.toDevice))
        ready.push([link, "toDevice"]);
    }
    return ready;
  }

  #deliverToRelay(link: Link): void {
    const item = link.toRelay.shift();
    if (!item) return;
    if (item.kind === "close") {
      this.#log(`${link.id} → relay: close`);
      this.#closeRelaySide(link);
      return;
    }
    const relay = link.relay;
    if (!relay || link.relayClosed) return;
    const decoded = decodeClientMessage(item.frame);
    const type = decoded.ok ? this.#describeFrame(decoded.value) : "undecodable";
    const twice =
      decoded.ok &&
      decoded.value.type === "push" &&
      this.#faults !== null &&
      this.#dice.chance(this.#faults.duplicatePush);
    if (twice && decoded.ok) link.duplicated.set(decoded.value.id, null);
    this.#log(`${link.id} → relay: ${type}${twice ? " (twice)" : ""}`);
    for (let i = 0; i < (twice ? 2 : 1); i++) {
      link.relayChain = link.relayChain
        .then(() => relay.receive(item.frame))
        .catch((error: unknown) => {
          this.problems.push(`${link.id}: the relay threw on a ${type}: ${String(error)}`);
        });
    }
  }

  #deliverToDevice(link: Link): void {
    const item = link.toDevice.shift();
    if (!item || link.deviceClosed) return;
    switch (item.kind) {
      case "open":
        this.#log(`${link.id} ← open`);
        link.deviceOpen = true;
        link.events.open();
        return;
      case "close":
        this.#log(`${link.id} ← close ${item.code}`);
        link.deviceClosed = true;
        this.#closeRelaySide(link);
        link.events.closed(item.code, item.reason);
        return;
      case "frame": {
        const decoded = decodeRelayMessage(item.frame);
        const type = decoded.ok ? this.#describeFrame(decoded.value) : "undecodable";
        const twice =
          decoded.ok &&
          decoded.value.type === "envelope" &&
          this.#faults !== null &&
          this.#dice.chance(this.#faults.duplicateEnvelope);
        this.#log(`${link.id} ← ${type}${twice ? " (twice)" : ""}`);
        link.events.frame(item.frame);
        if (twice && !link.deviceClosed) link.events.frame(item.frame);
        return;
      }
    }
  }

  #closeRelaySide(link: Link): void {
    if (link.relayClosed) return;
    link.relayClosed = true;
    link.toRelay.length = 0;
    link.relay?.closed();
  }

  /** Cuts `link` as a dropped TCP connection would: both queues lost, both ends told. */
  #cut(link: Link, reason: string): void {
    link.toRelay.length = 0;
    link.toDevice.length = 0;
    this.#closeRelaySide(link);
    if (link.deviceClosed) return;
    link.deviceClosed = true;
    this.#log(`${link.id} cut (${reason})`);
    link.events.closed(1006, `simulated: ${reason}`);
  }

  #live(): Link[] {
    return this.#links.filter((l) => !l.deviceClosed);
  }

  #disconnectSome(): boolean {
    const live = this.#live();
    if (live.length === 0) return false;
    this.#cut(this.#dice.pick(live), "connection lost");
    return true;
  }

  #offlineSome(): boolean {
    const devices = [...new Set(this.#links.map((l) => l.device))].sort();
    if (devices.length === 0) return false;
    const device = this.#dice.pick(devices);
    const steps = 5 + this.#dice.int(36);
    this.#offlineUntil.set(device, this.#step + steps);
    this.#log(`${device} offline for ${steps} steps`);
    for (const link of this.#live()) if (link.device === device) this.#cut(link, "device offline");
    return true;
  }

  #holdSome(): boolean {
    const queues = this.#readyQueues();
    if (queues.length === 0) return false;
    const [link, direction] = this.#dice.pick(queues);
    const steps = 1 + this.#dice.int(20);
    link.heldUntil[direction] = this.#step + steps;
    this.#log(`${link.id} ${direction} held for ${steps} steps`);
    return true;
  }

  /** A frame for the trace: its type, and when tracing its request id, document and seq. */
  #describeFrame(message: ClientMessage | RelayMessage): string {
    if (!this.#trace) return message.type;
    const parts: string[] = [message.type];
    if ("id" in message) parts.push(`id=${message.id}`);
    if ("docId" in message && message.docId !== null)
      parts.push(`doc=${message.docId.slice(0, 6)}`);
    if ("seq" in message) parts.push(`seq=${message.seq}`);
    if ("afterSeq" in message) parts.push(`after=${message.afterSeq}`);
    if ("duplicate" in message && message.duplicate) parts.push("duplicate");
    if (message.type === "error") parts.push(`${message.code}: ${message.message}`);
    return parts.join(" ");
  }

  #log(line: string): void {
    this.#trace?.push(`${this.#step} ${line}`);
  }
}

/** Fault rates from the seed: some seeds calm, some stormy. */
function drawFaultRates(dice: Dice): FaultRates {
  return {
    disconnect: dice.pick([0, 0.005, 0.02, 0.05]),
    offline: dice.pick([0, 0.005, 0.015]),
    delay: dice.pick([0, 0.02, 0.08]),
    duplicatePush: dice.pick([0, 0.1, 0.3]),
    duplicateEnvelope: dice.pick([0, 0.1, 0.3]),
  };
}

/** Resolves once every promise chain started so far has run (all in-memory work is). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
