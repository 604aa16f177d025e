/**
 * Relay configuration from flags and environment variables (flags win). Every option has a
 * safe default, so `ridevault-relay` with no configuration serves on 127.0.0.1:8787 from a
 * SQLite file under `./relay-data`.
 *
 * | flag | variable | default |
 * |---|---|---|
 * | `--data DIR` | `RIDEVAULT_DATA_DIR` | `./relay-data` |
 * | `--host HOST` | `RIDEVAULT_HOST` | `127.0.0.1` |
 * | `--port PORT` | `RIDEVAULT_PORT` (or `PORT`) | `8787` |
 * | `--allowed-origins A,B` | `RIDEVAULT_ALLOWED_ORIGINS` | any origin |
 * | `--max-buffered-bytes N` | `RIDEVAULT_MAX_BUFFERED_BYTES` | 8388608 |
 * | `--log-level LEVEL` | `RIDEVAULT_LOG_LEVEL` | `info` |
 * | `--database-url URL` | `DATABASE_URL` | none: SQLite under the data directory |
 * | `--app-dir DIR` | `RIDEVAULT_APP_DIR` | none: serve no app |
 * | `--accounts MODE` | `RIDEVAULT_ACCOUNTS` | `required`, or `optional` on a loopback host |
 * | `--secret-file FILE` | `RIDEVAULT_SECRET_FILE` | `DATA_DIR/relay-secret` (made once); with a database URL, kept in the database |
 * | `--token-audience AUD` | `RIDEVAULT_TOKEN_AUDIENCE` | `ridevault-relay` |
 * | `--login-rate N` | `RIDEVAULT_LOGIN_RATE` | 10 login attempts per minute per IP |
 * | `--quota-bytes N` | `RIDEVAULT_QUOTA_BYTES` | 1 GiB of envelopes per account |
 * | `--quota-documents N` | `RIDEVAULT_QUOTA_DOCUMENTS` | 10000 documents per account |
 * | `--push-rate N` | `RIDEVAULT_PUSH_RATE` | 600 pushes per minute per account (and burst) |
 * | `--create-rate N` | `RIDEVAULT_CREATE_RATE` | 120 new documents per minute per account (and burst) |
 *
 * Accounts: `required` (a public relay: devices need an account to connect and create
 * documents), `optional` (a private relay: accounts work, capability-only devices too),
 * `off` (no account endpoints). With `--database-url` accounts live in PostgreSQL too, and
 * the token secret is kept there (made once) unless `--secret-file` names one.
 */
import type { LogLevel } from "./log.js";

/** The relay's settings. */
export interface RelayConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly allowedOrigins: readonly string[] | null;
  readonly maxBufferedBytes: number;
  readonly logLevel: LogLevel;
  /** A `postgres://` URL: the store is PostgreSQL (several instances may share it); null: SQLite. */
  readonly databaseUrl: string | null;
  /** A built web app (the example PWA) to serve at `/`; null serves none. */
  readonly appDir: string | null;
  /** Whether devices need an account (see the table above). */
  readonly accounts: "required" | "optional" | "off";
  /** The file holding the token secret; null: `relay-secret` in the data directory. */
  readonly secretFile: string | null;
  readonly tokenAudience: string;
  /** Login attempts per minute (and burst) per client IP. */
  readonly loginRate: number;
  /** Per-account limits (see `AccountLimits`). */
  readonly quotaBytes: number;
  readonly quotaDocuments: number;
  readonly pushRate: number;
  readonly createRate: number;
}

const FLAGS: Record<string, string> = {
  "--data": "RIDEVAULT_DATA_DIR",
  "--host": "RIDEVAULT_HOST",
  "--port": "RIDEVAULT_PORT",
  "--allowed-origins": "RIDEVAULT_ALLOWED_ORIGINS",
  "--max-buffered-bytes": "RIDEVAULT_MAX_BUFFERED_BYTES",
  "--log-level": "RIDEVAULT_LOG_LEVEL",
  "--database-url": "DATABASE_URL",
  "--app-dir": "RIDEVAULT_APP_DIR",
  "--accounts": "RIDEVAULT_ACCOUNTS",
  "--secret-file": "RIDEVAULT_SECRET_FILE",
  "--token-audience": "RIDEVAULT_TOKEN_AUDIENCE",
  "--login-rate": "RIDEVAULT_LOGIN_RATE",
  "--quota-bytes": "RIDEVAULT_QUOTA_BYTES",
  "--quota-documents": "RIDEVAULT_QUOTA_DOCUMENTS",
  "--push-rate": "RIDEVAULT_PUSH_RATE",
  "--create-rate": "RIDEVAULT_CREATE_RATE",
};

