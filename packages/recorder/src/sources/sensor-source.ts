/**
 * The sensor source seam. A source is anything that delivers GATT notifications: Web
 * Bluetooth in a browser, a replay of a recorded ride, or the simulator. It only moves
 * bytes: each notification carries the characteristic it came from, when it arrived and the
 * raw payload, and parsing stays with the GATT parsers. Connection events tell the recording
 * session when a sensor comes and goes, so it can reset the counter calculators on every
 * reconnect (the first reading after a reconnect is only a baseline). Listeners are called
 * synchronously, in order; `start()` and `stop()` are async because real radios are.
 */

/** One GATT notification as received. */
export interface SensorNotification {
  /** The characteristic's 16-bit UUID as four lowercase hex digits, e.g. "2a37". */
  readonly characteristic: string;
  /** When the notification arrived, Unix milliseconds (an integer). */
  readonly time: number;
  /** The payload exactly as sent; decode it with the characteristic's parser. */
  readonly bytes: Uint8Array;
}

/**
 * Why a sensor went away: "signal-lost" — out of range, battery, radio trouble (it may come
 * back, and its counters will have moved on); "stopped" — the source was stopped; "ended" —
 * a replay ran out of notifications.
 */
export type DisconnectReason = "signal-lost" | "stopped" | "ended";

/**
 * A sensor connected or disconnected. `sensor` names the device within its source;
 * `characteristics` lists what it notifies, so a session knows which calculators to reset.
 */
export type ConnectionEvent =
  | {
      readonly type: "connected";
      readonly sensor: string;
      readonly characteristics: readonly string[];
      readonly time: number;
    }
  | {
      readonly type: "disconnected";
      readonly sensor: string;
      readonly characteristics: readonly string[];
      readonly time: number;
      readonly reason: DisconnectReason;
    };

/** Receives notifications. */
export type NotificationListener = (notification: SensorNotification) => void;
/** Receives connection events. */
export type ConnectionListener = (event: ConnectionEvent) => void;
/** Removes the listener it was returned for; calling it twice is harmless. */
export type Unsubscribe = () => void;

/** A source of GATT notifications from one or more sensors. */
export interface SensorSource {
  /** Connects (or begins replaying); resolves once connection events have been emitted. */
  start(): Promise<void>;
  /** Disconnects every sensor, emitting "disconnected" with reason "stopped". Idempotent. */
  stop(): Promise<void>;
  /** Subscribes to notifications from every sensor of the source. */
  onNotification(listener: NotificationListener): Unsubscribe;
  /** Subscribes to connection events. */
  onConnection(listener: ConnectionListener): Unsubscribe;
}

/**
 * The listener bookkeeping every source needs: subscribe, unsubscribe, emit. Sources keep
 * one of these privately and expose only the `on…` methods.
 */
export interface SourceEvents {
  readonly onNotification: (listener: NotificationListener) => Unsubscribe;
  readonly onConnection: (listener: ConnectionListener) => Unsubscribe;
  readonly emitNotification: (notification: SensorNotification) => void;
  readonly emitConnection: (event: ConnectionEvent) => void;
}

/** Creates listener bookkeeping for a source; emits to listeners in subscription order. */
export function createSourceEvents(): SourceEvents {
  const notificationListeners = new Set<Entry<NotificationListener>>();
  const connectionListeners = new Set<Entry<ConnectionListener>>();
  return {
    onNotification: (listener) => subscribe(notificationListeners, listener),
    onConnection: (listener) => subscribe(connectionListeners, listener),
    emitNotification(notification) {
      for (const entry of [...notificationListeners]) entry.listener(notification);
    },
    emitConnection(event) {
      for (const entry of [...connectionListeners]) entry.listener(event);
    },
  };
}

/** A subscription; an object so the same function subscribed twice is two subscriptions. */
interface Entry<L> {
  readonly listener: L;
}

function subscribe<L>(entries: Set<Entry<L>>, listener: L): Unsubscribe {
  const entry = { listener };
  entries.add(entry);
  return () => {
    entries.delete(entry);
  };
}

/** The notation sources use for a characteristic: a descriptor's `uuid` 0x2a37 → "2a37". */
export function characteristicId(uuid: number): string {
  if (!Number.isInteger(uuid) || uuid < 0 || uuid > 0xffff) {
    throw new RangeError(`a 16-bit characteristic UUID is 0..0xffff, got ${uuid}`);
  }
  return uuid.toString(16).padStart(4, "0");
}

/** Whether `text` is a characteristic in source notation (four lowercase hex digits). */
export function isCharacteristicId(text: string): boolean {
  return /^[0-9a-f]{4}$/.test(text);
}
