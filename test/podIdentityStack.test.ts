import { strict as assert } from "node:assert";
import * as path from "node:path";
import { readAccess } from "../analysis/access";
import { diffModels } from "../analysis/diff";
import type { AccessModel, Identity, PodIdentityAssumer } from "../analysis/model";
import { accessModel } from "../tools/access/model";
import { readStackFile, ROOT, type OfflineRun } from "../tools/offline";
import { renderPlan } from "../tools/planText";
import { checkResources } from "../tools/policyCheck";
import { configProblems } from "./helpers/problems";
import { runStack } from "./helpers/stacks";

const ACCOUNT = "111122223333";
const EXAMPLE = readStackFile(path.join(ROOT, "examples/pod-identity.yaml"));
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const identity = (m: AccessModel, label: string): Identity => m.identities.find((i) => i.label === label)!;
const podAssumers = (i: Identity) => i.assumers.filter((a): a is PodIdentityAssumer => a.type === "pod-identity");

describe("Pod Identity: a stack with workloads in each mode on two clusters (examples/pod-identity.yaml)", () => {
  let run: OfflineRun;
  let model: AccessModel;
  before(async () => {
    run = await runStack("shop", EXAMPLE);
    model = await accessModel(run);
  });

  it("plans offline: an association per cluster, namespace and ServiceAccount; the pack finds nothing", async () => {
    const associations = run.resources.filter((r) => r.type === ASSOCIATION).map((r) => `${String(r.inputs.clusterName)}:${String(r.inputs.namespace)}/${String(r.inputs.serviceAccount)}`);
    assert.deepEqual(associations.sort(), [
      "prod-blue:api/payments", "prod-blue:bi/analytics", "prod-blue:shop/catalog", "prod-blue:team-a/app", "prod-blue:team-b/app", "prod-blue:team-c/app",
      "prod-green:api/payments", "prod-green:bi/analytics", "prod-green:metrics/exporter", "prod-green:shop/catalog", "prod-green:team-a/app", "prod-green:team-b/app", "prod-green:team-c/app",
    ]);
    assert.deepEqual(await checkResources(run.resources), []);
  });

  it("the access report agrees with iam-simulate and the trust evaluator everywhere", () => {
    assert.deepEqual(model.errors, []);
  });

  it("each pod-identity role is assumable by its own associations only: another namespace, ServiceAccount, cluster or account is denied", () => {
    const catalog = identity(model, "catalog");
    assert.deepEqual(catalog.assumers.map((a) => a.type), ["pod-identity", "pod-identity"]);
    for (const a of podAssumers(catalog)) {
      assert.equal(a.check?.decision, "Allowed");
      assert.deepEqual(a.check?.denied, ["namespace other-shop", "ServiceAccount shop/other-catalog", `cluster ${a.cluster}-other of the same account`, "a cluster of another account"]);
    }
    assert.deepEqual(podAssumers(catalog).map((a) => a.cluster), ["prod-blue", "prod-green"]);
  });

  it("mode both: the OIDC ServiceAccount on each cluster and the association on each cluster", () => {
    const payments = identity(model, "payments");
    assert.deepEqual(
      payments.assumers.map((a) => (a.type === "service-account" ? `irsa ${a.serviceAccount} ${a.issuer.slice(-4)}` : a.type === "pod-identity" ? `pod ${a.namespace}/${a.serviceAccount} ${a.cluster}` : a.type)),
      ["irsa api/payments 0B10", "irsa api/payments 06EE0".replace("06EE0", "6EE0"), "pod api/payments prod-blue", "pod api/payments prod-green"],
    );
  });

  it("session tags disabled: the trust pins the cluster, the report says any association there may use the role", () => {
    const exporter = identity(model, "exporter");
    assert.deepEqual(exporter.assumers[0], { type: "principal", principal: "any Pod Identity association on cluster prod-green (the trust pins no namespace, ServiceAccount)" });
    const [own] = podAssumers(exporter);
    assert.deepEqual([own.namespace, own.serviceAccount, own.sessionTags, own.pinned, own.check?.decision], ["metrics", "exporter", false, false, "Allowed"]);
    assert.deepEqual(own.check?.denied, ["cluster prod-green-other of the same account", "a cluster of another account"]);
  });

  it("the shared ABAC role: namespace team-a reads tenants/team-a/* and not team-b's or team-c's", () => {
    const tenants = identity(model, "tenants");
    const get = tenants.grants.find((g) => g.action === "s3:GetObject" && g.resource === "arn:aws:s3:::acme-tenant-data/tenants/team-a/*")!;
    assert.equal(get.via, "association team-a/app on clusters prod-blue, prod-green");
    assert.equal(get.check?.decision, "Allowed");
    for (const ns of ["team-b", "team-c", "other-team-a"]) assert.ok(get.check?.denied.includes(`namespace ${ns}'s`), `${ns}: ${get.check?.denied.join(", ")}`);
    const secret = tenants.grants.find((g) => g.action === "secretsmanager:GetSecretValue" && g.via?.startsWith("association team-b/"))!;
    assert.equal(secret.resource, `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:tenants/team-b/*`);
    assert.ok(secret.check?.denied.includes("namespace team-a's"));
    // Every row of the role is shown per namespace: none keeps the variable.
    assert.ok(tenants.grants.every((g) => !g.resource.includes("${") && g.via));
  });

  it("the cross-account target trusts the analytics role with its associations' external ids only", () => {
    const reader = identity(model, "datalake/reader");
    assert.deepEqual(reader.assumers.map((a) => a.type === "role" && [a.label, a.externalIds?.length, a.check?.decision, a.check?.denied.slice(-2)]), [
      ["analytics", 2, "Allowed", ["another external id", "no external id"]],
    ]);
    const assume = identity(model, "analytics").grants.find((g) => g.action === "sts:AssumeRole")!;
    assert.equal(assume.check?.decision, "Allowed");
  });

  it("the plan names each mode's step, the associations, the agents the clusters need, and the Fargate workload stays IRSA", () => {
    const text = renderPlan(run);
    assert.match(text, /\ncluster {3}prod-green: existing \(blue\/green: the roles of its workloads trust it too\)\n/);
    assert.match(text, /\nagent {5}prod-blue: Pod Identity needs the eks-pod-identity-agent add-on running there \(this stack does not create the cluster/);
    assert.match(text, /\n {2}mode {8}both \(migration step 1 of 2\): .*IRSA wins while the annotation exists/);
    assert.match(text, /\n {2}association CREATE shop\/catalog on cluster prod-green \(session tags on\)\n/);
    assert.match(text, /\n {2}sa {10}CREATE shop\/catalog without annotation \(Pod Identity\) in each of 2 clusters\n/);
    assert.match(text, /\n {2}association CREATE bi\/analytics on cluster prod-blue \(session tags on, target role arn:aws:iam::444455556666:role\/prod-blue-datalake-reader: pods get its credentials\)\n/);
    assert.match(text, /Pod Identity credentials, which EKS caches up to 59 min/);
    assert.match(text, /\n {2}assumed by {2}arn:aws:iam::111122223333:role\/prod-blue-analytics {2}when aws:PrincipalArn ArnEquals arn:aws:iam::111122223333:role\/prod-blue-analytics {2}\(sts:TagSession only: may pass session tags on\)\n/);
    const batch = text.slice(text.indexOf("workload  batch"));
    assert.match(batch, /assumed by {2}system:serviceaccount:batch:batch {2}via oidc/);
  });
});

describe("Pod Identity: the migration irsa -> both -> pod-identity", () => {
  const cluster = { name: "shop", oidcIssuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF" };
  const config = (mode: string) => ({
    "aws:region": "us-east-1",
    "eks-irsa:cluster": cluster,
    "eks-irsa:workloads": [{ name: "orders", namespace: "api", mode, dynamodb: [{ table: "orders", access: "read-write" }] }],
  });
  const runs = new Map<string, { run: OfflineRun; model: AccessModel }>();
  before(async () => {
    for (const mode of ["irsa", "both", "pod-identity"]) {
      const run = await runStack("shop", config(mode));
      runs.set(mode, { run, model: await accessModel(run) });
    }
  });

  it("every step is checked and passes the pack", async () => {
    for (const [, { run, model }] of runs) {
      assert.deepEqual(model.errors, []);
      assert.deepEqual(await checkResources(run.resources), []);
    }
  });

  it("irsa -> both loses nothing: only the association's pods are added", () => {
    const changes = diffModels(runs.get("irsa")!.model, runs.get("both")!.model);
    assert.deepEqual(changes.map((c) => `${c.sign} ${c.text}`), ["+ workload orders now assumable by Pod Identity association api/orders on cluster shop"]);
  });

  it("both -> pod-identity: only the OIDC assumer goes", () => {
    const changes = diffModels(runs.get("both")!.model, runs.get("pod-identity")!.model);
    assert.deepEqual(changes.map((c) => `${c.sign} ${c.text}`), ["- workload orders no longer assumable by api/orders"]);
  });

  it("the role and its policy keep their URNs (no replacement); the annotation goes at the last step", () => {
    const iam = (mode: string) => runs.get(mode)!.run.resources.filter((r) => r.type.startsWith("aws:iam/role")).map((r) => `${r.type}::${r.name}::${String(r.inputs.name)}`);
    assert.deepEqual(iam("both"), iam("irsa"));
    assert.deepEqual(iam("pod-identity"), iam("irsa"));
    const annotations = (mode: string) => (runs.get(mode)!.run.resources.find((r) => r.type === "kubernetes:core/v1:ServiceAccount")!.inputs.metadata as { annotations: Record<string, string> }).annotations;
    assert.ok(annotations("both")["eks.amazonaws.com/role-arn"]);
    assert.deepEqual(annotations("pod-identity"), {});
    // No workload uses IRSA any more: the stack needs no OIDC provider.
    assert.equal(runs.get("pod-identity")!.run.resources.filter((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider").length, 0);
  });

  it("the plan says what each step changes and that pods restart after the annotation goes", () => {
    assert.match(renderPlan(runs.get("both")!.run), /mode {8}both \(migration step 1 of 2\)/);
    assert.match(renderPlan(runs.get("pod-identity")!.run), /mode {8}pod-identity: .*restart the pods .*up to 6 h/);
  });
});

describe("Pod Identity: blue/green clusters", () => {
  const issuer = (c: string) => `https://oidc.eks.us-east-1.amazonaws.com/id/${c.repeat(32)}`;
  const workloads = [{ name: "orders", namespace: "api", dynamodb: [{ table: "orders", access: "read" }] }, { name: "catalog", namespace: "shop", mode: "pod-identity", s3: [{ bucket: "acme-catalog", prefix: "img/", access: "read" }] }];
  const stack = (cluster: Record<string, unknown>) => ({ "aws:region": "us-east-1", "eks-irsa:cluster": cluster, "eks-irsa:workloads": workloads });
  const blueGreen = { name: "prod-blue", oidcIssuerUrl: issuer("B"), additionalClusters: [{ name: "prod-green", oidcIssuerUrl: issuer("C") }] };

  it("retiring the old cluster is one config edit; the diff shows exactly the assumers that go", async () => {
    const before = await accessModel(await runStack("shop", stack(blueGreen)));
    const afterRun = await runStack("shop", stack({ ...blueGreen, retired: true }));
    const after = await accessModel(afterRun);
    assert.deepEqual([before.errors, after.errors], [[], []]);
    assert.deepEqual(diffModels(before, after).map((c) => `${c.sign} ${c.text}`), [
      "- workload orders no longer assumable by api/orders via oidc.eks.us-east-1.amazonaws.com/id/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
      "- workload catalog no longer assumable by Pod Identity association shop/catalog on cluster prod-blue",
    ]);
    assert.match(renderPlan(afterRun), /\ncluster {3}prod-blue: existing \(retired: no workload runs there any more; it still names the roles\)\n/);
    // The green cluster's objects stay as they were; the blue cluster's ServiceAccount goes.
    assert.deepEqual(afterRun.resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount").map((r) => r.name).sort(), ["catalog@prod-green", "orders@prod-green"]);
  });

  it("more clusters than the trust quota holds fail before anything is registered, with how many fit", () => {
    const many = { ...blueGreen, additionalClusters: "CDEF0123456".split("").map((c) => ({ name: `prod-${c.toLowerCase()}`, oidcIssuerUrl: issuer(c) })) };
    const problems = configProblems({ cluster: many, workloads }, "us-east-1");
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^cluster\.additionalClusters: workload orders: the trust policy for 12 clusters is \d+ characters, over the 2048-character quota: 4 of the clusters fit; at AWS's maximum of 4096 9 fit/);
    // The Pod Identity workload alone fits: one statement names every cluster.
    assert.deepEqual(configProblems({ cluster: many, workloads: [workloads[1]] }, "us-east-1"), []);
  });

  it("the plan names each cluster as it is: the stack's existing one beside a created one, and a created cluster's Fargate profile", async () => {
    const text = renderPlan(
      await runStack("shop", {
        "aws:region": "us-east-1",
        "eks-irsa:cluster": { name: "prod-blue", oidcIssuerUrl: issuer("B"), additionalClusters: [{ name: "prod-green", create: { fargateProfile: true } }] },
        "eks-irsa:workloads": [workloads[1], { name: "batch", namespace: "batch", fargate: true }],
      }),
    );
    assert.deepEqual(text.split("\n").filter((l) => l.startsWith("cluster ")), [
      "cluster   prod-blue: existing",
      "cluster   prod-green: CREATE with @pulumi/eks, a Fargate profile for namespaces batch (every pod there runs on Fargate) (blue/green: the roles of its workloads trust it too)",
    ]);
  });

  it("too many clusters: each failing workload named at cluster.additionalClusters, also with the stack's cluster retired", () => {
    const five = { ...blueGreen, additionalClusters: "CDEF".split("").map((c) => ({ name: `prod-${c.toLowerCase()}`, oidcIssuerUrl: issuer(c) })) };
    const two = [workloads[0], { name: "billing", namespace: "a-rather-long-namespace-name-for-billing" }];
    assert.deepEqual(
      configProblems({ cluster: five, workloads: two }, "us-east-1").map((p) => p.replace(/ is \d+ characters.*/, "")),
      ["cluster.additionalClusters: workload orders: the trust policy for 5 clusters", "cluster.additionalClusters: workload billing: the trust policy for 5 clusters"],
    );
    // Retired: the workload runs on every other cluster without listing them: the key is still the stack's clusters.
    const six = { ...five, retired: true, additionalClusters: [...five.additionalClusters, { name: "prod-1", oidcIssuerUrl: issuer("1") }] };
    assert.deepEqual(configProblems({ cluster: six, workloads: [workloads[0]] }, "us-east-1").map((p) => p.replace(/ is \d+ characters.*/, "")), ["cluster.additionalClusters: workload orders: the trust policy for 5 clusters"]);
  });
});

describe("Pod Identity: config problems name their keys", () => {
  const cluster = { name: "shop", oidcIssuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF" };
  const cases: [string, Record<string, unknown>, string | undefined, string[]][] = [
    ["pod-identity in China", { cluster: { name: "shop" }, workloads: [{ name: "a", namespace: "n", mode: "pod-identity" }] }, "cn-north-1", ['workloads[0].mode: "pod-identity": EKS Pod Identity is not available in the China regions (cn-north-1): use mode irsa']],
    ["the stack default in China", { cluster: { name: "shop" }, roleDefaults: { mode: "both" }, workloads: [{ name: "a", namespace: "n" }] }, "cn-north-1", ['workloads[0].mode: "both": EKS Pod Identity is not available in the China regions (cn-north-1): use mode irsa']],
    ["a Fargate cluster", { cluster: { ...cluster, fargate: true }, workloads: [{ name: "a", namespace: "n", mode: "pod-identity" }] }, undefined, ['workloads[0].mode: "pod-identity": the workload runs on Fargate, where EKS Pod Identity does not work: use mode irsa']],
    [
      "fargate: false on a cluster that runs every pod on Fargate",
      { cluster: { ...cluster, fargate: true }, workloads: [{ name: "a", namespace: "n", mode: "pod-identity", fargate: false }] },
      undefined,
      ['workloads[0].mode: "pod-identity": cluster shop runs every pod on Fargate (cluster.fargate), where EKS Pod Identity does not work, whatever workloads[0].fargate says: use mode irsa, or run the workload on other clusters'],
    ],
    [
      "a namespace a created cluster's Fargate profile selects",
      { cluster: { name: "shop", create: { fargateProfile: true } }, workloads: [{ name: "f", namespace: "batch", fargate: true }, { name: "a", namespace: "batch", mode: "both" }, { name: "b", namespace: "web", mode: "pod-identity" }] },
      undefined,
      ['workloads[1].namespace: "batch" on cluster shop is selected by its Fargate profile (cluster.create.fargateProfile, for workload f): the pods of mode both would run on Fargate, where EKS Pod Identity does not work: use another namespace, or mode irsa'],
    ],
    ["a ServiceAccount pattern", { cluster, workloads: [{ name: "a", namespace: "n", serviceAccount: "job-*", mode: "pod-identity" }] }, undefined, ['workloads[0].serviceAccount: mode pod-identity associates one ServiceAccount, not the pattern "job-*": name it, share one role by ABAC (sharedNamespaces), or use mode irsa']],
    ["ABAC in mode irsa", { cluster, workloads: [{ name: "a", namespace: "n", sharedNamespaces: ["m"] }] }, undefined, ["workloads[0].sharedNamespaces: a role shared by ABAC is keyed on Pod Identity session tags, which IRSA does not set (mode irsa): use mode pod-identity"]],
    ["a placeholder without ABAC", { cluster, workloads: [{ name: "a", namespace: "n", mode: "pod-identity", secrets: [{ prefix: "t/{namespace}/" }] }] }, undefined, ['workloads[0].secrets[0].prefix: "t/{namespace}/": {namespace} and {cluster} resolve per association only in a role shared by ABAC (sharedNamespaces, mode pod-identity)']],
    ["an unknown cluster", { cluster, workloads: [{ name: "a", namespace: "n", clusters: ["prod-red"] }] }, undefined, ['workloads[0].clusters[0]: "prod-red" is not a cluster of this stack (cluster.name or cluster.additionalClusters[].name)']],
    ["a second association for one ServiceAccount", { cluster, workloads: [{ name: "a", namespace: "n", mode: "pod-identity", sharedNamespaces: ["m"] }, { name: "b", namespace: "m", serviceAccount: "a" }] }, undefined, ["workloads[1].serviceAccount: ServiceAccount m/a is already bound by workloads[0]: its role-arn annotation can name one role only"]],
    [
      "a Pod Identity target of an IRSA workload",
      { cluster, workloads: [{ name: "a", namespace: "n" }], crossAccount: [{ name: "lake", accountId: "444455556666", deployRoleArn: "arn:aws:iam::444455556666:role/d", mode: "pod-identity", roles: [{ name: "r", workloads: ["a"] }] }] },
      undefined,
      ["crossAccount[0].roles[0].workloads[0]: workload a is in mode irsa: a Pod Identity target role is named by its associations, so it must be in mode pod-identity"],
    ],
    [
      "a workload store of a Pod Identity workload",
      { cluster, externalSecrets: {}, workloads: [{ name: "a", namespace: "n", mode: "pod-identity", externalSecrets: [{ name: "s", store: "workload", data: [{ secretKey: "k", remoteRef: { key: "a/b" } }] }] }] },
      undefined,
      ["workloads[0].externalSecrets[0].store: ExternalSecret n/s: a workload store authenticates with the ServiceAccount's token (IRSA), but workload a is in mode pod-identity: use the cluster store, or mode both"],
    ],
    ["session tags off in mode irsa", { cluster, workloads: [{ name: "a", namespace: "n", disableSessionTags: true }] }, undefined, ["workloads[0].disableSessionTags: only EKS Pod Identity sets session tags: use it with mode pod-identity or both"]],
    ["a retired cluster with nothing to hand over to", { cluster: { ...cluster, retired: true }, workloads: [] }, undefined, ["cluster.retired: a retired cluster hands its workloads to cluster.additionalClusters: list at least one"]],
    ["an unknown mode", { cluster, workloads: [{ name: "a", namespace: "n", mode: "sidecar" }] }, undefined, ['workloads[0].mode: "sidecar" is not an identity mode (irsa, pod-identity or both)']],
  ];
  for (const [title, raw, region, expected] of cases) {
    it(title, () => assert.deepEqual(configProblems(raw, region ?? "us-east-1"), expected));
  }
});

describe("Pod Identity: the access model of an eksctl-migrated role", () => {
  it("an unconditioned pods.eks trust is assumable by any association in the account", () => {
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }] };
    const { model } = readAccess({
      stack: "hand",
      region: "us-east-1",
      accountId: ACCOUNT,
      resources: [{ type: "aws:iam/role:Role", name: "migrated", inputs: { name: "migrated" }, outputs: { name: "migrated", arn: `arn:aws:iam::${ACCOUNT}:role/migrated`, assumeRolePolicy: JSON.stringify(trust) } }],
    });
    assert.deepEqual(model.identities[0].assumers, [{ type: "principal", principal: `any Pod Identity association in account ${ACCOUNT} (or any account: no aws:SourceAccount) (the trust pins no namespace, ServiceAccount, cluster)` }]);
  });
});

describe("Pod Identity: a cluster the stack creates", () => {
  it("installs the eks-pod-identity-agent add-on after the cluster; associations wait for it; a Fargate profile keeps the node group", async () => {
    const run = await runStack("shop", {
      "aws:region": "us-east-1",
      "eks-irsa:cluster": { name: "shop", create: { version: "1.33", fargateProfile: true }, protectOidcProvider: false },
      "eks-irsa:workloads": [
        { name: "catalog", namespace: "shop", mode: "pod-identity", s3: [{ bucket: "acme-catalog", prefix: "img/", access: "read" }] },
        { name: "batch", namespace: "batch", fargate: true, s3: [{ bucket: "acme-batch", prefix: "in/", access: "read" }] },
      ],
    });
    const addon = run.resources.find((r) => r.type === "aws:eks/addon:Addon")!;
    assert.deepEqual([addon.name, addon.inputs.clusterName, addon.inputs.addonName, addon.options.dependsOn], ["shop-eks-pod-identity-agent", "shop", "eks-pod-identity-agent", ["eks:index:Cluster::shop"]]);
    const association = run.resources.find((r) => r.type === ASSOCIATION)!;
    assert.equal(association.inputs.clusterName, "shop");
    assert.ok(association.options.dependsOn.includes("aws:eks/addon:Addon::shop-eks-pod-identity-agent"), association.options.dependsOn.join());
    const cluster = run.resources.find((r) => r.type === "eks:index:Cluster")!;
    assert.deepEqual([cluster.inputs.fargate, cluster.inputs.skipDefaultNodeGroup], [{ selectors: [{ namespace: "batch" }] }, false]);
    assert.match(renderPlan(run), /\nagent {5}shop: CREATE add-on eks-pod-identity-agent; the node role's AmazonEKSWorkerNodePolicy allows eks-auth:AssumeRoleForPodIdentity\n/);
  });
});
