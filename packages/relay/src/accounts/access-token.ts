/**
 * Access tokens: JSON Web Tokens signed with HMAC-SHA256 under the relay's secret, built on
 * `node:crypto` alone. Exactly one algorithm is accepted (HS256): a token whose header names
 * any other — `none` included — is refused before its signature is looked at, so a
 * forged header cannot pick the verification method. `exp`, `aud` and `typ` (`"access"`)
 * are checked; refresh tokens are opaque random strings, never JWTs, so one cannot pass as
 * the other. Claims: `sub` (account id), `sid` (the refresh-token family, so signing out a
 * device also ends its access tokens), `iat`, `exp`, `aud`, `typ`, `jti`.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { err, ok, type Result } from "@ridevault/core/protocol";

/** The only algorithm accepted. */
export const ACCESS_TOKEN_ALGORITHM = "HS256";

/** What an access token says. */
export interface AccessClaims {
  /** The account id. */
  readonly sub: string;
  /** The refresh-token family (one per signed-in device). */
  readonly sid: string;
  readonly aud: string;
  readonly typ: "access";
  /** Seconds since the epoch. */
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

/** Why a token was refused (`reason` is for logs; clients see only the code). */
export interface InvalidTokenError {
  readonly code: "invalid-token";
  readonly message: string;
  readonly reason: "malformed" | "algorithm" | "signature" | "expired" | "audience" | "type";
}

/** Options of `createAccessTokens`. */
export interface AccessTokenOptions {
  /** At least 32 secret bytes. */
  readonly secret: Uint8Array;
  /** The `aud` claim, e.g. the relay's public URL (default "ridevault-relay"). */
  readonly audience?: string;
  /** Lifetime in seconds (default 900: 15 minutes). */
  readonly ttlSeconds?: number;
  readonly now?: () => number;
}

/** Issues and verifies access tokens. */
export interface AccessTokens {
  readonly ttlSeconds: number;
  issue(input: { accountId: string; familyId: string }): string;
  verify(token: string): Result<AccessClaims, InvalidTokenError>;
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Access tokens under `options.secret`. Throws if the secret is shorter than 32 bytes. */
export function createAccessTokens(options: AccessTokenOptions): AccessTokens {
  if (options.secret.length < 32) throw new RangeError("the token secret needs 32 bytes or more");
  const secret = Buffer.from(options.secret);
  const audience = options.audience ?? "ridevault-relay";
  const ttlSeconds = options.ttlSeconds ?? 900;
  const nowSeconds = () => Math.floor((options.now ?? Date.now)() / 1000);
  const sign = (input: string): Buffer => createHmac("sha256", secret).update(input).digest();
  const invalid = (reason: InvalidTokenError["reason"], message: string) =>
    err<InvalidTokenError>({ code: "invalid-token", reason, message });

  return {
    ttlSeconds,
    issue({ accountId, familyId }) {
      const iat = nowSeconds();
      const claims: AccessClaims = {
        sub: accountId,
        sid: familyId,
        aud: audience,
        typ: "access",
        iat,
        exp: iat + ttlSeconds,
        jti: randomBytes(12).toString("base64url"),
      };
      const input = `${encode({ alg: ACCESS_TOKEN_ALGORITHM, typ: "JWT" })}.${encode(claims)}`;
      return `${input}.${sign(input).toString("base64url")}`;
    },

    verify(token) {
      const parts = token.split(".");
      if (token.length > 4096 || parts.length !== 3 || !parts.every((p) => BASE64URL.test(p)))
        return invalid("malformed", "not a JWT");
      const [head, body, signature] = parts as [string, string, string];
      const header = parseJson(head);
      if (!header || header.alg !== ACCESS_TOKEN_ALGORITHM)
        return invalid("algorithm", `only ${ACCESS_TOKEN_ALGORITHM} is accepted`);
      const expected = sign(`${head}.${body}`);
      const given = Buffer.from(signature, "base64url");
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return invalid("signature", "the signature does not match");
      const claims = parseJson(body);
      if (!claims) return invalid("malformed", "the claims are not JSON");
      const { sub, sid, aud, typ, iat, exp, jti } = claims;
      if (typ !== "access") return invalid("type", "not an access token");
      if (aud !== audience) return invalid("audience", "issued for another relay");
      if (
        typeof sub !== "string" ||
        typeof sid !== "string" ||
        typeof jti !== "string" ||
        !Number.isSafeInteger(iat) ||
        !Number.isSafeInteger(exp)
      )
        return invalid("malformed", "claims are missing");
      if (nowSeconds() >= (exp as number)) return invalid("expired", "the token has expired");
      return ok({ sub, sid, aud, typ, iat: iat as number, exp: exp as number, jti });
    },
  };
}

function parseJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
