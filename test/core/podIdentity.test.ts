import { strict as assert } from "node:assert";
import fc from "fast-check";
import { accessStatements } from "../../core/access";
import { asList, policySize } from "../../core/document";
import { placeholderCluster, planIdentity, type ClusterIdentity } from "../../core/identity";
import { formatProblem, SizeLimitError } from "../../core/problems";
import { buildPodIdentityTargetTrust, eksClusterArn, migrationStep, podIdentityTrustStatement } from "../../core/podIdentity";
import { evaluateTrust, evaluateTrustAll, podIdentityRequests, targetRoleRequests, webIdentityRequest } from "../../core/trustEval";
import { workloadAccess, workloadDefinition, workloadProblems, type WorkloadIdentityInput } from "../../core/workload";

const ENV = { partition: "aws" as const, region: "us-east-1", accountId: "111122223333" };
const BLUE = eksClusterArn(ENV, "prod-blue");
const GREEN = eksClusterArn(ENV, "prod-green");
const HOST = "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const CLUSTER: ClusterIdentity = { issuerUrl: `https://${HOST}`, providerArn: `arn:aws:iam::111122223333:oidc-provider/${HOST}`, name: "prod-blue" };
const association = (over: Partial<Parameters<typeof podIdentityRequests>[0]> = {}) =>
  podIdentityRequests({ accountId: ENV.accountId, clusterArn: BLUE, namespace: "api", serviceAccount: "orders", sessionTags: true, ...over });
const input = (over: Partial<WorkloadIdentityInput> = {}): WorkloadIdentityInput => ({ namespace: "api", serviceAccount: "orders", clusterName: "prod-blue", region: "us-east-1", ...over });
const problems = (over: Partial<WorkloadIdentityInput>) => workloadProblems("orders", input(over)).map(formatProblem);

