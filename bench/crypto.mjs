// bench/crypto: envelopes sealed, opened and verified per second for a 500 B change (a
// sealed chunk of samples) and a 60 KB snapshot, with the envelope's size and overhead, and
// how the nonce source alone compares (crypto.getRandomValues vs libsodium randombytes_buf).
// Verify-only is what the relay does per inbound envelope: decode and check the signature.
// Run: npm run bench -- crypto (or `npx tsc -b && node bench/crypto.mjs`)
import { createDocumentKeys } from "../packages/core/dist/crypto/document-keys.js";
import { openEnvelope, sealEnvelope } from "../packages/core/dist/crypto/envelope.js";
import { decodeEnvelope } from "../packages/core/dist/crypto/envelope-format.js";
import { loadSodium } from "../packages/core/dist/crypto/sodium.js";
import { verifyEnvelope } from "../packages/core/dist/crypto/verify-envelope.js";
import { createDeviceId, systemRandom } from "../packages/core/dist/index.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const sodium = await loadSodium();
const keys = createDocumentKeys(sodium);
const header = {
  kind: "change",
  docId: "4NMNnkH1Xh3Sy8pMTa5Lw6wZAuLG",
  generation: 0,
  authorDevice: createDeviceId(systemRandom),
  counter: 1,
};

/** Runs `fn` for SECONDS (after a short warm-up) and returns calls per second. */
function rate(fn) {
  for (let i = 0; i < 50; i++) fn();
  let calls = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 20; i++) fn();
    calls += 20;
    now = performance.now();
  }
  return calls / ((now - start) / 1000);
}

function must(result) {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

const fmt = (n) => Math.round(n).toLocaleString("en-US").padStart(9);
console.log(`envelopes per second (one core, ${SECONDS} s per figure)`);
console.log("plaintext      envelope   overhead        seal        open   verify-only");
for (const [label, length] of [
  ["500 B change", 500],
  ["60 KB snapshot", 60_000],
]) {
  const plaintext = systemRandom.bytes(length);
  const sealed = must(sealEnvelope(sodium, { header, plaintext, keys }));
  const seal = rate(() => must(sealEnvelope(sodium, { header, plaintext, keys })));
  const open = rate(() => must(openEnvelope(sodium, sealed, keys)));
  const verify = rate(() => {
    if (!verifyEnvelope(sodium, must(decodeEnvelope(sealed)), keys.writePublicKey)) {
      throw new Error("verify failed");
    }
  });
  const overhead = `${sealed.length - length} B (${(((sealed.length - length) / length) * 100).toFixed(1)} %)`;
  console.log(
    `${label.padEnd(14)} ${`${sealed.length} B`.padStart(8)}   ${overhead.padEnd(15)}${fmt(seal)}   ${fmt(open)}     ${fmt(verify)}`,
  );
}

const nonce = new Uint8Array(24);
const webCrypto = rate(() => globalThis.crypto.getRandomValues(nonce));
const libsodium = rate(() => sodium.randombytes_buf(24));
console.log(`\n24-byte nonces per second: crypto.getRandomValues ${fmt(webCrypto).trim()}`);
console.log(`                           sodium.randombytes_buf  ${fmt(libsodium).trim()}`);
