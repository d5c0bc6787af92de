import { strict as assert } from "node:assert";
import { conditionText } from "../../analysis/condition";
import type { AccessModel, Grant, Identity, ServiceAccountAssumer } from "../../analysis/model";
import { accessModel } from "../../tools/access/model";
import { checkMermaid } from "../../tools/access/mermaid";
import { renderMarkdown, renderText } from "../../tools/access/render";
import { runStack } from "../helpers/stacks";

const DEV = "111122223333";
const PROD = "123456789012";

function identity(model: AccessModel, kind: string, label: string): Identity {
  const found = model.identities.filter((i) => i.kind === kind && i.label === label);
  assert.equal(found.length, 1, `one ${kind} ${label} in ${model.identities.map((i) => `${i.kind} ${i.label}`).join(", ")}`);
  return found[0];
}

const rows = (i: Identity) => i.grants.map((g) => [g.action, g.resource, ...g.conditions.map(conditionText)].join("  "));

/** The row of an action, resource and conditions (as `key Operator v1 | v2`). */
function row(i: Identity, action: string, resource: string, conditions: string[] = []): Grant {
  const g = i.grants.find((x) => x.action === action && x.resource === resource && JSON.stringify(x.conditions.map(conditionText)) === JSON.stringify(conditions));
  assert.ok(g, `${i.label} has no row ${action} on ${resource} ${conditions.join(" and ")}; rows:\n${rows(i).join("\n")}`);
  return g;
}

const noRow = (i: Identity, action: string, resourcePrefix: string) =>
  assert.ok(!i.grants.some((g) => g.action === action && g.resource.startsWith(resourcePrefix)), `${i.label} must not have ${action} on ${resourcePrefix}...`);

function serviceAccounts(i: Identity): ServiceAccountAssumer[] {
  return i.assumers.filter((a): a is ServiceAccountAssumer => a.type === "service-account");
}

/** Every row and assumer of the model was confirmed and had near misses denied. */
function assertEveryCheckAgrees(model: AccessModel) {
  assert.deepEqual(model.errors, []);
  for (const i of model.identities) {
    for (const g of i.grants) {
      assert.equal(g.check?.decision, "Allowed", `${i.label}: ${g.action} on ${g.resource}`);
      assert.ok(g.check.denied.length >= 2, `${i.label}: ${g.action} on ${g.resource} has near misses`);
    }
    for (const a of i.assumers) if (a.type !== "principal") assert.equal(a.check?.decision, "Allowed");
  }
}

const mermaidOf = (md: string) => /```mermaid\n([\s\S]*?)\n```/.exec(md)![1];

