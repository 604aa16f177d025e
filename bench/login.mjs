// bench/login: what an account costs a rider. (1) Argon2id time on this machine at the
// device minimum (2 passes, 64 MiB), the default (3, 64 MiB) and libsodium's "moderate"
// preset (3, 256 MiB); a phone is typically 3–5× slower. (2) The login round trip against
// an in-process relay on 127.0.0.1 — challenge, signature, tokens, key bundle, opened —
// with the real default KDF and, to isolate the network part, with tiny test parameters.
// (3) A new device: from logIn to the first list of N workouts (default 100, short rides;
// BENCH_WORKOUTS to change), synced from a device that recorded them.
// Run: npm run bench -- login (or `npx tsc -b && node bench/login.mjs`)

import { WebSocket } from "ws";
import {
  AccountClient,
  DEFAULT_KDF,
  loadSodium,
  logIn,
  MemoryCrashLog,
  MemoryStorageAdapter,
  MIN_KDF,
  openVault,
  registerAccount,
  startSync,
} from "../packages/core/dist/index.js";
import { derivePasswordKeys } from "../packages/core/dist/keys/account-kdf.js";
import { MemoryAccountStore, MemoryRelayStore, startRelay } from "../packages/relay/dist/index.js";

const WORKOUTS = Number(process.env.BENCH_WORKOUTS ?? 100);
const sodium = await loadSodium();
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${value.toFixed(0)} ms`;
const unwrap = (result) => {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
};

console.log("Argon2id (crypto_pwhash, libsodium-wrappers-sumo WebAssembly), median of 3:");
for (const [name, params] of [
  ["minimum", MIN_KDF],
  ["default", DEFAULT_KDF],
  ["moderate", { opsLimit: 3, memLimit: 256 * 1024 * 1024 }],
]) {
  const kdf = { algorithm: "argon2id13", salt: sodium.randombytes_buf(16), ...params };
  const times = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    derivePasswordKeys(sodium, "correct horse battery staple", kdf);
    times.push(performance.now() - start);
  }
  console.log(
    `  ${name.padEnd(8)} ${params.opsLimit} passes, ${params.memLimit / 1024 / 1024} MiB: ${ms(median(times))}`,
  );
}

const relay = await startRelay({
  store: new MemoryRelayStore(),
  accounts: {
    store: new MemoryAccountStore(),
    secret: sodium.randombytes_buf(32),
    requireAccount: true,
    rateLimits: Object.fromEntries(
      ["register", "challenge", "login", "refresh"].map((k) => [k, { burst: 1e6, perMinute: 1e6 }]),
    ),
  },
});
const client = new AccountClient({ baseUrl: relay.url });
const vaultA = unwrap(
  await openVault({ storage: new MemoryStorageAdapter(), crashLog: new MemoryCrashLog() }),
);
const library = await vaultA.libraryAccess();
const real = unwrap(
  await registerAccount({ client, email: "real@example.org", password: "pw-real", library }),
);
unwrap(
  await registerAccount({
    client,
    email: "tiny@example.org",
    password: "pw-tiny",
    library,
    unsafeTestKdf: true,
  }),
);
const loginTimes = { real: [], tiny: [] };
for (let i = 0; i < 5; i++) {
  let start = performance.now();
  unwrap(await logIn({ client, email: "real@example.org", password: "pw-real" }));
  loginTimes.real.push(performance.now() - start);
  start = performance.now();
  unwrap(
    await logIn({ client, email: "tiny@example.org", password: "pw-tiny", unsafeTestKdf: true }),
  );
  loginTimes.tiny.push(performance.now() - start);
}
console.log("Login round trip (start → sign → finish → bundle → open), median of 5:");
console.log(`  default KDF: ${ms(median(loginTimes.real))}`);
console.log(`  tiny KDF (network and relay only): ${ms(median(loginTimes.tiny))}`);

// Device A records WORKOUTS short rides and syncs them.
const T0 = Date.UTC(2026, 0, 1, 7);
for (let w = 0; w < WORKOUTS; w++) {
  const workout = unwrap(
    await vaultA.workouts.create({ title: `Ride ${w}`, startTime: T0 + w * 86_400_000 }),
  );
  const recording = unwrap(await vaultA.workouts.record(workout.id, { chunkSamples: 60 }));
  for (let i = 0; i < 120; i++) {
    unwrap(
      await recording.append({
        time: T0 + w * 86_400_000 + i * 1000,
        power: 150 + ((w * 7 + i) % 200),
        heartRate: 120 + (i % 40),
      }),
    );
  }
  await recording.finish();
}
await vaultA.workouts.settle();
const syncA = await startSync(vaultA, {
  url: relay.url,
  WebSocket: real.session.webSocket(WebSocket),
});
await syncA.whenSynced(120_000);
await syncA.stop();

const started = performance.now();
const signedIn = unwrap(await logIn({ client, email: "real@example.org", password: "pw-real" }));
const loggedInMs = performance.now() - started;
const vaultB = unwrap(
  await openVault({
    storage: new MemoryStorageAdapter(),
    crashLog: new MemoryCrashLog(),
    join: signedIn.library,
  }),
);
const listed = new Promise((resolve) => {
  const check = () => {
    if (vaultB.workouts.list().length >= WORKOUTS) resolve(performance.now() - started);
  };
  vaultB.subscribe(check);
  check();
});
const syncB = await startSync(vaultB, {
  url: relay.url,
  WebSocket: signedIn.session.webSocket(WebSocket),
});
const firstListMs = await listed;
await syncB.whenSynced(120_000);
const allMs = performance.now() - started;
console.log(`New device, ${WORKOUTS} workouts of 2 minutes each, default KDF:`);
console.log(`  logged in (bundle opened): ${ms(loggedInMs)}`);
console.log(`  first list of all ${WORKOUTS} workouts: ${ms(firstListMs)}`);
console.log(`  every workout synced: ${ms(allMs)}`);
await syncB.stop();
await vaultA.close();
await vaultB.close();
await relay.close();
