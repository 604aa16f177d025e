/**
 * Where shares come in. A visit with `#share=…` in the address adds that share to this
 * device's vault (no account needed) and opens the shared ride; what went wrong — an invalid
 * link, an expired or revoked share — stays on screen until dismissed. While signed in, the
 * shares other riders made for the account are accepted on start (and from the "Check for
 * shared rides" button, see `useAcceptShares`).
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { useAccount, useApp } from "../app-context.js";
import { navigate } from "../router.js";
import { acceptSharedRides, openShareLink, shareLinkInHash } from "../sharing/share-actions.js";

/** The share-link banner under the header, or nothing. */
export function ShareInbox() {
  const { vault, sync } = useApp();
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const accept = useAcceptShares();
  const account = useAccount();

  useEffect(() => {
    const open = () => {
      const link = shareLinkInHash(window.location.hash);
      if (!link) return;
      // The secret leaves the address bar (and the history) at once.
      window.history.replaceState(null, "", `${window.location.pathname}${window.location.search}`);
      setStatus({ text: "Opening the shared ride…", error: false });
      void openShareLink(vault, sync.shareClient(), link).then((opened) => {
        if (!opened.ok) return setStatus({ text: opened.message, error: true });
        setStatus(null);
        const { workoutId } = opened.value;
        navigate(workoutId ? `/workouts/${workoutId}` : "/");
      });
    };
    open();
    window.addEventListener("hashchange", open);
    return () => window.removeEventListener("hashchange", open);
  }, [vault, sync]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: once per sign-in
  useEffect(() => {
    if (account.kind === "signed-in") void accept();
  }, [account.kind]);

  if (!status) return null;
  return (
    <div
      className={status.error ? "notice notice-error" : "notice"}
      role={status.error ? "alert" : "status"}
      data-testid="share-link-status"
    >
      <span>{status.text}</span>
      {status.error && (
        <button type="button" onClick={() => setStatus(null)}>
          Dismiss
        </button>
      )}
    </div>
  );
}

/** Accepts the shares made for the signed-in account; resolves to the sentence to show. */
export function useAcceptShares(): () => Promise<string> {
  const { vault, sync, account } = useApp();
  return useCallback(async () => {
    const accepted = await acceptSharedRides({
      vault,
      client: sync.shareClient(),
      relayUrl: sync.url,
      accessToken: await account.accessToken(),
      shareKeys: account.shareKeys,
    });
    if (!accepted.ok) return accepted.message;
    const n = accepted.value;
    return n === 0 ? "No new shared rides." : `${n} new ${n === 1 ? "share" : "shares"} added.`;
  }, [vault, sync, account]);
}

/** A "Check for shared rides" button with its result line (signed in only). */
export function CheckSharesButton() {
  const accept = useAcceptShares();
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  return (
    <div className="inline-form">
      <button
        type="button"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void accept().then((text) => {
            if (!mounted.current) return;
            setBusy(false);
            setMessage(text);
          });
        }}
      >
        Check for shared rides
      </button>
      <output aria-live="polite" data-testid="check-shares-result">
        {message}
      </output>
    </div>
  );
}
