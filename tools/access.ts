/**
 * `npm run access -- <stack> [--config-file FILE] [--format text|md|json] [--base FILE_OR_GIT_REF]`: who may
 * assume each role the stack registers and what it may then do, every row checked with an IAM evaluator; with
 * `--base`, only what changed since that config. Exit 1 when a check disagrees, 2 on a usage or config error.
 */
import { ConfigError } from "../config/validate";
import { program } from "../stacks";
import { readBaseConfig } from "./access/base";
import { diffModels } from "./access/diff";
import { accessModel } from "./access/model";
import { FORMATS, renderChanges, renderModel, type Format } from "./access/render";
import { parseArgs, type ParsedArgs } from "./args";
import { main, runStackFromArgs, UsageError } from "./cli";
import { runOffline } from "./offline";

const USAGE = "npm run access -- <stack> [--config-file FILE] [--format text|md|json] [--base FILE_OR_GIT_REF]";

main(async () => {
  const argv = process.argv.slice(2);
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(argv, ["config-file", "format", "base"], []);
    const format = parsed.flags.get("format");
    if (format !== undefined && !FORMATS.includes(format as Format)) throw new Error(`--format must be one of ${FORMATS.join(", ")}`);
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\nusage: ${USAGE}`);
  }
  const format = (parsed.flags.get("format") as Format | undefined) ?? "text";
  const base = parsed.flags.get("base") as string | undefined;
  const configFile = parsed.flags.get("config-file") as string | undefined;
  // Read the base first: a ref git does not know fails before any run.
  const baseConfig = base !== undefined && parsed.stack ? readBaseConfig(base, parsed.stack, configFile) : undefined;
  const { run } = await runStackFromArgs(argv, USAGE, ["format", "base"]);
  const head = await accessModel(run);
  let output: string;
  if (base === undefined || baseConfig === undefined) output = renderModel(head, format);
  else {
    let baseRun;
    try {
      baseRun = await runOffline(run.stack, baseConfig, program);
    } catch (e) {
      if (e instanceof ConfigError) throw new UsageError(`--base ${base}: ${e.message}`);
      throw e;
    }
    const changes = diffModels(await accessModel(baseRun), head);
    output = renderChanges(changes, format, { stack: run.stack, base, head: configFile ?? "working tree" }, head.errors);
  }
  process.stdout.write(`${output}\n`);
  return head.errors.length ? 1 : 0;
});