describe("core/podIdentity: trust", () => {
  it("session tags: pods.eks.amazonaws.com, AssumeRole + TagSession, the account, cluster, namespace and ServiceAccount pinned", () => {
    assert.deepEqual(podIdentityTrustStatement({ clusters: ["prod-blue"], namespaces: ["api"], serviceAccount: "orders", sessionTags: true }, ENV), {
      Effect: "Allow",
      Principal: { Service: "pods.eks.amazonaws.com" },
      Action: ["sts:AssumeRole", "sts:TagSession"],
      Condition: {
        StringEquals: {
          "aws:SourceAccount": "111122223333",
          "aws:RequestTag/eks-cluster-arn": BLUE,
          "aws:RequestTag/kubernetes-namespace": "api",
          "aws:RequestTag/kubernetes-service-account": "orders",
        },
      },
    });
  });

  it("session tags disabled: no request-tag condition (it could never match), the cluster by aws:SourceArn", () => {
    assert.deepEqual(podIdentityTrustStatement({ clusters: ["prod-blue", "prod-green"], namespaces: ["api"], serviceAccount: "orders", sessionTags: false }, ENV).Condition, {
      StringEquals: { "aws:SourceAccount": "111122223333" },
      ArnEquals: { "aws:SourceArn": [BLUE, GREEN] },
    });
  });

  it("admits its own association only: another namespace, ServiceAccount, cluster or account is denied", () => {
    const doc = { Version: "2012-10-17" as const, Statement: [podIdentityTrustStatement({ clusters: ["prod-blue"], namespaces: ["api"], serviceAccount: "orders", sessionTags: true }, ENV)] };
    assert.equal(evaluateTrustAll(doc, association()), "Allowed");
    assert.equal(evaluateTrustAll(doc, association({ namespace: "web" })), "ImplicitlyDenied");
    assert.equal(evaluateTrustAll(doc, association({ serviceAccount: "payments" })), "ImplicitlyDenied");
    assert.equal(evaluateTrustAll(doc, association({ clusterArn: GREEN })), "ImplicitlyDenied");
    assert.equal(evaluateTrustAll(doc, association({ accountId: "444455556666" })), "ImplicitlyDenied");
    // An association that disables session tags sends no tags: the tag conditions cannot match.
    assert.equal(evaluateTrustAll(doc, association({ sessionTags: false })), "ImplicitlyDenied");
  });

  it("with tags disabled the cluster is still pinned; the association names the namespace and ServiceAccount", () => {
    const doc = { Version: "2012-10-17" as const, Statement: [podIdentityTrustStatement({ clusters: ["prod-blue"], namespaces: ["api"], serviceAccount: "orders", sessionTags: false }, ENV)] };
    assert.equal(evaluateTrustAll(doc, association({ sessionTags: false })), "Allowed");
    assert.equal(evaluateTrustAll(doc, association({ sessionTags: false, clusterArn: GREEN })), "ImplicitlyDenied");
  });

  it("never a wildcard, always the account and either the three tags or the source cluster (property)", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 4 }), fc.array(name, { minLength: 1, maxLength: 4 }), name, fc.boolean(), (clusters, namespaces, sa, sessionTags) => {
        const s = podIdentityTrustStatement({ clusters, namespaces, serviceAccount: sa, sessionTags }, ENV);
        const json = JSON.stringify(s);
        assert.ok(!json.includes("*"));
        assert.equal(s.Condition!.StringEquals["aws:SourceAccount"], ENV.accountId);
        if (sessionTags) assert.deepEqual(Object.keys(s.Condition!.StringEquals).sort(), ["aws:RequestTag/eks-cluster-arn", "aws:RequestTag/kubernetes-namespace", "aws:RequestTag/kubernetes-service-account", "aws:SourceAccount"]);
        else assert.deepEqual(asList(s.Condition!.ArnEquals["aws:SourceArn"]), clusters.map((c) => eksClusterArn(ENV, c)));
      }),
    );
  });

  it("an association is admitted exactly when its cluster, namespace and ServiceAccount are the trust's (property, with and without tags)", () => {
    const pick = fc.constantFrom("a", "b", "c");
    fc.assert(
      fc.property(pick, pick, pick, pick, pick, pick, fc.boolean(), (c1, n1, s1, c2, n2, s2, sessionTags) => {
        const doc = { Version: "2012-10-17" as const, Statement: [podIdentityTrustStatement({ clusters: [c1], namespaces: [n1], serviceAccount: s1, sessionTags }, ENV)] };
        const decision = evaluateTrustAll(doc, podIdentityRequests({ accountId: ENV.accountId, clusterArn: eksClusterArn(ENV, c2), namespace: n2, serviceAccount: s2, sessionTags }));
        // Without tags the trust sees the cluster only: the association names the rest.
        const expected = sessionTags ? c1 === c2 && n1 === n2 && s1 === s2 : c1 === c2;
        assert.equal(decision === "Allowed", expected);
      }),
    );
  });

  it("target role: per source role AssumeRole pinned by aws:PrincipalArn and its associations' external ids, TagSession by the role", () => {
    const src = "arn:aws:iam::111122223333:role/prod-orders";
    const doc = buildPodIdentityTargetTrust([{ roleArn: src, externalIds: ["ext-1"], sessionTags: true }]);
    assert.deepEqual(doc.Statement, [
      { Effect: "Allow", Principal: { AWS: src }, Action: "sts:AssumeRole", Condition: { ArnEquals: { "aws:PrincipalArn": src }, StringEquals: { "sts:ExternalId": "ext-1" } } },
      { Effect: "Allow", Principal: { AWS: src }, Action: "sts:TagSession", Condition: { ArnEquals: { "aws:PrincipalArn": src } } },
    ]);
    assert.equal(evaluateTrustAll(doc, targetRoleRequests(src, "ext-1", true)), "Allowed");
    assert.equal(evaluateTrustAll(doc, targetRoleRequests(src, "ext-2", true)), "ImplicitlyDenied");
    assert.equal(evaluateTrustAll(doc, targetRoleRequests("arn:aws:iam::111122223333:role/other", "ext-1", true)), "ImplicitlyDenied");
    const untagged = buildPodIdentityTargetTrust([{ roleArn: src, externalIds: ["ext-1"], sessionTags: false }]);
    assert.deepEqual(untagged.Statement.map((s) => s.Action), ["sts:AssumeRole"]);
    assert.equal(evaluateTrustAll(untagged, targetRoleRequests(src, "ext-1", true)), "ImplicitlyDenied", "tags passed on need sts:TagSession");
  });
});

