import { strict as assert } from "node:assert";
import { ConfigError } from "../config/validate";
import { parsePolicy, policySize } from "../core/document";
import { evaluateTrust, webIdentityRequest } from "../core/trustEval";
import { permissionDocumentsOf, rolesOf } from "../tools/inventory";
import { runOffline, type OfflineRun } from "../tools/offline";
import { renderPlan } from "../tools/planText";
import { ofType, one, runStack } from "./helpers/stacks";

const ROLE = "aws:iam/role:Role";
const SA = "kubernetes:core/v1:ServiceAccount";
const OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";

/** Every role's trust admits exactly the ServiceAccounts annotated with it (and, for patterns, only matching ones). */
function assertTrustNamesExactlyItsServiceAccount(run: OfflineRun, providerArn: string, issuerHost: string) {
  for (const role of rolesOf(run.resources)) {
    for (const sa of role.serviceAccounts) {
      const ok = webIdentityRequest(providerArn, issuerHost, { sub: `system:serviceaccount:${sa.namespace}:${sa.name}`, aud: "sts.amazonaws.com" });
      assert.equal(evaluateTrust(role.trust, ok), "Allowed", `${role.roleName} trusts ${sa.namespace}/${sa.name}`);
      const sibling = webIdentityRequest(providerArn, issuerHost, { sub: `system:serviceaccount:${sa.namespace}:default`, aud: "sts.amazonaws.com" });
      assert.equal(evaluateTrust(role.trust, sibling), "ImplicitlyDenied", `${role.roleName} must not trust ${sa.namespace}/default`);
    }
    // No ServiceAccount annotated with one role is trusted by another role.
    for (const other of rolesOf(run.resources).filter((r) => r.arn !== role.arn)) {
      for (const sa of other.serviceAccounts) {
        const req = webIdentityRequest(providerArn, issuerHost, { sub: `system:serviceaccount:${sa.namespace}:${sa.name}`, aud: "sts.amazonaws.com" });
        assert.equal(evaluateTrust(role.trust, req), "ImplicitlyDenied", `${role.roleName} must not trust ${sa.namespace}/${sa.name}`);
      }
    }
  }
}

