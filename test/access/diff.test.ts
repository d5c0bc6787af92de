import { strict as assert } from "node:assert";
import { diffModels } from "../../analysis/diff";
import type { AccessModel } from "../../analysis/model";
import { accessModel } from "../../tools/access/model";
import { renderChanges } from "../../tools/access/render";
import { runStack } from "../helpers/stacks";

const ACCOUNT = "111122223333";
const cluster = { name: "shop", oidcIssuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF" };
const config = (workloads: unknown[], extra: Record<string, unknown> = {}) => ({
  "aws:region": "us-east-1",
  "eks-irsa:cluster": cluster,
  "eks-irsa:workloads": workloads,
  ...extra,
});

const app = { name: "app", namespace: "shop", s3: [{ bucket: "shop-assets", prefix: "img/", access: "read" }] };
const worker = { name: "worker", namespace: "jobs", dynamodb: [{ table: "jobs", access: "read" }], secrets: [{ name: "jobs/api-key" }] };
const legacy = { name: "legacy", namespace: "old", secrets: [{ name: "old/token" }] };

async function model(stack: string, cfg: Record<string, unknown>): Promise<AccessModel> {
  const m = await accessModel(await runStack(stack, cfg));
  assert.deepEqual(m.errors, []);
  return m;
}

describe("access report: changes between two configs", () => {
  let base: AccessModel;
  before(async () => {
    base = await model("shop", config([app, worker, legacy]));
  });

  it("a grant added, a grant removed, a new workload, a renamed ServiceAccount, a removed workload: exactly these lines", async () => {
    const head = await model(
      "shop",
      config([
        { ...app, s3: [...app.s3, { bucket: "shop-uploads", prefix: "in/", access: "write" }] },
        { ...worker, serviceAccount: "job-runner", secrets: [] },
        { name: "reports", namespace: "bi", serviceAccount: "report-*", s3: [{ bucket: "shop-assets", prefix: "reports/", access: "read" }] },
      ]),
    );
    const secret = (name: string) => `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}-??????`;
    const changes = diffModels(base, head);
    assert.deepEqual(
      changes.map((c) => c.text),
      [
        "shop/app gains s3:AbortMultipartUpload on arn:aws:s3:::shop-uploads/in/*",
        "shop/app gains s3:DeleteObject on arn:aws:s3:::shop-uploads/in/*",
        "shop/app gains s3:ListMultipartUploadParts on arn:aws:s3:::shop-uploads/in/*",
        "shop/app gains s3:PutObject on arn:aws:s3:::shop-uploads/in/*",
        "workload worker now assumable by jobs/job-runner",
        "workload worker no longer assumable by jobs/worker",
        `jobs/job-runner loses secretsmanager:DescribeSecret on ${secret("jobs/api-key")}`,
        `jobs/job-runner loses secretsmanager:GetSecretValue on ${secret("jobs/api-key")}`,
        `new workload reports: arn:aws:iam::${ACCOUNT}:role/shop-reports, assumed by bi/report-*`,
        "bi/report-* gains s3:GetObject on arn:aws:s3:::shop-assets/reports/*",
        "bi/report-* gains s3:GetObjectVersion on arn:aws:s3:::shop-assets/reports/*",
        "bi/report-* gains s3:ListBucket on arn:aws:s3:::shop-assets when s3:prefix StringLike reports/ | reports/*",
        `removed workload legacy: arn:aws:iam::${ACCOUNT}:role/shop-legacy, was assumed by old/legacy`,
        `old/legacy loses secretsmanager:DescribeSecret on ${secret("old/token")}`,
        `old/legacy loses secretsmanager:GetSecretValue on ${secret("old/token")}`,
      ],
    );
    assert.deepEqual(
      changes.map((c) => c.sign).join(""),
      "++++" + "+-" + "--" + "++++" + "---",
    );
    const md = renderChanges(changes, "md", { stack: "shop", base: "HEAD", head: "working tree" });
    assert.ok(md.includes("```diff\n+ shop/app gains s3:AbortMultipartUpload on arn:aws:s3:::shop-uploads/in/*\n"), md);
    assert.ok(md.includes("\n- old/legacy loses secretsmanager:GetSecretValue on"), md);
  });

  it("a new role path replaces every role; a new guardrail and a narrower prefix: exactly these lines", async () => {
    const head = await model(
      "shop",
      config([{ ...app, s3: [{ bucket: "shop-assets", prefix: "img/thumbs/", access: "read" }] }], {
        "eks-irsa:roleDefaults": { path: "/irsa/", allowedRegions: ["us-east-1"] },
      }),
    );
    const changes = diffModels(await model("shop", config([app])), head).map((c) => c.text);
    assert.deepEqual(changes, [
      `workload app: role arn:aws:iam::${ACCOUNT}:role/shop-app is replaced by arn:aws:iam::${ACCOUNT}:role/irsa/shop-app`,
      "shop/app gains s3:GetObject on arn:aws:s3:::shop-assets/img/thumbs/*",
      "shop/app gains s3:GetObjectVersion on arn:aws:s3:::shop-assets/img/thumbs/*",
      "shop/app gains s3:ListBucket on arn:aws:s3:::shop-assets when s3:prefix StringLike img/thumbs/ | img/thumbs/*",
      "shop/app loses s3:GetObject on arn:aws:s3:::shop-assets/img/*",
      "shop/app loses s3:GetObjectVersion on arn:aws:s3:::shop-assets/img/*",
      "shop/app loses s3:ListBucket on arn:aws:s3:::shop-assets when s3:prefix StringLike img/ | img/*",
      "workload app guardrail added: deny * on * when aws:RequestedRegion StringNotEquals us-east-1",
    ]);
  });

  it("a cross-account chain: the source's ServiceAccount gains through the target role, and a new chain shows both sides", async () => {
    const target = (access: string, workloads = ["app"]) => ({
      "eks-irsa:crossAccount": [
        { name: "lake", accountId: "210987654321", deployRoleArn: "arn:aws:iam::210987654321:role/deployer", mode: "chained", roles: [{ name: "reader", workloads, s3: [{ bucket: "lake", prefix: "curated/", access }] }] },
      ],
    });
    const TARGET = "arn:aws:iam::210987654321:role/shop-lake-reader";
    const before = await model("shop", config([app, worker], target("read")));
    const after = await model("shop", config([app, worker], target("read-write", ["app", "worker"])));
    assert.deepEqual(diffModels(before, after).map((c) => c.text), [
      `jobs/worker gains sts:AssumeRole on ${TARGET}`,
      `cross-account lake/reader now assumable by worker (arn:aws:iam::${ACCOUNT}:role/shop-worker)`,
      "shop/app, jobs/worker (as cross-account lake/reader) gains s3:AbortMultipartUpload on arn:aws:s3:::lake/curated/*",
      "shop/app, jobs/worker (as cross-account lake/reader) gains s3:DeleteObject on arn:aws:s3:::lake/curated/*",
      "shop/app, jobs/worker (as cross-account lake/reader) gains s3:ListMultipartUploadParts on arn:aws:s3:::lake/curated/*",
      "shop/app, jobs/worker (as cross-account lake/reader) gains s3:PutObject on arn:aws:s3:::lake/curated/*",
    ]);
  });

  it("conditions: reordered grants are no change; a new prefix on a bucket is one gain of its values", async () => {
    const two = { ...app, s3: [{ bucket: "shop-assets", prefix: "img/", access: "read" }, { bucket: "shop-assets", prefix: "css/", access: "read" }] };
    const swapped = { ...app, s3: [...two.s3].reverse() };
    assert.deepEqual(diffModels(await model("shop", config([two])), await model("shop", config([swapped]))), []);
    const changes = diffModels(await model("shop", config([app])), await model("shop", config([two]))).map((c) => `${c.sign} ${c.text}`);
    assert.deepEqual(changes, [
      "+ shop/app gains s3:GetObject on arn:aws:s3:::shop-assets/css/*",
      "+ shop/app gains s3:GetObjectVersion on arn:aws:s3:::shop-assets/css/*",
      "+ shop/app gains s3:ListBucket on arn:aws:s3:::shop-assets when s3:prefix StringLike css/ | css/*",
    ]);
  });

  it("a guardrail removed widens access: it is a + line", async () => {
    const changes = diffModels(await model("shop", config([app])), await model("shop", config([app], { "eks-irsa:roleDefaults": { requireSecureTransport: false } })));
    assert.deepEqual(changes.map((c) => `${c.sign} ${c.text}`), ["+ workload app guardrail removed: deny * on * when aws:SecureTransport Bool false"]);
    assert.ok(renderChanges(changes, "md", { stack: "shop", base: "HEAD", head: "working tree" }).includes("\n+ workload app guardrail removed"));
  });

  it("ESO: a namespace that starts using the ClusterSecretStore reads as its identity; ExternalSecrets added and removed", async () => {
    const eso = { "eks-irsa:externalSecrets": { secrets: [{ prefix: "shared/" }] } };
    const es = (name: string, key: string) => ({ name, data: [{ secretKey: "k", remoteRef: { key } }] });
    const before = await model("shop", config([{ ...app, externalSecrets: [es("a", "shared/a")] }, { ...worker }], eso));
    const after = await model("shop", config([{ ...app }, { ...worker, externalSecrets: [es("b", "shared/b")] }], eso));
    assert.deepEqual(diffModels(before, after).map((c) => `${c.sign} ${c.text}`), [
      "+ namespace jobs may now read through ClusterSecretStore aws-secrets-manager (as eso-controller external-secrets)",
      "- namespace shop may no longer read through ClusterSecretStore aws-secrets-manager (as eso-controller external-secrets)",
      "+ new ExternalSecret jobs/b copies shared/b into Secret jobs/b through ClusterSecretStore aws-secrets-manager",
      "- removed ExternalSecret shop/a (copied shared/a)",
    ]);
  });

  it("the same config twice: no change, and the text says so", async () => {
    const same = await model("shop", config([app, worker, legacy]));
    const changes = diffModels(base, same);
    assert.deepEqual(changes, []);
    assert.equal(
      renderChanges(changes, "text", { stack: "shop", base: "HEAD", head: "working tree" }),
      "eks-irsa access changes: stack shop, HEAD -> working tree\nno access changes between HEAD and working tree",
    );
  });

  it("checks of the current access that disagree follow the changes, and are in the JSON", () => {
    const context = { stack: "shop", base: "HEAD", head: "working tree" };
    const errors = ["workload app: s3:GetObject on arn:aws:s3:::b/*: near miss b-other/example is allowed"];
    assert.equal(
      renderChanges([], "text", context, errors),
      "eks-irsa access changes: stack shop, HEAD -> working tree\nno access changes between HEAD and working tree\n\n" +
        "1 check(s) of the current access DISAGREE:\n  ERROR workload app: s3:GetObject on arn:aws:s3:::b/*: near miss b-other/example is allowed",
    );
    assert.deepEqual(JSON.parse(renderChanges([], "json", context, errors)), { ...context, changes: [], errors });
  });
});
