/**
 * The components constructed directly for what issue 13 adds: a preset whose chart owns the ServiceAccount (external:
 * nothing in Kubernetes, its annotations an output), a ServiceAccount patched with the annotations alone (annotated),
 * the verification recipe, custom statements of another account refused at deployment, and the audit alarm.
 */
import { strict as assert } from "node:assert";
import * as k8s from "@pulumi/kubernetes";
import { ArgsError, AuditAlarm, WorkloadIdentity, type WorkloadIdentityArgs } from "../components";
import { parsePolicy } from "../core/document";
import { RULES } from "../core/rules";
import type { VerificationRecipe } from "../core/serviceAccount";
import { runOffline, type OfflineRun } from "../tools/offline";

const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const HOST = ISSUER.replace("https://", "");
const construct = (fn: () => void) => runOffline("components", { "aws:region": "eu-west-1" }, fn);
const all = (run: OfflineRun, type: string) => run.resources.filter((r) => r.type === type);
const KUBERNETES = /^kubernetes:/;

const lbc = (more: Partial<WorkloadIdentityArgs> = {}): WorkloadIdentityArgs => ({
  oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER },
  clusterName: "shop",
  preset: { name: "aws-load-balancer-controller", vpcId: "vpc-0a1b2c3d4e5f60718" },
  ...more,
});

