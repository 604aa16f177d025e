/**
 * The sync indicator in the header, always visible: synced, syncing n, connecting, offline,
 * local only, signed out (of an account: sync waits for a login), or the error with its message. A live region, so screen readers hear changes;
 * `data-state` lets tests and styles read the state without parsing text.
 */
import { useSyncStatus } from "../app-context.js";
import type { AppSyncStatus } from "../sync/sync-controller.js";

/** The text of a status. */
export function syncLabel(status: AppSyncStatus): string {
  switch (status.kind) {
    case "local-only":
      return "Local only";
    case "signed-out":
      return "Signed out · not syncing";
    case "account-needed":
      return "Shares only · log in to sync your rides";
    case "offline":
      return status.pending > 0 ? `Offline · ${status.pending} to send` : "Offline";
    case "connecting":
      return "Connecting…";
    case "syncing":
      return status.pending > 0 ? `Syncing ${status.pending}` : "Syncing";
    case "synced":
      return "Synced";
    case "error":
      return `Sync error: ${status.message}`;
  }
}

/** The header's sync status. */
export function SyncBadge() {
  const status = useSyncStatus();
  return (
    <output
      className={`sync-badge sync-${status.kind}`}
      data-state={status.kind}
      aria-live="polite"
    >
      <span className="sync-dot" aria-hidden="true" />
      {syncLabel(status)}
    </output>
  );
}
