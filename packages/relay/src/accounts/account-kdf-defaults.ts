/**
 * The Argon2id parameters devices use by default (`@ridevault/core`'s `DEFAULT_KDF` has the
 * same values). The relay quotes them for emails without an account, so those answers look
 * like a real account's. Kept here as numbers so the relay needs no libsodium.
 */

/** 3 passes over 64 MiB (between libsodium's interactive and moderate presets). */
export const DEFAULT_ACCOUNT_KDF = { opsLimit: 3, memLimit: 64 * 1024 * 1024 } as const;
