/**
 * The expected failures of the account endpoints, as values with a string `code` and the
 * HTTP status each maps to. Wrong password, unknown email, forged signature and a stale
 * challenge all give the same `invalid-credentials`, so a response never says whether an
 * email has an account.
 */

/** Every error code of the account endpoints. */
export type AccountErrorCode =
  | "bad-request"
  | "payload-too-large"
  | "invalid-credentials"
  | "invalid-token"
  | "refresh-invalid"
  | "refresh-reused"
  | "email-taken"
  | "bundle-conflict"
  | "unknown-account"
  | "rate-limited"
  | "not-found"
  | "pairing-invalid"
  | "origin-not-allowed";

/** An account endpoint's failure. */
export interface AccountError {
  readonly code: AccountErrorCode;
  readonly message: string;
}

/** The HTTP status of each code. */
export const STATUS_BY_CODE: Readonly<Record<AccountErrorCode, number>> = {
  "bad-request": 400,
  "payload-too-large": 413,
  "invalid-credentials": 401,
  "invalid-token": 401,
  "refresh-invalid": 401,
  "refresh-reused": 401,
  "email-taken": 409,
  "bundle-conflict": 409,
  "unknown-account": 404,
  "rate-limited": 429,
  "not-found": 404,
  "pairing-invalid": 404,
  "origin-not-allowed": 403,
};

/** A `bad-request` naming the field and what it should be. */
export function badRequest(message: string): AccountError {
  return { code: "bad-request", message };
}

/** The one answer for every failed login. */
export function invalidCredentials(): AccountError {
  return {
    code: "invalid-credentials",
    message: "the email or password is wrong (or the login took too long): start the login again",
  };
}

/** A missing, malformed, expired or signed-out access token. */
export function invalidToken(): AccountError {
  return {
    code: "invalid-token",
    message: "the access token is missing, invalid or expired: refresh it or log in again",
  };
}
