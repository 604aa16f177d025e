/**
 * Claiming documents for an account (attaching a vault that was used without one): a
 * document registered without an owner becomes the caller's account's when the caller
 * proves it can write it — an Ed25519 signature by the document's current write key over
 * `claimProofMessage(docId, accountId)` (`@ridevault/core/protocol`), so a signature made for
 * one account or document is worthless for any other. From then on the document counts
 * against the account's quota, is hidden from other accounts, and is deleted with it.
 *
 * Each document gets an answer: `claimed`, `already` (the caller's account owns it),
 * `taken` (another account does; nothing changes), `unknown` (not registered), or
 * `bad-signature`. A document of another account with a bad signature answers `unknown`,
 * as the sync protocol does, so ids of other accounts' documents cannot be probed.
 */
import { claimProofMessage } from "@ridevault/core/protocol";
import type { RelayStore } from "../store/relay-store.js";
import type { Caller } from "./account-service.js";
import { verifyLoginSignature } from "./login-proof.js";

/** What happened to one claimed document. */
export type ClaimStatus = "claimed" | "already" | "taken" | "unknown" | "bad-signature";

/** One document to claim and the writer's signature. */
export interface ClaimRequest {
  readonly docId: string;
  readonly signature: Uint8Array;
}

/** The part of the relay store claims use. */
export type ClaimableDocuments = Pick<RelayStore, "getDocument" | "claimDocument">;

/** Options of `DocumentClaims`. */
export interface DocumentClaimsOptions {
  readonly documents: ClaimableDocuments;
  /** Called with the account after it claimed at least one document (quota usage changed). */
  readonly onClaimed?: (accountId: string) => void;
}

/** Most documents one request may claim. */
export const MAX_CLAIMS_PER_REQUEST = 500;

/** Checks claims and hands documents to accounts. */
export class DocumentClaims {
  readonly #o: DocumentClaimsOptions;

  constructor(options: DocumentClaimsOptions) {
    this.#o = options;
  }

  /** Claims each of `requests` for the caller's account, in order. */
  async claim(
    caller: Caller,
    requests: readonly ClaimRequest[],
  ): Promise<{ docId: string; status: ClaimStatus }[]> {
    const results: { docId: string; status: ClaimStatus }[] = [];
    for (const request of requests) {
      results.push({ docId: request.docId, status: await this.#claimOne(caller, request) });
    }
    if (results.some((result) => result.status === "claimed"))
      this.#o.onClaimed?.(caller.accountId);
    return results;
  }

  async #claimOne(caller: Caller, request: ClaimRequest): Promise<ClaimStatus> {
    const { documents } = this.#o;
    const record = await documents.getDocument(request.docId);
    if (!record) return "unknown";
    const message = claimProofMessage(request.docId, caller.accountId);
    if (!verifyLoginSignature(record.writePublicKey, message, request.signature)) {
      const othersDocument = record.owner !== null && record.owner !== caller.accountId;
      return othersDocument ? "unknown" : "bad-signature";
    }
    return documents.claimDocument(request.docId, caller.accountId);
  }
}
