// Opens one workout in a fresh process and prints JSON: the first open (cold: the code paths
// have never run), memory held after it, reading all samples, and an open of the same ride
// in a second vault instance of the same process (warm).
import { openNodeVault } from "../packages/core/dist/node.js";

const [directory, id] = process.argv.slice(2);
const mb = (bytes) => bytes / 1024 / 1024;

async function openOnce() {
  const opened = await openNodeVault({ directory });
  if (!opened.ok) throw new Error(opened.error.message);
  const vault = opened.value;
  vault.workouts.list();
  globalThis.gc?.();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const result = await vault.workouts.open(id);
  const openMs = performance.now() - t0;
  if (!result.ok) throw new Error(result.error.message);
  globalThis.gc?.();
  const after = process.memoryUsage();
  const t1 = performance.now();
  const { columns } = result.value.samples();
  const readMs = performance.now() - t1;
  await vault.close();
  return {
    openMs,
    readMs,
    samples: columns.length,
    heapMb: mb(after.heapUsed - before.heapUsed),
    // Automerge's WASM memory and our decoded bytes live in ArrayBuffers.
    buffersMb: mb(after.arrayBuffers - before.arrayBuffers),
  };
}

const cold = await openOnce();
const warm = await openOnce();
process.stdout.write(JSON.stringify({ cold, warm }));
