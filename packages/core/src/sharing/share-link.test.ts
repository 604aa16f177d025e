/** Share links: secrets round-trip through links and tokens; damaged links give clear errors. */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSodium, type Sodium } from "../crypto/sodium.js";
import { systemRandom } from "../runtime.js";
import {
  createShareSecret,
  deriveShareKeys,
  formatShareLink,
  parseShareLink,
} from "./share-link.js";

let sodium: Sodium;
beforeAll(async () => {
  sodium = await loadSodium();
});

const errorOf = (link: string): string => {
  const parsed = parseShareLink(sodium, link);
  return parsed.ok ? "parsed" : parsed.error.message;
};

describe("share link", () => {
  it("round-trips any secret as a full link and as a bare token", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (secret) => {
        const link = formatShareLink(sodium, secret, "https://rides.example/app#old");
        expect(link.startsWith("https://rides.example/app#share=rvshare1.")).toBe(true);
        const fromLink = parseShareLink(sodium, link);
        const fromToken = parseShareLink(sodium, formatShareLink(sodium, secret));
        expect(fromLink.ok && [...fromLink.value]).toEqual([...secret]);
        expect(fromToken.ok && [...fromToken.value]).toEqual([...secret]);
      }),
      { numRuns: 50 },
    );
  });

  it("derives distinct capability, keyring key and grant id, the same each time", () => {
    const secret = createShareSecret(systemRandom);
    const a = deriveShareKeys(sodium, secret);
    const b = deriveShareKeys(sodium, secret);
    expect(a).toEqual(b);
    expect(a.grantId).toMatch(/^[0-9a-f]{32}$/);
    expect(sodium.to_hex(a.capability)).not.toBe(sodium.to_hex(a.keyringKey));
    expect(deriveShareKeys(sodium, createShareSecret(systemRandom)).grantId).not.toBe(a.grantId);
  });

  it("refuses truncated, tampered, foreign and garbled links with a reason", () => {
    const link = formatShareLink(sodium, createShareSecret(systemRandom), "https://r.example/");
    expect(errorOf(link.slice(0, -3))).toMatch(/cut short|check digits/);
    expect(errorOf(link.slice(0, link.indexOf("rvshare1.") + 20))).toMatch(/cut short/);
    // One character of the secret changed: the check digits catch it.
    const at = link.indexOf("rvshare1.") + 12;
    const flipped = `${link.slice(0, at)}${link[at] === "A" ? "B" : "A"}${link.slice(at + 1)}`;
    expect(errorOf(flipped)).toMatch(/check digits do not match/);
    expect(errorOf("https://r.example/#pair=abc")).toMatch(/no share in it/);
    expect(errorOf("rvshare2.abc.def")).toMatch(/newer than this app/);
    expect(errorOf("hello")).toMatch(/does not start with rvshare1/);
    expect(errorOf("rvshare1.@@@.!!")).toMatch(/cut short or damaged/);
    expect(errorOf("")).not.toBe("parsed");
    const parsed = parseShareLink(sodium, "nonsense");
    expect(parsed.ok ? "" : parsed.error.code).toBe("share-link-invalid");
  });
});
