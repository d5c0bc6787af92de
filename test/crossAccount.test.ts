import { strict as assert } from "node:assert";
import { loadEsoModels, type EsoModels } from "../core/esoModels";
import { ConfigError } from "../config/validate";
import { parsePolicy, type PolicyDocument } from "../core/document";
import { awsConfigFile } from "../core/crossAccount";
import { evaluateTrust, webIdentityRequest } from "../core/trustEval";
import { permissionDocumentsOf, rolesOf } from "../tools/inventory";
import { readStackFile, runOffline, stackFile, type OfflineRun, type RegisteredResource } from "../tools/offline";
import { program } from "../stacks";
import { renderPlan } from "../tools/planText";
import { configProblems } from "./helpers/problems";
import { decide } from "./helpers/simulate";
import { ofType, one, runStack } from "./helpers/stacks";

const SOURCE = "arn:aws:iam::123456789012:role/eks-irsa/acme-prod-data-processor";
const TARGET = "arn:aws:iam::210987654321:role/eks-irsa/acme-prod-analytics-datalake-reader";
const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789";

/** The resources a run placed in a target account (children of its TargetAccount component). */
function inTarget(run: OfflineRun): RegisteredResource[] {
  return run.resources.filter((r) => r.options.parentType === "eks-irsa:index:TargetAccount" || r.provider?.includes("pulumi:providers:aws::"));
}