describe("ServiceAccounts owned by others, presets and the audit alarm (components)", () => {
  it("a preset defaults to its chart's ServiceAccount, external: nothing in Kubernetes even with a provider, the annotations an output", async () => {
    let outputs: { annotations?: Record<string, string>; recipe?: VerificationRecipe; mode?: string } = {};
    const run = await construct(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const identity = new WorkloadIdentity("lbc", lbc(), { providers: [provider] });
      outputs.mode = identity.serviceAccountMode;
      identity.serviceAccountAnnotations.apply((a) => (outputs = { ...outputs, annotations: a }));
      identity.verification.apply((v) => (outputs = { ...outputs, recipe: v }));
    });
    assert.deepEqual(all(run, "kubernetes:core/v1:ServiceAccount").concat(all(run, "kubernetes:core/v1:ServiceAccountPatch")), []);
    assert.deepEqual(run.resources.filter((r) => KUBERNETES.test(r.type) || r.type === "pulumi:providers:kubernetes").map((r) => r.type), ["pulumi:providers:kubernetes"]);
    const role = all(run, "aws:iam/role:Role")[0];
    assert.equal(role.inputs.name, "shop-lbc");
    assert.equal((role.inputs.tags as Record<string, string>)["eks-irsa:preset"], "aws-load-balancer-controller");
    assert.equal(role.inputs.description, "IRSA role of AWS Load Balancer Controller (kube-system/aws-load-balancer-controller) on EKS cluster shop");
    assert.equal(parsePolicy(role.inputs.assumeRolePolicy).Statement[0].Condition!.StringEquals[`${HOST}:sub`], "system:serviceaccount:kube-system:aws-load-balancer-controller");
    assert.equal(outputs.mode, "external");
    assert.deepEqual(outputs.annotations, { "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/shop-lbc", "eks.amazonaws.com/sts-regional-endpoints": "true" });
    assert.deepEqual(outputs.recipe, {
      annotationCommand: "kubectl -n kube-system get serviceaccount aws-load-balancer-controller -o jsonpath='{.metadata.annotations.eks\\.amazonaws\\.com/role-arn}'",
      annotation: "arn:aws:iam::111122223333:role/shop-lbc",
      environment: {
        AWS_ROLE_ARN: "arn:aws:iam::111122223333:role/shop-lbc",
        AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
        AWS_STS_REGIONAL_ENDPOINTS: "regional",
      },
      callerIdentityCommand:
        'kubectl -n kube-system run irsa-check --rm -i --restart=Never --image=public.ecr.aws/aws-cli/aws-cli --overrides=\'{"spec":{"serviceAccountName":"aws-load-balancer-controller"}}\' -- sts get-caller-identity',
      expectedCallerArn: "arn:aws:sts::111122223333:assumed-role/shop-lbc/<session>",
      explainCommand: "npm run access -- components --explain kube-system/aws-load-balancer-controller sts:AssumeRoleWithWebIdentity arn:aws:iam::111122223333:role/shop-lbc",
    });
  });

  it("annotated: one ServiceAccountPatch that sets only the role annotations (server-side apply), no ServiceAccount", async () => {
    const run = await construct(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      new WorkloadIdentity("lbc", lbc({ serviceAccountMode: "annotated", tokenExpirationSeconds: 3600 }), { providers: [provider] });
    });
    assert.deepEqual(all(run, "kubernetes:core/v1:ServiceAccount"), []);
    const [patch] = all(run, "kubernetes:core/v1:ServiceAccountPatch");
    // apiVersion and kind name the object; metadata.name and namespace find it; the annotations are all it sets.
    assert.deepEqual(patch.inputs, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: "aws-load-balancer-controller",
        namespace: "kube-system",
        annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/shop-lbc", "eks.amazonaws.com/sts-regional-endpoints": "true", "eks.amazonaws.com/token-expiration": "3600" },
      },
    });
    assert.match(patch.provider ?? "", /pulumi:providers:kubernetes::k8s::/);
  });

  it("annotated needs a Kubernetes provider; a mode against createServiceAccount or on a pattern is refused, before anything is registered", () => {
    assert.throws(() => new WorkloadIdentity("lbc", lbc({ serviceAccountMode: "annotated" })), (e: Error) => e instanceof ArgsError && /serviceAccountMode: annotated patches the ServiceAccount in the cluster: give a Kubernetes provider/.test(e.message));
    assert.throws(() => new WorkloadIdentity("app", { oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER }, namespace: "shop", createServiceAccount: false, serviceAccountMode: "created" }), /serviceAccountMode: created contradicts createServiceAccount: false/);
    assert.throws(() => new WorkloadIdentity("jobs", { oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER }, namespace: "shop", serviceAccount: "job-*", serviceAccountMode: "annotated" }), /serviceAccountMode: cannot be annotated for the pattern "job-\*"/);
    assert.throws(() => new WorkloadIdentity("app", { oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER } } as WorkloadIdentityArgs), /namespace: is required/);
    assert.throws(() => new WorkloadIdentity("app", { clusterName: "shop", namespace: "shop", mode: "pod-identity", serviceAccountMode: "annotated" }), /serviceAccountMode: annotated patches the role annotation in, but mode pod-identity uses none/);
  });

  it("createServiceAccount: false still means external, true created (programs written before the modes)", async () => {
    const run = await construct(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      const off = new WorkloadIdentity("off", { oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER }, namespace: "shop", createServiceAccount: false }, { providers: [provider] });
      const on = new WorkloadIdentity("on", { oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER }, namespace: "shop", createServiceAccount: true }, { providers: [provider] });
      assert.deepEqual([off.serviceAccountMode, on.serviceAccountMode], ["external", "created"]);
    });
    assert.deepEqual(all(run, "kubernetes:core/v1:ServiceAccount").map((r) => r.name), ["on"]);
  });

  it("custom statements on another account's resources fail the deployment, naming the statement", async () => {
    await assert.rejects(
      construct(() => void new WorkloadIdentity("app", { oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER }, namespace: "shop", statements: [{ actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:eu-west-1:444455556666:orders"] }] })),
      /WorkloadIdentity "app": statements\[0\]\.resources\[0\]: "arn:aws:sqs:eu-west-1:444455556666:orders" is in account 444455556666, which the stack does not allow \(111122223333\)/,
    );
  });

  it("AuditAlarm: per error code a metric filter, one per role, and an alarm to the topic", async () => {
    const run = await construct(() => void new AuditAlarm("shop-audit", { logGroupName: "aws-cloudtrail-logs", oidcProviderArns: [PROVIDER], roleNamePrefix: "shop-", alarmTopicArn: "arn:aws:sns:eu-west-1:111122223333:alerts" }));
    const filters = all(run, "aws:cloudwatch/logMetricFilter:LogMetricFilter");
    assert.deepEqual(filters.map((f) => f.name), ["shop-audit-AccessDenied", "shop-audit-AccessDenied-by-role", "shop-audit-InvalidIdentityToken", "shop-audit-InvalidIdentityToken-by-role"]);
    assert.equal(
      filters[0].inputs.pattern,
      `{ ($.eventSource = "sts.amazonaws.com") && ($.eventName = "AssumeRoleWithWebIdentity") && ($.errorCode = "AccessDenied") && (($.requestParameters.roleArn = "arn:aws:iam::111122223333:role/shop-*") || ($.userIdentity.identityProvider = "${PROVIDER}")) }`,
    );
    assert.deepEqual(filters[0].inputs.metricTransformation, { name: "AssumeRoleWithWebIdentityAccessDenied", namespace: "EKS/IRSA", value: "1", defaultValue: "0" });
    assert.deepEqual(filters[1].inputs.metricTransformation, { name: "AssumeRoleWithWebIdentityAccessDeniedByRole", namespace: "EKS/IRSA", value: "1", dimensions: { RoleArn: "$.requestParameters.roleArn" } });
    const alarms = all(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.deepEqual(alarms.map((a) => [a.inputs.metricName, a.inputs.threshold, a.inputs.comparisonOperator, a.inputs.alarmActions]), [
      ["AssumeRoleWithWebIdentityAccessDenied", 1, "GreaterThanOrEqualToThreshold", ["arn:aws:sns:eu-west-1:111122223333:alerts"]],
      ["AssumeRoleWithWebIdentityInvalidToken", 1, "GreaterThanOrEqualToThreshold", ["arn:aws:sns:eu-west-1:111122223333:alerts"]],
    ]);
    // Plain provider ARNs whose patterns would be over 1,024 characters: refused in the constructor, not inside an apply.
    const many = Array.from({ length: 8 }, (_, i) => `arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/${String(i).padStart(32, "0")}`);
    assert.throws(() => new AuditAlarm("many", { logGroupName: "trail", oidcProviderArns: many }), (e: Error) => e instanceof ArgsError && /oidcProviderArns: the filter patterns would be up to \d+ characters, over CloudWatch Logs' 1024/.test(e.message));
    assert.throws(() => new AuditAlarm("bad", { logGroupName: "no spaces", oidcProviderArns: [], threshold: 0, alarmTopicArn: "arn:aws:sqs:eu-west-1:111122223333:q" }), (e: Error) =>
      e instanceof ArgsError && ["logGroupName", "alarmTopicArn", "threshold", "oidcProviderArns"].every((p) => e.problems.some((x) => x.path[0] === p)),
    );
    // A provider ARN that is none, a role path without its slashes, an argument it does not know: each named, nothing registered.
    assert.throws(
      () => new AuditAlarm("odd", { logGroupName: "lg", oidcProviderArns: ["x", PROVIDER.replace("arn:aws:", "arn:aws-us-gov:")], roleNamePrefix: "shop-", rolePath: "no-slash", bogus: 1 } as never),
      (e: Error) =>
        e instanceof ArgsError &&
        JSON.stringify(e.problems.map((p) => `${p.path.join(".")}: ${p.message}`)) ===
          JSON.stringify([
            "bogus: unknown argument",
            `rolePath: "no-slash" is not a valid ${RULES.iamPath.what}`,
            'oidcProviderArns.0: "x" is not a valid IAM OIDC provider ARN (arn:<partition>:iam::<account>:oidc-provider/<issuer host and path>)',
          ]),
    );
    await assert.rejects(
      runOffline("gov", { "aws:region": "us-gov-west-1" }, () => void new AuditAlarm("gov", { logGroupName: "lg", oidcProviderArns: [PROVIDER], alarmTopicArn: "arn:aws-us-gov:sns:us-gov-west-1:111122223333:alerts" })),
      new RegExp(`AuditAlarm "gov": oidcProviderArns\\[0\\]: "${PROVIDER.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}" is in partition aws, but the AWS provider's region us-gov-west-1 is in aws-us-gov`),
    );
    assert.throws(
      () => new AuditAlarm("mixed", { logGroupName: "lg", oidcProviderArns: [PROVIDER, PROVIDER.replace("arn:aws:", "arn:aws-us-gov:")] }),
      /AuditAlarm "mixed": oidcProviderArns: name providers of 2 partitions \(aws, aws-us-gov\): one trail's log group holds one partition's calls/,
    );
  });
});
