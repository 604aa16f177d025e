/**
 * One document as the sync engine follows it: its current keys, its sync position (cursor,
 * author counter, heads already sealed), the envelopes buffered while it catches up, its
 * share of the outbox, the ordered chain of writes to storage, and its timers (compaction
 * when quiet, a refused push or registration waiting to be tried again). The functions here
 * are the transitions every part of the engine needs: moving the cursor, starting over on a
 * relay that lost the document, forgetting a closed connection.
 */
import type { DocumentKeys } from "../crypto/document-keys.js";
import type { SyncContext } from "./sync-context.js";
import type { SyncedDocument } from "./sync-source.js";
import type { DocumentSyncState, SyncStore } from "./sync-store.js";

type Timer = ReturnType<typeof setTimeout>;

/** @internal A followed document. */
export interface Tracked {
  /** Replaced when its keys change (a rotation). */
  doc: SyncedDocument;
  /**
   * An envelope arrived sealed with keys this device lacks: the cursor stays put until the
   * keys come and the document is subscribed again from it.
   */
  blocked: boolean;
  state: DocumentSyncState;
  caughtUp: boolean;
  /** Plaintexts received during catch-up, merged at `caught-up` in one go. */
  buffered: Uint8Array[];
  /** Writes to the outbox and state, in order. */
  writes: Promise<void>;
  /** Sequence numbers of this device's acknowledged envelopes above the cursor. */
  readonly ownAhead: Set<number>;
  /**
   * Author counters of this document's envelopes in the outbox. A set, not a count: a push
   * read from the outbox just before its acknowledgement removed it goes out again and is
   * acknowledged twice (as a duplicate), which must not count twice.
   */
  readonly outbox: Set<number>;
  /** Outbox counters pushed on this connection and not yet acknowledged. */
  readonly inFlight: Set<number>;
  /** Fires when the document has been quiet for `snapshotIdleMs`. */
  idleTimer: Timer | undefined;
  /** Pushes the outbox again after the relay refused a push for a while (this connection). */
  pushRetry: Timer | undefined;
  /** Refused pushes in a row (the backoff of those without a "retry in N s"). */
  pushRefusals: number;
  /** Registers the document again after the relay refused to (kept across reconnects). */
  registerRetry: Timer | undefined;
  /** Refused registrations in a row. */
  registerRefusals: number;
  readonly stopListening: () => void;
}

/**
 * Starts following `doc` from what `store` holds: its state, with the author counter past
 * every outbox entry. `onLocalChange` hears the document's local changes.
 */
export async function loadTracked(
  store: SyncStore,
  doc: SyncedDocument,
  onLocalChange: (tracked: Tracked) => void,
): Promise<Tracked> {
  const state = await store.state(doc.docId);
  const outbox = await store.pending(doc.docId);
  const last = outbox[outbox.length - 1];
  const tracked: Tracked = {
    doc,
    blocked: false,
    state: last && last.counter > state.counter ? { ...state, counter: last.counter } : state,
    caughtUp: false,
    buffered: [],
    writes: Promise.resolve(),
    ownAhead: new Set(),
    outbox: new Set(outbox.map((entry) => entry.counter)),
    inFlight: new Set(),
    idleTimer: undefined,
    pushRetry: undefined,
    pushRefusals: 0,
    registerRetry: undefined,
    registerRefusals: 0,
    stopListening: doc.onLocalChange(() => onLocalChange(tracked)),
  };
  return tracked;
}

/** The generation that seals: the newest held. */
export function newest(keys: ReadonlyMap<number, DocumentKeys>): DocumentKeys | undefined {
  let best: DocumentKeys | undefined;
  for (const k of keys.values()) if (!best || k.generation > best.generation) best = k;
  return best;
}

/** True when `next` holds other keys than `current` (a new generation or access secret). */
export function keysChanged(current: SyncedDocument, next: SyncedDocument): boolean {
  const a = newest(current.keys);
  const b = newest(next.keys);
  if (a?.generation !== b?.generation || current.keys.size !== next.keys.size) return true;
  if (a && b && (a.writeKey === null) !== (b.writeKey === null)) return true;
  const x = current.accessSecret;
  const y = next.accessSecret;
  return (
    x?.length !== y?.length || (x !== undefined && y !== undefined && x.some((v, i) => v !== y[i]))
  );
}

/**
 * Moves the cursor to `seq` (and past this device's own acknowledged envelopes right after
 * it), then stores the merged document and the new cursor, in that order. Nothing moves
 * once the engine stopped or while the document is blocked on missing keys.
 */
export function advanceCursor(ctx: SyncContext, tracked: Tracked, seq: number): void {
  if (ctx.stopped || tracked.blocked) return;
  let cursor = Math.max(tracked.state.cursor, seq);
  while (tracked.ownAhead.has(cursor + 1)) cursor++;
  for (const own of tracked.ownAhead) if (own <= cursor) tracked.ownAhead.delete(own);
  if (cursor === tracked.state.cursor) return;
  tracked.state = { ...tracked.state, cursor };
  const state = tracked.state;
  const docId = tracked.doc.docId;
  // The merged document is stored before the cursor that says it was merged: a crash
  // in between must not leave a cursor past changes this device no longer has.
  tracked.writes = tracked.writes.then(async () => {
    await ctx.source.persist(docId);
    await ctx.store.saveState(docId, state);
  });
}

/** Queues a save of the document's current state behind its other writes. */
export function saveState(ctx: SyncContext, tracked: Tracked): void {
  const state = tracked.state;
  tracked.writes = tracked.writes.then(() => ctx.store.saveState(tracked.doc.docId, state));
}

/**
 * The relay lost the document (a new or restored relay): start it over there, unregistered
 * and from the beginning, so everything is sealed again.
 */
export function startOver(tracked: Tracked): void {
  tracked.state = {
    ...tracked.state,
    registered: false,
    cursor: 0,
    sentHeads: [],
    snapshotSeq: 0,
  };
  tracked.ownAhead.clear();
}

/**
 * True when, as far as this device knows, the relay never had anything of the document:
 * never registered or received, nothing of this device's acknowledged. Starting over would
 * change nothing but seal it whole again.
 */
export function neverOnRelay(tracked: Tracked): boolean {
  const { cursor, registered, snapshotSeq } = tracked.state;
  return cursor === 0 && !registered && snapshotSeq === 0 && tracked.ownAhead.size === 0;
}

/** The connection closed: the subscription and this connection's pushes are gone. */
export function disconnected(tracked: Tracked): void {
  tracked.caughtUp = false;
  tracked.buffered = [];
  tracked.inFlight.clear();
  if (tracked.pushRetry !== undefined) clearTimeout(tracked.pushRetry);
  tracked.pushRetry = undefined;
}

/** The document is no longer followed: stop listening and stop every timer. */
export function untracked(tracked: Tracked): void {
  tracked.stopListening();
  for (const timer of [tracked.idleTimer, tracked.pushRetry, tracked.registerRetry])
    if (timer !== undefined) clearTimeout(timer);
  tracked.idleTimer = undefined;
  tracked.pushRetry = undefined;
  tracked.registerRetry = undefined;
}
