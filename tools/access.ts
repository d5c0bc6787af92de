/**
 * `npm run access -- <stack> [--config-file FILE] [--format text|md|json] [--base FILE_OR_GIT_REF]`: who may
 * assume each role the stack registers and what it may then do, every row checked with an IAM evaluator; with
 * `--base`, only what changed since then: a git ref runs that commit's own code on its config (in a temporary
 * worktree), a file is a config evaluated with the current code. Exit 1 when a check disagrees, 2 on a usage or
 * config error.
 */
import { existsSync } from "node:fs";
import { ConfigError } from "../config/validate";
import { program } from "../stacks";
import { baseAtCommit, emptyModel, resolveBase, type BaseResult } from "./access/base";
import { diffModels } from "../analysis/diff";
import { accessModel, type AccessModel } from "./access/model";
import { FORMATS, renderChanges, renderModel, type Format } from "./access/render";
import { parseArgs, type ParsedArgs } from "./args";
import { main, runStackFromArgs, UsageError } from "./cli";
import { runOffline, stackFile } from "./offline";

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
  const baseArg = parsed.flags.get("base") as string | undefined;
  const configFile = parsed.flags.get("config-file") as string | undefined;
  if (baseArg === undefined) {
    const { run } = await runStackFromArgs(argv, USAGE, ["format", "base"]);
    const head = await accessModel(run);
    process.stdout.write(`${renderModel(head, format)}\n`);
    return head.errors.length ? 1 : 0;
  }

  // Usage errors first (no stack, no config, a base that is neither a file nor a commit), before any run.
  const stack = parsed.stack;
  if (!stack) throw new UsageError(`a stack name is required\nusage: ${USAGE}`);
  if (!existsSync(configFile ?? stackFile(stack))) throw new UsageError(`no stack config at ${configFile ?? stackFile(stack)} (create Pulumi.${stack}.yaml or pass --config-file)`);
  const base = resolveBase(baseArg);
  // A commit's own tool runs in another process, alongside the current run.
  const pending: Promise<BaseResult> =
    base.kind === "file"
      ? Promise.resolve({ kind: "config", config: base.config, label: `${base.file} (config only, with the current code)` })
      : baseAtCommit(base, stack, configFile);
  let head: AccessModel;
  try {
    const { run } = await runStackFromArgs(argv, USAGE, ["format", "base"]);
    head = await accessModel(run);
  } catch (e) {
    await pending.catch(() => undefined); // its worktree is removed before the process exits
    throw e;
  }
  const result = await pending;
  let baseModel: AccessModel;
  if (result.kind === "model") baseModel = result.model;
  else if (result.kind === "absent") baseModel = emptyModel(head);
  else {
    try {
      baseModel = await accessModel(await runOffline(stack, result.config, program));
    } catch (e) {
      if (e instanceof ConfigError) throw new UsageError(`--base ${baseArg}: ${e.message}`);
      throw e;
    }
  }
  const context = { stack, base: result.label, head: configFile ? `working tree (${configFile})` : "working tree" };
  process.stdout.write(`${renderChanges(diffModels(baseModel, head), format, context, head.errors)}\n`);
  return head.errors.length ? 1 : 0;
});
