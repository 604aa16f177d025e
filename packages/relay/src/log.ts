/**
 * Structured logs: one JSON object per line. Log calls take event names and small fields —
 * never envelope bytes, keys or access secrets (the relay has no plaintext to leak; keep it
 * that way in the logs too).
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Writes structured log lines. */
export interface Logger {
  log(
    level: LogLevel,
    event: string,
    fields?: Readonly<Record<string, string | number | boolean | null>>,
  ): void;
}

/** A logger writing JSON lines at or above `level` to `write` (default: standard error). */
export function createLogger(
  level: LogLevel = "info",
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  return {
    log(lineLevel, event, fields = {}) {
      if (ORDER[lineLevel] < ORDER[level]) return;
      write(
        `${JSON.stringify({ time: new Date().toISOString(), level: lineLevel, event, ...fields })}\n`,
      );
    },
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { log() {} };
