/**
 * Whose account this device was last signed in to — email and account id, in
 * `localStorage` — so that after a reload the account screens can name the account while
 * the session is resumed, or say who was signed out. It holds no secret.
 */

/** The `localStorage` key of the hint. */
export const ACCOUNT_HINT_KEY = "ridevault.account";

/** The hint in `storage`, or null when there is none or it is unreadable. */
export function readAccountHint(
  storage: Pick<Storage, "getItem">,
): { readonly email: string; readonly accountId: string } | null {
  let value: unknown;
  try {
    value = JSON.parse(storage.getItem(ACCOUNT_HINT_KEY) ?? "null");
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { email, accountId } = value as Record<string, unknown>;
  return typeof email === "string" && typeof accountId === "string" ? { email, accountId } : null;
}
