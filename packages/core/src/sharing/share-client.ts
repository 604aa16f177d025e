/**
 * Calls a relay's share endpoints (`/v1/shares…`, docs/sharing.md) and checks every answer
 * (never casts). Requests that manage a document's grants carry a proof signed with its
 * write key, made by the caller (`vault.shares`); with accounts, the access token goes
 * along too, so a document an account owns can be managed only by that account.
 */
import {
  type AccountClientError,
  badResponse,
  fromBase64Url,
  type Json,
  toBase64Url,
} from "../account/account-json.js";
import { callRelay, type RelayAnswer, relayHttpOrigin } from "../account/relay-http.js";
import { err, ok, type Result } from "../result.js";
import type { ShareMode } from "./share-keyring.js";

/** Options of a `ShareClient`. */
export interface ShareClientOptions {
  /** The relay's HTTP origin, e.g. `https://relay.example` (a `ws(s)://…/sync` URL works too). */
  readonly baseUrl: string;
  readonly fetch?: typeof globalThis.fetch;
  /** The signed-in account's access token, or null without an account. */
  readonly accessToken?: () => Promise<string | null>;
}

/** A failed share request: the relay's code (`not-found`, `share-expired`, …), `network` or `bad-response`. */
export type ShareClientError = AccountClientError;

/** A grant as the relay lists it for a document's writer. */
export interface GrantInfo {
  readonly grantId: string;
  readonly docIds: readonly string[];
  readonly mode: ShareMode;
  readonly expiresAt: number | null;
  readonly createdAt: number;
  readonly createdBy: string | null;
  readonly recipient: string | null;
  readonly lastUsedAt: number | null;
}

/** What a share's holder fetches with its capability. */
export interface FetchedGrant {
  readonly grantId: string;
  readonly mode: ShareMode;
  readonly expiresAt: number | null;
  readonly docIds: readonly string[];
  readonly createdBy: string | null;
  readonly keyring: Uint8Array;
}

/** A grant addressed to the signed-in rider, with the link secret sealed to them. */
export interface IncomingGrant extends GrantInfo {
  readonly sealedSecret: Uint8Array;
}

/** What creating a grant sends. */
export interface CreateGrantRequest {
  readonly grantId: string;
  readonly capabilityHash: Uint8Array;
  readonly docIds: readonly string[];
  readonly mode: ShareMode;
  readonly expiresAt: number | null;
  readonly recipient: string | null;
  readonly keyring: Uint8Array;
  readonly sealedSecret: Uint8Array | null;
  /** Each document's proof (`shareProofMessage("create-grant", …)`). */
  readonly proofs: ReadonlyMap<string, Uint8Array>;
}

/** What a key rotation sends. */
export interface RotateRequest {
  readonly docId: string;
  readonly generation: number;
  readonly writePublicKey: Uint8Array;
  readonly accessHash: Uint8Array;
  readonly revoke: readonly string[];
  readonly keyrings: readonly { readonly grantId: string; readonly keyring: Uint8Array }[];
  /** `shareProofMessage("rotate", …)` signed by the document's current write key. */
  readonly signature: Uint8Array;
}

type Reply<T> = Promise<Result<T, ShareClientError>>;

/** Calls the share endpoints of one relay. */
export class ShareClient {
  readonly #base: string;
  readonly #fetch: typeof globalThis.fetch;
  readonly #token: () => Promise<string | null>;

  constructor(options: ShareClientOptions) {
    this.#base = `${relayHttpOrigin(options.baseUrl)}/v1/shares`;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#token = options.accessToken ?? (async () => null);
  }