describe("stacks: dev (creates the cluster and its OIDC provider)", () => {
  let run: OfflineRun;
  before(async () => {
    run = await runStack("dev");
  });

  it("creates the EKS cluster with @pulumi/eks, its own OIDC provider off", () => {
    const cluster = one(run, "eks:index:Cluster", "irsa-dev");
    assert.equal(cluster.inputs.createOidcProvider, false);
    assert.equal(cluster.inputs.version, "1.33");
    assert.equal(cluster.inputs.instanceType, "t3.medium");
    assert.deepEqual([cluster.inputs.minSize, cluster.inputs.desiredCapacity, cluster.inputs.maxSize], [1, 2, 3]);
  });

  it("creates one OIDC provider for the cluster's issuer, audience sts.amazonaws.com, unprotected as configured", () => {
    const [provider] = ofType(run, OIDC);
    assert.equal(ofType(run, OIDC).length, 1);
    assert.equal(provider.inputs.url, one(run, "eks:index:Cluster", "irsa-dev").outputs.oidcProviderUrl);
    assert.deepEqual(provider.inputs.clientIdLists, ["sts.amazonaws.com"]);
    assert.equal(provider.options.protect, false);
  });

  it("gives each workload its own deterministically named role and inline policy (no managed policy, no attachment)", () => {
    assert.deepEqual(ofType(run, ROLE).map((r) => r.inputs.name).sort(), [
      "irsa-dev-backend",
      "irsa-dev-data-processor",
      "irsa-dev-external-secrets",
      "irsa-dev-frontend",
      "irsa-dev-reports",
    ]);
    assert.deepEqual(ofType(run, "aws:iam/rolePolicy:RolePolicy").map((r) => r.inputs.name).sort(), [
      "irsa-dev-backend-access",
      "irsa-dev-data-processor-access",
      "irsa-dev-external-secrets-access",
      "irsa-dev-frontend-access",
      "irsa-dev-reports-access",
    ]);
    for (const role of rolesOf(run.resources)) assert.deepEqual([role.inlinePolicies.length, role.policies.length], [1, 0], role.roleName);
    assert.equal(ofType(run, "aws:iam/policy:Policy").length + ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
  });

  it("trusts exactly each workload's ServiceAccount, and the namespace-wide workload by pattern", () => {
    const provider = ofType(run, OIDC)[0];
    const host = String(provider.inputs.url).replace("https://", "");
    assertTrustNamesExactlyItsServiceAccount(run, String(provider.outputs.arn), host);
    const reports = parsePolicy(one(run, ROLE, "reports").inputs.assumeRolePolicy);
    assert.deepEqual(reports.Statement[0].Condition, {
      StringEquals: { [`${host}:aud`]: "sts.amazonaws.com" },
      StringLike: { [`${host}:sub`]: "system:serviceaccount:reporting:report-*" },
    });
  });

  it("creates annotated ServiceAccounts (not for the pattern) in namespaces it creates, through the cluster's provider", () => {
    const sas = ofType(run, SA).map((r) => r.inputs.metadata as { name: string; namespace: string; annotations: Record<string, string> });
    assert.deepEqual(sas.map((m) => `${m.namespace}/${m.name}`).sort(), ["api/backend", "data-pipeline/s3-processor", "external-secrets/external-secrets-reader", "web/frontend"]);
    const roles = new Map(ofType(run, ROLE).map((r) => [r.name, String(r.outputs.arn)]));
    const frontend = sas.find((m) => m.name === "frontend")!;
    assert.deepEqual(frontend.annotations, { "eks.amazonaws.com/role-arn": roles.get("frontend"), "eks.amazonaws.com/sts-regional-endpoints": "true" });
    assert.deepEqual(ofType(run, "kubernetes:core/v1:Namespace").map((n) => n.name).sort(), ["api", "data-pipeline", "web"]);
    for (const sa of ofType(run, SA)) {
      assert.match(sa.provider ?? "", /pulumi:providers:kubernetes::irsa-dev-k8s::/);
      assert.equal(sa.options.parentType, "eks-irsa:index:WorkloadIdentity");
    }
    const k8sProvider = one(run, "pulumi:providers:kubernetes", "irsa-dev-k8s");
    assert.match(String(k8sProvider.inputs.kubeconfig), /"get-token","--cluster-name","irsa-dev"/);
  });

  it("the data processor reads S3 input, writes DynamoDB results and reads its database secret", () => {
    const role = rolesOf(run.resources).find((r) => r.resourceName === "data-processor")!;
    const json = JSON.stringify(permissionDocumentsOf(role));
    assert.ok(json.includes("arn:aws:s3:::acme-dev-raw-data/incoming/*"));
    assert.ok(json.includes("arn:aws:dynamodb:us-east-1:111122223333:table/processing-results-dev"));
    assert.ok(json.includes("arn:aws:secretsmanager:us-east-1:111122223333:secret:dev/data-pipeline/db-??????"));
    assert.ok(!json.includes("dynamodb:GetItem"), "write-only table");
  });

  it("the plan text shows every workload's role, trust and access", () => {
    const text = renderPlan(run);
    assert.match(text, /cluster {3}irsa-dev: CREATE with @pulumi\/eks/);
    assert.match(text, /oidc {6}CREATE IAM OIDC provider for https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[0-9A-F]{32}/);
    assert.match(text, /assumed by {2}system:serviceaccount:web:frontend {2}via oidc\.eks/);
    assert.match(text, /allow s3:GetObject, s3:GetObjectVersion {2}on arn:aws:s3:::acme-dev-static-assets\/static\/\*/);
    assert.match(text, /system:serviceaccount:reporting:report-\* \(pattern\)/);
    assert.match(text, /5 aws:iam\/role:Role/);
    assert.match(text, /^eso {7}External Secrets Operator controller$/m);
    assert.match(text, /helm {8}CREATE release external-secrets 2\.10\.0 from https:\/\/charts\.external-secrets\.io in namespace external-secrets with its CRDs/);
    assert.match(text, /secret {6}CREATE ExternalSecret api\/payment-api-key -> Secret payment-api-key every 1h via ClusterSecretStore aws-secrets-manager: api-key <- dev\/shared\/payment-api\[key\]/);
  });
});

describe("stacks: prod (existing cluster, adopted OIDC provider)", () => {
  let run: OfflineRun;
  const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C5DB1A4E4F9B7A64B02A1D6E3A1F2C7";
  before(async () => {
    run = await runStack("prod");
  });

  it("adopts the OIDC provider instead of creating one, and creates no cluster", () => {
    assert.equal(ofType(run, OIDC).length, 0);
    assert.equal(ofType(run, "eks:index:Cluster").length, 0);
    assert.equal(run.outputs.oidcProviderArn, PROVIDER);
    assert.equal(run.outputs.oidcProviderAdopted, true);
  });

  it("roles trust exactly their ServiceAccount through the adopted provider", () => {
    assertTrustNamesExactlyItsServiceAccount(run, PROVIDER, "oidc.eks.us-east-1.amazonaws.com/id/5C5DB1A4E4F9B7A64B02A1D6E3A1F2C7");
    for (const role of rolesOf(run.resources).filter((r) => r.tags["eks-irsa:kind"] !== "cross-account")) {
      assert.equal(role.serviceAccounts.length, 1, role.roleName);
    }
  });

  it("applies the prod role defaults: path, boundary, region guardrail, token expiration", () => {
    const role = one(run, ROLE, "backend");
    assert.equal(role.inputs.path, "/eks-irsa/");
    assert.equal(role.outputs.arn, "arn:aws:iam::123456789012:role/eks-irsa/acme-prod-backend");
    assert.equal(role.inputs.permissionsBoundary, "arn:aws:iam::123456789012:policy/eks-workload-boundary");
    assert.equal(role.inputs.maxSessionDuration, 3600);
    const sa = one(run, SA, "backend").inputs.metadata as { annotations: Record<string, string> };
    assert.equal(sa.annotations["eks.amazonaws.com/role-arn"], role.outputs.arn);
    assert.equal(sa.annotations["eks.amazonaws.com/token-expiration"], "3600");
    const policy = JSON.stringify(permissionDocumentsOf(rolesOf(run.resources).find((r) => r.resourceName === "backend")!));
    assert.ok(policy.includes('"aws:RequestedRegion":"us-east-1"'));
    assert.ok(policy.includes("table/orders/index/by-customer") && !policy.includes("index/*"));
  });

  it("builds the Kubernetes provider's kubeconfig from the existing cluster's endpoint", () => {
    const k8sProvider = one(run, "pulumi:providers:kubernetes", "acme-prod-k8s");
    const kubeconfig = JSON.parse(String(k8sProvider.inputs.kubeconfig));
    assert.match(kubeconfig.clusters[0].cluster.server, /^https:\/\/[0-9A-F]{32}\.gr7\.us-east-1\.eks\.amazonaws\.com$/);
    assert.deepEqual(kubeconfig.users[0].user.exec.args.slice(0, 4), ["eks", "get-token", "--cluster-name", "acme-prod"]);
  });

  it("KMS access for the customer-managed key only via S3 and Secrets Manager", () => {
    const [doc] = permissionDocumentsOf(rolesOf(run.resources).find((r) => r.resourceName === "data-processor")!);
    const kms = doc.Statement.filter((s) => JSON.stringify(s.Action).includes("kms:"));
    assert.ok(kms.length > 0 && kms.every((s) => Object.keys(s.Condition ?? {}).join() === "StringEquals"));
    assert.deepEqual(kms.flatMap((s) => s.Condition!.StringEquals["kms:ViaService"]).sort(), ["s3.us-east-1.amazonaws.com", "secretsmanager.us-east-1.amazonaws.com"]);
  });
});

describe("stacks: invalid config and other shapes", () => {
  const cfg = (cluster: Record<string, unknown>, workloads: unknown[], extra: Record<string, unknown> = {}) => ({
    "aws:region": "eu-west-1",
    "eks-irsa:cluster": cluster,
    "eks-irsa:workloads": workloads,
    ...extra,
  });

  it("registers no resource when the config is invalid", async () => {
    await assert.rejects(
      runStack("bad", cfg({ name: "c1" }, [{ name: "a", namespace: "Data_Pipeline" }])),
      (e: Error) => e instanceof ConfigError && /workloads\[0\]\.namespace: "Data_Pipeline"/.test(e.message),
    );
  });

  it("protects a created provider by default and looks up an existing cluster's issuer by name", async () => {
    const run = await runStack("lookup", cfg({ name: "legacy" }, [{ name: "app", namespace: "team-a", createServiceAccount: false }]));
    const [provider] = ofType(run, OIDC);
    assert.equal(provider.options.protect, true);
    assert.match(String(provider.inputs.url), /^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    assert.equal(ofType(run, SA).length, 0);
    assert.equal(ofType(run, "pulumi:providers:kubernetes").length, 0, "no cluster access needed when no ServiceAccount is created");
  });

  it("warns in the plan when the account's role or OIDC provider quota is nearly used", async () => {
    const run = await runStack("quota", cfg({ name: "c5", oidcIssuerUrl: "https://oidc.example.com/c5" }, [{ name: "a", namespace: "ns", createServiceAccount: false }], {
      "eks-irsa:quotas": { rolesAlreadyInAccount: 799, oidcProvidersAlreadyInAccount: 79 },
    }));
    const warnings = run.outputs.warnings as string[];
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /^roles: 800 of the account's 1000-role quota would be in use/);
    assert.match(warnings[1], /^OIDC providers: 80 of the account's 100-provider quota/);
    assert.match(renderPlan(run), /warning: roles: 800/);
    const quiet = await runStack("quota", cfg({ name: "c5", oidcIssuerUrl: "https://oidc.example.com/c5" }, [{ name: "a", namespace: "ns", createServiceAccount: false }], {
      "eks-irsa:quotas": { rolesAlreadyInAccount: 798, oidcProvidersAlreadyInAccount: 78 },
    }));
    assert.deepEqual(quiet.outputs.warnings, []);
  });

  it("a workload without grants gets a role and no policy", async () => {
    const run = await runStack("empty", cfg({ name: "c2", oidcIssuerUrl: "https://oidc.example.com/c2" }, [{ name: "idle", namespace: "ns", createServiceAccount: false }]));
    assert.equal(ofType(run, ROLE).length, 1);
    assert.equal(ofType(run, "aws:iam/policy:Policy").length + ofType(run, "aws:iam/rolePolicy:RolePolicy").length, 0);
  });

  it("warns when the stack's customer-managed policies (only beyond inline budgets) near the account's quota", async () => {
    const s3 = Array.from({ length: 120 }, (_, i) => ({ bucket: `bucket-${i}`, prefix: `tenant-${i}/data/`, access: "read" }));
    const workloads = [{ name: "big", namespace: "ns", createServiceAccount: false, s3 }];
    const quotas = (already: number) => ({ "eks-irsa:quotas": { managedPoliciesPerAccount: 100, managedPoliciesAlreadyInAccount: already } });
    const near = await runStack("near", cfg({ name: "c4", oidcIssuerUrl: "https://oidc.example.com/c4" }, workloads, quotas(79)));
    assert.match((near.outputs.warnings as string[]).join("\n"), /customer-managed policies: 8\d of the account's 100-policy quota would be in use \(\d from this stack/);
    const far = await runStack("far", cfg({ name: "c4", oidcIssuerUrl: "https://oidc.example.com/c4" }, workloads, quotas(0)));
    assert.deepEqual(far.outputs.warnings, []);
  });

  it("fills the role's inline budget first, then attached managed policies for the rest", async () => {
    const s3 = Array.from({ length: 120 }, (_, i) => ({ bucket: `bucket-${i}`, prefix: `tenant-${i}/data/`, access: "read" }));
    const run = await runStack("big", cfg({ name: "c3", oidcIssuerUrl: "https://oidc.example.com/c3" }, [{ name: "big", namespace: "ns", createServiceAccount: false, s3 }]));
    const [inline] = ofType(run, "aws:iam/rolePolicy:RolePolicy");
    assert.ok(policySize(parsePolicy(inline.inputs.policy)) > 9000 && policySize(parsePolicy(inline.inputs.policy)) <= 10240, "inline budget used");
    const policies = ofType(run, "aws:iam/policy:Policy");
    assert.ok(policies.length >= 1, String(policies.length));
    assert.equal(ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, policies.length);
    for (const p of policies) assert.ok(policySize(parsePolicy(p.inputs.policy)) <= 6144);
  });

  it("China: ARNs in the aws-cn partition from the region", async () => {
    const run = await runStack("cn", cfg({ name: "c4", oidcIssuerUrl: "https://oidc.eks.cn-north-1.amazonaws.com.cn/id/ABC" }, [{ name: "a", namespace: "ns", createServiceAccount: false, dynamodb: [{ table: "orders", access: "read" }] }], { "aws:region": "cn-north-1" }));
    const json = JSON.stringify(run.resources.filter((r) => r.type.startsWith("aws:")).map((r) => r.outputs));
    assert.ok(json.includes("arn:aws-cn:dynamodb:cn-north-1:111122223333:table/orders"));
    assert.ok(!/arn:aws:/.test(json), "no aws-partition ARN in a China stack");
  });
});

describe("offline runner: what the engine would refuse", () => {
  it("two resources of one URN fail the run, as `pulumi up` would", async () => {
    const aws = await import("@pulumi/aws");
    await assert.rejects(
      runOffline("dup", { "aws:region": "us-east-1" }, () => {
        new aws.iam.Policy("same", { policy: "{}" });
        new aws.iam.Policy("same", { policy: "{}" });
      }),
      /two resources share a URN \(pulumi up would refuse them\): aws:iam\/policy:Policy::same/,
    );
  });
});
