/** What every command-line tool does first: parse arguments, load the stack's config, run it offline. */
import { existsSync } from "node:fs";
import { ConfigError } from "../config/validate";
import { program } from "../stacks";
import { parseArgs, type ParsedArgs } from "./args";
import { readStackFile, runOffline, stackFile, type OfflineRun } from "./offline";

export class UsageError extends Error {}

export async function runStackFromArgs(
  argv: string[],
  usage: string,
  withValue: string[] = [],
  booleans: string[] = [],
): Promise<{ run: OfflineRun; args: ParsedArgs }> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv, ["config-file", ...withValue], booleans);
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\nusage: ${usage}`);
  }
  if (!args.stack) throw new UsageError(`a stack name is required\nusage: ${usage}`);
  const file = (args.flags.get("config-file") as string | undefined) ?? stackFile(args.stack);
  if (!existsSync(file)) throw new UsageError(`no stack config at ${file} (create Pulumi.${args.stack}.yaml or pass --config-file)`);
  const run = await runOffline(args.stack, readStackFile(file), program);
  return { run, args };
}

/** Runs a command's main, turning config and usage errors into a message and exit code 2, anything else 1. */
export function main(fn: () => Promise<number>): void {
  fn().then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof ConfigError || e instanceof UsageError) {
        process.stderr.write(`${e.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
