/**
 * The share endpoints over HTTP (`/v1/shares…`, docs/sharing.md). The relay keeps grants:
 * a capability's hash, the documents it opens, a mode, an expiry, and a keyring it cannot
 * open. Managing a document's grants takes a proof signed with the document's current write
 * key (`shareProofMessage`), and on a document an account owns, that account's token too.
 *
 * | method and path | auth | body → answer |
 * |---|---|---|
 * | POST /v1/shares | proofs (+ owner's token) | grantId, capabilityHash, docIds, mode, expiresAt, recipient, keyring, sealedSecret, proofs → grantId (201; 200 when it exists) |
 * | GET /v1/shares/keyring | `Authorization: Share <capability>` (+ recipient's token) | → grantId, mode, expiresAt, docIds, keyring, createdBy |
 * | POST /v1/shares/list | proof (+ owner's token) | docId, signedAt, signature → grants |
 * | POST /v1/shares/rotate | proof by the current write key (+ owner's token) | docId, generation, writePublicKey, accessHash, revoke, keyrings, signature → generation |
 * | GET /v1/shares/incoming | access token | → the grants addressed to the caller, with their sealed secrets |
 *
 * Bytes are base64url. A grant that does not exist, was revoked, is for another rider, or a
 * document hidden from the caller all answer 404 alike; an expired grant answers 410.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Sodium, shareProofMessage, verifyShareProof } from "@ridevault/core/protocol";
import type { GrantRecord, RelayStore } from "../store/relay-store.js";
import { handleCors } from "./cors.js";
import { readJsonObject, sendJson } from "./json-body.js";

/** Options of `createShareRoutes`. */
export interface ShareRoutesOptions {
  readonly store: RelayStore;
  readonly sodium: Sodium;
  readonly hashCapability: (capability: Uint8Array) => Uint8Array;
  /** The account of a Bearer token, or null when it is not valid; absent: no accounts. */
  readonly authenticate?: (token: string) => Promise<string | null>;
  /** Ends live subscriptions held through revoked grants (`Relay.revokeGrants`). */
  readonly revoked?: (grantIds: readonly string[]) => void;
  /** Origins allowed cross-origin (CORS); null allows any. */
  readonly allowedOrigins?: readonly string[] | null;
  readonly now?: () => number;
}

/** Handles a request if it is a share endpoint; resolves false for other paths. */
export type ShareRoutes = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

const MAX_BODY = 512 * 1024;
const MAX_KEYRING = 256 * 1024;
const PROOF_WINDOW_MS = 5 * 60_000;
const GRANT_ID = /^[0-9a-f]{32}$/;
const DOC_ID = /^[1-9A-HJ-NP-Za-km-z]{16,64}$/;

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString("base64url");
const notFound = () =>
  new Refusal(404, "not-found", "no such share or document here (or it was revoked)");
const bad = (message: string) => new Refusal(400, "bad-request", message);

function bytesField(body: Record<string, unknown>, name: string, length?: number): Uint8Array {
  const value = body[name];
  if (typeof value !== "string" || !/^[A-Za-z0-9_-]*$/.test(value))
    throw bad(`${name} must be base64url`);
  const bytes = new Uint8Array(Buffer.from(value, "base64url"));
  if (length !== undefined && bytes.length !== length)
    throw bad(`${name} must be ${length} bytes, not ${bytes.length}`);
  return bytes;
}

function grantIdField(value: unknown, name = "grantId"): string {
  if (typeof value !== "string" || !GRANT_ID.test(value))
    throw bad(`${name} must be 32 lowercase hex digits`);
  return value;
}

function docIdField(value: unknown): string {
  if (typeof value !== "string" || !DOC_ID.test(value)) throw bad("docId is not a document id");
  return value;
}

function timeField(value: unknown, name: string, nullable: boolean): number | null {
  if (value === null && nullable) return null;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw bad(`${name} must be milliseconds since the epoch${nullable ? " or null" : ""}`);
  return value;
}

/** The public view of a grant, as the owner lists it. */
function grantJson(grant: GrantRecord) {
  return {
    grantId: grant.grantId,
    docIds: grant.docIds,
    mode: grant.mode,
    expiresAt: grant.expiresAt,
    createdAt: grant.createdAt,
    createdBy: grant.createdBy,
    recipient: grant.recipient,
    lastUsedAt: grant.lastUsedAt,
  };
}