  /** Stores a grant; `created` is false when the same grant was stored before. */
  async createGrant(request: CreateGrantRequest): Reply<{ created: boolean }> {
    const proofs: Json = {};
    for (const [docId, signature] of request.proofs) proofs[docId] = toBase64Url(signature);
    const reply = await this.#call("POST", "", {
      grantId: request.grantId,
      capabilityHash: toBase64Url(request.capabilityHash),
      docIds: [...request.docIds],
      mode: request.mode,
      expiresAt: request.expiresAt,
      recipient: request.recipient,
      keyring: toBase64Url(request.keyring),
      sealedSecret: request.sealedSecret && toBase64Url(request.sealedSecret),
      proofs,
    });
    return reply.ok ? ok({ created: reply.value.status === 201 }) : reply;
  }

  /** The grant a capability opens, with its sealed keyring. */
  async fetchGrant(capability: Uint8Array): Reply<FetchedGrant> {
    const reply = await this.#call("GET", "/keyring", null, {
      "x-share-capability": toBase64Url(capability),
    });
    if (!reply.ok) return reply;
    const body = reply.value.body;
    const keyring = fromBase64Url(body.keyring);
    const info = grantInfo({ ...body, createdAt: 0, recipient: null, lastUsedAt: null });
    if (!keyring || !info) return err(badResponse("share keyring", reply.value.status));
    return ok({
      grantId: info.grantId,
      mode: info.mode,
      expiresAt: info.expiresAt,
      docIds: info.docIds,
      createdBy: info.createdBy,
      keyring,
    });
  }

  /** A document's grants (`signature`: its writer's `list-grants` proof at `signedAt`). */
  async listGrants(docId: string, signedAt: number, signature: Uint8Array): Reply<GrantInfo[]> {
    const reply = await this.#call("POST", "/list", {
      docId,
      signedAt,
      signature: toBase64Url(signature),
    });
    if (!reply.ok) return reply;
    const grants = listOf(reply.value.body.grants, grantInfo);
    return grants ? ok(grants) : err(badResponse("grant list", reply.value.status));
  }

  /** Rotates a document's keys, revoking grants and re-sealing the keyrings of the rest. */
  async rotate(request: RotateRequest): Reply<{ generation: number }> {
    const reply = await this.#call("POST", "/rotate", {
      docId: request.docId,
      generation: request.generation,
      writePublicKey: toBase64Url(request.writePublicKey),
      accessHash: toBase64Url(request.accessHash),
      revoke: [...request.revoke],
      keyrings: request.keyrings.map((k) => ({
        grantId: k.grantId,
        keyring: toBase64Url(k.keyring),
      })),
      signature: toBase64Url(request.signature),
    });
    return reply.ok ? ok({ generation: request.generation }) : reply;
  }

  /** The grants other riders addressed to the signed-in account. */
  async incoming(): Reply<IncomingGrant[]> {
    const reply = await this.#call("GET", "/incoming", null);
    if (!reply.ok) return reply;
    const grants = listOf(reply.value.body.grants, (value) => {
      const info = grantInfo(value);
      const sealedSecret = fromBase64Url((value as Json | null)?.sealedSecret);
      return info && sealedSecret ? { ...info, sealedSecret } : undefined;
    });
    return grants ? ok(grants) : err(badResponse("incoming shares", reply.value.status));
  }

  #call(
    method: "GET" | "POST",
    path: string,
    body: Json | null,
    headers: Record<string, string> = {},
  ): Reply<RelayAnswer> {
    return callRelay({
      fetch: this.#fetch,
      url: `${this.#base}${path}`,
      method,
      body,
      accessToken: this.#token,
      headers,
    });
  }
}

function listOf<T>(value: unknown, item: (value: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: T[] = [];
  for (const entry of value) {
    const decoded = item(entry);
    if (decoded === undefined) return undefined;
    out.push(decoded);
  }
  return out;
}

const isTime = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);
const isNullableString = (v: unknown): v is string | null => v === null || typeof v === "string";

function grantInfo(value: unknown): GrantInfo | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Json;
  const { grantId, docIds, mode, expiresAt, createdAt, createdBy, recipient, lastUsedAt } = v;
  if (
    typeof grantId !== "string" ||
    !Array.isArray(docIds) ||
    !docIds.every((d) => typeof d === "string") ||
    (mode !== "read" && mode !== "write") ||
    !(expiresAt === null || isTime(expiresAt)) ||
    !isTime(createdAt) ||
    !isNullableString(createdBy) ||
    !isNullableString(recipient) ||
    !(lastUsedAt === null || isTime(lastUsedAt))
  )
    return undefined;
  return {
    grantId,
    docIds: docIds as string[],
    mode,
    expiresAt,
    createdAt,
    createdBy,
    recipient,
    lastUsedAt,
  };
}
