/**
 * What every command does: print its help or parse its arguments, read the stack file, run the program offline,
 * and turn what the user got wrong into one message and exit code 2. Each command exports `run<Name>(argv, io)`
 * (tests call it in-process); its file's main is a shell around it.
 */
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../config/validate";
import { parseArgs, type ParsedArgs } from "./args";
import { ROOT, runOffline, stackFile, type OfflineRun } from "./offline";
import { loadStackFile, SECRET_PLACEHOLDER, type StackFile } from "./stackFile";
import { cutLongValues, UsageError } from "./usage";

export { UsageError };

/** Where a command writes; tests collect it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

export interface Command {
  /** The npm script: `plan` is run as `npm run plan -- <stack> ...`. */
  name: string;
  /** What it prints, in a sentence or two. */
  about: string;
  /** Its own options (besides `--config-file` and `--help`): `value` names the option's argument. */
  options: { flag: string; value?: string; help: string }[];
  /** What each exit code means. */
  exits: string;
}

/** Arguments of a command, with the stack present. */
export type CommandArgs = ParsedArgs & { stack: string };

const COMMON = [{ flag: "config-file", value: "FILE", help: "read the stack's config from FILE instead of Pulumi.<stack>.yaml" }];

export function usage(c: Command): string {
  const options = [...COMMON, ...c.options].map((o) => `[--${o.flag}${o.value ? ` ${o.value}` : ""}]`);
  return `npm run ${c.name} -- <stack> ${options.join(" ")}`;
}

/** `--help`: usage, what it does, each option, the stacks there are, the exit codes. */
export function help(c: Command): string {
  const rows: [string, string][] = [
    ["<stack>", `the stack: reads Pulumi.<stack>.yaml next to Pulumi.yaml (${stacksHere().join(", ") || "none yet"})`],
    ...[...COMMON, ...c.options].map((o): [string, string] => [`--${o.flag}${o.value ? ` ${o.value}` : ""}`, o.help]),
    ["--help", "print this help"],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    `usage: ${usage(c)}`,
    "",
    c.about,
    "",
    ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`),
    "",
    `exit codes: ${c.exits}`,
    "",
  ].join("\n");
}

/** The stacks of the project: its `Pulumi.<stack>.yaml` files. */
export function stacksHere(): string[] {
  return readdirSync(ROOT)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** Pulumi's stack names: letters, digits, `-`, `_` and `.`. */
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export function parseCommand(argv: string[], c: Command): CommandArgs {
  const withValue = [...COMMON, ...c.options].filter((o) => o.value).map((o) => o.flag);
  const booleans = c.options.filter((o) => !o.value).map((o) => o.flag);
  let args: ParsedArgs;
  try {
    args = parseArgs(argv, withValue, booleans);
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\nusage: ${usage(c)} (--help explains)`);
  }
  if (!args.stack) throw new UsageError(`a stack name is required\nusage: ${usage(c)} (--help explains)`);
  if (!STACK_NAME.test(args.stack)) throw new UsageError(`${JSON.stringify(args.stack)} is not a stack name (letters, digits, -, _ and .)`);
  return args as CommandArgs;
}

/** The stack file a command reads: `--config-file`, else the project's `Pulumi.<stack>.yaml`. */
export function readStackConfig(args: CommandArgs): StackFile {
  const given = args.flags.get("config-file") as string | undefined;
  if (given !== undefined) {
    if (!existsSync(given)) throw new UsageError(`--config-file ${given}: no such file`);
    return loadStackFile(given);
  }
  const file = stackFile(args.stack);
  const known = stacksHere();
  if (!known.includes(args.stack)) {
    throw new UsageError(
      `no stack ${args.stack}: ${path.relative(process.cwd(), file) || file} does not exist (stacks here: ${known.join(", ") || "none"}); create it, or pass --config-file FILE`,
    );
  }
  return loadStackFile(file);
}

/** The program (and with it the Pulumi SDK and every provider package), loaded when a command runs it. */
export function loadProgram(): () => unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("../stacks") as typeof import("../stacks")).program;
}

/** Runs the stack's config offline; a config problem becomes a UsageError naming file, line and config path. */
export async function runStack(args: CommandArgs): Promise<{ run: OfflineRun; file: StackFile }> {
  const file = readStackConfig(args);
  const program = loadProgram();
  try {
    return { run: await runOffline(args.stack, file.config, program), file };
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(renderConfigError(e, file));
    throw e;
  }
}

/**
 * A config error as `file:line: path: message` lines. A problem with a secure value says so: the check saw the
 * placeholder, not the value.
 */
export function renderConfigError(e: ConfigError, file?: StackFile): string {
  if (!file) return e.message;
  const secret = (p: string) => file.secrets.some((s) => p === s || p.startsWith(`${s}.`) || p.startsWith(`${s}[`));
  const lines = e.problems.map((p) => {
    const line = p.path ? file.lineOf(p.path) : undefined;
    const message =
      secret(p.path) || p.message.includes(SECRET_PLACEHOLDER)
        ? "is a secure value, which cannot be decrypted offline, and its check needs the value: run pulumi preview, or keep this value in plain text"
        : p.message;
    return `  ${file.shown}${line ? `:${line}` : ""}: ${p.path ? `${p.path}: ` : ""}${message}`;
  });
  const n = e.problems.length;
  return `${file.shown}: invalid eks-irsa config (${n} problem${n === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

/**
 * A command's in-process entry: `--help` prints its help (exit 0); a usage, stack file or config error prints one
 * message (exit 2); anything else is a defect and is thrown.
 */
export async function runCommand(argv: string[], io: Io, c: Command, body: (args: CommandArgs) => Promise<number>): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(help(c));
    return 0;
  }
  try {
    return await body(parseCommand(argv, c));
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      io.err(`${cutLongValues(e.message)}\n`);
      return 2;
    }
    throw e;
  }
}

/** The process around a command: its exit code, or 1 with the stack trace of a defect. */
export function main(run: (argv: string[], io: Io) => Promise<number>): void {
  run(process.argv.slice(2), processIo).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
