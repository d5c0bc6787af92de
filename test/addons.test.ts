/**
 * The addons stack (Pulumi.addons.yaml), issue 13's "done when": presets for the load balancer controller, EBS CSI,
 * external-dns and cert-manager, a workload with SQS/SNS/KMS grants and one with custom statements plan offline; the
 * pack accepts them; the access report proves each preset's requests and variants and lists every residual `*` with
 * its reason; an annotated ServiceAccount is a patch of its annotations, an external one registers nothing.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { AccessModel, Identity } from "../analysis/model";
import { ConfigError } from "../config/validate";
import { asList } from "../core/document";
import { presetStatementMatch } from "../core/presets";
import { typesReachedByAnyName } from "../policy/lib/resourceScope";
import { accessModel } from "../tools/access/model";
import { renderMarkdown, renderText } from "../tools/access/render";
import { ROOT, runOffline, stackFile, readStackFile, type OfflineRun } from "../tools/offline";
import { renderPlan } from "../tools/planText";
import { checkResources } from "../tools/policyCheck";
import { program } from "../stacks";
import { runStack } from "./helpers/stacks";

const PRESETS = ["aws-load-balancer-controller", "ebs-csi", "external-dns", "cert-manager"];

describe("the addons stack: presets, SQS/SNS/KMS, custom statements, ServiceAccounts owned by charts", () => {
  let run: OfflineRun;
  let model: AccessModel;
  let plan: string;
  before(async function () {
    this.timeout(120_000);
    run = await runStack("addons");
    model = await accessModel(run);
    plan = renderPlan(run);
  });
  const identity = (label: string): Identity => model.identities.find((i) => i.label === label)!;

  it("plans: a role with its inline policy per workload, the audit alarm, one patch and two ServiceAccounts", () => {
    const count = (type: string) => run.resources.filter((r) => r.type === type).length;
    assert.equal(count("aws:iam/role:Role"), 6);
    assert.equal(count("aws:iam/rolePolicy:RolePolicy"), 6);
    assert.equal(count("aws:iam/policy:Policy"), 0);
    assert.equal(count("aws:cloudwatch/logMetricFilter:LogMetricFilter"), 4);
    assert.equal(count("aws:cloudwatch/metricAlarm:MetricAlarm"), 2);
    assert.deepEqual(run.resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount").map((r) => r.name).sort(), ["orders", "reports"]);
  });

  it("cert-manager (annotated) is a patch that sets only its annotations; the external presets register nothing in Kubernetes", () => {
    const patches = run.resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccountPatch");
    assert.deepEqual(patches.map((p) => p.inputs), [
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "cert-manager", namespace: "cert-manager", annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/eks-irsa/irsa-addons-cert-manager", "eks.amazonaws.com/sts-regional-endpoints": "true" } },
      },
    ]);
    const kubernetes = run.resources.filter((r) => r.type.startsWith("kubernetes:")).map((r) => (r.inputs.metadata as { name: string }).name);
    for (const sa of ["aws-load-balancer-controller", "ebs-csi-controller-sa", "external-dns"]) assert.ok(!kubernetes.includes(sa), sa);
    const workloads = run.outputs.workloads as Record<string, { serviceAccountMode: string; serviceAccountAnnotations: Record<string, string>; preset?: { annotationsValue: string; alsoSet: string[] } }>;
    assert.equal(workloads["aws-load-balancer-controller"].serviceAccountMode, "external");
    assert.deepEqual(workloads["aws-load-balancer-controller"].serviceAccountAnnotations, { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/eks-irsa/irsa-addons-aws-load-balancer-controller", "eks.amazonaws.com/sts-regional-endpoints": "true" });
    assert.deepEqual(workloads["aws-load-balancer-controller"].preset?.alsoSet, ["clusterName=irsa-addons", "vpcId=vpc-0a1b2c3d4e5f60718"]);
    assert.equal(workloads["ebs-csi"].preset?.annotationsValue, "controller.serviceAccount.annotations");
    assert.match(plan, /\n {2}sa {10}EXTERNAL kube-system\/aws-load-balancer-controller: nothing in Kubernetes; set the chart value serviceAccount\.annotations \(eks\/aws-load-balancer-controller\) to \{"eks\.amazonaws\.com\/role-arn":"arn:aws:iam::123456789012:role\/eks-irsa\/irsa-addons-aws-load-balancer-controller"/);
    assert.match(plan, /\n {2}sa {10}PATCH cert-manager\/cert-manager: its owner's ServiceAccount gets the role annotations only/);
  });

  it("the policy pack accepts every document, the presets' residual statements included", async () => {
    assert.deepEqual(await checkResources(run.resources), []);
  });

  it("the access report agrees with iam-simulate everywhere, and proves each preset's requests and variants", () => {
    assert.deepEqual(model.errors, []);
    for (const name of PRESETS) {
      const i = identity(name);
      assert.equal(i.preset, name);
      const checks = i.presetChecks ?? [];
      assert.ok(checks.some((c) => c.expect === "Allowed") && checks.some((c) => c.expect === "Denied"), name);
      for (const c of checks) assert.ok(c.expect === "Allowed" ? c.decision === "Allowed" : /Denied$/.test(c.decision), `${name}: ${c.label}: ${c.decision}`);
    }
    const labels = (name: string) => identity(name).presetChecks!.filter((c) => c.expect === "Denied").map((c) => c.label);
    assert.ok(labels("aws-load-balancer-controller").includes("DeleteLoadBalancer of another cluster"));
    assert.ok(labels("external-dns").includes("ChangeResourceRecordSets in another zone"));
    assert.ok(labels("cert-manager").includes("ChangeResourceRecordSets of an A record"));
    assert.ok(labels("ebs-csi").includes("DeleteVolume of an untagged volume"));
  });

  it("every row on every resource of a type is a preset's residual with its reason, listed in the report and the plan", async () => {
    for (const i of model.identities) {
      for (const g of i.grants) {
        const broad = (await typesReachedByAnyName(g.resource)).length > 0;
        const wildcardOnly = g.resource === "*" && g.residual === undefined;
        if (broad && !wildcardOnly) assert.ok(g.residual, `${i.label}: ${g.action} on ${g.resource} has no reason`);
      }
    }
    const text = renderText(model);
    const md = renderMarkdown(model);
    for (const name of PRESETS) {
      for (const g of identity(name).grants.filter((x) => x.residual)) {
        assert.ok(text.includes(g.residual!), `${name}: ${g.residual}`);
        assert.ok(md.includes(g.residual!.replace(/\|/g, "\\|")), `${name}: ${g.residual}`);
      }
    }
    // The plan names each residual statement with its reason, as registered.
    const statements = run.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy").flatMap((r) => JSON.parse(String(r.inputs.policy)).Statement as { Sid?: string; Resource: string | string[]; Effect: "Allow" }[]);
    const residual = statements.filter((s) => presetStatementMatch(s)?.residual);
    assert.ok(residual.length > 20);
    for (const s of residual) assert.ok(plan.includes(`residual    ${s.Sid} on ${asList(s.Resource).join(", ")}: ${presetStatementMatch(s)!.residual}`), s.Sid);
  });

  it("orders: exactly its queue, topic and key; reports: its custom statements", () => {
    const orders = identity("orders").grants.map((g) => `${g.action} ${g.resource}`);
    assert.ok(orders.includes("sqs:SendMessage arn:aws:sqs:us-east-1:123456789012:orders-placed"));
    assert.ok(orders.includes("sns:Publish arn:aws:sns:us-east-1:123456789012:order-events"));
    assert.ok(orders.includes("kms:Encrypt arn:aws:kms:us-east-1:123456789012:key/5d6e7f80-9a1b-4c2d-8e3f-a4b5c6d7e8f9"));
    const reports = identity("reports").grants;
    assert.deepEqual(reports.filter((g) => g.action === "ses:SendEmail").map((g) => g.conditions), [[{ operator: "StringEquals", key: "ses:FromAddress", values: ["reports@example.com"] }]]);
  });

  it("the plan says what the audit alarm watches, and that the trail must cover every region", () => {
    assert.match(plan, /audit {5}failed AssumeRoleWithWebIdentity calls, from CloudTrail in CloudWatch Logs \(the trail must cover every region/);
    assert.match(plan, /filter {6}CREATE irsa-addons-irsa-audit-AccessDenied on log group aws-cloudtrail-logs-123456789012: metric EKS\/IRSA\/AssumeRoleWithWebIdentityAccessDenied counts \{ .*\(\$\.errorCode = "AccessDenied"\) && \(\(\$\.requestParameters\.roleArn = "arn:aws:iam::123456789012:role\/eks-irsa\/irsa-addons-\*"\)/);
    assert.match(plan, /alarm {7}CREATE irsa-addons-irsa-audit-InvalidIdentityToken: EKS\/IRSA\/AssumeRoleWithWebIdentityInvalidToken >= 1 in 300 s, notifies arn:aws:sns:us-east-1:123456789012:platform-alerts/);
  });
});

describe("the addons stack's config, broken the ways the issue names: refused at its config path", () => {
  const base = readStackFile(stackFile("addons"));
  const workloads = base["eks-irsa:workloads"] as Record<string, unknown>[];
  const withReports = (statements: unknown[]) => ({ ...base, "eks-irsa:workloads": workloads.map((w) => (w.name === "reports" ? { ...w, statements } : w)) });
  const at = workloads.findIndex((w) => w.name === "reports");

  async function problems(config: Record<string, unknown>): Promise<string[]> {
    try {
      await runOffline("addons", config, program);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
      throw e;
    }
    return [];
  }

  it("sqs:*, an unknown action, a condition key the action does not support, a resource in another account", async () => {
    const found = await problems(
      withReports([
        { actions: ["sqs:*"], resources: ["arn:aws:sqs:us-east-1:123456789012:reports"] },
        { actions: ["ssm:GetParameterz"], resources: ["arn:aws:ssm:us-east-1:123456789012:parameter/reporting/x"] },
        { actions: ["ssm:GetParameter"], resources: ["arn:aws:ssm:us-east-1:123456789012:parameter/reporting/x"], conditions: [{ operator: "StringEquals", key: "ses:FromAddress", values: ["x"] }] },
        { actions: ["ssm:GetParameter"], resources: ["arn:aws:ssm:us-east-1:444455556666:parameter/reporting/x"] },
      ]),
    );
    const p = `workloads[${at}].statements`;
    assert.deepEqual(
      found.map((f) => f.split(":")[0]),
      [`${p}[0].actions[0]`, `${p}[1].actions[0]`, `${p}[2].conditions[0].key`, `${p}[3].resources[0]`],
    );
    assert.match(found[0], /"sqs:\*" grants every action of sqs/);
    assert.match(found[1], /"ssm:GetParameterz" is not an action of ssm in the AWS service catalog/);
    assert.match(found[2], /"ses:FromAddress" is not a condition key of ssm:GetParameter/);
    assert.match(found[3], /is in account 444455556666, which the stack does not allow \(123456789012\)/);
    // Against aws:allowedAccountIds, at the key of the statement's resource.
    const foreign = await problems(withReports([{ actions: ["ssm:GetParameter"], resources: ["arn:aws:ssm:us-east-1:444455556666:parameter/reporting/x"] }]));
    assert.deepEqual(foreign, [`${p}[0].resources[0]: "arn:aws:ssm:us-east-1:444455556666:parameter/reporting/x" is in account 444455556666, which the stack does not allow (123456789012): grant it through a cross-account role`]);
  });

  it("a resource in another account aws:allowedAccountIds lists: the config and the component agree it is allowed", async () => {
    const other = "arn:aws:ssm:us-east-1:444455556666:parameter/reporting/x";
    const config = { ...withReports([{ actions: ["ssm:GetParameter"], resources: [other] }]), "aws:allowedAccountIds": ["123456789012", "444455556666"] };
    assert.deepEqual(await problems(config), []);
    const run = await runOffline("addons", config, program);
    const policy = run.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && String(r.inputs.policy).includes(other));
    assert.ok(policy, "the statement is granted as written");
  });

  it("an adopted IAM OIDC provider or boundary in an account aws:allowedAccountIds does not list", async () => {
    const cluster = base["eks-irsa:cluster"] as Record<string, unknown>;
    const foreign = String(cluster.oidcProviderArn).replace("123456789012", "444455556666");
    assert.deepEqual(await problems({ ...base, "eks-irsa:cluster": { ...cluster, oidcProviderArn: foreign }, "eks-irsa:roleDefaults": { ...(base["eks-irsa:roleDefaults"] as object), permissionsBoundaryArn: "arn:aws:iam::444455556666:policy/boundary" } }), [
      `cluster.oidcProviderArn: "${foreign}" is in account 444455556666, not one aws:allowedAccountIds allows (123456789012): a role trusts IAM OIDC providers of its own account only`,
      'roleDefaults.permissionsBoundaryArn: "arn:aws:iam::444455556666:policy/boundary" is in account 444455556666, not one aws:allowedAccountIds allows (123456789012): a permissions boundary is a managed policy of the role\'s account or an AWS managed policy',
    ]);
    // An AWS managed policy as the boundary is in no account.
    assert.deepEqual(await problems({ ...base, "eks-irsa:roleDefaults": { ...(base["eks-irsa:roleDefaults"] as object), permissionsBoundaryArn: "arn:aws:iam::aws:policy/PowerUserAccess" } }), []);
  });

  it("a preset without the input that scopes it, or with another preset's input", async () => {
    const found = await problems({ ...base, "eks-irsa:workloads": [{ name: "lbc", preset: { name: "aws-load-balancer-controller", hostedZoneIds: ["Z04517273FCR3EXAMPLE"] } }] });
    assert.deepEqual(found, [
      "workloads[0].preset.hostedZoneIds: is not an input of preset aws-load-balancer-controller (it takes clusterName, vpcId)",
      "workloads[0].preset.vpcId: is required by preset aws-load-balancer-controller",
    ]);
  });

  it("the stack file is the one the repository ships", () => {
    assert.ok(readFileSync(path.join(ROOT, "Pulumi.addons.yaml"), "utf8").includes("eks-irsa:auditAlarm"));
  });
});
