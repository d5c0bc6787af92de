/**
 * What `--base` compares against. An existing file is a stack config, evaluated with the current code. Anything
 * else must be a commit: its own code is run on its own config, in a temporary git worktree, so that a change
 * to the code (a wider action list, another default) shows as well as a change to the config.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { UsageError } from "../cli";
import { readStackFile, ROOT } from "../offline";
import { StackFileError } from "../stackFile";
import { sortConditions, type Condition } from "../../analysis/condition";
import type { AccessModel, Grant, Identity } from "../../analysis/model";

/** `--base` resolved: a config file (read), or a commit git knows. */
export type Base = { kind: "file"; file: string; config: Record<string, unknown> } | { kind: "commit"; ref: string; sha: string; short: string };

/** What the base turned out to be, and the header's name for it. */
export type BaseResult =
  /** The base's own code ran on the base's config. */
  | { kind: "model"; model: AccessModel; label: string }
  /** Run the current code on this config: a file, or a commit without the access tool. */
  | { kind: "config"; config: Record<string, unknown>; label: string }
  /** The stack has no config at the base (a change that adds the stack): everything is new. */
  | { kind: "absent"; label: string };

const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

function git(args: string[], cwd = ROOT) {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  return { ok: r.status === 0, stdout: r.stdout ?? "", stderr: (r.stderr || r.error?.message || "").trim() };
}

/**
 * A regular file wins over a ref of the same name (a directory does not); anything else is resolved as a commit
 * with `--end-of-options`, so a value like `--output=x` is never read as an option of git. Fails with a
 * UsageError before any run.
 */
export function resolveBase(base: string): Base {
  if (base === "") throw new UsageError("--base needs a stack config file or a git ref, not an empty value");
  if (isFile(base)) return { kind: "file", file: base, config: readBaseFile(base) };
  const sha = git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${base}^{commit}`]);
  if (!sha.ok) {
    const dir = existsSync(base) ? " (a directory)" : "";
    throw new UsageError(`--base ${base}: not a file${dir}, and not a commit git knows in ${ROOT}`);
  }
  const full = sha.stdout.trim();
  const short = git(["rev-parse", "--short", full]);
  return { kind: "commit", ref: base, sha: full, short: short.ok ? short.stdout.trim() : full.slice(0, 12) };
}

function readBaseFile(file: string): Record<string, unknown> {
  let config: unknown;
  try {
    config = readStackFile(file);
  } catch (e) {
    if (e instanceof StackFileError) throw new UsageError(`--base ${e.message}`);
    throw new UsageError(`--base ${file}: not a stack config file: ${(e as Error).message.split("\n")[0]}`);
  }
  if (!config || typeof config !== "object" || Array.isArray(config)) throw new UsageError(`--base ${file}: not a stack config file: \`config:\` is not a map`);
  return config as Record<string, unknown>;
}

/** `<sha>:./<path>`, relative to ROOT, which need not be the top of the repository. */
const atCommit = (sha: string, relative: string) => `${sha}:./${relative}`;
const existsAt = (sha: string, relative: string) => spawnSync("git", ["cat-file", "-e", atCommit(sha, relative)], { cwd: ROOT, stdio: "ignore" }).status === 0;

/**
 * The stack's config at the commit, relative to ROOT: `configFile` when it lies in the project and the commit has
 * it (`given`), else `Pulumi.<stack>.yaml`; undefined when the commit has neither.
 */
export function configAt(sha: string, stack: string, configFile?: string): { relative: string; given: boolean } | undefined {
  const inProject = configFile ? path.relative(ROOT, path.resolve(configFile)) : "";
  if (inProject && !inProject.startsWith("..") && !path.isAbsolute(inProject)) {
    const relative = inProject.split(path.sep).join("/");
    if (existsAt(sha, relative)) return { relative, given: true };
  }
  return existsAt(sha, `Pulumi.${stack}.yaml`) ? { relative: `Pulumi.${stack}.yaml`, given: false } : undefined;
}

/** An empty model for a stack the base does not have. */
export function emptyModel(head: AccessModel): AccessModel {
  return { stack: head.stack, region: head.region, accountId: head.accountId, identities: [], errors: [] };
}

/**
 * The base at a commit. The stack's config missing there: `absent`. The commit without `tools/access.ts`: its
 * config, for the current code. Otherwise the commit's own tool, run in a temporary worktree that is always removed.
 */
export async function baseAtCommit(base: Extract<Base, { kind: "commit" }>, stack: string, configFile?: string): Promise<BaseResult> {
  const name = `${base.ref} (${base.short})`;
  const config = configAt(base.sha, stack, configFile);
  if (!config) return { kind: "absent", label: `${name}, which has no Pulumi.${stack}.yaml` };
  const { relative, given } = config;
  if (!existsAt(base.sha, "tools/access.ts")) {
    const shown = git(["show", atCommit(base.sha, relative)]);
    if (!shown.ok) throw new Error(`git show ${atCommit(base.sha, relative)} failed: ${shown.stderr}`);
    return { kind: "config", config: configFromText(shown.stdout, base.ref, relative), label: `${name}; base evaluated with the current code: ${base.ref} has no access tool` };
  }
  const model = await withWorktree(base.sha, async (project, spawned) => {
    await linkOrInstallModules(project, base.ref, spawned);
    const args = ["--max-semi-space-size=64", "--import", "tsx", "tools/access.ts", stack, "--format", "json", ...(given ? ["--config-file", relative] : [])];
    const r = await spawned(process.execPath, args, project);
    if (r.code === 2) throw new UsageError(`--base ${base.ref}: the access tool at ${base.short} rejected the stack: ${r.stderr.trim()}`);
    return parseModel(r.stdout, () => `--base ${base.ref}: the access tool at ${base.short} failed (exit ${r.code}): ${r.stderr.trim()}`);
  });
  return { kind: "model", model, label: name };
}

