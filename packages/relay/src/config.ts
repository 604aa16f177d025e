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
}

const FLAGS: Record<string, string> = {
  "--data": "RIDEVAULT_DATA_DIR",
  "--host": "RIDEVAULT_HOST",
  "--port": "RIDEVAULT_PORT",
  "--allowed-origins": "RIDEVAULT_ALLOWED_ORIGINS",
  "--max-buffered-bytes": "RIDEVAULT_MAX_BUFFERED_BYTES",
  "--log-level": "RIDEVAULT_LOG_LEVEL",
};

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
  const origins = values.RIDEVAULT_ALLOWED_ORIGINS;
  return {
    ok: true,
    value: {
      dataDir: values.RIDEVAULT_DATA_DIR ?? "relay-data",
      host: values.RIDEVAULT_HOST ?? "127.0.0.1",
      port,
      allowedOrigins: origins
        ? origins
            .split(",")
            .map((o) => o.trim())
            .filter(Boolean)
        : null,
      maxBufferedBytes,
      logLevel,
    },
  };
}
