/**
 * `ridevault-relay backup DEST [--data DIR]`: the admin command behind `backupDataDir`. It
 * reads the same flags and environment as the relay (so in a container,
 * `RIDEVAULT_DATA_DIR=/data` is picked up), backs up while the relay runs, prints one JSON
 * line naming the files written, and exits 0; on failure it says why on standard error and
 * exits 1 (2 for a usage error).
 */
import { readConfig } from "../config.js";
import { backupDataDir } from "./backup.js";

/** Where the command writes (injected so tests can read it). */
export interface CommandOutput {
  out(line: string): void;
  error(line: string): void;
}

const USAGE = "usage: ridevault-relay backup DEST [--data DIR]";

/** Runs the backup command on `argv` (the words after `backup`); resolves the exit code. */
export async function runBackupCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  output: CommandOutput,
): Promise<number> {
  const [destination, ...flags] = argv;
  if (destination === undefined || destination.startsWith("--")) {
    output.error(`ridevault-relay: backup needs a destination directory\n${USAGE}`);
    return 2;
  }
  const config = readConfig(flags, env);
  if (!config.ok) {
    output.error(`ridevault-relay: ${config.message}\n${USAGE}`);
    return 2;
  }
  if (config.value.databaseUrl !== null) {
    output.error(
      "ridevault-relay: this relay stores in PostgreSQL (DATABASE_URL): back it up with pg_dump (docs/deploy.md, Backups)",
    );
    return 2;
  }
  const started = Date.now();
  const result = await backupDataDir({ dataDir: config.value.dataDir, destination });
  if (!result.ok) {
    output.error(`ridevault-relay: ${result.error.message}`);
    return 1;
  }
  output.out(
    JSON.stringify({ backup: destination, files: result.value, ms: Date.now() - started }),
  );
  return 0;
}