function configFromText(text: string, ref: string, relative: string): Record<string, unknown> {
  // readStackFile parses a file (and masks secure values): hand it git's text through a temporary one.
  const dir = mkdtempSync(path.join(tmpdir(), "eks-irsa-base-"));
  try {
    const file = path.join(dir, path.basename(relative));
    writeFileSync(file, text);
    try {
      return readBaseFile(file);
    } catch (e) {
      throw new UsageError((e as Error).message.replace(file, `${ref}:${relative}`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `key Operator v1 | v2`: a condition as the tool printed it before conditions were data (a base commit's own
 * tool may be that old). Keys and operators have no spaces; values were joined with ` | `.
 */
export function legacyCondition(line: string): Condition {
  const [key, operator, ...rest] = line.split(" ");
  return { operator: operator ?? "", key, values: rest.join(" ").split(" | ") };
}

/** The tool's `--format json` output (exit 1 when its checks disagree still prints the model), with defaults for older versions. */
export function parseModel(stdout: string, failure: () => string): AccessModel {
  let model: AccessModel;
  try {
    model = JSON.parse(stdout) as AccessModel;
  } catch {
    throw new Error(failure());
  }
  if (!model || !Array.isArray(model.identities)) throw new Error(failure());
  const list = <T>(x: T[] | undefined) => (Array.isArray(x) ? x : []);
  model.identities = model.identities.map((i: Identity) => ({
    ...i,
    assumers: list(i.assumers),
    grants: list(i.grants).map((g) => ({ ...g, conditions: conditionsOfReport(g.conditions) })),
    guardrails: list(i.guardrails),
    notEvaluated: list(i.notEvaluated),
  }));
  model.errors = list(model.errors);
  return model;
}

/** A row's conditions from a report of any version: data (sorted again), or the older strings. */
function conditionsOfReport(conditions: Grant["conditions"] | string[] | undefined): Condition[] {
  if (!Array.isArray(conditions)) return [];
  return sortConditions(conditions.map((c: Condition | string) => (typeof c === "string" ? legacyCondition(c) : c)));
}

type Spawned = (cmd: string, args: string[], cwd: string) => Promise<{ code: number | null; stdout: string; stderr: string }>;

/**
 * Runs `fn` in a detached worktree of `sha` (given the project's directory in it), then removes the worktree:
 * on success, on error, and on SIGINT or SIGTERM (which also stop what `spawned` started).
 */
async function withWorktree<T>(sha: string, fn: (project: string, spawned: Spawned) => Promise<T>): Promise<T> {
  const prefix = git(["rev-parse", "--show-prefix"]);
  if (!prefix.ok) throw new Error(`git rev-parse --show-prefix failed: ${prefix.stderr}`);
  const dir = mkdtempSync(path.join(tmpdir(), "eks-irsa-base-"));
  const tree = path.join(dir, "tree");
  const children = new Set<ReturnType<typeof spawn>>();
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    for (const c of children) c.kill("SIGTERM");
    // A symlinked node_modules goes first, so that nothing below can reach into the project's own.
    const modules = path.join(tree, prefix.stdout.trim(), "node_modules");
    try {
      if (lstatSync(modules).isSymbolicLink()) unlinkSync(modules);
    } catch {
      // not there
    }
    if (!git(["worktree", "remove", "--force", tree]).ok) {
      rmSync(dir, { recursive: true, force: true });
      git(["worktree", "prune"]);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const spawned: Spawned = (cmd, args, cwd) =>
    new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
      children.add(child);
      let out = "";
      let err = "";
      child.stdout?.setEncoding("utf8").on("data", (d: string) => (out += d));
      child.stderr?.setEncoding("utf8").on("data", (d: string) => (err += d));
      child.on("error", reject);
      child.on("close", (code) => {
        children.delete(child);
        resolve({ code, stdout: out, stderr: err });
      });
    });
  try {
    const added = git(["worktree", "add", "--detach", "--quiet", tree, sha]);
    if (!added.ok) throw new Error(`git worktree add ${tree} ${sha} failed: ${added.stderr}`);
    return await fn(path.join(tree, prefix.stdout.trim()), spawned);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    remove();
  }
}

/**
 * The base's dependencies: the project's node_modules, linked, when the base's package-lock.json is the same
 * byte for byte; otherwise `npm ci` in the worktree (slower, but the base runs with what it locked).
 */
async function linkOrInstallModules(project: string, ref: string, spawned: Spawned): Promise<void> {
  const lock = (dir: string) => (existsSync(path.join(dir, "package-lock.json")) ? readFileSync(path.join(dir, "package-lock.json")) : undefined);
  const [mine, theirs] = [lock(ROOT), lock(project)];
  if (mine && theirs && mine.equals(theirs) && existsSync(path.join(ROOT, "node_modules"))) {
    symlinkSync(path.join(ROOT, "node_modules"), path.join(project, "node_modules"), "dir");
    return;
  }
  // Quietly: CI puts stderr into the report. Its output is shown only when it fails.
  const r = await spawned(process.platform === "win32" ? "npm.cmd" : "npm", ["ci", "--no-audit", "--no-fund"], project);
  if (r.code !== 0) {
    const tail = `${r.stdout}${r.stderr}`.trim().split("\n").slice(-20).join("\n");
    throw new Error(`--base ${ref}: its package-lock.json differs from this one, and npm ci in its worktree failed (exit ${r.code}):\n${tail}`);
  }
}
