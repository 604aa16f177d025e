/**
 * The WebSocket of a device that holds shares but no account. A relay that requires
 * accounts refuses sync connections without an access token — except those that say they
 * come to open shares (the `ridevault.share` subprotocol): they may subscribe to what a
 * share grant opens and to nothing else, and may create nothing.
 */
import type { WebSocketWithProtocols } from "../account/account-session.js";
import type { WebSocketClass } from "../sync/transport.js";

/** The subprotocol a share holder without an account adds. */
export const SHARE_SUBPROTOCOL = "ridevault.share";
const SYNC_SUBPROTOCOL = "ridevault.v1";

/** `WebSocketImpl`, opening every connection as a share holder's. */
export function shareHolderWebSocket(WebSocketImpl: WebSocketWithProtocols): WebSocketClass {
  return class extends WebSocketImpl {
    constructor(url: string) {
      super(url, [SYNC_SUBPROTOCOL, SHARE_SUBPROTOCOL]);
    }
  };
}
