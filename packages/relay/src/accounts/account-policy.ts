/**
 * The account-aware access policy. With accounts on, a connection speaks for the account of
 * its access token; documents it registers are owned by that account, and a document owned
 * by one account is invisible to every other account (answered like a missing document).
 * Documents registered without an account stay capability-only (their access secret is the
 * key). On a private relay (`requireAccount` false) a device without an account still
 * reaches an owned document by its capability: that is how the rider's other devices keep
 * syncing a vault after it attached to an account and claimed its documents (they hold
 * the document keys anyway; the access secret proves it).
 *
 * `requireAccount` decides who may connect and create: true (the default for a public
 * relay) refuses connections without a valid token; false (a private relay) also lets
 * devices without an account sync documents by capability alone.
 */
import type { AccessPolicy, ConnectionIdentity } from "../relay-types.js";
import type { AccountLimits } from "./account-limits.js";
import type { AccountService } from "./account-service.js";

/** Options of `createAccountPolicy`. */
export interface AccountPolicyOptions {
  readonly service: AccountService;
  /** Refuse connections (and so document creation) without an account. */
  readonly requireAccount: boolean;
  /** Per-account rates and quotas; none without. */
  readonly limits?: AccountLimits;
}

/** An `AccessPolicy` that also authenticates WebSocket upgrades. */
export interface AccountPolicy extends AccessPolicy {
  /**
   * Authenticates an upgrade from the access token it carried (null: none). A refusal
   * gives the HTTP status to answer the upgrade with.
   */
  authenticateUpgrade(
    token: string | null,
  ): Promise<
    { ok: true; identity: ConnectionIdentity } | { ok: false; status: 401; message: string }
  >;
  /**
   * Calls `listener` with a test of which connections' sessions were just signed out
   * (logout, password change, token reuse, deletion), so the server can close them.
   */
  onSignedOut(
    listener: (isSignedOut: (identity: ConnectionIdentity) => boolean) => void,
  ): () => void;
  /**
   * Which of these sessions are signed out by now — also through another instance on the
   * same account store; the server asks periodically and closes their connections.
   */
  inactiveSessions(sessions: readonly string[]): Promise<string[]>;
}

/** The policy of a relay with accounts. */
export function createAccountPolicy(options: AccountPolicyOptions): AccountPolicy {
  const { service, requireAccount, limits } = options;
  const check = async (token: string | null) => {
    if (token === null && !requireAccount)
      return { ok: true as const, identity: { principal: null } };
    const caller = await service.authenticate(token);
    if (!caller.ok)
      return { ok: false as const, status: 401 as const, message: caller.error.message };
    return {
      ok: true as const,
      identity: {
        principal: caller.value.accountId,
        expiresAt: caller.value.expiresAt,
        session: caller.value.familyId,
      },
    };
  };
  return {
    authenticateUpgrade: check,
    onSignedOut(listener) {
      return service.onRevoked((revocation) =>
        listener((identity) =>
          "familyId" in revocation
            ? identity.session === revocation.familyId
            : identity.principal === revocation.accountId && identity.session !== revocation.except,
        ),
      );
    },
    async authenticate(token) {
      const checked = await check(token);
      if (!checked.ok) return { ok: false, message: checked.message };
      const { principal, expiresAt } = checked.identity as ConnectionIdentity;
      return { ok: true, principal, ...(expiresAt !== undefined && { expiresAt }) };
    },
    inactiveSessions: (sessions) => service.inactiveSessions(sessions),
    mayCreate: (principal) => !requireAccount || principal !== null,
    mayAccess: (principal, owner) =>
      owner === null || owner === principal || (principal === null && !requireAccount),
    ...(limits && { admit: (principal, request) => limits.admit(principal, request) }),
  };
}
