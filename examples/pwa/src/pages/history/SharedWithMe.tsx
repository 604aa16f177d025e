/**
 * The history's "Shared with me" section: the shares this rider holds (from links, or made
 * for their account), each with its owner when known, read-only or read-write, its rides
 * (once synced) and whether it ended; "Remove" stops holding one. Signed in, a button checks
 * the relay for new shares made for the account.
 */
import type { IncomingShareInfo } from "@ridevault/core/browser";
import { useMemo } from "react";
import { useAccount, useApp, useVaultVersion } from "../../app-context.js";
import { CheckSharesButton } from "../../components/ShareInbox.js";
import { formatDateTime } from "../../format.js";
import { link } from "../../router.js";
import { useSharedVersion } from "../../sharing/use-shared-version.js";

/** The section (or, with no shares and no account, nothing). */
export function SharedWithMe() {
  const { vault } = useApp();
  const account = useAccount();
  const version = useVaultVersion(vault);
  const sharedVersion = useSharedVersion(vault);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version marks library changes
  const shares = useMemo(() => vault.sharedWithMe.list(), [vault, version, sharedVersion]);
  if (shares.length === 0 && account.kind !== "signed-in") return null;
  return (
    <section aria-labelledby="shared-title" className="shared-with-me">
      <h2 id="shared-title">Shared with me</h2>
      {account.kind === "signed-in" && <CheckSharesButton />}
      {shares.length === 0 ? (
        <p className="note">Nobody has shared a ride with you yet.</p>
      ) : (
        <ul className="shared-list" data-testid="shared-list">
          {shares.map((share) => (
            <SharedRow key={share.grantId} share={share} />
          ))}
        </ul>
      )}
    </section>
  );
}

function SharedRow({ share }: { readonly share: IncomingShareInfo }) {
  const { vault } = useApp();
  const from = share.owner?.email ?? "a link";
  const mode = share.mode === "read" ? "read-only" : "read and write";
  return (
    <li
      className="shared-item"
      data-grant-id={share.grantId}
      data-ended={share.ended ? "true" : "false"}
    >
      <span>
        From <strong>{from}</strong> · {mode}
        {share.expiresAt !== null && ` · until ${formatDateTime(share.expiresAt)}`}
        {share.ended && (
          <strong className="ended">
            {" "}
            · ended {formatDateTime(share.ended.at)}: {share.ended.reason}
          </strong>
        )}
      </span>
      <ul className="shared-rides">
        {share.workouts.map((entry) => {
          const path = `/workouts/${entry.id}`;
          return (
            <li key={entry.id}>
              {share.ended ? (
                <span>{entry.title || "Untitled ride"}</span>
              ) : (
                <a href={path} onClick={link(path)}>
                  {entry.title || "Untitled ride"}
                </a>
              )}{" "}
              <span className="note">{formatDateTime(entry.startTime)}</span>
            </li>
          );
        })}
        {share.workouts.length < share.workoutIds.length && !share.ended && (
          <li className="note">
            {share.workoutIds.length - share.workouts.length} still arriving (sync brings them)
          </li>
        )}
      </ul>
      <button type="button" onClick={() => void vault.sharedWithMe.leave(share.grantId)}>
        Remove
      </button>
    </li>
  );
}
