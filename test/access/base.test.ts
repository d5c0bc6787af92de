import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runAccess } from "../../tools/access";
import { ROOT } from "../../tools/offline";
import { call } from "../helpers/cli";

/**
 * `--base <git ref>` in a repository of its own: a copy of the project's files (as they are in the working tree),
 * committed one directory down (the project need not be the top of its repository), with the project's
 * node_modules linked in.
 */
describe("tools/access --base <git ref>: the base's own code on the base's config", function () {
  let top: string;
  let project: string;

  const git = (...args: string[]) => {
    const r = spawnSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], { cwd: project, encoding: "utf8" });
    assert.equal(r.status, 0, `git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const access = (...args: string[]) => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "tools/access.ts", ...args], { cwd: project, encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  before(() => {
    top = mkdtempSync(path.join(tmpdir(), "eks-irsa-repo-"));
    project = path.join(top, "infra", "eks-irsa");
    const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
    assert.equal(listed.status, 0, listed.stderr);
    for (const file of listed.stdout.split("\0").filter(Boolean)) {
      const from = path.join(ROOT, file);
      if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the working tree
      mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
      copyFileSync(from, path.join(project, file));
    }
    symlinkSync(path.join(ROOT, "node_modules"), path.join(project, "node_modules"), "dir");
    spawnSync("git", ["init", "-q"], { cwd: top });
    writeFileSync(path.join(top, ".git", "info", "exclude"), "node_modules\n"); // a symlink: `node_modules/` in .gitignore does not match it
    git("add", "-A");
    git("commit", "-q", "-m", "base");
  });

  after(() => rmSync(top, { recursive: true, force: true }));

  it("a code change (one more action in S3_READ_OBJECT) shows as gained access; the worktree is removed", () => {
    const file = path.join(project, "core/access.ts");
    const code = readFileSync(file, "utf8");
    const edited = code.replace('export const S3_READ_OBJECT = ["s3:GetObject", "s3:GetObjectVersion"];', 'export const S3_READ_OBJECT = ["s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion"];');
    assert.notEqual(edited, code, "S3_READ_OBJECT is where the test expects it");
    writeFileSync(file, edited);
    const sha = git("rev-parse", "--short", "HEAD").trim();
    const r = access("dev", "--base", "HEAD", "--config-file", "Pulumi.dev.yaml");
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

describe("tools/access --base <git ref>, in-process", () => {
  it("a stack the base does not have: every identity is new, exit 0", async () => {
    const staging = path.join(mkdtempSync(path.join(tmpdir(), "eks-irsa-staging-")), "Pulumi.staging.yaml");
    copyFileSync(path.join(ROOT, "Pulumi.dev.yaml"), staging);
    const r = await call(runAccess, "staging", "--config-file", staging, "--base", "HEAD");
    assert.equal(r.code, 0, r.stderr);
    const [header, ...lines] = r.stdout.trim().split("\n");
    assert.match(header, /^eks-irsa access changes: stack staging, HEAD \(\w+\), which has no Pulumi\.staging\.yaml -> working tree \(\S+Pulumi\.staging\.yaml\)$/);
    assert.ok(lines.some((l) => l.startsWith("new workload frontend: arn:aws:iam::111122223333:role/irsa-dev-frontend, assumed by web/frontend")), r.stdout);
    assert.ok(!lines.some((l) => /^removed | loses /.test(l)), r.stdout);
  });
});
