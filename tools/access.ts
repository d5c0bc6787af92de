/**
 * `npm run access -- <stack> [--config-file FILE] [--format text|md|json] [--base FILE_OR_GIT_REF]`: who may
 * assume each role the stack registers and what it may then do, every row checked with an IAM evaluator; with
 * `--base`, only what changed since then: a git ref runs that commit's own code on its config (in a temporary
 * worktree), a file is a config evaluated with the current code. Exit 1 when a check disagrees, 2 on a usage or
 * config error.
 */
import { ConfigError } from "../config/validate";
import { baseAtCommit, emptyModel, resolveBase, type BaseResult } from "./access/base";
import { diffModels } from "../analysis/diff";
import { accessModel, type AccessModel } from "./access/model";
import { FORMATS, renderChanges, renderModel, type Format } from "./access/render";
import { loadProgram, main, readStackConfig, renderConfigError, runCommand, runStack, UsageError, type Command, type Io } from "./cli";
import { runOffline } from "./offline";
import { loadStackFile } from "./stackFile";

export const ACCESS: Command = {
  name: "access",
  about: [
    "Who may assume each role the stack registers and what it may then do, every row checked with an IAM evaluator",
    "(@cloud-copilot/iam-simulate). With --base, only what changed since then.",
  ].join("\n"),
  options: [
    { flag: "format", value: "text|md|json", help: "text (default), md (a pull-request comment) or json (the model)" },
    {
      flag: "base",
      value: "FILE_OR_GIT_REF",
      help: "print the changes since: a git ref (its own code on its own config, in a temporary worktree) or a stack file (with the current code)",
    },
  ],
  exits: "0 done; 1 an evaluator check disagrees with the report; 2 a usage, stack file or config error (before any run)",
};

export async function runAccess(argv: string[], io: Io): Promise<number> {
  return runCommand(argv, io, ACCESS, async (args) => {
    const format = (args.flags.get("format") as Format | undefined) ?? "text";
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}`);
    const baseArg = args.flags.get("base") as string | undefined;
    const configFile = args.flags.get("config-file") as string | undefined;
    if (baseArg === undefined) {
      const { run } = await runStack(args);
      const head = await accessModel(run);
      io.out(`${renderModel(head, format)}\n`);
      return head.errors.length ? 1 : 0;
    }

    // Usage errors first (a stack file that cannot be read, a base that is neither a file nor a commit), before any run.
    readStackConfig(args);
    const stack = args.stack;
    const base = resolveBase(baseArg);
    // A commit's own tool runs in another process, alongside the current run.
    const pending: Promise<BaseResult> =
      base.kind === "file"
        ? Promise.resolve({ kind: "config", config: base.config, label: `${base.file} (config only, with the current code)` })
        : baseAtCommit(base, stack, configFile);
    let head: AccessModel;
    try {
      head = await accessModel((await runStack(args)).run);
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
        baseModel = await accessModel(await runOffline(stack, result.config, loadProgram()));
      } catch (e) {
        if (e instanceof ConfigError) throw new UsageError(`--base ${baseArg}: ${renderConfigError(e, base.kind === "file" ? loadStackFile(base.file) : undefined)}`);
        throw e;
      }
    }
    const context = { stack, base: result.label, head: configFile ? `working tree (${configFile})` : "working tree" };
    io.out(`${renderChanges(diffModels(baseModel, head), format, context, head.errors)}\n`);
    return head.errors.length ? 1 : 0;
  });
}

if (require.main === module) main(runAccess);