/** The per-account limits' defaults and their variables. */
const LIMITS = {
  quotaBytes: ["RIDEVAULT_QUOTA_BYTES", 1024 ** 3, "quota bytes"],
  quotaDocuments: ["RIDEVAULT_QUOTA_DOCUMENTS", 10_000, "quota documents"],
  pushRate: ["RIDEVAULT_PUSH_RATE", 600, "push rate (per minute)"],
  createRate: ["RIDEVAULT_CREATE_RATE", 120, "create rate (per minute)"],
} as const;

/** Reads the configuration, or says which setting is wrong and how to fix it. */
export function readConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; value: RelayConfig } | { ok: false; message: string } {
  const values: Record<string, string | undefined> = {};
  for (const variable of Object.values(FLAGS)) values[variable] = env[variable];
  values.RIDEVAULT_PORT ??= env.PORT;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const variable = FLAGS[flag];
    if (!variable)
      return {
        ok: false,
        message: `unknown option ${flag}; options: ${Object.keys(FLAGS).join(", ")}`,
      };
    const value = argv[i + 1];
    if (value === undefined) return { ok: false, message: `${flag} needs a value` };
    values[variable] = value;
    i++;
  }
  const port = Number(values.RIDEVAULT_PORT ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return {
      ok: false,
      message: `port must be an integer from 0 to 65535, not "${values.RIDEVAULT_PORT}"`,
    };
  }
  const maxBufferedBytes = Number(values.RIDEVAULT_MAX_BUFFERED_BYTES ?? 8 * 1024 * 1024);
  if (!Number.isInteger(maxBufferedBytes) || maxBufferedBytes < 64 * 1024) {
    return { ok: false, message: "max buffered bytes must be an integer of at least 65536" };
  }
  const logLevel = (values.RIDEVAULT_LOG_LEVEL ?? "info") as LogLevel;
  if (!["debug", "info", "warn", "error"].includes(logLevel)) {
    return {
      ok: false,
      message: `log level must be debug, info, warn or error, not "${logLevel}"`,
    };
  }
  const host = values.RIDEVAULT_HOST ?? "127.0.0.1";
  const loopback = ["127.0.0.1", "::1", "localhost"].includes(host);
  const accounts = values.RIDEVAULT_ACCOUNTS ?? (loopback ? "optional" : "required");
  if (accounts !== "required" && accounts !== "optional" && accounts !== "off") {
    return { ok: false, message: `accounts must be required, optional or off, not "${accounts}"` };
  }
  const databaseUrl = values.DATABASE_URL || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return {
      ok: false,
      message:
        "the database URL must start with postgres:// or postgresql:// (user, host, database)",
    };
  }
  const loginRate = Number(values.RIDEVAULT_LOGIN_RATE ?? 10);
  if (!Number.isInteger(loginRate) || loginRate < 1) {
    return { ok: false, message: "login rate must be a positive integer (attempts per minute)" };
  }
  const limits = { quotaBytes: 0, quotaDocuments: 0, pushRate: 0, createRate: 0 };
  for (const [name, [variable, fallback, label]] of Object.entries(LIMITS)) {
    const limit = Number(values[variable] ?? fallback);
    if (!Number.isSafeInteger(limit) || limit < 1)
      return {
        ok: false,
        message: `${label} must be a positive integer, not "${values[variable]}"`,
      };
    limits[name as keyof typeof limits] = limit;
  }
  const origins = values.RIDEVAULT_ALLOWED_ORIGINS;
  return {
    ok: true,
    value: {
      dataDir: values.RIDEVAULT_DATA_DIR ?? "relay-data",
      host,
      port,
      allowedOrigins: origins
        ? origins
            .split(",")
            .map((o) => o.trim())
            .filter(Boolean)
        : null,
      maxBufferedBytes,
      logLevel,
      databaseUrl,
      appDir: values.RIDEVAULT_APP_DIR || null,
      accounts,
      secretFile: values.RIDEVAULT_SECRET_FILE || null,
      tokenAudience: values.RIDEVAULT_TOKEN_AUDIENCE || "ridevault-relay",
      loginRate,
      ...limits,
    },
  };
}
