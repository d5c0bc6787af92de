/**
 * The commands as processes, as `npm run <command>` runs them: one smoke test each. Tests call the commands
 * in-process (runPlan, runPolicy, runAccess); these prove the files still run as programs. Each process starts when
 * this file loads and runs alongside the in-process tests of the other files; the tests here await them.
 */
import { strict as assert } from "node:assert";
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { copyFile, mkdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../tools/offline";
import { spawnTool, type Ran } from "./helpers/cli";

const execFileAsync = promisify(execFile);

describe("npm run plan -- --help (spawned)", () => {
  // The file runs as a program and answers without loading the SDK. A whole run as a process is the access smoke
  // test below (same main()); the plan itself is tested in-process (test/plan.test.ts).
  const ran = spawnTool("plan", ["--help"]);

  it("prints the usage on stdout, exit 0", async () => {
    const r = await ran;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.match(r.stdout, /^usage: npm run plan -- <stack> \[--config-file FILE\] \[--json\]\n/);
  });
});

describe("npm run policy -- dev --policy-config <missing> (spawned)", () => {
  // A bad input, as a process: the message alone on stderr and exit 2, before the SDK is even loaded. The pack's
  // verdicts are tested in-process (test/policyCommand.test.ts).
  const missing = path.join(mkdtempSync(path.join(tmpdir(), "eks-irsa-smoke-")), "pack.json");
  const ran = spawnTool("policy", ["dev", "--policy-config", missing]);

  it("prints one line naming the file, no stack trace, exit 2", async () => {
    const r = await ran;
    assert.deepEqual(r, { code: 2, stdout: "", stderr: `--policy-config ${missing}: no such file\n` });
  });
});

/**
 * npm run access: `--base <git ref>` in a repository of its own: a copy of the project's files (as they are in the working tree),
 * committed one directory down (the project need not be the top of its repository), with the project's
 * node_modules linked in. The command is spawned there as a user runs it (it is also the access command's smoke
 * test), and it spawns the base's own tool in a worktree: both start when this file loads and run alongside the
 * in-process tests; the test awaits them.
 */
describe("access --base <git ref>: the base's own code on the base's config (spawned, as the access smoke test)", function () {
  const top = mkdtempSync(path.join(tmpdir(), "eks-irsa-repo-"));
  const project = path.join(top, "infra", "eks-irsa");

  const git = (...args: string[]) => {
    const r = spawnSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], { cwd: project, encoding: "utf8" });
    assert.equal(r.status, 0, `git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };

  /** git in the copy, without blocking the tests that run meanwhile. */
  const gitAsync = async (cwd: string, ...args: string[]) => (await execFileAsync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], { cwd, encoding: "utf8", maxBuffer: 1 << 24 })).stdout;

  /** The copy committed, then one more action in S3_READ_OBJECT in its working tree, then `access dev --base HEAD`. */
  async function codeChange(): Promise<{ sha: string; ran: Ran }> {
    const listed = await gitAsync(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard");
    await Promise.all(
      listed.split("\0").filter(Boolean).map(async (file) => {
        const from = path.join(ROOT, file);
        if (!(await stat(from).then((st) => st.isFile(), () => false))) return; // deleted in the working tree
        await mkdir(path.dirname(path.join(project, file)), { recursive: true });
        await copyFile(from, path.join(project, file));
      }),
    );
    await symlink(path.join(ROOT, "node_modules"), path.join(project, "node_modules"), "dir");
    await gitAsync(top, "init", "-q");
    await writeFile(path.join(top, ".git", "info", "exclude"), "node_modules\n"); // a symlink: `node_modules/` in .gitignore does not match it
    await gitAsync(project, "add", "-A");
    await gitAsync(project, "commit", "-q", "-m", "base");
    const file = path.join(project, "core/access.ts");
    const code = await readFile(file, "utf8");
    const edited = code.replace('export const S3_READ_OBJECT = ["s3:GetObject", "s3:GetObjectVersion"];', 'export const S3_READ_OBJECT = ["s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion"];');
    assert.notEqual(edited, code, "S3_READ_OBJECT is where the test expects it");
    await writeFile(file, edited);
    const sha = (await gitAsync(project, "rev-parse", "--short", "HEAD")).trim();
    return { sha, ran: await spawnTool("access", ["dev", "--base", "HEAD", "--config-file", "Pulumi.dev.yaml"], project) };
  }
  const changed = codeChange();
  changed.catch(() => undefined); // awaited, and a failure reported, by the test

  after(() => rmSync(top, { recursive: true, force: true }));

  it("a code change (one more action in S3_READ_OBJECT) shows as gained access; the worktree is removed", async () => {
    const { sha, ran: r } = await changed;
    assert.equal(r.code, 0, r.stderr);
    const [header, ...lines] = r.stdout.trim().split("\n");
    assert.equal(header, `eks-irsa access changes: stack dev, HEAD (${sha}) -> working tree (Pulumi.dev.yaml)`);
    // Only that: the same config and otherwise the same code at the base.
    assert.ok(lines.length >= 3, r.stdout);
    for (const line of lines) assert.match(line, /^\S+ gains s3:GetObjectAcl on arn:aws:s3:::\S+$/);
    assert.ok(lines.includes("web/frontend gains s3:GetObjectAcl on arn:aws:s3:::acme-dev-static-assets/static/*"), r.stdout);
    assert.equal(git("worktree", "list", "--porcelain").match(/^worktree /gm)?.length, 1, "the base's worktree is removed");
    assert.ok(existsSync(path.join(ROOT, "node_modules", "tsx")), "the linked node_modules is left alone");
  });
});
