import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import type { AccessModel } from "../../tools/access/model";
import { ROOT } from "../../tools/offline";

/** Runs `npm run access -- ...` as a user would (node with tsx), returning exit code and streams. */
function access(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "tools/access.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = (name: string, text: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "eks-irsa-access-")), name);
  writeFileSync(file, text);
  return file;
};

describe("tools/access: the access report command", () => {
  it("dev --format json prints only the model: identities with assumers and checked rows", () => {
    const r = access("dev", "--format", "json");
    assert.equal(r.code, 0, r.stderr);
    const model = JSON.parse(r.stdout) as AccessModel;
    assert.deepEqual(Object.keys(model), ["stack", "region", "accountId", "identities", "errors"]);
    assert.deepEqual([model.stack, model.region, model.accountId, model.errors], ["dev", "us-east-1", "111122223333", []]);
    const frontend = model.identities.find((i) => i.label === "frontend")!;
    assert.equal(frontend.assumers[0].type === "service-account" && frontend.assumers[0].serviceAccount, "web/frontend");
    const row = frontend.grants.find((g) => g.action === "s3:GetObject")!;
    assert.equal(row.resource, "arn:aws:s3:::acme-dev-static-assets/static/*");
    assert.equal(row.check?.decision, "Allowed");
  });

  it("--base HEAD with the stack file as committed: no access changes", () => {
    // The committed file, so that edits in progress in the working tree do not count.
    const shown = spawnSync("git", ["show", "HEAD:Pulumi.dev.yaml"], { cwd: ROOT, encoding: "utf8" });
    assert.equal(shown.status, 0, shown.stderr);
    const r = access("dev", "--config-file", tmp("Pulumi.dev.yaml", shown.stdout), "--base", "HEAD");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^eks-irsa access changes: stack dev, HEAD -> .*Pulumi\.dev\.yaml\nno access changes between HEAD and .*Pulumi\.dev\.yaml\n$/);
  });

  it("--base FILE: a base without the frontend workload shows it as new, with what it gains", () => {
    const doc = parseYaml(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    const workloads = doc.config["eks-irsa:workloads"] as { name: string }[];
    doc.config["eks-irsa:workloads"] = workloads.filter((w) => w.name !== "frontend");
    const r = access("dev", "--base", tmp("base.yaml", stringifyYaml(doc)));
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.match(lines[0], /^eks-irsa access changes: stack dev, .*base\.yaml -> working tree$/);
    assert.deepEqual(lines.slice(1), [
      "new workload frontend: arn:aws:iam::111122223333:role/irsa-dev-frontend, assumed by web/frontend",
      "web/frontend gains s3:GetObject on arn:aws:s3:::acme-dev-static-assets/static/*",
      "web/frontend gains s3:GetObjectVersion on arn:aws:s3:::acme-dev-static-assets/static/*",
      "web/frontend gains s3:ListBucket on arn:aws:s3:::acme-dev-static-assets when s3:prefix StringLike static/ | static/*",
    ]);
  });

  it("usage and config errors exit 2 with a message: unknown format, unknown ref, invalid base, missing stack", () => {
    const format = access("dev", "--format", "xml");
    assert.deepEqual([format.code, format.stdout], [2, ""]);
    assert.match(format.stderr, /--format must be one of text, md, json/);
    const ref = access("dev", "--base", "no-such-ref");
    assert.equal(ref.code, 2);
    assert.match(ref.stderr, /--base no-such-ref: not a file, and `git show no-such-ref:Pulumi\.dev\.yaml` failed/);
    const invalid = access("dev", "--base", tmp("bad.yaml", "config:\n  aws:region: us-east-1\n  eks-irsa:cluster: { name: c1 }\n  eks-irsa:workloads:\n    - { name: a, namespace: Data_Pipeline }\n"));
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /^--base .*bad\.yaml: invalid eks-irsa config \(1 problem\):\n {2}workloads\[0\]\.namespace: "Data_Pipeline"/);
    assert.equal(access("nosuchstack").code, 2);
  });
});
