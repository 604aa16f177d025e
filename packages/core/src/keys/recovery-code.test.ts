/** Recovery codes: 160 bits, readable, forgiving to type, and parse∘create is identity. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadSodium } from "../crypto/sodium.js";
import { systemRandom } from "../runtime.js";
import { createRecoveryCode, deriveRecoveryKeys, parseRecoveryCode } from "./recovery-code.js";

describe("recovery code", () => {
  it("round-trips its 20 bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (bytes) => {
        const code = createRecoveryCode({ bytes: () => bytes });
        expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/);
        expect(parseRecoveryCode(code)).toEqual(bytes);
      }),
    );
  });

  it("forgives case, spacing and look-alike letters, and refuses anything else", () => {
    const code = createRecoveryCode(systemRandom);
    const typed = code.toLowerCase().replace(/-/g, " ").replace(/0/g, "o").replace(/1/g, "l");
    expect(parseRecoveryCode(typed)).toEqual(parseRecoveryCode(code));
    expect(parseRecoveryCode(code.slice(1))).toBeUndefined();
    expect(parseRecoveryCode(`${code.slice(0, -1)}U`)).toBeUndefined();
  });

  it("derives keys that differ between codes", async () => {
    const sodium = await loadSodium();
    const a = deriveRecoveryKeys(sodium, new Uint8Array(20).fill(1));
    const b = deriveRecoveryKeys(sodium, new Uint8Array(20).fill(2));
    expect(a.wrappingKey).not.toEqual(b.wrappingKey);
    expect(a.loginPublicKey).toEqual(
      deriveRecoveryKeys(sodium, new Uint8Array(20).fill(1)).loginPublicKey,
    );
  });
});
