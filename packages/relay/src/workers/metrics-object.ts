/**
 * The Workers relay's counters, added up: connection objects report what they counted
 * (`MetricSample` deltas) to one of `METRICS_SHARDS` metrics objects, chosen by their own
 * id so that no single object takes every report; `/metrics` reads every shard and renders
 * the sum. Totals are kept in the object's SQLite storage, so they survive eviction and
 * restarts, as Prometheus expects of a counter.
 */
import { DurableObject } from "cloudflare:workers";
import type { Namespace, RelayEnv } from "./document-rpc.js";
import type { MetricSample } from "./metric-samples.js";
import type { WorkersAccountsEnv } from "./workers-accounts.js";

/** How many metrics objects share the reports. */
export const METRICS_SHARDS = 8;

/** What a metrics object answers. */
export interface MetricsRpc {
  /** Adds `deltas` to the totals. */
  add(deltas: readonly MetricSample[]): Promise<void>;
  /** Every total. */
  read(): Promise<MetricSample[]>;
}

/** The Workers relay's bindings and variables beyond the store's (accounts: `workers-accounts.ts`). */
export interface WorkersRelayEnv extends RelayEnv, WorkersAccountsEnv {
  readonly METRICS: Namespace<MetricsRpc>;
  /** Estimated unread bytes a connection may have (default 8 MiB): `send-budget.ts`. */
  readonly MAX_BUFFERED_BYTES?: string;
  /** Bytes a second a device is assumed to read (default 1 MiB). */
  readonly DRAIN_BYTES_PER_SECOND?: string;
}

/** The name of the metrics object a connection object with id `sessionId` reports to. */
export function metricsShardName(sessionId: string): string {
  let hash = 0;
  for (let i = 0; i < sessionId.length; i++) hash = (hash * 31 + sessionId.charCodeAt(i)) >>> 0;
  return `metrics-${hash % METRICS_SHARDS}`;
}

/** Every shard's totals, concatenated (`renderSamples` adds them up). */
export async function readAllShards(env: WorkersRelayEnv): Promise<MetricSample[]> {
  const shards = Array.from({ length: METRICS_SHARDS }, (_, i) =>
    env.METRICS.get(env.METRICS.idFromName(`metrics-${i}`)).read(),
  );
  return (await Promise.all(shards)).flat();
}

/** One shard of the relay's counters. */
export class MetricsObject extends DurableObject<WorkersRelayEnv> implements MetricsRpc {
  constructor(ctx: DurableObjectState, env: WorkersRelayEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS totals (
      name TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (name, labels))`);
  }

  async add(deltas: readonly MetricSample[]): Promise<void> {
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      for (const delta of deltas) {
        sql.exec(
          `INSERT INTO totals (name, labels, value) VALUES (?, ?, ?)
           ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value`,
          delta.name,
          JSON.stringify(Object.entries(delta.labels).sort()),
          delta.value,
        );
      }
    });
  }

  async read(): Promise<MetricSample[]> {
    return this.ctx.storage.sql
      .exec<{ name: string; labels: string; value: number }>(
        "SELECT name, labels, value FROM totals",
      )
      .toArray()
      .map((row) => ({
        name: row.name,
        labels: Object.fromEntries(JSON.parse(row.labels) as [string, string][]),
        value: row.value,
      }));
  }
}
