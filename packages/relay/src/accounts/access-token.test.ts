/** Access tokens: one algorithm, signature, expiry, audience and type are all enforced. */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createAccessTokens } from "./access-token.js";

const secret = new Uint8Array(32).fill(7);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function forge(header: unknown, claims: unknown, key: Uint8Array = secret): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
}

describe("access tokens", () => {
  let now = 1_700_000_000_000;
  const tokens = createAccessTokens({ secret, audience: "relay-a", now: () => now });
  const claims = () => ({
    sub: "acc",
    sid: "fam",
    aud: "relay-a",
    typ: "access",
    iat: Math.floor(now / 1000),
    exp: Math.floor(now / 1000) + 60,
    jti: "j",
  });
  const reason = (token: string) => {
    const result = tokens.verify(token);
    return result.ok ? "ok" : result.error.reason;
  };

  it("verifies what it issues, until it expires", () => {
    const token = tokens.issue({ accountId: "acc", familyId: "fam" });
    const verified = tokens.verify(token);
    expect(verified.ok && verified.value.sub).toBe("acc");
    expect(verified.ok && verified.value.exp - verified.value.iat).toBe(900);
    now += 899_000;
    expect(reason(token)).toBe("ok");
    now += 1000;
    expect(reason(token)).toBe("expired");
    now -= 900_000;
  });

  it("refuses alg none, other algorithms, other keys and tampering", () => {
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${b64(claims())}.`;
    expect(reason(unsigned)).toBe("malformed");
    expect(reason(`${b64({ alg: "none" })}.${b64(claims())}.AA`)).toBe("algorithm");
    expect(reason(forge({ alg: "HS512", typ: "JWT" }, claims()))).toBe("algorithm");
    expect(reason(forge({ alg: "HS256" }, claims(), new Uint8Array(32).fill(8)))).toBe("signature");
    const token = tokens.issue({ accountId: "acc", familyId: "fam" });
    const [h, , s] = token.split(".");
    expect(reason(`${h}.${b64({ ...claims(), sub: "other" })}.${s}`)).toBe("signature");
  });

  it("checks audience and type", () => {
    expect(reason(forge({ alg: "HS256" }, claims()))).toBe("ok");
    expect(reason(forge({ alg: "HS256" }, { ...claims(), aud: "relay-b" }))).toBe("audience");
    expect(reason(forge({ alg: "HS256" }, { ...claims(), typ: "refresh" }))).toBe("type");
    expect(reason(forge({ alg: "HS256" }, { ...claims(), sub: 5 }))).toBe("malformed");
    expect(reason("opaque-refresh-token")).toBe("malformed");
  });

  it("needs a 32-byte secret", () => {
    expect(() => createAccessTokens({ secret: new Uint8Array(16) })).toThrow(/32 bytes/);
  });
});
