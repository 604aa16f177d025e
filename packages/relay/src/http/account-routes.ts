/**
 * The account endpoints over HTTP (`/v1/accounts/…`), on top of `AccountService`:
 *
 * | method and path | auth | body → answer |
 * |---|---|---|
 * | POST /v1/accounts/register | – | email, loginPublicKey, recoveryPublicKey?, kdf, bundle → tokens (201) |
 * | POST /v1/accounts/login/start | – | email → challengeId, challenge, kdf |
 * | POST /v1/accounts/login/finish | – | challengeId, signature, method? → tokens |
 * | POST /v1/accounts/refresh | – | refreshToken → tokens (the old one is used up) |
 * | POST /v1/accounts/logout | access | everywhere? → 204 |
 * | GET /v1/accounts/me | access | → accountId, email, createdAt, bundleVersion |
 * | POST /v1/accounts/password | access | proof, loginPublicKey, kdf, bundle, expectedBundleVersion → bundleVersion |
 * | GET /v1/accounts/bundle | access | → bundle, version, kdf |
 * | PUT /v1/accounts/bundle | access | bundle, expectedVersion → version |
 * | DELETE /v1/accounts/me | access | proof → 204 |
 * | POST /v1/accounts/pairing | access | mailboxId, sealed → expiresAt (201) |
 * | POST /v1/accounts/pairing/take | – | mailboxId → sealed + tokens (once) |
 * | PUT /v1/accounts/me/share-key | access | publicKey → 204 |
 * | GET /v1/accounts/lookup?email=E | access | → accountId, email, sharePublicKey (404 alike for unknown email and no key) |
 * | GET /v1/accounts/:id/profile | access | → accountId, email |
 * | POST /v1/documents/claim | access | documents: [{ docId, signature }] → results: [{ docId, status }] |
 *
 * Bytes are base64url. Access tokens come as `Authorization: Bearer …`. Register, login and
 * refresh are rate-limited per client IP, lookups per account (429 with `Retry-After`). Cross-origin requests are
 * answered only for allowed origins (CORS); others get 403.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AccountDirectory } from "../accounts/account-directory.js";
import type { AccountError } from "../accounts/account-errors.js";
import type { AccountService, Caller, SessionTokens } from "../accounts/account-service.js";
import type { KdfParams } from "../accounts/account-store.js";
import type { DocumentClaims } from "../accounts/document-claims.js";
import { type RateLimit, RateLimiter } from "../accounts/rate-limiter.js";
import {
  decodeChangePassword,
  decodeClaims,
  decodeMailbox,
  decodePutBundle,
  decodeRefresh,
  decodeRegister,
  decodeShareKey,
  emailField,
  mailboxIdField,
  proofField,
} from "./account-requests.js";
import { handleCors } from "./cors.js";
import { readJsonObject, sendError, sendJson } from "./json-body.js";

/** Per-IP limits of the unauthenticated endpoints. */
export interface AccountRateLimits {
  readonly register: RateLimit;
  /** Login challenges (`login/start`; password changes and deletion start with one too). */
  readonly challenge: RateLimit;
  /** Login attempts (`login/finish`): what a password guesser needs most. */
  readonly login: RateLimit;
  readonly refresh: RateLimit;
  /** Email lookups per account (default 30 per minute). */
  readonly lookup?: RateLimit;
}

/** Defaults: generous for a person, tight for a password-guessing script. */
export const DEFAULT_ACCOUNT_RATE_LIMITS: AccountRateLimits = {
  register: { burst: 5, perMinute: 2 },
  challenge: { burst: 30, perMinute: 30 },
  login: { burst: 10, perMinute: 10 },
  refresh: { burst: 30, perMinute: 30 },
  lookup: { burst: 30, perMinute: 30 },
};

/** Options of `createAccountRoutes`. */
export interface AccountRoutesOptions {
  readonly service: AccountService;
  /** Sharing keys, lookups and profiles. */
  readonly directory: AccountDirectory;
  /** Claims of documents registered without an account; without it, no claim endpoint. */
  readonly claims?: DocumentClaims;
  readonly rateLimits?: AccountRateLimits;
  /** Origins allowed cross-origin (CORS); null allows any. */
  readonly allowedOrigins?: readonly string[] | null;
  /** The clock of the rate limiters. */
  readonly now?: () => number;
  /** Largest request body (default 128 KiB). */
  readonly maxBodyBytes?: number;
}