describe("cross-account: chained (prod's analytics data lake)", () => {
  let run: OfflineRun;
  before(async () => {
    run = await runStack("prod");
  });

  it("previews with the read-only preview role, deploys with the deploy role; the documents are the same either way", async () => {
    const preview = await runOffline("prod", readStackFile(stackFile("prod")), program, { preview: true });
    const assumed = (r: OfflineRun) => (JSON.parse(String(one(r, "pulumi:providers:aws", "analytics").inputs.assumeRoles)) as { roleArn: string }[])[0].roleArn;
    assert.equal(assumed(preview), "arn:aws:iam::210987654321:role/eks-irsa-previewer");
    assert.equal(assumed(run), "arn:aws:iam::210987654321:role/eks-irsa-deployer");
    const target = (r: OfflineRun) => inTarget(r).filter((x) => x.type.startsWith("aws:iam/")).map((x) => [x.type, x.name, x.inputs]);
    assert.deepEqual(target(preview), target(run));
  });

  it("deploys the target account through its own provider, assuming the configured deploy role", () => {
    const provider = one(run, "pulumi:providers:aws", "analytics");
    assert.deepEqual(JSON.parse(String(provider.inputs.assumeRoles)), [{ roleArn: "arn:aws:iam::210987654321:role/eks-irsa-deployer", sessionName: "eks-irsa-prod" }]);
    assert.deepEqual(JSON.parse(String(provider.inputs.allowedAccountIds)), ["210987654321"]);
    const placed = inTarget(run).filter((r) => r.type.startsWith("aws:"));
    assert.deepEqual(placed.map((r) => r.type).sort(), ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"]);
    for (const r of placed) assert.match(r.provider ?? "", /pulumi:providers:aws::analytics::/, `${r.type} ${r.name} uses the target's provider`);
    // Nothing else of the stack uses it.
    for (const r of run.resources.filter((x) => !placed.includes(x))) assert.ok(!(r.provider ?? "").includes("providers:aws::analytics"), r.name);
    assert.equal(one(run, "aws:iam/role:Role", "analytics/datalake-reader").outputs.arn, TARGET);
  });

  it("the target role trusts exactly the source role (aws:PrincipalArn), never the account, and is created after it", () => {
    const target = one(run, "aws:iam/role:Role", "analytics/datalake-reader");
    assert.ok(target.options.dependsOn.includes("eks-irsa:index:WorkloadIdentity::data-processor"), "IAM rejects a trust naming a role that does not exist yet");
    const trust = parsePolicy(target.inputs.assumeRolePolicy);
    assert.deepEqual(trust.Statement, [
      { Effect: "Allow", Principal: { AWS: SOURCE }, Action: "sts:AssumeRole", Condition: { ArnEquals: { "aws:PrincipalArn": SOURCE } } },
    ]);
  });

  it("the source role may assume exactly the target role: iam-simulate on both sides", async () => {
    const source = rolesOf(run.resources).find((r) => r.arn === SOURCE)!;
    const target = rolesOf(run.resources).find((r) => r.arn === TARGET)!;
    const identity = permissionDocumentsOf(source);
    // AWS sets aws:PrincipalArn to the calling session's role ARN.
    const assume = (principal: string, resource = TARGET, docs = identity) =>
      decide(docs, { action: "sts:AssumeRole", resource, principal, resourceAccount: "210987654321", context: { "aws:PrincipalArn": principal } }, target.trust);
    assert.equal(await assume(SOURCE), "Allowed");
    // Another role of the same account, even one granted sts:AssumeRole on everything, is not trusted.
    const other = "arn:aws:iam::123456789012:role/eks-irsa/acme-prod-backend";
    const anything: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] };
    assert.equal(await assume(other, TARGET, [anything]), "ImplicitlyDenied");
    // The source cannot assume another role of the target account.
    const sibling = "arn:aws:iam::210987654321:role/eks-irsa/acme-prod-analytics-admin";
    assert.equal(await assume(SOURCE, sibling), "ImplicitlyDenied");
    // Without the aws:PrincipalArn match (a principal the condition does not name), the trust does not apply.
    assert.equal(await decide(identity, { action: "sts:AssumeRole", resource: TARGET, principal: SOURCE, resourceAccount: "210987654321", context: { "aws:PrincipalArn": other } }, target.trust), "ImplicitlyDenied");
  });

  it("the target role's grants are built for the target account by the same builders", async () => {
    const target = rolesOf(run.resources).find((r) => r.arn === TARGET)!;
    const docs = permissionDocumentsOf(target);
    const read = { action: "s3:GetObject", resource: "arn:aws:s3:::acme-analytics-datalake/curated/2026/11/part-0.parquet", principal: TARGET };
    assert.equal(await decide(docs, read), "Allowed");
    assert.equal(await decide(docs, { ...read, resource: "arn:aws:s3:::acme-analytics-datalake/raw/x" }), "ImplicitlyDenied");
    assert.equal(await decide(docs, { ...read, action: "s3:PutObject" }), "ImplicitlyDenied");
    assert.deepEqual(target.tags["eks-irsa:kind"], "cross-account");
  });

  it("gives the source workload an AWS config profile chaining its web identity to the target role", () => {
    const cm = one(run, "kubernetes:core/v1:ConfigMap", "data-processor-aws-config");
    assert.deepEqual(cm.inputs.metadata, {
      name: "data-processor-aws-config",
      namespace: "data-pipeline",
      labels: { "app.kubernetes.io/managed-by": "eks-irsa", "eks-irsa/workload": "data-processor" },
    });
    assert.equal(
      (cm.inputs.data as { config: string }).config,
      [
        "# AWS profiles of workload data-processor, written by eks-irsa. Mount at /etc/aws, set",
        "# AWS_CONFIG_FILE=/etc/aws/config and pick a profile below: AWS_PROFILE (AWS CLI, Python, JavaScript)",
        "# or in code (Go: config.WithSharedConfigProfile, Java: ProfileCredentialsProvider.create).",
        "[profile irsa]",
        `role_arn = ${SOURCE}`,
        "web_identity_token_file = /var/run/secrets/eks.amazonaws.com/serviceaccount/token",
        "region = us-east-1",
        "sts_regional_endpoints = regional",
        "",
        "# account 210987654321",
        "[profile analytics-datalake-reader]",
        `role_arn = ${TARGET}`,
        "source_profile = irsa",
        "role_session_name = data-processor",
        "region = us-east-1",
        "sts_regional_endpoints = regional",
        "",
      ].join("\n"),
    );
  });

  it("the plan shows the cross-account edge and the profile", () => {
    const text = renderPlan(run);
    assert.match(text, /target {4}analytics: account 210987654321, deployed through a provider assuming arn:aws:iam::210987654321:role\/eks-irsa-deployer/);
    assert.ok(text.includes(`allow sts:AssumeRole  on ${TARGET}`));
    assert.ok(text.includes(`assumed by  ${SOURCE}  when aws:PrincipalArn ArnEquals ${SOURCE}`));
    assert.match(text, /profiles {2}CREATE ConfigMap data-pipeline\/data-processor-aws-config: AWS config with profiles irsa, analytics-datalake-reader/);
  });
});

