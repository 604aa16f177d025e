/**
 * Re-rendering on changes to what others shared with this rider. The vault's `subscribe`
 * reports the rider's own library entries only; the shares held, their rides' entries (which
 * arrive by sync) and their ending live elsewhere in the library, so this hook looks at them
 * once a second and moves a counter when they changed.
 */
import type { Vault } from "@ridevault/core/browser";
import { useEffect, useState } from "react";

const POLL_MS = 1000;

/** A fingerprint of the shares `vault` holds and their rides' entries. */
export function sharedFingerprint(vault: Vault): string {
  return JSON.stringify(
    vault.sharedWithMe
      .list()
      .map((share) => [
        share.grantId,
        share.ended?.at ?? null,
        share.workouts.map((entry) => [
          entry.id,
          entry.updatedAt,
          entry.title,
          entry.summary?.samples,
        ]),
      ]),
  );
}

/** A counter that moves whenever `sharedFingerprint(vault)` changes. */
export function useSharedVersion(vault: Vault): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let last = sharedFingerprint(vault);
    const timer = setInterval(() => {
      const now = sharedFingerprint(vault);
      if (now === last) return;
      last = now;
      setVersion((v) => v + 1);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [vault]);
  return version;
}