/** Handles a request if it is an account endpoint; resolves false for other paths. */
export type AccountRoutes = (
  request: IncomingMessage,
  response: ServerResponse,
) => Promise<boolean>;

const PREFIX = "/v1/accounts/";
const CLAIM_PATH = "/v1/documents/claim";
// A route name no path under PREFIX can produce (it has a space).
const CLAIM_ROUTE = "claim documents";
const PROFILE = /^[A-Za-z0-9_-]{1,64}\/profile$/;
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url");
const kdfJson = (kdf: KdfParams) => ({ ...kdf, salt: b64(kdf.salt) });

/** The account endpoints. */
export function createAccountRoutes(options: AccountRoutesOptions): AccountRoutes {
  const { service } = options;
  const limits = options.rateLimits ?? DEFAULT_ACCOUNT_RATE_LIMITS;
  const limiters = {
    register: new RateLimiter(limits.register, options.now),
    challenge: new RateLimiter(limits.challenge, options.now),
    login: new RateLimiter(limits.login, options.now),
    refresh: new RateLimiter(limits.refresh, options.now),
    lookup: new RateLimiter(limits.lookup ?? { burst: 30, perMinute: 30 }, options.now),
  };
  const maxBody = options.maxBodyBytes ?? 128 * 1024;
  const allowed = options.allowedOrigins ?? null;

  return async (request, response) => {
    const url = new URL(request.url ?? "/", "http://relay.invalid");
    const path = url.pathname;
    let name: string;
    if (path.startsWith(PREFIX)) name = path.slice(PREFIX.length);
    else if (path === CLAIM_PATH && options.claims) name = CLAIM_ROUTE;
    else return false;
    const profileOf = PROFILE.test(name) ? name.slice(0, name.indexOf("/")) : undefined;
    const route = `${request.method ?? "GET"} ${profileOf === undefined ? name : ":id/profile"}`;
    const cors = handleCors(request, response, {
      allowedOrigins: allowed,
      methods: "GET, POST, PUT, DELETE",
      headers: "authorization, content-type",
    });
    if (cors === null) return true;
    const fail = (error: AccountError, headers: Record<string, string> = {}): true => {
      sendError(response, error, { ...cors, ...headers });
      return true;
    };
    const send = (status: number, body: unknown) => sendJson(response, status, body, cors);
    const sendTokens = (status: number, tokens: SessionTokens) => send(status, tokens);
    const limited = (limiter: RateLimiter, key?: string): boolean => {
      const decision = limiter.take(key ?? request.socket.remoteAddress ?? "unknown");
      if (decision.allowed) return false;
      fail(
        {
          code: "rate-limited",
          message: `too many requests: retry in ${decision.retryAfterSeconds} s`,
        },
        { "retry-after": String(decision.retryAfterSeconds) },
      );
      return true;
    };
    const body = async () => readJsonObject(request, maxBody);
    const caller = async (): Promise<Caller | undefined> => {
      const header = request.headers.authorization ?? "";
      const token = header.startsWith("Bearer ") ? header.slice(7) : null;
      const authenticated = await service.authenticate(token);
      if (authenticated.ok) return authenticated.value;
      fail(authenticated.error, { "www-authenticate": 'Bearer error="invalid_token"' });
      return undefined;
    };

    switch (route) {
      case "POST register": {
        if (limited(limiters.register)) return true;
        const read = await body();
        const input = read.ok ? decodeRegister(read.value) : read;
        if (!input.ok) return fail(input.error);
        const registered = await service.register(input.value);
        if (registered.ok) sendTokens(201, registered.value);
        else fail(registered.error);
        return true;
      }
      case "POST login/start": {
        if (limited(limiters.challenge)) return true;
        const read = await body();
        const email = read.ok ? emailField(read.value) : read;
        if (!email.ok) return fail(email.error);
        const started = await service.startLogin(email.value);
        send(200, {
          challengeId: started.challengeId,
          challenge: b64(started.challenge),
          kdf: kdfJson(started.kdf),
        });
        return true;
      }
      case "POST login/finish": {
        if (limited(limiters.login)) return true;
        const read = await body();
        const proof = read.ok ? proofField(read.value) : read;
        if (!proof.ok) return fail(proof.error);
        const finished = await service.finishLogin(proof.value);
        if (finished.ok) sendTokens(200, finished.value);
        else fail(finished.error);
        return true;
      }
      case "POST refresh": {
        if (limited(limiters.refresh)) return true;
        const read = await body();
        const token = read.ok ? decodeRefresh(read.value) : read;
        if (!token.ok) return fail(token.error);
        const refreshed = await service.refresh(token.value);
        if (refreshed.ok) sendTokens(200, refreshed.value);
        else fail(refreshed.error);
        return true;
      }
      case "POST logout": {
        const who = await caller();
        if (!who) return true;
        const read = await body();
        if (!read.ok) return fail(read.error);
        await service.logout(who, read.value.everywhere === true);
        response.writeHead(204, cors).end();
        return true;
      }
      case "GET me": {
        const who = await caller();
        if (!who) return true;
        const me = await service.me(who);
        if (me.ok) send(200, me.value);
        else fail(me.error);
        return true;
      }
      case "POST password": {
        const who = await caller();
        if (!who) return true;
        const read = await body();
        const input = read.ok ? decodeChangePassword(read.value) : read;
        if (!input.ok) return fail(input.error);
        const changed = await service.changePassword(who, input.value);
        if (changed.ok) send(200, changed.value);
        else fail(changed.error);
        return true;
      }
      case "GET bundle": {
        const who = await caller();
        if (!who) return true;
        const got = await service.getBundle(who);
        if (got.ok)
          send(200, {
            bundle: b64(got.value.bundle),
            version: got.value.version,
            kdf: kdfJson(got.value.kdf),
          });
        else fail(got.error);
        return true;
      }
      case "PUT bundle": {
        const who = await caller();
        if (!who) return true;
        const read = await body();
        const input = read.ok ? decodePutBundle(read.value) : read;
        if (!input.ok) return fail(input.error);
        const put = await service.putBundle(who, input.value);
        if (put.ok) send(200, put.value);
        else fail(put.error);
        return true;
      }
      case "DELETE me": {
        const who = await caller();
        if (!who) return true;
        const read = await body();
        const proof = read.ok ? proofField(read.value) : read;
        if (!proof.ok) return fail(proof.error);
        const deleted = await service.deleteAccount(who, proof.value);
        if (deleted.ok) response.writeHead(204, cors).end();
        else fail(deleted.error);
        return true;
      }
      case "POST pairing": {
        const who = await caller();
        if (!who) return true;
        const read = await body();
        const input = read.ok ? decodeMailbox(read.value) : read;
        if (!input.ok) return fail(input.error);
        send(201, await service.leaveMailbox(who, input.value));
        return true;
      }
      case "POST pairing/take": {
        if (limited(limiters.login)) return true;
        const read = await body();
        const id = read.ok ? mailboxIdField(read.value) : read;
        if (!id.ok) return fail(id.error);
        const taken = await service.takeMailbox(id.value);
        if (taken.ok) send(200, { sealed: b64(taken.value.sealed), ...taken.value.tokens });
        else fail(taken.error);
        return true;
      }
      case "PUT me/share-key": {
        const who = await caller();
        if (!who) return true;
        const read = await body();
        const key = read.ok ? decodeShareKey(read.value) : read;
        if (!key.ok) return fail(key.error);
        const put = await options.directory.putShareKey(who, key.value);
        if (put.ok) response.writeHead(204, cors).end();
        else fail(put.error);
        return true;
      }
      case "GET lookup": {
        const who = await caller();
        if (!who || limited(limiters.lookup, who.accountId)) return true;
        const found = await options.directory.lookup(url.searchParams.get("email") ?? "");
        if (found.ok)
          send(200, { ...found.value, sharePublicKey: b64(found.value.sharePublicKey) });
        else fail(found.error);
        return true;
      }
      case "GET :id/profile": {
        const who = await caller();
        if (!who) return true;
        const profile = await options.directory.profile(profileOf ?? "");
        if (profile.ok) send(200, profile.value);
        else fail(profile.error);
        return true;
      }
      case `POST ${CLAIM_ROUTE}`: {
        const who = await caller();
        if (!who || !options.claims) return true;
        const read = await body();
        const claims = read.ok ? decodeClaims(read.value) : read;
        if (!claims.ok) return fail(claims.error);
        send(200, { results: await options.claims.claim(who, claims.value) });
        return true;
      }
      default:
        fail({ code: "not-found", message: `no endpoint ${route} under ${PREFIX}` });
        return true;
    }
  };
}
