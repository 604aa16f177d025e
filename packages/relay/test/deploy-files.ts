/**
 * Readers for the deployment files, for deploy-files.test.ts: a Dockerfile parser (line
 * continuations, comments, exec-form JSON arguments, stages) and a reader for the TOML the
 * platform files use (tables, arrays of tables, strings, numbers, booleans). Both throw on
 * anything they do not understand, so a file that grows new syntax fails the test loudly
 * instead of being half read.
 */

/** One Dockerfile instruction. */
export interface DockerInstruction {
  /** Upper case: FROM, RUN, COPY, ... */
  readonly name: string;
  /** The raw text after the instruction name. */
  readonly text: string;
  /** The exec-form arguments, when the text is a JSON array. */
  readonly exec?: readonly string[];
  /** 0 for the first FROM's stage, 1 for the next, ... */
  readonly stage: number;
}

/** Parses a Dockerfile into its instructions (parser directives and comments dropped). */
export function parseDockerfile(source: string): DockerInstruction[] {
  const logical: string[] = [];
  let current = "";
  for (const line of source.split("\n")) {
    const trimmed = line.trim();
    if (current === "" && (trimmed === "" || trimmed.startsWith("#"))) continue;
    if (current !== "" && trimmed.startsWith("#")) continue;
    if (trimmed.endsWith("\\")) {
      current += `${trimmed.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(`${current}${trimmed}`.trim());
    current = "";
  }
  if (current !== "") throw new Error("the Dockerfile ends inside a continued line");
  let stage = -1;
  return logical.map((line) => {
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`not an instruction: ${line}`);
    const name = (match[1] as string).toUpperCase();
    const text = match[2] as string;
    if (name === "FROM") stage++;
    const execText = name === "HEALTHCHECK" ? (/\bCMD\s+(\[.*\])$/.exec(text)?.[1] ?? "") : text;
    let exec: string[] | undefined;
    if (execText.startsWith("[")) {
      const parsed: unknown = JSON.parse(execText);
      if (!Array.isArray(parsed) || !parsed.every((arg) => typeof arg === "string"))
        throw new Error(`exec form must be an array of strings: ${line}`);
      exec = parsed;
    }
    return { name, text, stage, ...(exec && { exec }) };
  });
}

/** `KEY=value` pairs of ENV instructions (quotes removed). */
export function envOf(instructions: readonly DockerInstruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { text } of instructions.filter((i) => i.name === "ENV")) {
    for (const pair of text.match(/[A-Za-z_][A-Za-z0-9_]*=("[^"]*"|\S*)/g) ?? []) {
      const [key, ...rest] = pair.split("=");
      env[key as string] = rest.join("=").replace(/^"(.*)"$/, "$1");
    }
  }
  return env;
}

/** A TOML value of the kinds the platform files use. */
export type TomlValue = string | number | boolean | TomlTable | TomlTable[];
/** A TOML table. */
export interface TomlTable {
  [key: string]: TomlValue;
}

/** Reads the TOML subset of fly.toml and railway.toml. */
export function parseToml(source: string): TomlTable {
  const root: TomlTable = {};
  let table = root;
  for (const raw of source.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const header = /^(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?$/.exec(line);
    if (header) {
      table = openTable(root, (header[2] as string).split("."), header[1] === "[[");
      continue;
    }
    const pair = /^("[^"]+"|[A-Za-z0-9_-]+)\s*=\s*(.+)$/.exec(line);
    if (!pair) throw new Error(`unsupported TOML line: ${line}`);
    table[(pair[1] as string).replace(/^"(.*)"$/, "$1")] = tomlScalar(pair[2] as string);
  }
  return root;
}

function openTable(root: TomlTable, path: readonly string[], arrayItem: boolean): TomlTable {
  let table = root;
  path.forEach((key, index) => {
    const last = index === path.length - 1;
    let next = table[key];
    if (last && arrayItem) {
      if (next === undefined) next = table[key] = [];
      if (!Array.isArray(next)) throw new Error(`${path.join(".")} is not an array of tables`);
      const item: TomlTable = {};
      next.push(item);
      table = item;
      return;
    }
    if (next === undefined) next = table[key] = {};
    if (Array.isArray(next)) next = next[next.length - 1] as TomlTable;
    if (typeof next !== "object") throw new Error(`${path.join(".")} is not a table`);
    table = next;
  });
  return table;
}

function tomlScalar(text: string): TomlValue {
  const value = text.replace(/\s+#.*$/, "").trim();
  const string = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
  if (string) return JSON.parse(`"${string[1]}"`) as string;
  if (value === "true" || value === "false") return value === "true";
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  throw new Error(`unsupported TOML value: ${text}`);
}

/** `table[key]` as a table (throws when it is something else). */
export function tableAt(table: TomlTable, key: string): TomlTable {
  const value = table[key];
  if (typeof value !== "object" || Array.isArray(value)) throw new Error(`[${key}] is missing`);
  return value;
}
