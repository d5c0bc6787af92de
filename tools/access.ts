/**
 * `npm run access -- <stack> [--config-file FILE] [--format text|md|json] [--base FILE_OR_GIT_REF]`: who may
 * assume each role the stack registers and what it may then do, every row checked with an IAM evaluator; with
 * `--base`, only what changed since then: a git ref runs that commit's own code on its config (in a temporary
 * worktree), a file is a config evaluated with the current code. Exit 1 when a check disagrees, 2 on a usage or
 * config error. With `--explain <namespace/serviceaccount> <action> <resource-arn>`: whether that ServiceAccount can make
 * that call and why (analysis/explain), confirmed with iam-simulate; exit 0 yes, 1 no.
 */
import { ConfigError } from "../config/validate";
import { explain, type ExplainRequest } from "../analysis/explain";
import { catalogAction } from "../core/catalog";
import { RULES } from "../core/rules";
import { simulateRequest } from "./access/verify";
import { baseAtCommit, emptyModel, resolveBase, type BaseResult } from "./access/base";
import { diffModels } from "../analysis/diff";
import { accessModel, type AccessModel } from "./access/model";
import { FORMATS, renderChanges, renderModel, type Format } from "./access/render";
import { loadProgram, main, readStackConfig, renderConfigError, runCommand, runStack, usage, UsageError, type Command, type Io } from "./cli";
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
    {
      flag: "explain",
      value: "NAMESPACE/SERVICEACCOUNT ACTION RESOURCE_ARN",
      help: "whether that ServiceAccount can make that call, and why: the role its annotation names, the trust, the statement or guardrail that decides, the nearest grant (docs/troubleshooting.md)",
    },
    { flag: "audience", value: "AUD", help: "with --explain: the token's audience (default: the ServiceAccount's eks.amazonaws.com/audience, else sts.amazonaws.com)" },
    { flag: "issuer", value: "URL", help: "with --explain: the token's issuer (default: the stack's cluster)" },
    { flag: "context", value: "KEY=VALUE", help: "with --explain: a request context value, repeatable (aws:SecureTransport=false, aws:ResourceTag/team=web)" },
  ],
  exits: "0 done (--explain: the call is allowed); 1 an evaluator check disagrees with the report (--explain: the call is denied); 2 a usage, stack file or config error (before any run)",
};

/** Takes `--explain A B C` and its companions out of argv (the shared parser knows one value per option). */
export function takeExplain(argv: string[]): { rest: string[]; explain?: Omit<ExplainRequest, "context"> & { context: Record<string, string> } } {
  const rest: string[] = [];
  let request: (Omit<ExplainRequest, "context"> & { context: Record<string, string> }) | undefined;
  const extra: { audience?: string; issuer?: string; context: Record<string, string> } = { context: {} };
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new UsageError(`--${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--explain") {
      if (request) throw new UsageError("--explain is given twice: ask one question per run");
      const [who, action, resource] = argv.slice(i + 1, i + 4);
      if ([who, action, resource].some((x) => x === undefined || x.startsWith("--"))) throw new UsageError("--explain needs <namespace/serviceaccount> <action> <resource-arn>, e.g. --explain shop/orders s3:GetObject arn:aws:s3:::shop-invoices/2026/x.pdf");
      const m = /^([^/]*)\/([^/]*)$/.exec(who);
      if (!m) throw new UsageError(`--explain ${who}: expected <namespace>/<serviceaccount>`);
      // A pod runs as one ServiceAccount: a pattern (`web-*`) is what a trust may match, never a pod's name.
      if (!RULES.namespace.test(m[1])) throw new UsageError(`--explain ${who}: "${m[1]}" is not a valid ${RULES.namespace.what}`);
      if (!RULES.serviceAccount.test(m[2])) throw new UsageError(`--explain ${who}: "${m[2]}" is not a valid ${RULES.serviceAccount.what}${m[2].includes("*") ? ": name the pod's ServiceAccount, not a pattern" : ""}`);
      if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action)) throw new UsageError(`--explain: ${action} is not an action (service:Action, e.g. s3:GetObject)`);
      // An action AWS does not have is refused before any run: the evaluator cannot simulate it, and no pod can call it.
      if (!catalogAction(action)) throw new UsageError(`--explain: ${action} is not an action of the AWS service catalog (check its spelling)`);
      if (resource !== "*" && !resource.startsWith("arn:")) throw new UsageError(`--explain: ${resource} is not a resource ARN (or "*")`);
      request = { namespace: m[1], serviceAccount: m[2], action, resource, context: {} };
      i += 3;
    } else if (a === "--audience") extra.audience = value(i++, "audience");
    else if (a === "--issuer") extra.issuer = value(i++, "issuer");
    else if (a === "--context") {
      const kv = value(i++, "context");
      const eq = kv.indexOf("=");
      if (eq <= 0) throw new UsageError(`--context ${kv}: expected KEY=VALUE`);
      extra.context[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else rest.push(a);
  }
  if (!request && (extra.audience || extra.issuer || Object.keys(extra.context).length > 0)) throw new UsageError("--audience, --issuer and --context go with --explain");
  return { rest, ...(request ? { explain: { ...request, ...extra } } : {}) };
}

export async function runAccess(argv: string[], io: Io): Promise<number> {
  let taken: ReturnType<typeof takeExplain> = { rest: argv };
  if (!argv.includes("--help") && !argv.includes("-h")) {
    try {
      taken = takeExplain(argv);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      io.err(`${e.message}\nusage: ${usage(ACCESS)} (--help explains)\n`);
      return 2;
    }
  }
  return runCommand(taken.rest, io, ACCESS, async (args) => {
    if (taken.explain) {
      if (args.flags.has("base")) throw new UsageError("--explain answers for the current code and config: leave out --base");
      const { run } = await runStack(args);
      const answer = explain(run.resources, run.outputs, run.region, taken.explain);
      const lines = [...answer.lines];
      let allowed = answer.decision === "Allowed";
      // The offline reading is confirmed with a real evaluator: a disagreement is printed and answers no.
      if (answer.request && answer.roleArn) {
        const decision = await simulateRequest(answer.roleArn, run.region, answer.documents, answer.request);
        const agrees = decision === answer.decision || (answer.decision !== "Allowed" && /Denied$/.test(decision));
        lines.splice(lines.length - 1, 0, `  confirmed   ${agrees ? `iam-simulate agrees (${decision})` : `iam-simulate DISAGREES: ${decision}`}`);
        if (!agrees) allowed = false;
      }
      const format = (args.flags.get("format") as Format | undefined) ?? "text";
      io.out(format === "json" ? `${JSON.stringify({ ...taken.explain, roleArn: answer.roleArn, assumed: answer.assumed, decision: answer.decision ?? "NotAssumed", lines }, null, 2)}\n` : `${lines.join("\n")}\n`);
      return allowed ? 0 : 1;
    }
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
