/**
 * The proof that lets an account claim a document registered without one (attaching an
 * anonymous vault, `attachAccount`): an Ed25519 signature by the document's current write
 * key over a message naming the action, the document and the account. Only a writer of the
 * document can make it, and a signature for one account or document never verifies for
 * another. Pure bytes, no key: the relay imports it from `@ridevault/core/protocol` to check
 * claims (`POST /v1/documents/claim`).
 */

/** The context the claim message starts with (changing it invalidates every claim). */
export const CLAIM_PROOF_CONTEXT = "ridevault/claim-document/v1";

/**
 * What a writer signs to claim `docId` for `accountId`: `context \n docId \n accountId`,
 * UTF-8. Unambiguous because neither id can hold a newline (document ids are base58,
 * account ids base64url; the relay checks both before it verifies).
 */
export function claimProofMessage(docId: string, accountId: string): Uint8Array {
  return new TextEncoder().encode(`${CLAIM_PROOF_CONTEXT}\n${docId}\n${accountId}`);
}
