/**
 * The Result type: expected failures are values, not exceptions (see STYLE.md "Errors").
 * Every error carries a string `code` so callers can branch on it and a `message` that says
 * what happened and what to do.
 */

/** A success carrying `value`, or a failure carrying a typed `error`. */
export type Result<T, E extends { readonly code: string }> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

/** Wraps a value as a success. */
export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

/** Wraps an error as a failure. */
export function err<E extends { readonly code: string }>(
  error: E,
): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}

/**
 * Returns the value of a success, or throws an `Error` with the failure's message and code.
 * For scripts and tests where a failure should stop everything.
 */
export function unwrap<T, E extends { readonly code: string; readonly message?: string }>(
  result: Result<T, E>,
): T {
  if (result.ok) return result.value;
  const error = new Error(`${result.error.code}: ${result.error.message ?? "failed"}`);
  Object.assign(error, { code: result.error.code });
  throw error;
}
