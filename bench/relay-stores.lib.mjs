// The stores table of bench/relay.mjs (issue #9), not a benchmark on its own.
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { forkServer, serverDelta } from "./relay-server.lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../packages/relay/package.json"));

// --- Stores side by side (issue #9): the same closed loop against the bare ws ceiling, the
// SQLite relay, and relays on PostgreSQL — one instance, then two instances sharing one
// database with the load split between them (each connection's subscribers are on its own
// instance; every commit still sends a NOTIFY hint both instances hear). Each PostgreSQL
// measurement gets a fresh database (created through the server's `postgres` database,
// dropped after): RIDEVAULT_BENCH_DATABASE_URL, else postgres@127.0.0.1:5432.

const STORE_CONNECTIONS = Number(process.env.BENCH_STORE_CONNECTIONS ?? 100);

/** Creates a fresh database for one measurement; returns its URL and a `drop`. */
async function benchDatabase() {
  const postgres = require("postgres");
  const server =
    process.env.RIDEVAULT_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `ridevault_bench_${randomBytes(6).toString("hex")}`;
  const admin = postgres(server, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw new Error(
      `the PostgreSQL part needs a server at ${server} whose user may create databases (${error.message}); set RIDEVAULT_BENCH_DATABASE_URL or run with BENCH_RELAY_PART=levels`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = postgres(server, { max: 1, onnotice: () => undefined });
      await again`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name}`;
      await again.unsafe(`DROP DATABASE IF EXISTS ${name}`);
      await again.end();
    },
  };
}

/** `n` connections spread over PostgreSQL relays in `servers` (one process each), closed loop. */
async function measurePostgres(t, servers, n, ceiling) {
  const database = await benchDatabase();
  try {
    const urls = [];
    for (const s of servers)
      urls.push((await s.start("relay-postgres", "", { databaseUrl: database.url })).url);
    const recorders = Array.from({ length: n }, t.recorder);
    const conns = [];
    for (const [i, url] of urls.entries()) {
      conns.push(
        ...(await t.connectAll(
          url,
          recorders.filter((_, j) => j % urls.length === i),
          "relay",
        )),
      );
    }
    t.preseal(
      recorders,
      Math.ceil((Math.max(ceiling, 9000) * (t.seconds + t.warmUpMs / 1000)) / n / 2) + 2,
    );
    const before = await Promise.all(servers.map((s) => s.mark()));
    const result = await t.closedLoop(conns, "relay", servers[0]);
    const after = await Promise.all(servers.map((s) => s.mark()));
    const deltas = servers.map((_, i) => serverDelta(before[i], after[i]));
    await t.closeAll(conns);
    for (const s of servers) await s.stop();
    return { ...result, instances: deltas };
  } finally {
    await database.drop();
  }
}

/**
 * Prints the store comparison table. `t` is the closed-loop toolkit of bench/relay.mjs:
 * { seconds, warmUpMs, measure, closedLoop, connectAll, closeAll, preseal, recorder, fmt }.
 */
export async function compareStoresWith(t, server, ceiling) {
  const n = STORE_CONNECTIONS;
  console.log(`\nstores side by side: ${n} connections, closed loop, ${t.seconds} s each`);
  const bare = await t.measure(server, "bare", n, (conns) => t.closedLoop(conns, "bare", server));
  const sqlite = await t.measure(server, "relay", n, (conns, recorders) => {
    t.preseal(
      recorders,
      Math.ceil((Math.max(ceiling, 9000) * 1.2 * (t.seconds + t.warmUpMs / 1000)) / n) + 2,
    );
    return t.closedLoop(conns, "relay", server);
  });
  const pg1 = await measurePostgres(t, [server], n, ceiling);
  const second = await forkServer();
  let pg2;
  try {
    pg2 = await measurePostgres(t, [server, second], n, ceiling);
  } finally {
    await second.exit();
  }
  const perCommit = (deltas) => {
    const appends = deltas.reduce((sum, d) => sum + (d.counters?.appends ?? 0), 0);
    const transactions = deltas.reduce((sum, d) => sum + (d.counters?.transactions ?? 0), 0);
    return transactions ? t.fmt(appends / transactions, 1) : "–";
  };
  const rows = [
    ["bare ws (no storage, ceiling)", 1, bare, "–"],
    ["relay, SQLite (WAL, FULL)", 1, sqlite, perCommit([sqlite.server])],
    ["relay, PostgreSQL", 1, pg1, perCommit(pg1.instances)],
    ["relay, PostgreSQL", 2, pg2, perCommit(pg2.instances)],
  ];
  console.log(
    `  ${"server".padEnd(32)} ${"inst.".padStart(5)} ${"pushes/s".padStart(9)} ${"ack p50".padStart(8)} ${"ack p99".padStart(8)} ${"vs bare".padStart(8)} ${"per commit".padStart(10)} errors`,
  );
  for (const [name, instances, r, batch] of rows) {
    console.log(
      `  ${name.padEnd(32)} ${String(instances).padStart(5)} ${t.fmt(r.perSecond, 0).padStart(9)} ${`${t.fmt(r.p50)}`.padStart(8)} ${`${t.fmt(r.p99)}`.padStart(8)} ${`${t.fmt(r.perSecond / bare.perSecond)}×`.padStart(8)} ${batch.padStart(10)} ${r.errors}${r.undrained ? ` (+${r.undrained} unacked)` : ""}`,
    );
  }
  console.log(
    "  (latencies in ms; PostgreSQL: synchronous_commit as the server has it, here on the same 2 cores)",
  );
}