function stack(crossAccount: unknown[], workloads: unknown[] = [{ name: "app", namespace: "team" }, { name: "jobs", namespace: "batch", serviceAccount: "job-*" }]) {
  return {
    "aws:region": "eu-west-1",
    "eks-irsa:cluster": { name: "c1", oidcIssuerUrl: ISSUER },
    "eks-irsa:workloads": workloads,
    "eks-irsa:crossAccount": crossAccount,
  };
}

describe("cross-account: oidc (the target account trusts the cluster directly)", () => {
  let run: OfflineRun;
  before(async () => {
    run = await runStack("oidc", stack([
      {
        name: "security",
        accountId: "444455556666",
        deployRoleArn: "arn:aws:iam::444455556666:role/deployer",
        externalId: "eks-irsa-c1",
        mode: "oidc",
        roles: [{ name: "log-writer", workloads: ["app", "worker"], s3: [{ bucket: "security-logs", prefix: "eks/", access: "write" }] }],
      },
    ], [{ name: "app", namespace: "team" }, { name: "worker", namespace: "batch", tokenExpirationSeconds: 900 }]));
  });

  it("creates an IAM OIDC provider for the cluster's issuer in the target account, through its provider", () => {
    const providers = ofType(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    assert.equal(providers.length, 2, "one in the cluster's account, one in the target's");
    const target = providers.find((p) => (p.provider ?? "").includes("providers:aws::security"))!;
    assert.equal(target.inputs.url, ISSUER);
    assert.equal(target.outputs.arn, "arn:aws:iam::444455556666:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789");
    assert.deepEqual(JSON.parse(String(one(run, "pulumi:providers:aws", "security").inputs.assumeRoles)), [
      { roleArn: "arn:aws:iam::444455556666:role/deployer", sessionName: "eks-irsa-oidc", externalId: "eks-irsa-c1" },
    ]);
  });

  it("the target role trusts each source's dedicated ServiceAccount through that provider, with the core's sub/aud conditions", () => {
    const role = one(run, "aws:iam/role:Role", "security/log-writer");
    assert.match(role.provider ?? "", /providers:aws::security::/);
    const trust = parsePolicy(role.inputs.assumeRolePolicy);
    const providerArn = "arn:aws:iam::444455556666:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789";
    const host = ISSUER.replace("https://", "");
    const ask = (sub: string, provider = providerArn, aud = "sts.amazonaws.com") => evaluateTrust(trust, webIdentityRequest(provider, host, { sub, aud }));
    assert.equal(ask("system:serviceaccount:team:app-security-log-writer"), "Allowed");
    assert.equal(ask("system:serviceaccount:batch:worker-security-log-writer"), "Allowed");
    assert.equal(ask("system:serviceaccount:team:app"), "ImplicitlyDenied", "the workload's own ServiceAccount names its own role");
    assert.equal(ask("system:serviceaccount:team:other"), "ImplicitlyDenied");
    assert.equal(ask("system:serviceaccount:team:app-security-log-writer", "arn:aws:iam::111122223333:oidc-provider/" + host), "ImplicitlyDenied", "the source account's provider is not the principal");
    assert.equal(ask("system:serviceaccount:team:app-security-log-writer", providerArn, "other"), "ImplicitlyDenied");
    assert.equal((role.inputs.tags as Record<string, string>)["eks-irsa:binding"], "shared");
  });

  it("creates the dedicated ServiceAccounts in the cluster, annotated with the target role, so every SDK's default chain uses it", () => {
    const sas = ofType(run, "kubernetes:core/v1:ServiceAccount").filter((r) => r.options.parentType === "eks-irsa:index:TargetAccount");
    assert.deepEqual(sas.map((r) => r.inputs.metadata), [
      {
        name: "app-security-log-writer",
        namespace: "team",
        labels: { "app.kubernetes.io/managed-by": "eks-irsa", "eks-irsa/target": "security.log-writer" },
        annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::444455556666:role/c1-security-log-writer", "eks.amazonaws.com/sts-regional-endpoints": "true" },
      },
      {
        name: "worker-security-log-writer",
        namespace: "batch",
        labels: { "app.kubernetes.io/managed-by": "eks-irsa", "eks-irsa/target": "security.log-writer" },
        annotations: {
          "eks.amazonaws.com/role-arn": "arn:aws:iam::444455556666:role/c1-security-log-writer",
          "eks.amazonaws.com/sts-regional-endpoints": "true",
          "eks.amazonaws.com/token-expiration": "900",
        },
      },
    ]);
    for (const sa of sas) assert.match(sa.provider ?? "", /pulumi:providers:kubernetes::c1-k8s::/);
  });

  it("source roles get no sts:AssumeRole in oidc mode, and no AWS profile is needed", () => {
    const app = rolesOf(run.resources).find((r) => r.resourceName === "app")!;
    assert.equal(permissionDocumentsOf(app).length, 0);
    assert.equal(ofType(run, "kubernetes:core/v1:ConfigMap").length, 0);
  });

  it("an adopted provider in the target account is referenced, not created", async () => {
    const adopted = "arn:aws:iam::444455556666:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789";
    const r = await runStack("adopt", stack([{ name: "security", accountId: "444455556666", deployRoleArn: "arn:aws:iam::444455556666:role/deployer", mode: "oidc", oidcProviderArn: adopted, roles: [{ name: "reader", workloads: ["app"] }] }]));
    assert.equal(ofType(r, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").length, 1);
    assert.equal(JSON.stringify(parsePolicy(one(r, "aws:iam/role:Role", "security/reader").inputs.assumeRolePolicy)).includes(adopted), true);
  });
});

describe("cross-account: config validation", () => {
  let models: EsoModels;
  before(async () => {
    models = await loadEsoModels();
  });
  const target = (over: Record<string, unknown> = {}) => ({
    name: "analytics",
    accountId: "210987654321",
    deployRoleArn: "arn:aws:iam::210987654321:role/deployer",
    mode: "chained",
    roles: [{ name: "reader", workloads: ["app"] }],
    ...over,
  });
  const problems = (crossAccount: unknown[]) => {
    const raw = Object.fromEntries(Object.entries(stack(crossAccount)).filter(([k]) => k.startsWith("eks-irsa:")).map(([k, v]) => [k.slice("eks-irsa:".length), v]));
    return configProblems(raw, "eu-west-1", models, ["123456789012"]);
  };
  const table: [string, unknown[], string][] = [
    ["an unknown source workload", [target({ roles: [{ name: "reader", workloads: ["ghost"] }] })], 'crossAccount[0].roles[0].workloads[0]: "ghost" is not a workload of this stack (eks-irsa:workloads)'],
    ["a deploy role in another account", [target({ deployRoleArn: "arn:aws:iam::999999999999:role/deployer" })], 'crossAccount[0].deployRoleArn: "arn:aws:iam::999999999999:role/deployer" is in account 999999999999, not the target account 210987654321'],
    ["a preview role in another account", [target({ previewRoleArn: "arn:aws:iam::999999999999:role/previewer" })], 'crossAccount[0].previewRoleArn: "arn:aws:iam::999999999999:role/previewer" is in account 999999999999, not the target account 210987654321'],
    ["a preview role that is the deploy role", [target({ previewRoleArn: "arn:aws:iam::210987654321:role/deployer" })], "crossAccount[0].previewRoleArn: is the deploy role: name a read-only role"],
    ["an OIDC provider in chained mode", [target({ oidcProviderArn: "arn:aws:iam::210987654321:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789" })], "crossAccount[0].oidcProviderArn: only mode oidc uses an OIDC provider in the target account"],
    ["a target provider for another issuer", [target({ mode: "oidc", oidcProviderArn: "arn:aws:iam::210987654321:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/00000000000000000000000000000000" })], "crossAccount[0].oidcProviderArn: "],
    ["the same account twice", [target(), target({ name: "analytics2" })], "crossAccount[1].accountId: account 210987654321 is already a target (crossAccount[0]): put its roles together"],
    ["an unknown mode", [target({ mode: "direct" })], 'crossAccount[0].mode: "direct" is not a cross-account mode (chained, oidc or pod-identity)'],
    ["an account id given as a YAML number", [target({ accountId: 210987654321 })], "crossAccount[0].accountId: expected string, got number 210987654321"],
    ["a role without source workloads", [target({ roles: [{ name: "reader", workloads: [] }] })], "crossAccount[0].roles[0].workloads: "],
    ["two roles of one name", [target({ roles: [{ name: "r", workloads: ["app"] }, { name: "r", workloads: ["app"] }] })], 'crossAccount[0].roles[1].name: duplicate role name "r" in target analytics (also roles[0])'],
    ["more tags than a target role may carry", [target({ roles: [{ name: "r", workloads: ["app"], tags: Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`k${i}`, "v"])) }] })], "crossAccount[0].roles[0].tags: the role would carry 51 tags"],
    ["a target in the stack's own account", [target({ accountId: "123456789012", deployRoleArn: "arn:aws:iam::123456789012:role/deployer" })], "crossAccount[0].accountId: 123456789012 is the stack's own account (aws:allowedAccountIds or cluster.oidcProviderArn): grant the workload directly instead"],
    ["two targets whose profiles would share a name", [target({ name: "a-b", roles: [{ name: "c", workloads: ["app"] }] }), target({ name: "a", accountId: "210987654322", deployRoleArn: "arn:aws:iam::210987654322:role/deployer", roles: [{ name: "b-c", workloads: ["app"] }] })], "crossAccount[1].roles[0].name: workload app's AWS profile a-b-c would also name crossAccount[0].roles[0]: rename the target or the role"],
    ["an oidc target for a pattern-bound workload", [target({ mode: "oidc", roles: [{ name: "reader", workloads: ["jobs"] }] })], 'crossAccount[0].roles[0].workloads[0]: mode oidc gives each source a dedicated ServiceAccount named after its own, but workload jobs binds the pattern "job-*": use mode chained'],
    ["a permissions boundary of another account, at the target's own key (not roleDefaults')", [target({ permissionsBoundaryArn: "arn:aws:iam::999999999999:policy/boundary" })], 'crossAccount[0].permissionsBoundaryArn: "arn:aws:iam::999999999999:policy/boundary" is in account 999999999999, not the target account 210987654321'],
    ["a deploy role that is not a role ARN", [target({ deployRoleArn: "arn:aws:iam::210987654321:user/deployer" })], 'crossAccount[0].deployRoleArn: "arn:aws:iam::210987654321:user/deployer" is not a valid IAM role ARN'],
  ];
  for (const [title, crossAccount, expected] of table) {
    it(`rejects ${title}`, () => {
      const found = problems(crossAccount);
      assert.ok(found.some((p) => p.startsWith(expected)), `expected ${expected}\n got: ${found.join("\n      ")}`);
    });
  }

  it("an unknown source workload registers nothing", async () => {
    await assert.rejects(runStack("bad", stack([target({ roles: [{ name: "reader", workloads: ["ghost"] }] })])), (e: Error) => e instanceof ConfigError);
  });

  it("the profile lists every chained role of a workload, sorted, chained from the irsa profile, with its account", () => {
    const chained = (target: string, role: string) => ({ profile: `${target}-${role}`, roleArn: `arn:aws:iam::210987654321:role/${target}-${role}` });
    const text = awsConfigFile("w", "arn:aws:iam::123456789012:role/w", "eu-west-1", [chained("c", "r"), chained("a", "r")]);
    assert.deepEqual([...text.matchAll(/^\[profile ([^\]]+)\]$/gm)].map((m) => m[1]), ["irsa", "a-r", "c-r"]);
    assert.match(text, /# account 210987654321\n\[profile a-r\]\nrole_arn = arn:aws:iam::210987654321:role\/a-r\nsource_profile = irsa/);
  });
});
