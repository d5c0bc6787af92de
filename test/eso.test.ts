import { strict as assert } from "node:assert";
import { loadEsoModels, type EsoModels } from "../core/esoModels";
import { ConfigError, validateStackConfig } from "../config/validate";
import { accessStatements } from "../core/access";
import { parsePolicy, type PolicyDocument } from "../core/document";
import { esoArgs } from "../config/args";
import { clusterStoreUsers, controllerAccess, esoControllerInput, grantCovers, resolveEso, type K8sObject } from "../core/eso";
import { permissionDocumentsOf, rolesOf } from "../tools/inventory";
import type { OfflineRun } from "../tools/offline";
import { configProblems } from "./helpers/problems";
import { decide } from "./helpers/simulate";
import { ofType, one, runStack } from "./helpers/stacks";

const ENV = { partition: "aws" as const, region: "us-east-1", accountId: "111122223333" };
const SECRET = (name: string) => `arn:aws:secretsmanager:us-east-1:111122223333:secret:${name}`;

let models: EsoModels;
before(async () => {
  models = await loadEsoModels();
});

/** A stack config with ESO on, one workload, and what the test changes. */
function config(eso: Record<string, unknown> | undefined, workload: Record<string, unknown>, more: Record<string, unknown> = {}) {
  return {
    cluster: { name: "c1", oidcIssuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789" },
    ...(eso ? { externalSecrets: eso } : {}),
    workloads: [{ name: "app", namespace: "team", ...workload }],
    ...more,
  };
}

const problems = (raw: unknown) => configProblems(raw, "us-east-1", models);

const es = (over: Record<string, unknown> = {}) => ({
  name: "db",
  data: [{ secretKey: "password", remoteRef: { key: "prod/shared/db", property: "password" } }],
  ...over,
});

describe("ESO: the controller's access", () => {
  /** The controller's access as the stack's config gives it to the ESO component. */
  const controllerOf = (externalSecrets: unknown[]) => {
    const { spec } = validateStackConfig(config({ secrets: [{ prefix: "prod/shared/" }], clusterSecretStore: { findByPath: true } }, { externalSecrets }), "us-east-1", models);
    const eso = resolveEso(esoArgs(spec)!.args);
    return { eso, access: esoControllerInput("external-secrets", esoArgs(spec)!.args, eso).overrides.access! };
  };

  it("GetSecretValue only on the configured paths; no DescribeSecret unless metadata is fetched", () => {
    const access = controllerAccess([{ prefix: "prod/shared/" }, { name: "prod/one" }], false, []);
    assert.deepEqual(accessStatements(access, ENV), [
      { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: SECRET("prod/shared/*") },
      { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: SECRET("prod/one-??????") },
    ]);
  });

  it("DescribeSecret only on the secret an ExternalSecret of the cluster store fetches metadata of", () => {
    const { eso, access } = controllerOf([es({ data: [{ secretKey: "tags", remoteRef: { key: "prod/shared/db", metadataPolicy: "Fetch" } }] })]);
    assert.deepEqual(access.secretActions, ["secretsmanager:GetSecretValue"]);
    assert.deepEqual(accessStatements(access, ENV).filter((st) => JSON.stringify(st.Action).includes("DescribeSecret")), [
      { Effect: "Allow", Action: "secretsmanager:DescribeSecret", Resource: [SECRET("prod/shared/db-??????")] },
    ]);
    assert.equal(clusterStoreUsers(eso.externalSecrets).length, 1);
  });

  it("ListSecrets and BatchGetSecretValue on * only when the store is configured for find-by-path", () => {
    const on = accessStatements(controllerAccess([{ prefix: "p/" }], true, []), ENV);
    assert.deepEqual(on.at(-1), { Effect: "Allow", Action: ["secretsmanager:BatchGetSecretValue", "secretsmanager:ListSecrets"], Resource: "*" });
    const off = accessStatements(controllerAccess([{ prefix: "p/" }], false, []), ENV);
    assert.ok(!JSON.stringify(off).includes("ListSecrets") && !JSON.stringify(off).includes('"*"'));
  });

  it("kms:Decrypt only for the configured customer-managed key, only via Secrets Manager", () => {
    const key = "arn:aws:kms:us-east-1:111122223333:key/1f2e3d4c-5b6a-4789-8abc-def012345678";
    const statements = accessStatements(controllerAccess([{ prefix: "p/", kmsKeyArn: key }], false, []), ENV);
    assert.deepEqual(statements[1], {
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: key,
      Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
    });
  });

  it("grantCovers: exact names match exactly, prefixes by prefix", () => {
    assert.ok(grantCovers({ name: "a/b" }, "a/b"));
    assert.ok(!grantCovers({ name: "a/b" }, "a/bc"));
    assert.ok(grantCovers({ prefix: "a/" }, "a/bc"));
    assert.ok(!grantCovers({ prefix: "a/" }, "ab"));
  });
});

describe("ESO: config validation across components", () => {
  const eso = { secrets: [{ prefix: "prod/shared/" }] };
  const table: [string, unknown, string][] = [
    [
      "a key the controller cannot read",
      config(eso, { externalSecrets: [es({ data: [{ secretKey: "k", remoteRef: { key: "prod/other/db" } }] })] }),
      'workloads[0].externalSecrets[0].data[0].remoteRef.key: ExternalSecret team/db reads "prod/other/db" through ClusterSecretStore aws-secrets-manager, but the ESO controller\'s role cannot read it (externalSecrets.secrets: prod/shared/*)',
    ],
    [
      "a key the workload's own role cannot read (workload store)",
      config(eso, { secrets: [{ name: "team/app" }], externalSecrets: [es({ store: "workload", data: [{ secretKey: "k", remoteRef: { key: "team/app-old" } }] })] }),
      'workloads[0].externalSecrets[0].data[0].remoteRef.key: ExternalSecret team/db reads "team/app-old" through SecretStore team/app-secrets-manager as ServiceAccount app, but workload app\'s role cannot read it (workloads[0].secrets: team/app)',
    ],
    [
      "a dataFrom.extract key outside the grants",
      config(eso, { externalSecrets: [es({ data: [], dataFrom: [{ extract: { key: "other" } }] })] }),
      'workloads[0].externalSecrets[0].dataFrom[0].extract.key: ExternalSecret team/db reads "other" through ClusterSecretStore',
    ],
    [
      "find-by-path on a store not configured for it",
      config(eso, { externalSecrets: [es({ data: [], dataFrom: [{ find: { path: "prod/shared/", name: { regexp: ".*" } } }] })] }),
      "workloads[0].externalSecrets[0].dataFrom[0].find.path: ExternalSecret team/db finds secrets by path, but the ClusterSecretStore is not configured for it: set externalSecrets.clusterSecretStore.findByPath: true",
    ],
    [
      "find-by-path outside the controller's paths",
      config({ ...eso, clusterSecretStore: { findByPath: true } }, { externalSecrets: [es({ data: [], dataFrom: [{ find: { path: "prod/", name: { regexp: ".*" } } }] })] }),
      'workloads[0].externalSecrets[0].dataFrom[0].find.path: ExternalSecret team/db finds secrets under "prod/" through ClusterSecretStore aws-secrets-manager',
    ],
    [
      "find-by-path through a workload store",
      config(eso, { secrets: [{ prefix: "team/" }], externalSecrets: [es({ store: "workload", data: [], dataFrom: [{ find: { path: "team/", name: { regexp: ".*" } } }] })] }),
      'workloads[0].externalSecrets[0].dataFrom[0].find.path: ExternalSecret team/db: find-by-path needs ListSecrets on "*"',
    ],
    [
      "ExternalSecrets without ESO",
      config(undefined, { externalSecrets: [es()] }),
      "workloads[0].externalSecrets[0]: ExternalSecret team/db needs the External Secrets Operator: configure eks-irsa:externalSecrets",
    ],
    [
      "a workload store for a pattern binding",
      config(eso, { serviceAccount: "job-*", externalSecrets: [es({ store: "workload" })] }),
      'workloads[0].externalSecrets[0].store: ExternalSecret team/db: a workload store authenticates as one ServiceAccount, but workload app binds the pattern "job-*"',
    ],
    [
      "two ExternalSecrets writing one Secret",
      config(eso, { externalSecrets: [es(), es({ name: "db2", target: { name: "db" } })] }),
      "workloads[0].externalSecrets[1].target.name: ExternalSecret team/db2 writes Secret team/db, which workloads[0].externalSecrets[0] writes too",
    ],
    [
      "the same ExternalSecret twice in a namespace",
      config(eso, { externalSecrets: [es()] }, {
        workloads: [
          { name: "app", namespace: "team", externalSecrets: [es()] },
          { name: "app2", namespace: "team", externalSecrets: [es({ target: { name: "db-2" } })] },
        ],
      }),
      "workloads[1].externalSecrets[0].name: ExternalSecret team/db is declared twice (also workloads[0].externalSecrets[0])",
    ],
    ["a Secret key set twice", config(eso, { externalSecrets: [es({ data: [es().data[0], es().data[0]] })] }), 'workloads[0].externalSecrets[0].data[1].secretKey: ExternalSecret team/db sets key "password" twice'],
    ["an ExternalSecret that reads nothing", config(eso, { externalSecrets: [es({ data: [] })] }), "workloads[0].externalSecrets[0]: ExternalSecret team/db reads nothing: give data or dataFrom"],
    ["a workload bound to the controller's ServiceAccount", config(eso, { name: "eso-helper", namespace: "external-secrets", serviceAccount: "external-secrets" }), "externalSecrets.serviceAccount: ServiceAccount external-secrets/external-secrets is already bound by workloads[0]: ESO needs its own"],
    ["find without a name pattern (ESO's AWS provider refuses it)", config({ ...eso, clusterSecretStore: { findByPath: true } }, { externalSecrets: [es({ data: [], dataFrom: [{ find: { path: "prod/shared/" } }] })] }), "workloads[0].externalSecrets[0].dataFrom[0].find.name: is required"],
    ["a dataFrom item with both extract and find", config(eso, { externalSecrets: [es({ data: [], dataFrom: [{ extract: { key: "prod/shared/a" }, find: { path: "prod/shared/", name: { regexp: ".*" } } }] })] }), "workloads[0].externalSecrets[0].dataFrom[0]: give exactly one of extract (one secret) or find (secrets under a path)"],
    ["a workload store for a ServiceAccount the stack does not create", config(eso, { createServiceAccount: false, secrets: [{ name: "team/app" }], externalSecrets: [es({ store: "workload", data: [{ secretKey: "k", remoteRef: { key: "team/app" } }] })] }), "workloads[0].externalSecrets[0].store: a workload store authenticates as ServiceAccount team/app, which this stack does not create"],
    ["a pattern workload that would bind the controller's ServiceAccount", config(eso, { namespace: "external-secrets", serviceAccount: "external-*" }), 'workloads[0].serviceAccount: the pattern "external-*" in namespace external-secrets would let ESO assume workload app\'s role'],
    ["a workload named like the controller", config(eso, { name: "external-secrets" }), 'workloads[0].name: "external-secrets" names the ESO controller\'s role'],
    ["the reader ServiceAccount named as the controller's", config({ ...eso, serviceAccount: "sa", readerServiceAccount: "sa" }, {}), "externalSecrets.readerServiceAccount: must differ from serviceAccount: the reader ServiceAccount runs no pod"],
    ["the reader ServiceAccount named as the default controller's", config({ ...eso, readerServiceAccount: "external-secrets" }, {}), "externalSecrets.readerServiceAccount: must differ from serviceAccount"],
    ["a refresh interval that is not a duration", config(eso, { externalSecrets: [es({ refreshInterval: "hourly" })] }), 'workloads[0].externalSecrets[0].refreshInterval: "hourly" is not a valid duration'],
    ["a chart version range", config({ ...eso, chart: { version: "^2.10.0" } }, {}), 'externalSecrets.chart.version: "^2.10.0" is not a valid chart version (an exact semantic version'],
    ["a secret ARN as remote key", config(eso, { externalSecrets: [es({ data: [{ secretKey: "k", remoteRef: { key: SECRET("prod/shared/db") } }] })] }), "workloads[0].externalSecrets[0].data[0].remoteRef.key: "],
    ["an unknown store", config(eso, { externalSecrets: [es({ store: "vault" })] }), 'workloads[0].externalSecrets[0].store: "vault" is not a store (cluster or workload)'],
    ["an unknown ESO key", config({ ...eso, webhook: true }, {}), "externalSecrets.webhook: unknown key"],
  ];
  for (const [title, raw, expected] of table) {
    it(`rejects ${title}`, () => {
      const found = problems(raw);
      assert.ok(found.some((p) => p.startsWith(expected)), `expected ${expected}\n got: ${found.join("\n      ")}`);
    });
  }

  it("ExternalSecrets whose names would collide when joined with '-' are distinct resources", async () => {
    const raw = config(eso, {}, {
      workloads: [
        { name: "w1", namespace: "a-b", externalSecrets: [es({ name: "c" })] },
        { name: "w2", namespace: "a", externalSecrets: [es({ name: "b-c" })] },
      ],
    });
    const run = await runStack("names", { "aws:region": "us-east-1", ...Object.fromEntries(Object.entries(raw).map(([k, v]) => [`eks-irsa:${k}`, v])) });
    assert.deepEqual(crs(run, "ExternalSecret").map((r) => r.name).sort(), ["externalsecret/a-b/c", "externalsecret/a/b-c"]);
  });

  it("accepts keys inside the grants, for both stores", () => {
    assert.deepEqual(problems(config(eso, { secrets: [{ name: "team/app" }], externalSecrets: [es(), es({ name: "own", store: "workload", data: [{ secretKey: "k", remoteRef: { key: "team/app" } }] })] })), []);
  });

  it("an object the v1 schema rejects is a config error at its path, before any resource", () => {
    // The real models, fed an object our schema would never build: an unknown store kind.
    const corrupting: EsoModels = {
      check: (o: K8sObject) => models.check(o.kind === "ExternalSecret" ? { ...o, spec: { ...o.spec, secretStoreRef: { name: "x", kind: "Vault" } } } : o),
    };
    assert.throws(
      () => validateStackConfig(config(eso, { externalSecrets: [es()] }), "us-east-1", corrupting),
      (e: Error) =>
        e instanceof ConfigError &&
        e.problems.some((p) => p.path === "workloads[0].externalSecrets[0]" && /ExternalSecret db is not valid external-secrets\.io\/v1: \/spec\/secretStoreRef\/kind: must be equal to one of the allowed values/.test(p.message)),
    );
  });

  it("the v1 models reject what ESO would reject", () => {
    const bad = models.check({ apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore", metadata: { name: "s" }, spec: { provider: { aws: { service: "KMS", region: "us-east-1" } } } });
    assert.equal(bad.ok, false);
  });
});

/** The ESO objects a run registered, by kind and name. */
function crs(run: OfflineRun, kind: string) {
  return ofType(run, `kubernetes:external-secrets.io/v1:${kind}`);
}

describe("ESO: the dev and prod stacks", () => {
  let dev: OfflineRun;
  let prod: OfflineRun;
  before(async () => {
    dev = await runStack("dev");
    prod = await runStack("prod");
  });

  it("installs the pinned chart with CRDs in its namespace; the role is bound to a pod-less reader ServiceAccount, not the controller's", () => {
    const release = one(prod, "kubernetes:helm.sh/v3:Release", "external-secrets");
    const role = one(prod, "aws:iam/role:Role", "external-secrets-controller");
    assert.equal(role.outputs.arn, "arn:aws:iam::123456789012:role/eks-irsa/acme-prod-external-secrets");
    assert.deepEqual(
      { chart: release.inputs.chart, version: release.inputs.version, repositoryOpts: release.inputs.repositoryOpts, namespace: release.inputs.namespace, createNamespace: release.inputs.createNamespace },
      { chart: "external-secrets", version: "2.10.0", repositoryOpts: { repo: "https://charts.external-secrets.io" }, namespace: "external-secrets", createNamespace: true },
    );
    // The controller's own ServiceAccount (fixed name) carries no role: a SecretStore without auth gets no AWS identity.
    assert.deepEqual(release.inputs.values, { installCRDs: true, serviceAccount: { create: true, name: "external-secrets" } });
    assert.match(release.provider ?? "", /pulumi:providers:kubernetes::acme-prod-k8s::/);
    const reader = one(prod, "kubernetes:core/v1:ServiceAccount", "external-secrets-controller");
    assert.deepEqual(reader.inputs.metadata, {
      name: "external-secrets-reader",
      namespace: "external-secrets",
      labels: { "app.kubernetes.io/managed-by": "eks-irsa", "eks-irsa/workload": "external-secrets" },
      annotations: {
        "eks.amazonaws.com/role-arn": role.outputs.arn,
        "eks.amazonaws.com/sts-regional-endpoints": "true",
        "eks.amazonaws.com/token-expiration": "3600",
      },
    });
    assert.ok(reader.options.dependsOn.includes("kubernetes:helm.sh/v3:Release::external-secrets"), "created in the release's namespace");
  });

  it("identity controller: the chart's ServiceAccount is annotated with the role and the store has no auth", async () => {
    const raw = config({ identity: "controller", secrets: [{ prefix: "team/" }] }, { createServiceAccount: false, externalSecrets: [es({ data: [{ secretKey: "k", remoteRef: { key: "team/x" } }] })] });
    const run = await runStack("controller", { "aws:region": "us-east-1", ...Object.fromEntries(Object.entries(raw).map(([k, v]) => [`eks-irsa:${k}`, v])) });
    const role = one(run, "aws:iam/role:Role", "external-secrets-controller");
    const values = one(run, "kubernetes:helm.sh/v3:Release", "external-secrets").inputs.values as { serviceAccount: { name: string; annotations: Record<string, string> } };
    assert.equal(values.serviceAccount.name, "external-secrets");
    assert.equal(values.serviceAccount.annotations["eks.amazonaws.com/role-arn"], role.outputs.arn);
    assert.equal(ofType(run, "kubernetes:core/v1:ServiceAccount").length, 0, "no reader ServiceAccount");
    assert.deepEqual((crs(run, "ClusterSecretStore")[0].inputs.spec as { provider: unknown }).provider, { aws: { service: "SecretsManager", region: "us-east-1" } });
    const trust = JSON.stringify(parsePolicy(role.inputs.assumeRolePolicy));
    assert.ok(trust.includes('"system:serviceaccount:external-secrets:external-secrets"'), trust);
  });

  it("the ESO role is trusted by the reader ServiceAccount only and reads only prod/shared/ (KMS via Secrets Manager)", async () => {
    const role = rolesOf(prod.resources).find((r) => r.resourceName === "external-secrets-controller")!;
    assert.deepEqual(role.serviceAccounts.map((s) => `${s.namespace}/${s.name}`), ["external-secrets/external-secrets-reader"]);
    assert.ok(JSON.stringify(role.trust).includes('"system:serviceaccount:external-secrets:external-secrets-reader"'));
    const docs = permissionDocumentsOf(role);
    const principal = role.arn;
    const ok = { action: "secretsmanager:GetSecretValue", resource: SECRET("prod/shared/payment-api-AbCdEf").replace("111122223333", "123456789012"), principal };
    assert.equal(await decide(docs, ok), "Allowed");
    for (const miss of [
      { ...ok, resource: ok.resource.replace("prod/shared/", "prod/data-pipeline/") },
      { ...ok, action: "secretsmanager:DescribeSecret" },
      { ...ok, action: "secretsmanager:ListSecrets", resource: "*" },
      { ...ok, action: "secretsmanager:PutSecretValue" },
    ]) {
      assert.equal(await decide(docs, miss), "ImplicitlyDenied", JSON.stringify(miss));
    }
    const key = "arn:aws:kms:us-east-1:123456789012:key/1f2e3d4c-5b6a-4789-8abc-def012345678";
    // KMS needs its key policy too: the default one, which delegates to IAM policies of the account.
    const keyPolicy: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" }] };
    const decrypt = (via: string) => decide(docs, { action: "kms:Decrypt", resource: key, principal, context: { "kms:ViaService": via } }, keyPolicy);
    assert.equal(await decrypt("secretsmanager.us-east-1.amazonaws.com"), "Allowed");
    assert.equal(await decrypt("s3.us-east-1.amazonaws.com"), "ImplicitlyDenied");
  });

  it("the ClusterSecretStore authenticates as the reader ServiceAccount (namespace given), for the namespaces of its ExternalSecrets only", () => {
    const [store] = crs(dev, "ClusterSecretStore");
    assert.deepEqual(store.inputs.spec, {
      provider: { aws: { service: "SecretsManager", region: "us-east-1", auth: { jwt: { serviceAccountRef: { name: "external-secrets-reader", namespace: "external-secrets" } } } } },
      conditions: [{ namespaces: ["api"] }],
    });
    assert.ok(store.options.dependsOn.includes("kubernetes:helm.sh/v3:Release::external-secrets"), "waits for the release's CRDs");
  });

  it("a workload store impersonates the workload's ServiceAccount, whose role holds the grant", async () => {
    const [store] = crs(dev, "SecretStore");
    assert.ok(store.options.dependsOn.includes("eks-irsa:index:WorkloadIdentity::data-processor"), "waits for the annotated ServiceAccount");
    assert.deepEqual(store.inputs.metadata, {
      name: "data-processor-secrets-manager",
      namespace: "data-pipeline",
      labels: { "app.kubernetes.io/managed-by": "eks-irsa", "eks-irsa/workload": "data-processor" },
    });
    assert.deepEqual(store.inputs.spec, {
      provider: { aws: { service: "SecretsManager", region: "us-east-1", auth: { jwt: { serviceAccountRef: { name: "s3-processor" } } } } },
    });
    const workload = rolesOf(dev.resources).find((r) => r.resourceName === "data-processor")!;
    const controller = rolesOf(dev.resources).find((r) => r.resourceName === "external-secrets-controller")!;
    const read = { action: "secretsmanager:GetSecretValue", resource: SECRET("dev/data-pipeline/db-AbCdEf") };
    assert.equal(await decide(permissionDocumentsOf(workload), { ...read, principal: workload.arn }), "Allowed");
    assert.equal(await decide(permissionDocumentsOf(controller), { ...read, principal: controller.arn }), "ImplicitlyDenied", "the controller cannot read it");
  });

  it("ExternalSecrets are v1 objects with the declared keys, after their store", async () => {
    const payment = one(dev, "kubernetes:external-secrets.io/v1:ExternalSecret", "externalsecret/api/payment-api-key");
    const db = one(dev, "kubernetes:external-secrets.io/v1:ExternalSecret", "externalsecret/data-pipeline/db-credentials");
    assert.equal(payment.inputs.apiVersion, "external-secrets.io/v1");
    assert.deepEqual(payment.inputs.spec, {
      refreshInterval: "1h",
      secretStoreRef: { name: "aws-secrets-manager", kind: "ClusterSecretStore" },
      target: { name: "payment-api-key", creationPolicy: "Owner" },
      data: [{ secretKey: "api-key", remoteRef: { key: "dev/shared/payment-api", property: "key" } }],
    });
    assert.deepEqual((db.inputs.spec as { secretStoreRef: unknown }).secretStoreRef, { name: "data-processor-secrets-manager", kind: "SecretStore" });
    assert.ok(db.options.dependsOn.includes("kubernetes:external-secrets.io/v1:SecretStore::secretstore/data-pipeline/data-processor-secrets-manager"));
    // Every object registered, in both stacks, passes ESO's v1 schema again.
    for (const run of [dev, prod]) {
      for (const r of run.resources.filter((x) => x.type.startsWith("kubernetes:external-secrets.io/v1:"))) {
        const checked = models.check(r.inputs as unknown as K8sObject);
        assert.ok(checked.ok, `${r.name}: ${checked.ok ? "" : checked.errors.join("; ")}`);
      }
    }
  });

  it("find-by-path grants list and batch on * to the controller, and the ExternalSecret finds under its path", async () => {
    const run = await runStack("find", {
      "aws:region": "us-east-1",
      ...Object.fromEntries(
        Object.entries(config({ secrets: [{ prefix: "team/" }], clusterSecretStore: { findByPath: true } }, { createServiceAccount: false, externalSecrets: [es({ data: [], dataFrom: [{ find: { path: "team/app/", name: { regexp: "^team/app/.*" } } }] })] })).map(([k, v]) => [`eks-irsa:${k}`, v]),
      ),
    });
    const doc = parsePolicy(one(run, "aws:iam/rolePolicy:RolePolicy", "external-secrets-controller-access").inputs.policy);
    assert.ok(doc.Statement.some((s) => s.Resource === "*" && JSON.stringify(s.Action) === '["secretsmanager:BatchGetSecretValue","secretsmanager:ListSecrets"]'));
    const [found] = crs(run, "ExternalSecret");
    assert.deepEqual((found.inputs.spec as { dataFrom: unknown }).dataFrom, [{ find: { path: "team/app/", name: { regexp: "^team/app/.*" } } }]);
  });
});