describe("access report: the dev stack's matrix", () => {
  let model: AccessModel;
  before(async () => {
    model = await accessModel(await runStack("dev"));
  });

  it("frontend: web/frontend reads its static prefix and lists only it, nothing else", () => {
    const frontend = identity(model, "workload", "frontend");
    assert.equal(frontend.roleArn, `arn:aws:iam::${DEV}:role/irsa-dev-frontend`);
    const [sa] = serviceAccounts(frontend);
    assert.equal(sa.serviceAccount, "web/frontend");
    assert.equal(sa.pattern, false);
    assert.equal(sa.created, true);
    assert.deepEqual(sa.audiences, ["sts.amazonaws.com"]);
    assert.match(sa.issuer, /^oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    assert.deepEqual(rows(frontend), [
      "s3:GetObject  arn:aws:s3:::acme-dev-static-assets/static/*",
      "s3:GetObjectVersion  arn:aws:s3:::acme-dev-static-assets/static/*",
      "s3:ListBucket  arn:aws:s3:::acme-dev-static-assets  s3:prefix StringLike static/ | static/*",
    ]);
    assert.deepEqual(frontend.guardrails, ["deny * on * when aws:SecureTransport Bool false"]);
  });

  it("each row names the near misses iam-simulate denied: sibling prefix, other bucket, plain HTTP, other s3:prefix", () => {
    const frontend = identity(model, "workload", "frontend");
    assert.deepEqual(row(frontend, "s3:GetObject", "arn:aws:s3:::acme-dev-static-assets/static/*").check, {
      decision: "Allowed",
      denied: ["acme-dev-static-assets/static-other/example", "acme-dev-static-assets-other/static/example", "aws:SecureTransport=false"],
    });
    const list = row(frontend, "s3:ListBucket", "arn:aws:s3:::acme-dev-static-assets", ["s3:prefix StringLike static/ | static/*"]);
    assert.deepEqual(list.conditions, [{ operator: "StringLike", key: "s3:prefix", values: ["static/", "static/*"] }]);
    assert.deepEqual(list.check?.denied, ["acme-dev-static-assets-other", "s3:prefix=other-static/", "without s3:prefix", "aws:SecureTransport=false"]);
    assert.deepEqual(serviceAccounts(frontend)[0].check?.denied, ["web/other-frontend", "other-web/frontend", "aud other-sts.amazonaws.com", "a token of another issuer"]);
  });

  it("backend: read-write on its table, read on every index", () => {
    const backend = identity(model, "workload", "backend");
    const table = `arn:aws:dynamodb:us-east-1:${DEV}:table/orders-dev`;
    for (const action of ["GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"]) row(backend, `dynamodb:${action}`, table);
    row(backend, "dynamodb:Query", `${table}/index/*`);
    row(backend, "dynamodb:Scan", `${table}/index/*`);
    noRow(backend, "dynamodb:PutItem", `${table}/index`);
    assert.ok(row(backend, "dynamodb:Query", `${table}/index/*`).check?.denied.includes("table/orders-dev-other/index/example"));
  });

  it("data-processor: data-pipeline/s3-processor reads incoming/, writes results, reads its secret; no S3 writes", () => {
    const dp = identity(model, "workload", "data-processor");
    assert.deepEqual(serviceAccounts(dp).map((a) => a.serviceAccount), ["data-pipeline/s3-processor"]);
    row(dp, "s3:GetObject", "arn:aws:s3:::acme-dev-raw-data/incoming/*");
    row(dp, "s3:ListBucket", "arn:aws:s3:::acme-dev-raw-data", ["s3:prefix StringLike incoming/ | incoming/*"]);
    row(dp, "dynamodb:PutItem", `arn:aws:dynamodb:us-east-1:${DEV}:table/processing-results-dev`);
    noRow(dp, "dynamodb:GetItem", `arn:aws:dynamodb:us-east-1:${DEV}:table/processing-results-dev`);
    noRow(dp, "s3:PutObject", "arn:aws:s3:::acme-dev-raw-data");
    const secret = row(dp, "secretsmanager:GetSecretValue", `arn:aws:secretsmanager:us-east-1:${DEV}:secret:dev/data-pipeline/db-??????`);
    assert.ok(secret.check?.denied.includes("secret:dev/data-pipeline/db-other-AbCdEf"), "a longer secret name is a near miss");
  });

  it("reports: a namespace-wide pattern, no ServiceAccount created, read-write on reports/", () => {
    const reports = identity(model, "workload", "reports");
    const [sa] = serviceAccounts(reports);
    assert.deepEqual([sa.serviceAccount, sa.pattern, sa.created], ["reporting/report-*", true, false]);
    assert.ok(sa.check?.denied.includes("reporting/other-report-example"));
    row(reports, "s3:PutObject", "arn:aws:s3:::acme-dev-raw-data/reports/*");
    row(reports, "s3:GetObject", "arn:aws:s3:::acme-dev-raw-data/reports/*");
  });

  it("every row and assumer is confirmed, with near misses denied", () => assertEveryCheckAgrees(model));

  it("text and Markdown render every identity; the Markdown graph passes the flowchart check", () => {
    const text = renderText(model);
    assert.match(text, /^eks-irsa access report: stack dev, region us-east-1, account 111122223333$/m);
    assert.match(text, /^ {16}s3:GetObjectVersion +arn:aws:s3:::acme-dev-static-assets\/static\/\* +ok, 3 near misses denied$/m);
    assert.match(text, /every check agrees$/);
    const md = renderMarkdown(model);
    for (const i of model.identities) assert.ok(md.includes(`## ${i.kind} \`${i.label}\``));
    assert.ok(md.includes("| `s3:ListBucket` | `arn:aws:s3:::acme-dev-static-assets` | `s3:prefix StringLike static/ \\| static/*` |"), "pipes escaped in table cells");
    const graph = mermaidOf(md);
    assert.deepEqual(checkMermaid(graph), []);
    assert.match(graph, /^ {2}role_frontend --> sa_web_frontend$/m);
  });
});

describe("access report: the prod stack's matrix", () => {
  let model: AccessModel;
  before(async () => {
    model = await accessModel(await runStack("prod"));
  });

  it("roles live in the stack's account and path; the unmanaged permissions boundary is named, not evaluated", () => {
    const frontend = identity(model, "workload", "frontend");
    assert.equal(frontend.roleArn, `arn:aws:iam::${PROD}:role/eks-irsa/acme-prod-frontend`);
    assert.deepEqual(frontend.notEvaluated, [`permissions boundary arn:aws:iam::${PROD}:policy/eks-workload-boundary (not defined by this stack)`]);
    assert.deepEqual(frontend.guardrails, ["deny * on * when aws:SecureTransport Bool false", "deny * on * when aws:RequestedRegion StringNotEquals us-east-1"]);
    assert.deepEqual(serviceAccounts(frontend)[0].provider, `arn:aws:iam::${PROD}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C5DB1A4E4F9B7A64B02A1D6E3A1F2C7`);
  });

  it("the region guardrail is probed: each row is denied in another region", () => {
    const g = row(identity(model, "workload", "frontend"), "s3:GetObject", "arn:aws:s3:::acme-prod-static-assets/static/*");
    assert.deepEqual(g.check?.denied.slice(-2), ["aws:SecureTransport=false", "aws:RequestedRegion=us-west-2"]);
  });

  it("backend: only the two named indexes", () => {
    const backend = identity(model, "workload", "backend");
    const table = `arn:aws:dynamodb:us-east-1:${PROD}:table/orders`;
    row(backend, "dynamodb:Query", `${table}/index/by-customer`);
    row(backend, "dynamodb:Scan", `${table}/index/by-status`);
    noRow(backend, "dynamodb:Query", `${table}/index/*`);
  });

  it("data-processor: KMS only via S3 and Secrets Manager, checked with the default key policy", () => {
    const dp = identity(model, "workload", "data-processor");
    const kms = row(dp, "kms:Decrypt", `arn:aws:kms:us-east-1:${PROD}:key/1f2e3d4c-5b6a-4789-8abc-def012345678`, [
      "kms:ViaService StringEquals s3.us-east-1.amazonaws.com | secretsmanager.us-east-1.amazonaws.com",
    ]);
    assert.equal(kms.check?.note, "key policy not in this stack: AWS's default one assumed");
    assert.ok(kms.check?.denied.includes("kms:ViaService=other-s3.us-east-1.amazonaws.com"));
    assert.ok(kms.check?.denied.includes("without kms:ViaService"));
    row(dp, "s3:GetObject", "arn:aws:s3:::acme-prod-raw-data/incoming/*");
    row(dp, "secretsmanager:GetSecretValue", `arn:aws:secretsmanager:us-east-1:${PROD}:secret:prod/data-pipeline/db-??????`);
  });

  it("every row and assumer is confirmed; the graph passes the flowchart check", () => {
    assertEveryCheckAgrees(model);
    assert.deepEqual(checkMermaid(mermaidOf(renderMarkdown(model))), []);
  });
});

describe("access report: a cross-account target in oidc mode", () => {
  it("the target role is assumed by the dedicated ServiceAccount through the target account's own provider, and every check agrees", async () => {
    const issuer = "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789";
    const model = await accessModel(
      await runStack("oidc", {
        "aws:region": "eu-west-1",
        "eks-irsa:cluster": { name: "c1", oidcIssuerUrl: `https://${issuer}` },
        "eks-irsa:workloads": [{ name: "app", namespace: "team" }],
        "eks-irsa:crossAccount": [
          { name: "security", accountId: "444455556666", deployRoleArn: "arn:aws:iam::444455556666:role/deployer", mode: "oidc", roles: [{ name: "log-writer", workloads: ["app"], s3: [{ bucket: "security-logs", prefix: "eks/", access: "write" }] }] },
        ],
      }),
    );
    assertEveryCheckAgrees(model);
    const target = identity(model, "cross-account", "security/log-writer");
    assert.equal(target.roleArn, "arn:aws:iam::444455556666:role/c1-security-log-writer");
    assert.deepEqual(serviceAccounts(target).map((a) => [a.serviceAccount, a.provider]), [["team/app-security-log-writer", `arn:aws:iam::444455556666:oidc-provider/${issuer}`]]);
    row(target, "s3:PutObject", "arn:aws:s3:::security-logs/eks/*");
    noRow(identity(model, "workload", "app"), "sts:AssumeRole", "arn:aws:iam::444455556666:");
    assert.deepEqual(checkMermaid(mermaidOf(renderMarkdown(model))), []);
  });
});

describe("access report: a KMS key in another account", () => {
  it("is checked with a key policy naming the role (its owner's, assumed and said so): every check agrees, near misses denied", async () => {
    const key = (n: string) => `arn:aws:kms:us-east-1:${PROD}:key/1f2e3d4c-5b6a-4789-8abc-def01234567${n}`;
    const model = await accessModel(
      await runStack("kms", {
        "aws:region": "us-east-1",
        "aws:allowedAccountIds": [DEV],
        "eks-irsa:cluster": { name: "c1", oidcIssuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789" },
        "eks-irsa:workloads": [{ name: "w0", namespace: "web", kms: [{ keyArn: key("8"), access: "decrypt" }], s3: [{ bucket: "bucket-one", prefix: "x/", access: "read", kmsKeyArn: key("9") }] }],
      }),
    );
    assertEveryCheckAgrees(model);
    const w0 = identity(model, "workload", "w0");
    const direct = row(w0, "kms:Decrypt", key("8"));
    assert.equal(direct.check?.note, `key in account ${PROD}: its key policy (not in this stack) must allow this role, assumed so`);
    assert.ok(direct.check?.denied.length);
    assert.equal(row(w0, "kms:Decrypt", key("9"), ["kms:ViaService StringEquals s3.us-east-1.amazonaws.com"]).check?.note, direct.check?.note);
  });
});

describe("access report: ESO in the dev matrix", () => {
  it("lists each store with the identity it reads as and the namespaces it serves, and each ExternalSecret", async () => {
    const model = await accessModel(await runStack("dev"));
    assert.deepEqual(model.secretStores, [
      { kind: "ClusterSecretStore", name: "aws-secrets-manager", namespaces: ["api"], readsAs: "eso-controller external-secrets" },
      { kind: "SecretStore", name: "data-processor-secrets-manager", namespace: "data-pipeline", namespaces: ["data-pipeline"], readsAs: "workload data-processor" },
    ]);
    assert.deepEqual(model.externalSecrets?.map((e) => `${e.namespace}/${e.name} <- ${e.reads.join(", ")} via ${e.store}`), [
      "api/payment-api-key <- dev/shared/payment-api via ClusterSecretStore aws-secrets-manager",
      "data-pipeline/db-credentials <- dev/data-pipeline/db via SecretStore data-processor-secrets-manager",
    ]);
    assert.match(renderText(model), /^ {2}store {9}ClusterSecretStore aws-secrets-manager {2}reads as eso-controller external-secrets {2}for namespaces api$/m);
    assert.match(renderMarkdown(model), /\| `ClusterSecretStore aws-secrets-manager` \| eso-controller external-secrets \| `api` \|/);
  });
});
