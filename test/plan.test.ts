import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ROOT } from "../tools/offline";

/** Runs `npm run plan -- ...` as a user would (through tsx), returning exit code and streams. */
function plan(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(ROOT, "tools/plan.ts"), ...args], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("tools/plan: the offline plan command", () => {
  it("prod --json prints only JSON: every resource with type, name, id, inputs, outputs; provider adopted; SAs annotated", () => {
    const r = plan("prod", "--json");
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { stack: string; resources: { type: string; name: string; id: string | null; inputs: Record<string, unknown>; outputs: Record<string, unknown> }[] };
    assert.deepEqual(Object.keys(json), ["stack", "resources"]);
    assert.equal(json.stack, "prod");
    for (const res of json.resources) assert.deepEqual(Object.keys(res), ["type", "name", "id", "inputs", "outputs"]);
    assert.ok(!json.resources.some((res) => res.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider"));
    const roles = json.resources.filter((res) => res.type === "aws:iam/role:Role");
    const sas = json.resources.filter((res) => res.type === "kubernetes:core/v1:ServiceAccount");
    assert.equal(sas.length, 4, "three workloads and ESO's reader");
    for (const sa of sas) {
      const md = sa.inputs.metadata as { name: string; namespace: string; annotations: Record<string, string> };
      const role = roles.find((x) => x.outputs.arn === md.annotations["eks.amazonaws.com/role-arn"]);
      assert.ok(role, `${md.name} is annotated with a registered role`);
      const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
      assert.equal(trust.Statement.length, 1);
      assert.ok(trust.Statement[0].Principal.Federated.startsWith("arn:aws:iam::123456789012:oidc-provider/"));
      const sub = Object.entries(trust.Statement[0].Condition.StringEquals).find(([k]) => k.endsWith(":sub"))![1];
      assert.equal(sub, `system:serviceaccount:${md.namespace}:${md.name}`);
    }
  });

  it("dev prints the readable plan", () => {
    const r = plan("dev");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^eks-irsa offline plan: stack dev, region us-east-1/);
    assert.match(r.stdout, /workload {2}data-processor/);
  });

  it("invalid config exits non-zero with the path and rule, and prints no plan", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "eks-irsa-"));
    const file = path.join(dir, "bad.yaml");
    writeFileSync(file, "config:\n  aws:region: us-east-1\n  eks-irsa:cluster: { name: c1 }\n  eks-irsa:workloads:\n    - { name: a, namespace: Data_Pipeline }\n");
    const r = plan("dev", "--config-file", file, "--json");
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /workloads\[0\]\.namespace: "Data_Pipeline" is not a valid Kubernetes namespace \(RFC 1123 label/);
  });

  it("a missing stack or unknown option is a usage error", () => {
    assert.equal(plan("nosuchstack").code, 2);
    assert.equal(plan("dev", "--bogus").code, 2);
  });
});