describe("core/podIdentity: workloads in each mode", () => {
  const plan = (over: Partial<WorkloadIdentityInput>, clusters: ClusterIdentity[] = [CLUSTER]) => planIdentity(workloadDefinition("orders", input(over)), ENV, clusters);

  it("irsa is unchanged; pod-identity trusts pods.eks only, without annotation; both trusts both, annotation kept", () => {
    const irsa = plan({});
    assert.deepEqual(irsa.trustPolicy.Statement.map((s) => Object.keys(s.Principal as object)[0]), ["Federated"]);
    assert.equal(irsa.annotations["eks.amazonaws.com/role-arn"], irsa.roleArn);
    const pod = plan({ mode: "pod-identity" });
    assert.deepEqual(pod.trustPolicy.Statement.map((s) => Object.keys(s.Principal as object)[0]), ["Service"]);
    assert.deepEqual(pod.annotations, {});
    const both = plan({ mode: "both" });
    assert.deepEqual(both.trustPolicy.Statement, [...irsa.trustPolicy.Statement, ...pod.trustPolicy.Statement]);
    assert.deepEqual(both.annotations, irsa.annotations);
    // Same access, same documents, same names: only trust and wiring differ.
    assert.deepEqual(pod.permissionPolicies, irsa.permissionPolicies);
    assert.deepEqual(both.permissionPolicies, irsa.permissionPolicies);
    assert.equal(pod.roleName, irsa.roleName);
  });

  it("the IRSA caller's own token is allowed in mode both, and an association too", () => {
    const both = plan({ mode: "both" });
    assert.equal(evaluateTrust(both.trustPolicy, webIdentityRequest(CLUSTER.providerArn, HOST, { sub: "system:serviceaccount:api:orders", aud: "sts.amazonaws.com" })), "Allowed");
    assert.equal(evaluateTrustAll(both.trustPolicy, association()), "Allowed");
  });

  it("two clusters: IRSA one statement per OIDC provider, Pod Identity one statement naming both clusters", () => {
    const green = placeholderCluster(ENV, { name: "prod-green" });
    const irsa = plan({}, [CLUSTER, green]);
    assert.equal(irsa.trustPolicy.Statement.length, 2);
    const pod = plan({ mode: "pod-identity" }, [CLUSTER, green]);
    assert.equal(evaluateTrustAll(pod.trustPolicy, association({ clusterArn: GREEN })), "Allowed");
    assert.equal(evaluateTrustAll(pod.trustPolicy, association({ clusterArn: eksClusterArn(ENV, "prod-red") })), "ImplicitlyDenied");
  });

  it("more clusters than the IRSA trust quota holds fail with how many fit", () => {
    const clusters = Array.from({ length: 12 }, (_, i) => placeholderCluster(ENV, { name: `c${i}`, issuerUrl: `https://oidc.eks.us-east-1.amazonaws.com/id/${i.toString(16).toUpperCase().repeat(32)}` }));
    assert.throws(
      () => plan({}, clusters),
      (e: Error) => e instanceof SizeLimitError && e.path.join(".") === "clusters" && /^the trust policy for 12 clusters is \d+ characters, over the 2048-character quota: 4 of the clusters fit; at AWS's maximum of 4096 9 fit/.test(e.detail),
    );
    assert.doesNotThrow(() => plan({}, clusters.slice(0, 4)));
    // Pod Identity names every cluster in one statement: twelve fit easily.
    assert.ok(policySize(plan({ mode: "pod-identity" }, clusters).trustPolicy) < 2048);
    // Over the quota in mode pod-identity already: fewer clusters is the only way (not "move it to mode pod-identity").
    const hundred = Array.from({ length: 100 }, (_, i) => placeholderCluster(ENV, { name: `cluster-${i}` }));
    assert.throws(
      () => plan({ mode: "pod-identity" }, hundred),
      (e: Error) => e instanceof SizeLimitError && /fit: give the workload fewer clusters$/.test(e.detail),
    );
  });

  it("refusals name the field", () => {
    assert.deepEqual(problems({ mode: "pod-identity", region: "cn-north-1" }), ['mode: "pod-identity": EKS Pod Identity is not available in the China regions (cn-north-1): use mode irsa']);
    assert.deepEqual(problems({ mode: "both", fargate: true }), ['mode: "both": the workload runs on Fargate, where EKS Pod Identity does not work: use mode irsa']);
    assert.deepEqual(problems({ mode: "pod-identity", serviceAccount: "job-*" }), [
      'serviceAccount: mode pod-identity associates one ServiceAccount, not the pattern "job-*": name it, share one role by ABAC (sharedNamespaces), or use mode irsa',
    ]);
    assert.deepEqual(problems({ disableSessionTags: true }), ["disableSessionTags: only EKS Pod Identity sets session tags: use it with mode pod-identity or both"]);
    assert.deepEqual(problems({ mode: "both", sharedNamespaces: ["b"] }), [
      "sharedNamespaces: a role shared by ABAC is keyed on Pod Identity session tags, which IRSA does not set (mode both): use mode pod-identity",
    ]);
    assert.deepEqual(problems({ mode: "pod-identity", sharedNamespaces: ["b"], disableSessionTags: true }), ["sharedNamespaces: a role shared by ABAC is keyed on session tags: it cannot disable them (disableSessionTags)"]);
    assert.deepEqual(problems({ mode: "pod-identity", s3: [{ bucket: "tenant-data", prefix: "{namespace}/", access: "read" }] }), [
      's3[0].prefix: "{namespace}/": {namespace} and {cluster} resolve per association only in a role shared by ABAC (sharedNamespaces, mode pod-identity)',
    ]);
    assert.deepEqual(problems({ mode: "both", targetRoleArn: "arn:aws:iam::444455556666:role/reader" }), ["targetRoleArn: is a Pod Identity association's target role: use mode pod-identity (mode both)"]);
    assert.deepEqual(problems({ mode: "pod-identity", clusterName: undefined }), ["clusterName: is required in mode pod-identity: each association names its cluster"]);
    assert.deepEqual(problems({ mode: "sidecar" as never }), ['mode: "sidecar" is not a known identity mode (irsa, pod-identity or both)']);
    assert.deepEqual(problems({ mode: "pod-identity", clusters: [{ name: "a" }, { name: "a" }] }), ['clusters[1].name: cluster "a" is listed twice']);
  });

  it("ABAC: 200 namespaces of 4 characters share one role within the default trust quota", () => {
    const namespaces = Array.from({ length: 200 }, (_, i) => `t${String(i).padStart(3, "0")}`);
    const pod = plan({ mode: "pod-identity", namespace: namespaces[0], sharedNamespaces: namespaces.slice(1), serviceAccount: "app", s3: [{ bucket: "tenant-data", prefix: "{namespace}/", access: "read" }] });
    assert.ok(policySize(pod.trustPolicy) <= 2048, String(policySize(pod.trustPolicy)));
    assert.equal(evaluateTrustAll(pod.trustPolicy, association({ namespace: "t199", serviceAccount: "app" })), "Allowed");
    assert.equal(evaluateTrustAll(pod.trustPolicy, association({ namespace: "t200", serviceAccount: "app" })), "ImplicitlyDenied");
  });

  it("ABAC: {namespace} in a prefix or secret path becomes the session-tag variable; names are checked with a sample", () => {
    const shared = input({ mode: "pod-identity", sharedNamespaces: ["team-b"], s3: [{ bucket: "tenant-data", prefix: "tenants/{namespace}/", access: "read" }], secrets: [{ prefix: "tenants/{cluster}/{namespace}/" }] });
    assert.deepEqual(workloadProblems("orders", shared), []);
    const statements = accessStatements(workloadAccess(shared), ENV);
    assert.deepEqual(statements.map((s) => s.Resource), [
      "arn:aws:s3:::tenant-data/tenants/${aws:PrincipalTag/kubernetes-namespace}/*",
      "arn:aws:s3:::tenant-data",
      "arn:aws:secretsmanager:us-east-1:111122223333:secret:tenants/${aws:PrincipalTag/eks-cluster-name}/${aws:PrincipalTag/kubernetes-namespace}/*",
    ]);
    const def = workloadDefinition("orders", shared);
    assert.equal(def.tags["eks-irsa:binding"], "abac");
    assert.ok(def.trust.kind === "pod-identity" && def.trust.podIdentity.namespaces.join() === "api,team-b");
  });

  it("the migration steps say what changes and that pods restart after the annotation goes", () => {
    assert.match(migrationStep("both"), /IRSA wins while the annotation exists/);
    assert.match(migrationStep("pod-identity"), /restart the pods.*6 h/);
    assert.match(migrationStep("pod-identity", true), /59 min/);
  });
});
