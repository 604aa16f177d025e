/**
 * Where a WebSocket upgrade carries its access token. A browser `WebSocket` cannot set
 * headers, so the token travels as a `Sec-WebSocket-Protocol` entry:
 * `new WebSocket(url, ["ridevault.v1", "ridevault.access-token." + token])`. The relay
 * answers with `ridevault.v1` and never echoes the token. We chose the subprotocol header
 * over a query parameter because URLs end up in access logs, proxies and browser history;
 * headers of an upgrade usually do not. A JWT (base64url and dots) is a valid header token.
 */

/** The subprotocol a ridevault relay speaks. */
export const SYNC_SUBPROTOCOL = "ridevault.v1";
/** The prefix of the subprotocol entry carrying the access token. */
export const TOKEN_SUBPROTOCOL_PREFIX = "ridevault.access-token.";

/**
 * The subprotocol of a device that comes without an account to open shares: admitted on a
 * relay that requires accounts, as nobody, so it can use share grants and nothing else.
 */
export const SHARE_SUBPROTOCOL = "ridevault.share";

/** True when the upgrade's `Sec-WebSocket-Protocol` offers `SHARE_SUBPROTOCOL`. */
export function offersShareSubprotocol(header: string | undefined): boolean {
  return (header ?? "").split(",").some((entry) => entry.trim() === SHARE_SUBPROTOCOL);
}

/** The access token in a `Sec-WebSocket-Protocol` header value, or null. */
export function accessTokenFromProtocols(header: string | undefined): string | null {
  for (const entry of (header ?? "").split(",")) {
    const value = entry.trim();
    if (value.startsWith(TOKEN_SUBPROTOCOL_PREFIX))
      return value.slice(TOKEN_SUBPROTOCOL_PREFIX.length) || null;
  }
  return null;
}
