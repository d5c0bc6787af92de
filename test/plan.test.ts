import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { ROOT } from "../tools/offline";
import { runPlan } from "../tools/plan";
import { SECRET_PLACEHOLDER } from "../tools/stackFile";
import { call, type Ran } from "./helpers/cli";

const plan = (...args: string[]) => call(runPlan, ...args);

interface PlannedResource {
  type: string;
  name: string;
  id: string | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  provider: string | null;
  parent: string | null;
  dependsOn: string[];
  protect: boolean;
}

const tmpFile = (name: string, text: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "eks-irsa-plan-")), name);
  writeFileSync(file, text);
  return file;
};

/** A stack file: `Pulumi.<stack>.yaml` of this project with `edit` applied to its config map. */
function stackFileWith(stack: string, edit: (config: Record<string, unknown>) => void): string {
  const doc = parseYaml(readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  edit(doc.config);
  return tmpFile(`Pulumi.${stack}.yaml`, stringifyYaml(doc));
}

/** prod, except that it adopts its own provider while an oidc-mode target creates one in its account. */
const ADOPTING_WITH_OIDC_TARGET = (config: Record<string, unknown>) => {
  config["eks-irsa:crossAccount"] = [
    {
      name: "security",
      accountId: "444455556666",
      deployRoleArn: "arn:aws:iam::444455556666:role/deployer",
      mode: "oidc",
      permissionsBoundaryArn: "arn:aws:iam::444455556666:policy/target-boundary",
      roles: [{ name: "log-writer", workloads: ["frontend"], s3: [{ bucket: "security-logs", prefix: "eks/", access: "write" }] }],
    },
  ];
};

describe("tools/plan: the offline plan command", () => {
  // `plan prod --json`, read by two tests.
  let prodJson: Ran;
  before(async () => {
    prodJson = await plan("prod", "--json");
  });

  it("prod --json prints only JSON: every resource with type, name, id, inputs, outputs, provider, parent, dependsOn, protect; provider adopted; SAs annotated", async () => {
    const r = prodJson;
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { stack: string; resources: PlannedResource[] };
    assert.deepEqual(Object.keys(json), ["stack", "resources"]);
    assert.equal(json.stack, "prod");
    for (const res of json.resources) assert.deepEqual(Object.keys(res), ["type", "name", "id", "inputs", "outputs", "provider", "parent", "dependsOn", "protect"]);
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
      assert.equal(sa.provider, "pulumi:providers:kubernetes::acme-prod-k8s");
    }
  });

  it("--json: the promised orderings and placements can be checked from the JSON alone", async () => {
    const { resources } = JSON.parse(prodJson.stdout) as { resources: PlannedResource[] };
    const ref = (x: PlannedResource) => `${x.type}::${x.name}`;
    const stack = resources.find((x) => x.type === "pulumi:pulumi:Stack")!;
    assert.equal(stack.parent, null);
    for (const x of resources.filter((y) => y !== stack)) assert.ok(resources.some((p) => ref(p) === x.parent), `${ref(x)}: parent ${x.parent} is registered`);
    // Every resource of the target account goes through the target's provider; nothing else does.
    const inTarget = resources.filter((x) => x.parent === "eks-irsa:index:TargetAccount::analytics" && x.type.startsWith("aws:"));
    assert.deepEqual(inTarget.map((x) => x.type).sort(), ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"]);
    for (const x of inTarget) assert.equal(x.provider, "pulumi:providers:aws::analytics", ref(x));
    for (const x of resources.filter((y) => !inTarget.includes(y))) assert.notEqual(x.provider, "pulumi:providers:aws::analytics", ref(x));
    // Target roles after their source roles; ESO's objects after the chart; protect as configured.
    const target = resources.find((x) => x.type === "aws:iam/role:Role" && x.name === "analytics/datalake-reader")!;
    assert.ok(target.dependsOn.includes("eks-irsa:index:WorkloadIdentity::data-processor"), JSON.stringify(target.dependsOn));
    for (const x of resources.filter((y) => y.type.startsWith("kubernetes:external-secrets.io/"))) {
      assert.ok(x.dependsOn.includes("kubernetes:helm.sh/v3:Release::external-secrets"), ref(x));
    }
    assert.ok(resources.every((x) => x.protect === false), "prod adopts its provider: nothing to protect");
    const dev = JSON.parse((await plan("dev", "--json")).stdout) as { resources: PlannedResource[] };
    assert.deepEqual(
      dev.resources.filter((x) => x.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((x) => [x.protect, x.provider, x.parent]),
      [[false, null, "eks-irsa:index:ClusterOidcProvider::irsa-dev-oidc"]],
    );
  });

  it("dev prints the readable plan: the created provider in the stack's account, the outputs", async () => {
    const r = await plan("dev");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^eks-irsa offline plan: stack dev, region us-east-1/);
    assert.match(r.stdout, /\noidc {6}CREATE IAM OIDC provider for https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/\w+ in the stack's account \(111122223333\)\n/);
    assert.match(r.stdout, /workload {2}data-processor/);
    assert.match(r.stdout, /\noutputs {3}\(pulumi stack output\)\n {2}clusterName +irsa-dev\n/);
    assert.match(r.stdout, /\n {2}workloads\.frontend\.roleArn +arn:aws:iam::111122223333:role\/irsa-dev-frontend\n/);
    assert.doesNotMatch(r.stdout, /boundary/, "dev sets no permissions boundary");
  });

  it("prod: the adopted provider, and the permissions boundary of every role", async () => {
    const r = await plan("prod");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\noidc {6}ADOPT existing IAM OIDC provider arn:aws:iam::123456789012:oidc-provider\/\S+ in the stack's account \(123456789012\)\n/);
    // roleDefaults binds the roles of the stack's account; the analytics target sets none of its own.
    assert.equal(r.stdout.match(/^ {2}role {8}arn:aws:iam::123456789012:/gm)?.length, 4);
    assert.equal(r.stdout.match(/^ {2}boundary {4}/gm)?.length, 4);
    assert.match(r.stdout, /^ {2}role {8}arn:aws:iam::123456789012:role\/eks-irsa\/acme-prod-frontend\n {2}boundary {4}arn:aws:iam::123456789012:policy\/eks-workload-boundary\n/m);
  });

  it("a stack that adopts its provider while an oidc target creates one: each provider with its account", async () => {
    const r = await plan("prod", "--config-file", stackFileWith("prod", ADOPTING_WITH_OIDC_TARGET));
    assert.equal(r.code, 0, r.stderr);
    const oidc = r.stdout.split("\n").filter((l) => l.startsWith("oidc "));
    const host = "oidc.eks.us-east-1.amazonaws.com/id/5C5DB1A4E4F9B7A64B02A1D6E3A1F2C7";
    assert.deepEqual(oidc, [
      `oidc      ADOPT existing IAM OIDC provider arn:aws:iam::123456789012:oidc-provider/${host} in the stack's account (123456789012)`,
      `oidc      CREATE IAM OIDC provider for https://${host} in target security's account (444455556666), protected`,
    ]);
    assert.match(r.stdout, /\ntarget {4}security: account 444455556666[^\n]*\n {2}role {8}\S+\n {2}boundary {4}arn:aws:iam::444455556666:policy\/target-boundary\n/);
  });

  it("a nested secure kubeconfig runs offline, is never printed, and the plan says it is a secret", async () => {
    const ciphertext = "v1:AAABAK2h0RMvUUlTc2VjcmV0LWt1YmVjb25maWc=";
    const file = stackFileWith("prod", (config) => {
      (config["eks-irsa:cluster"] as Record<string, unknown>).kubeconfig = { secure: ciphertext };
    });
    assert.match(readFileSync(file, "utf8"), /\n {4}kubeconfig:\n {6}secure: v1:/, "nested in the structured cluster value");
    const text = await plan("prod", "--config-file", file);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /\nsecure {4}cluster\.kubeconfig: a secure value of the stack file, not decrypted offline/);
    const json = await plan("prod", "--config-file", file, "--json");
    assert.equal(json.code, 0, json.stderr);
    const provider = (JSON.parse(json.stdout) as { resources: PlannedResource[] }).resources.find((x) => x.type === "pulumi:providers:kubernetes")!;
    assert.equal(provider.inputs.kubeconfig, SECRET_PLACEHOLDER);
    for (const out of [text.stdout, json.stdout]) assert.ok(!out.includes(ciphertext) && !out.includes("AAABAK2h"), "the ciphertext is not echoed");
  });

  it("exits 1 on a mandatory violation, as pulumi preview would, text and --json", async () => {
    // The stack raised its trust policy quota to 4,096 (so its config is valid); the pack, run with its defaults
    // as `pulumi preview --policy-pack policy` runs it without a pack config, holds trust policies to 2,048.
    const file = tmpFile("quota.yaml", stringifyYaml({
      config: {
        "aws:region": "us-east-1",
        "eks-irsa:cluster": { name: "c1", oidcIssuerUrl: `https://oidc.example.com/${"p".repeat(600)}` },
        "eks-irsa:roleDefaults": { trustPolicyQuota: 4096 },
        "eks-irsa:workloads": [{ name: "app", namespace: "team" }],
      },
    }));
    const text = await plan("dev", "--config-file", file);
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout, /\npolicy {4}1 violation \(1 mandatory\):\n {2}\[mandatory\] policy-over-size-limit {2}aws:iam\/role:Role::app\n {6}trust policy is \d+ characters, over the 2048-character quota\n$/);
    const json = await plan("dev", "--config-file", file, "--json");
    assert.equal(json.code, 1);
    assert.ok(JSON.parse(json.stdout), "stdout stays JSON");
    assert.match(json.stderr, /\[mandatory\] /);
  });

  it("invalid config exits 2 with file, line, path and rule, and prints no plan", async () => {
    const file = tmpFile("bad.yaml", "config:\n  aws:region: us-east-1\n  eks-irsa:cluster: { name: c1 }\n  eks-irsa:workloads:\n    - { name: a, namespace: Data_Pipeline }\n");
    const r = await plan("dev", "--config-file", file, "--json");
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `${file}: invalid eks-irsa config (1 problem):\n  ${file}:5: workloads[0].namespace: "Data_Pipeline" is not a valid Kubernetes namespace (RFC 1123 label: lowercase letters, digits and '-', at most 63 characters)\n`,
    );
  });

  it("--help prints the usage, each option and the exit codes, and exits 0", async () => {
    const r = await plan("--help");
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: npm run plan -- <stack> \[--config-file FILE\] \[--json\]\n/);
    assert.match(r.stdout, /\n {2}<stack> +the stack: reads Pulumi\.<stack>\.yaml next to Pulumi\.yaml \(addons, dev, prod\)\n/);
    assert.match(r.stdout, /\n {2}--json +every registered resource as JSON/);
    assert.match(r.stdout, /\nexit codes: 0 planned; 1 a mandatory policy violation/);
  });
});