/** The share endpoints. */
export function createShareRoutes(options: ShareRoutesOptions): ShareRoutes {
  const { store, sodium } = options;
  const now = options.now ?? Date.now;
  const allowed = options.allowedOrigins ?? null;

  /** The caller's account: null without a token; a bad token is refused. */
  async function callerOf(request: IncomingMessage): Promise<string | null> {
    const header = request.headers.authorization ?? "";
    if (!header.startsWith("Bearer ")) return null;
    const account = options.authenticate ? await options.authenticate(header.slice(7)) : null;
    if (account === null)
      throw new Refusal(
        401,
        "invalid-token",
        "the access token is invalid or expired: log in again",
      );
    return account;
  }

  /** The document, when the caller may manage it and `signature` proves its write key. */
  async function provenDocument(
    docId: string,
    caller: string | null,
    message: Uint8Array,
    signature: Uint8Array,
  ) {
    const doc = await store.getDocument(docId);
    if (!doc || (doc.owner !== null && doc.owner !== caller)) throw notFound();
    if (!verifyShareProof(sodium, message, signature, doc.writePublicKey)) {
      throw new Refusal(
        403,
        "bad-proof",
        `the proof for ${docId} is not signed by its current write key: only a writer of the document can manage its shares (were its keys rotated? sync, then retry)`,
      );
    }
    return doc;
  }

  async function create(request: IncomingMessage, caller: string | null) {
    const body = await readBody(request);
    const grantId = grantIdField(body.grantId);
    const capabilityHash = bytesField(body, "capabilityHash", 32);
    if (!Array.isArray(body.docIds) || body.docIds.length === 0 || body.docIds.length > 500)
      throw bad("docIds must list 1–500 documents");
    const docIds = [...new Set(body.docIds.map(docIdField))];
    const mode = body.mode;
    if (mode !== "read" && mode !== "write") throw bad('mode must be "read" or "write"');
    const expiresAt = timeField(body.expiresAt ?? null, "expiresAt", true);
    if (expiresAt !== null && expiresAt <= now()) throw bad("expiresAt is in the past");
    const recipient = body.recipient ?? null;
    if (recipient !== null && (typeof recipient !== "string" || recipient.length > 128))
      throw bad("recipient must be an account id or null");
    if (recipient !== null && caller === null)
      throw new Refusal(401, "invalid-token", "sharing with a rider needs you to be logged in");
    const keyring = bytesField(body, "keyring");
    if (keyring.length === 0 || keyring.length > MAX_KEYRING)
      throw new Refusal(413, "payload-too-large", `a keyring holds 1–${MAX_KEYRING} bytes`);
    const sealedSecret = recipient === null ? null : bytesField(body, "sealedSecret");
    const proofs = body.proofs;
    if (typeof proofs !== "object" || proofs === null)
      throw bad("proofs must map docId → signature");
    for (const docId of docIds) {
      const message = shareProofMessage("create-grant", docId, [
        grantId,
        b64(capabilityHash),
        mode,
        expiresAt,
        recipient,
      ]);
      const signature = bytesField(proofs as Record<string, unknown>, docId, 64);
      await provenDocument(docId, caller, message, signature);
    }
    const outcome = await store.createGrant({
      grantId,
      capabilityHash,
      docIds,
      mode,
      expiresAt,
      createdAt: now(),
      createdBy: caller,
      recipient: recipient as string | null,
      keyring,
      sealedSecret,
      lastUsedAt: null,
    });
    if (outcome === "conflict")
      throw new Refusal(409, "conflict", "a different share already uses this id: make a new link");
    return { status: outcome === "created" ? 201 : 200, body: { grantId } };
  }

  async function keyring(request: IncomingMessage, caller: string | null) {
    const header = request.headers["x-share-capability"];
    if (typeof header !== "string") throw bad("send the share's capability in X-Share-Capability");
    const capability = bytesField({ c: header }, "c", 32);
    const grant = await store.grantByCapability(options.hashCapability(capability));
    if (!grant || (grant.recipient !== null && grant.recipient !== caller)) throw notFound();
    if (grant.expiresAt !== null && now() >= grant.expiresAt) {
      throw new Refusal(
        410,
        "share-expired",
        `this share expired at ${new Date(grant.expiresAt).toISOString()}: ask its owner for a new link`,
      );
    }
    await store.touchGrant(grant.grantId, now());
    return {
      status: 200,
      body: {
        grantId: grant.grantId,
        mode: grant.mode,
        expiresAt: grant.expiresAt,
        docIds: grant.docIds,
        createdBy: grant.createdBy,
        keyring: b64(grant.keyring),
      },
    };
  }

  async function list(request: IncomingMessage, caller: string | null) {
    const body = await readBody(request);
    const docId = docIdField(body.docId);
    const signedAt = timeField(body.signedAt, "signedAt", false) as number;
    if (Math.abs(now() - signedAt) > PROOF_WINDOW_MS)
      throw bad(
        "signedAt is more than 5 minutes away from the relay's clock: check the device's clock",
      );
    const message = shareProofMessage("list-grants", docId, [signedAt]);
    await provenDocument(docId, caller, message, bytesField(body, "signature", 64));
    return { status: 200, body: { grants: (await store.grantsForDocument(docId)).map(grantJson) } };
  }

  async function rotate(request: IncomingMessage, caller: string | null) {
    const body = await readBody(request);
    const docId = docIdField(body.docId);
    const generation = timeField(body.generation, "generation", false) as number;
    const writePublicKey = bytesField(body, "writePublicKey", 32);
    const accessHash = bytesField(body, "accessHash", 32);
    if (!Array.isArray(body.revoke)) throw bad("revoke must list grant ids");
    const revoke = body.revoke.map((id) => grantIdField(id, "revoke[]"));
    if (!Array.isArray(body.keyrings)) throw bad("keyrings must list { grantId, keyring }");
    const keyrings = body.keyrings.map((entry: unknown) => {
      if (typeof entry !== "object" || entry === null) throw bad("keyrings[] must be objects");
      const record = entry as Record<string, unknown>;
      const sealed = bytesField(record, "keyring");
      if (sealed.length === 0 || sealed.length > MAX_KEYRING)
        throw new Refusal(413, "payload-too-large", `a keyring holds 1–${MAX_KEYRING} bytes`);
      return { grantId: grantIdField(record.grantId, "keyrings[].grantId"), keyring: sealed };
    });
    const message = shareProofMessage("rotate", docId, [
      generation,
      b64(writePublicKey),
      b64(accessHash),
      revoke.join(","),
      keyrings.map((k) => k.grantId).join(","),
    ]);
    await provenDocument(docId, caller, message, bytesField(body, "signature", 64));
    const outcome = await store.rotateDocument({
      docId,
      generation,
      writePublicKey,
      accessHash,
      revoke,
      keyrings,
    });
    if (outcome === "unknown") throw notFound();
    if (outcome === "stale-generation") {
      const current = (await store.getDocument(docId))?.generation ?? 0;
      throw new Refusal(
        409,
        "stale-generation",
        `the document is at key generation ${current} already: sync, then rotate from there`,
      );
    }
    options.revoked?.(revoke);
    return { status: 200, body: { generation } };
  }

  async function incoming(caller: string | null) {
    if (caller === null)
      throw new Refusal(401, "invalid-token", "log in to see what riders shared with you");
    const at = now();
    const grants = (await store.grantsForRecipient(caller)).filter(
      (g) => g.expiresAt === null || g.expiresAt > at,
    );
    return {
      status: 200,
      body: {
        grants: grants.map((g) => ({
          ...grantJson(g),
          sealedSecret: g.sealedSecret === null ? null : b64(g.sealedSecret),
        })),
      },
    };
  }

  async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
    const body = await readJsonObject(request, MAX_BODY);
    if (!body.ok) {
      throw new Refusal(
        body.error.code === "payload-too-large" ? 413 : 400,
        body.error.code,
        body.error.message,
      );
    }
    return body.value;
  }

  return async (request, response) => {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    if (path !== "/v1/shares" && !path.startsWith("/v1/shares/")) return false;
    const cors = handleCors(request, response, {
      allowedOrigins: allowed,
      methods: "GET, POST",
      headers: "authorization, content-type, x-share-capability",
    });
    if (cors === null) return true;
    try {
      const caller = await callerOf(request);
      const route = `${request.method ?? "GET"} ${path}`;
      const answer =
        route === "POST /v1/shares"
          ? await create(request, caller)
          : route === "GET /v1/shares/keyring"
            ? await keyring(request, caller)
            : route === "POST /v1/shares/list"
              ? await list(request, caller)
              : route === "POST /v1/shares/rotate"
                ? await rotate(request, caller)
                : route === "GET /v1/shares/incoming"
                  ? await incoming(caller)
                  : undefined;
      if (!answer) throw new Refusal(404, "not-found", `no endpoint ${route}`);
      sendJson(response, answer.status, answer.body, cors);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      sendJson(
        response,
        error.status,
        { error: { code: error.code, message: error.message } },
        cors,
      );
    }
    return true;
  };
}
