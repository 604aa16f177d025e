/**
 * What the halves of the relay protocol suite (`protocol-suite.ts`) share: the relay under
 * test as the suite sees it, the capability flags where runtimes differ, and helpers that
 * look at a relay from outside (what a new reader is sent, the `/metrics` text).
 */
import type { DocumentKeys, Sodium } from "@ridevault/core";
import { deriveAccessSecret } from "@ridevault/core";
import { connectRaw } from "./raw-client.js";

/** A running relay, as the suite sees it. */
export interface RelayUnderTest {
  /** `ws://127.0.0.1:<port>/sync`, the same after `restart`. */
  readonly url: string;
  /** Stops the relay and starts it again on the same data and URL. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** What a relay is started with; unset: the relay's defaults. */
export interface StartRelayOptions {
  /** Unread bytes a connection may have before it is closed with 4008. */
  readonly maxBufferedBytes?: number;
}

/** Starts a relay with fresh, empty data on 127.0.0.1 and a free port. */
export type StartRelay = (options?: StartRelayOptions) => Promise<RelayUnderTest>;

/** Where a relay runtime differs from the Node relay, by design or for now. */
export interface RelayCapabilities {
  /**
   * `watch` is counted and every subscriber hears the `watchers` count (Node and Workers
   * both do). False: a relay that acknowledges `watch` but sends no counts.
   */
  readonly watcherCounts: boolean;
  /**
   * Extra tries of the three-device churn test (0: it must pass at once). Workers has a known
   * defect: under a loaded machine a device now and then misses one envelope there (about
   * half of the CI runs at the end of this session); until it is found and fixed, the test
   * is tried again, and its failures stay visible in the test report.
   */
  readonly churnRetries: number;
}

/** What the frame and device tests share. */
export interface SuiteContext {
  readonly relay: () => RelayUnderTest;
  readonly sodium: () => Sodium;
  readonly start: StartRelay;
  readonly capabilities: RelayCapabilities;
}

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** A fresh document id, so that tests sharing a relay never share a document. */
export function randomDocId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(22));
  return Array.from(bytes, (byte) => BASE58[byte % BASE58.length]).join("");
}

/** The base `http://` URL of a relay's `ws://…/sync` URL. */
export function httpUrlOf(url: string): string {
  return url.replace(/^ws/, "http").replace(/\/sync$/, "");
}

/**
 * What a new reader catching up from 0 is sent: the document's stored sequence numbers
 * (a snapshot stands for what it covers) — how the suite sees what a relay stored.
 */
export async function storedSeqs(
  url: string,
  sodium: Sodium,
  docId: string,
  keys: DocumentKeys,
): Promise<number[]> {
  const reader = await connectRaw(url, { deviceId: "fedcba9876543210" });
  try {
    reader.send({
      type: "subscribe",
      id: 7,
      docId,
      afterSeq: 0,
      accessSecret: deriveAccessSecret(sodium, keys.readKey),
    });
    await reader.next((m) => m.type === "caught-up" && m.id === 7, 10_000);
    return reader.received.flatMap((m) =>
      m.type === "envelope" && m.docId === docId ? [m.seq] : [],
    );
  } finally {
    reader.close();
  }
}

/** The relay's `/metrics` text. */
export async function metricsText(url: string): Promise<string> {
  const response = await fetch(`${httpUrlOf(url)}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}

/** One series' value in Prometheus text (0 when absent). */
export function metricValue(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  const wanted = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}="${value}"`)
    .join(",");
  const series = wanted === "" ? name : `${name}{${wanted}}`;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}
