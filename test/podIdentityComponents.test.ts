import { strict as assert } from "node:assert";
import * as k8s from "@pulumi/kubernetes";
import * as aws from "@pulumi/aws";
import { ArgsError, TargetAccount, WorkloadIdentity, type WorkloadIdentityArgs } from "../components";
import { parsePolicy } from "../core/document";
import { runOffline, type OfflineRun } from "../tools/offline";

const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const ISSUER2 = "https://oidc.eks.eu-west-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210";
const PROVIDER2 = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const construct = (fn: () => void) => runOffline("components", { "aws:region": "eu-west-1" }, fn);
const ofType = (run: OfflineRun, type: string) => run.resources.filter((r) => r.type === type);
const trustOf = (run: OfflineRun) => parsePolicy(ofType(run, "aws:iam/role:Role")[0].outputs.assumeRolePolicy);

const orders = (more: Partial<WorkloadIdentityArgs> = {}): WorkloadIdentityArgs => ({
  clusterName: "shop",
  namespace: "api",
  serviceAccount: "orders",
  s3: [{ bucket: "shop-invoices", prefix: "2026/", access: "read" }],
  ...more,
});

describe("components: WorkloadIdentity with EKS Pod Identity", () => {
  it("pod-identity: no OIDC provider needed, one association, the ServiceAccount created without annotation", async () => {
    const run = await construct(() => {
      const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
      new WorkloadIdentity("orders", orders({ mode: "pod-identity" }), { providers: [provider] });
    });
    const [a] = ofType(run, ASSOCIATION);
    assert.equal(ofType(run, ASSOCIATION).length, 1);
    assert.equal(a.name, "orders/shop/api");
    assert.deepEqual(
      { clusterName: a.inputs.clusterName, namespace: a.inputs.namespace, serviceAccount: a.inputs.serviceAccount, roleArn: a.inputs.roleArn, disableSessionTags: a.inputs.disableSessionTags },
      { clusterName: "shop", namespace: "api", serviceAccount: "orders", roleArn: "arn:aws:iam::111122223333:role/shop-orders", disableSessionTags: undefined },
    );
    const sa = ofType(run, "kubernetes:core/v1:ServiceAccount")[0];
    assert.deepEqual((sa.inputs.metadata as { annotations?: object }).annotations, {});
    assert.deepEqual(trustOf(run).Statement.map((s) => s.Principal), [{ Service: "pods.eks.amazonaws.com" }]);
    assert.equal(ofType(run, "aws:iam/role:Role")[0].inputs.description, "EKS Pod Identity role of api/orders on EKS cluster shop");
  });

  it("both: the association and the annotation; irsa -> both -> pod-identity keeps every resource name (no replacement)", async () => {
    const names = async (mode: WorkloadIdentityArgs["mode"]) => {
      const run = await construct(() => void new WorkloadIdentity("orders", orders({ mode, ...(mode === "pod-identity" ? {} : { oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER } }) })));
      return { run, iam: run.resources.filter((r) => r.type.startsWith("aws:iam/")).map((r) => `${r.type}::${r.name}::${String(r.inputs.name)}`) };
    };
    const irsa = await names("irsa");
    const both = await names("both");
    const pod = await names("pod-identity");
    assert.deepEqual(both.iam, irsa.iam);
    assert.deepEqual(pod.iam, irsa.iam);
    assert.equal(ofType(irsa.run, ASSOCIATION).length, 0);
    assert.equal(ofType(both.run, ASSOCIATION).length, 1);
    assert.deepEqual(trustOf(both.run).Statement.map((s) => Object.keys(s.Principal as object)[0]), ["Federated", "Service"]);
  });

  it("ABAC and two clusters: one association per cluster and namespace; tags off and a target role passed on", async () => {
    let externalIds: string[] = [];
    const run = await construct(() => {
      const w = new WorkloadIdentity("tenants", orders({ mode: "pod-identity", sharedNamespaces: ["team-b"], clusters: [{ name: "blue" }, { name: "green" }], s3: [{ bucket: "tenant-data", prefix: "{namespace}/", access: "read" }] }));
      w.associationExternalIds.apply((ids) => (externalIds = ids));
    });
    assert.deepEqual(ofType(run, ASSOCIATION).map((a) => a.name), ["tenants/blue/api", "tenants/blue/team-b", "tenants/green/api", "tenants/green/team-b"]);
    assert.equal(externalIds.length, 4);
    const tagged = await construct(() => void new WorkloadIdentity("orders", orders({ mode: "pod-identity", disableSessionTags: true, targetRoleArn: "arn:aws:iam::444455556666:role/shop-analytics-reader" })));
    const [a] = ofType(tagged, ASSOCIATION);
    assert.equal(a.inputs.disableSessionTags, true);
    assert.equal(a.inputs.targetRoleArn, "arn:aws:iam::444455556666:role/shop-analytics-reader");
    assert.deepEqual(Object.keys(trustOf(tagged).Statement[0].Condition!), ["StringEquals", "ArnEquals"]);
  });

  it("IRSA on two clusters: one trust statement per OIDC provider", async () => {
    const run = await construct(
      () =>
        void new WorkloadIdentity("orders", orders({ clusters: [{ name: "blue", oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER } }, { name: "green", oidcProvider: { arn: PROVIDER2, issuerUrl: ISSUER2 } }] })),
    );
    assert.deepEqual(trustOf(run).Statement.map((s) => (s.Principal as { Federated: string }).Federated), [PROVIDER, PROVIDER2]);
  });

  it("refusals name every bad field", () => {
    assert.throws(() => new WorkloadIdentity("orders", orders()), /oidcProvider: is required \(\{ arn, issuerUrl \}/);
    assert.throws(() => new WorkloadIdentity("orders", orders({ mode: "both", clusters: [{ name: "blue" }] })), /clusters\[0\]\.oidcProvider: is required in mode both/);
    assert.throws(() => new WorkloadIdentity("orders", orders({ mode: "pod-identity", serviceAccount: "job-*" })), /serviceAccount: mode pod-identity associates one ServiceAccount/);
    assert.throws(() => new WorkloadIdentity("orders", orders({ mode: "pod-identity", region: "cn-north-1" })), /mode: "pod-identity": EKS Pod Identity is not available in the China regions/);
  });

  it("pod-identity in a China region is refused at deployment when the region comes from the AWS provider", async () => {
    await assert.rejects(
      runOffline("components", { "aws:region": "cn-north-1" }, () => void new WorkloadIdentity("orders", orders({ mode: "pod-identity" }))),
      /WorkloadIdentity "orders": mode: "pod-identity": EKS Pod Identity is not available in the China regions \(cn-north-1\): use mode irsa/,
    );
  });

  it("TargetAccount in mode pod-identity: the target trusts the source role with its associations' external ids", async () => {
    const run = await construct(() => {
      const source = new WorkloadIdentity("analytics", orders({ mode: "pod-identity", targetRoleArn: TargetAccount.roleArn("lake", "444455556666", { name: "reader" }, { clusterName: "shop" }) }));
      const provider = new aws.Provider("lake", { region: "eu-west-1", allowedAccountIds: ["444455556666"] });
      new TargetAccount(
        "lake",
        {
          accountId: "444455556666",
          mode: "pod-identity",
          clusterName: "shop",
          roles: [{ name: "reader", sources: [{ workload: "analytics", roleArn: source.roleArn, externalIds: source.associationExternalIds }], s3: [{ bucket: "lake", prefix: "curated/", access: "read" }] }],
        },
        { providers: [provider], dependsOn: [source] },
      );
    });
    const [association] = ofType(run, ASSOCIATION);
    assert.equal(association.inputs.targetRoleArn, "arn:aws:iam::444455556666:role/shop-lake-reader");
    const target = ofType(run, "aws:iam/role:Role").find((r) => r.name === "lake/reader")!;
    const trust = parsePolicy(target.outputs.assumeRolePolicy);
    assert.deepEqual(trust.Statement[0].Condition, { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/shop-analytics" }, StringEquals: { "sts:ExternalId": association.outputs.externalId } });
    assert.equal(trust.Statement[1].Action, "sts:TagSession");
    assert.throws(
      () => new TargetAccount("lake", { accountId: "444455556666", mode: "pod-identity", roles: [{ name: "reader", sources: [{ workload: "analytics", roleArn: "arn:aws:iam::111122223333:role/x" }] }] }),
      /roles\[0\]\.sources\[0\]\.externalIds: is required in mode pod-identity/,
    );
  });

  it("TargetAccount in mode pod-identity refuses a source without an external id: given empty, or resolved empty from an irsa workload", async () => {
    const lake = (externalIds: string[] | WorkloadIdentity["associationExternalIds"]) => ({
      accountId: "444455556666",
      mode: "pod-identity" as const,
      roles: [{ name: "reader", sources: [{ workload: "analytics", roleArn: "arn:aws:iam::111122223333:role/shop-analytics", externalIds }], s3: [{ bucket: "lake", prefix: "curated/", access: "read" as const }] }],
    });
    assert.throws(
      () => new TargetAccount("lake", lake([])),
      (e: Error) =>
        e instanceof ArgsError &&
        e.problems.some((p) => p.path.join(".") === "roles.0.sources.0.externalIds" && p.message === "must list at least one: the trust requires sts:ExternalId to equal one of the source's association external ids (a workload in mode irsa has no association)"),
    );
    assert.throws(() => new TargetAccount("lake", lake(["x", "ok-id"])), /roles\[0\]\.sources\[0\]\.externalIds\[0\]: "x" is not an external id/);
    const provider = () => ({ providers: [new aws.Provider("lake", { region: "eu-west-1", allowedAccountIds: ["444455556666"] })] });
    await assert.rejects(
      construct(() => {
        const host = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
        const source = new WorkloadIdentity("analytics", orders({ mode: "irsa", oidcProvider: { arn: `arn:aws:iam::111122223333:oidc-provider/${host}`, issuerUrl: `https://${host}` } }));
        new TargetAccount("lake", lake(source.associationExternalIds), provider());
      }),
      /TargetAccount "lake": roles\[0\]\.sources\[0\]\.externalIds: must list at least one/,
    );
  });
});
