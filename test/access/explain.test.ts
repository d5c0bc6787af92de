/**
 * `npm run access -- <stack> --explain <namespace/serviceaccount> <action> <resource-arn>` against the dev and prod
 * stacks: an allowed call, a call denied by scope (with the nearest grant), a call denied by a guardrail, and
 * ServiceAccounts that cannot assume the role (wrong namespace, pattern mismatch, audience, another cluster's issuer,
 * no annotation), each answer confirmed with iam-simulate by the command.
 */
import { strict as assert } from "node:assert";
import { explain, type ExplainRequest } from "../../analysis/explain";
import { runAccess, takeExplain } from "../../tools/access";
import { simulateRequest } from "../../tools/access/verify";
import * as path from "node:path";
import { readStackFile, ROOT, type OfflineRun } from "../../tools/offline";
import { call } from "../helpers/cli";
import { runStack } from "../helpers/stacks";

const DEV = "111122223333";
const PROD = "123456789012";

function ask(run: OfflineRun, who: string, action: string, resource: string, more: Partial<ExplainRequest> = {}) {
  const [namespace, serviceAccount] = who.split("/");
  const e = explain(run.resources, run.outputs, run.region, { namespace, serviceAccount, action, resource, ...more });
  return { ...e, text: e.lines.join("\n") };
}

describe("access --explain: why a ServiceAccount can or cannot make a call", () => {
  let dev: OfflineRun;
  let prod: OfflineRun;
  before(async function () {
    this.timeout(60_000);
    dev = await runStack("dev");
    prod = await runStack("prod");
  });

  it("allowed (dev, prod): the role its annotation names, the trust, the statement that allows it", () => {
    const d = ask(dev, "api/backend", "dynamodb:GetItem", `arn:aws:dynamodb:us-east-1:${DEV}:table/orders-dev`);
    assert.equal(d.decision, "Allowed");
    assert.match(d.text, /annotation {2}eks\.amazonaws\.com\/role-arn: arn:aws:iam::111122223333:role\/irsa-dev-backend \(on the ServiceAccount this stack creates\)/);
    assert.match(d.text, /assume {6}ALLOWED: the trust of irsa-dev-backend admits the token/);
    assert.match(d.text, /decision {4}ALLOWED by irsa-dev-backend-access \(inline\) statement 0: allow dynamodb:BatchGetItem, .*dynamodb:GetItem.* on arn:aws:dynamodb:us-east-1:111122223333:table\/orders-dev/);
    const p = ask(prod, "web/frontend", "s3:GetObject", "arn:aws:s3:::acme-prod-static-assets/static/app.js");
    assert.equal(p.decision, "Allowed");
    assert.match(p.text, /answer {4}YES/);
  });

  it("denied by scope (dev, prod): the nearest grant names the prefix that is granted", () => {
    const d = ask(dev, "reporting/report-daily", "s3:PutObject", "arn:aws:s3:::acme-dev-raw-data/outgoing/summary.csv");
    assert.equal(d.decision, "ImplicitlyDenied");
    assert.match(d.text, /decision {4}DENIED: no statement of the role allows it/);
    assert.match(d.text, /nearest {5}s3:PutObject is granted on `arn:aws:s3:::acme-dev-raw-data\/reports\/\*`, not on `arn:aws:s3:::acme-dev-raw-data\/outgoing\/summary\.csv`/);
    const p = ask(prod, "data-pipeline/s3-processor", "dynamodb:DeleteTable", `arn:aws:dynamodb:us-east-1:${PROD}:table/processing-results`);
    assert.equal(p.decision, "ImplicitlyDenied");
    assert.match(p.text, /nearest {5}on arn:aws:dynamodb:us-east-1:123456789012:table\/processing-results the role may .*dynamodb:PutItem.*, not dynamodb:DeleteTable/);
  });

  it("denied by a guardrail: prod's region guardrail, dev's TLS guardrail (with the statement that would allow it)", () => {
    const p = ask(prod, "api/backend", "dynamodb:GetItem", `arn:aws:dynamodb:us-west-2:${PROD}:table/orders`);
    assert.equal(p.decision, "ExplicitlyDenied");
    assert.match(p.text, /decision {4}DENIED by the guardrail acme-prod-backend-access \(inline\) statement \d+: deny \* on \* {2}when aws:RequestedRegion StringNotEquals us-east-1/);
    const d = ask(dev, "web/frontend", "s3:GetObject", "arn:aws:s3:::acme-dev-static-assets/static/app.js", { context: { "aws:SecureTransport": "false" } });
    assert.equal(d.decision, "ExplicitlyDenied");
    assert.match(d.text, /DENIED by the guardrail irsa-dev-frontend-access \(inline\) statement \d+: deny \* on \* {2}when aws:SecureTransport Bool false\n {14}\(irsa-dev-frontend-access \(inline\) statement 0 would allow it otherwise/);
  });

  it("cannot assume: wrong namespace, pattern mismatch, no annotation (dev)", () => {
    const ns = ask(dev, "web/backend", "dynamodb:GetItem", `arn:aws:dynamodb:us-east-1:${DEV}:table/orders-dev`);
    assert.equal(ns.assumed, false);
    assert.match(ns.text, /annotation {2}NONE: no role of this stack is annotated on or trusts web\/backend/);
    assert.match(ns.text, /nearest {5}role irsa-dev-backend: it trusts api\/backend: wrong namespace \(web, not api\)/);
    const pattern = ask(dev, "reporting/daily-job", "s3:GetObject", "arn:aws:s3:::acme-dev-raw-data/reports/x.csv");
    assert.match(pattern.text, /nearest {5}role irsa-dev-reports: it trusts the pattern reporting\/report-\*, which daily-job does not match/);
    // A name the pattern binds, but no ServiceAccount of the stack carries the annotation: the pod gets nothing.
    const unannotated = ask(dev, "reporting/report-daily", "s3:GetObject", "arn:aws:s3:::acme-dev-raw-data/reports/x.csv");
    assert.match(unannotated.text, /annotation {2}NONE: no ServiceAccount reporting\/report-daily annotated with a role is registered by this stack; role arn:aws:iam::111122223333:role\/irsa-dev-reports trusts it/);
  });

  it("cannot assume: another audience, another cluster's issuer (prod)", () => {
    const aud = ask(prod, "web/frontend", "s3:GetObject", "arn:aws:s3:::acme-prod-static-assets/static/app.js", { audience: "vault" });
    assert.equal(aud.assumed, false);
    assert.match(aud.text, /assume {6}DENIED by the trust of acme-prod-frontend \(AccessDenied on AssumeRoleWithWebIdentity, "not authorized to perform: sts:AssumeRoleWithWebIdentity"\):\n {14}it requires aud sts\.amazonaws\.com, and the token's is vault/);
    const other = "https://oidc.eks.us-east-1.amazonaws.com/id/0000000000000000000000000000AAAA";
    const issuer = ask(prod, "web/frontend", "s3:GetObject", "arn:aws:s3:::acme-prod-static-assets/static/app.js", { issuer: other });
    assert.match(issuer.text, /it trusts tokens of oidc\.eks\.us-east-1\.amazonaws\.com\/id\/5C5DB1A4E4F9B7A64B02A1D6E3A1F2C7 .*not of oidc\.eks\.us-east-1\.amazonaws\.com\/id\/0000000000000000000000000000AAAA: another cluster's issuer/);
    assert.match(issuer.text, /STS answers InvalidIdentityToken \("No OpenIDConnect provider found in your account for https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/0000000000000000000000000000AAAA"\)/);
  });

  it("the recipe's check: sts:AssumeRoleWithWebIdentity on a role answers for the trust alone", () => {
    const yes = ask(prod, "api/backend", "sts:AssumeRoleWithWebIdentity", `arn:aws:iam::${PROD}:role/eks-irsa/acme-prod-backend`);
    assert.equal(yes.decision, "Allowed");
    const no = ask(prod, "web/frontend", "sts:AssumeRoleWithWebIdentity", `arn:aws:iam::${PROD}:role/eks-irsa/acme-prod-backend`);
    assert.equal(no.assumed, false);
    assert.match(no.text, /it trusts api\/backend: wrong namespace \(web, not api\)/);
  });

  it("Pod Identity: the association names the role, and a shared (ABAC) role reaches its session's namespace only", async () => {
    const pod = await runStack("pod", readStackFile(path.join(ROOT, "examples/pod-identity.yaml")));
    const own = ask(pod, "team-b/app", "s3:PutObject", "arn:aws:s3:::acme-tenant-data/tenants/team-b/x.json");
    assert.equal(own.decision, "Allowed");
    assert.match(own.text, /association prod-blue\/team-b\/app names arn:aws:iam::111122223333:role\/prod-blue-tenants \(EKS Pod Identity: no annotation/);
    const other = ask(pod, "team-b/app", "s3:PutObject", "arn:aws:s3:::acme-tenant-data/tenants/team-a/x.json");
    assert.equal(other.decision, "ImplicitlyDenied");
    assert.match(other.text, /nearest {5}s3:PutObject is granted on `arn:aws:s3:::acme-tenant-data\/tenants\/team-b\/\*`, not on/);
    // The listing is conditioned on s3:prefix with the same variable: resolved from the session's tags too.
    const bucket = "arn:aws:s3:::acme-tenant-data";
    const list = ask(pod, "team-b/app", "s3:ListBucket", bucket, { context: { "s3:prefix": "tenants/team-b/" } });
    assert.equal(list.decision, "Allowed", list.text);
    assert.equal(await simulateRequest(list.roleArn!, pod.region, list.documents, list.request!), "Allowed");
    const foreign = ask(pod, "team-b/app", "s3:ListBucket", bucket, { context: { "s3:prefix": "tenants/team-a/" } });
    assert.equal(foreign.decision, "ImplicitlyDenied");
    assert.match(await simulateRequest(foreign.roleArn!, pod.region, foreign.documents, foreign.request!), /Denied$/);
    // An association with a target role: the pods' calls are the target role's, which the stack defines.
    const chained = ask(pod, "bi/analytics", "s3:GetObject", "arn:aws:s3:::acme-datalake/curated/x.csv");
    assert.equal(chained.decision, "Allowed", chained.text);
    assert.equal(chained.roleArn, "arn:aws:iam::444455556666:role/prod-blue-datalake-reader");
    assert.match(chained.text, /and chains to arn:aws:iam::444455556666:role\/prod-blue-datalake-reader: the pod's calls are that role's\n/);
    assert.equal(await simulateRequest(chained.roleArn!, pod.region, chained.documents, chained.request!), "Allowed");
    assert.equal(ask(pod, "bi/analytics", "s3:GetObject", "arn:aws:s3:::acme-datalake/raw/x.csv").decision, "ImplicitlyDenied");
  });

  it("Pod Identity: sts:AssumeRole on the role answers for the association and the trust; the recipe's check answers yes for every workload", async () => {
    const pod = await runStack("pod", readStackFile(path.join(ROOT, "examples/pod-identity.yaml")));
    const catalog = "arn:aws:iam::111122223333:role/prod-blue-catalog";
    const yes = ask(pod, "shop/catalog", "sts:AssumeRole", catalog);
    assert.equal(yes.decision, "Allowed", yes.text);
    assert.match(yes.text, /association prod-green\/shop\/catalog: the trust of prod-blue-catalog admits EKS's sts:AssumeRole and sts:TagSession/);
    const none = ask(pod, "shop/other", "sts:AssumeRole", catalog);
    assert.equal(none.assumed, false);
    assert.match(none.text, /association NONE: no Pod Identity association of shop\/other names prod-blue-catalog/);
    // An association the trust does not pin (made by hand for another namespace): EKS's AssumeRole is denied.
    const moved = pod.resources.map((r) => (r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" && r.inputs.serviceAccount === "catalog" ? { ...r, inputs: { ...r.inputs, namespace: "web" } } : r));
    const denied = explain(moved, pod.outputs, pod.region, { namespace: "web", serviceAccount: "catalog", action: "sts:AssumeRole", resource: catalog });
    assert.equal(denied.assumed, false);
    assert.match(denied.lines.join("\n"), /association prod-blue\/web\/catalog: the trust of prod-blue-catalog DENIES/);
    const workloads = pod.outputs.workloads as Record<string, { verification: { explainCommand: string; expectedCallerArn: string } }>;
    for (const [name, w] of Object.entries(workloads)) {
      const [who, action, resource] = w.verification.explainCommand.split(" --explain ")[1].split(" ");
      const answer = ask(pod, who, action, resource);
      assert.equal(answer.decision, "Allowed", `${name}: ${w.verification.explainCommand}\n${answer.text}`);
    }
    // Pods of an association with a target role get that role's credentials.
    assert.equal(workloads.analytics.verification.expectedCallerArn, "arn:aws:sts::444455556666:assumed-role/prod-blue-datalake-reader/<session>");
  });

  it("a chained role is assumed through the regional STS endpoint: the region guardrail sees the stack's region, as the access report does", async () => {
    const run = await runStack("lake", {
      "aws:region": "eu-west-1",
      "eks-irsa:cluster": { name: "shop", oidcIssuerUrl: "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF" },
      "eks-irsa:roleDefaults": { allowedRegions: ["eu-west-1"] },
      "eks-irsa:workloads": [{ name: "reader", namespace: "bi" }],
      "eks-irsa:crossAccount": [{ name: "lake", accountId: "444455556666", deployRoleArn: "arn:aws:iam::444455556666:role/deployer", mode: "chained", roles: [{ name: "reader", workloads: ["reader"], s3: [{ bucket: "acme-lake", prefix: "curated/", access: "read" }] }] }],
    });
    const target = "arn:aws:iam::444455556666:role/shop-lake-reader";
    const chain = ask(run, "bi/reader", "sts:AssumeRole", target);
    assert.equal(chain.decision, "Allowed", chain.text);
    assert.equal(await simulateRequest(chain.roleArn!, run.region, chain.documents, chain.request!), "Allowed");
    // IAM's endpoint is global: its requests still count as us-east-1.
    assert.equal(ask(run, "bi/reader", "iam:GetRole", target).request?.context["aws:RequestedRegion"], "us-east-1");
  });

  it("the command: exit 0 for yes, 1 for no, each answer confirmed with iam-simulate; usage errors exit 2", async () => {
    const yes = await call(runAccess, "dev", "--explain", "api/backend", "dynamodb:Query", `arn:aws:dynamodb:us-east-1:${DEV}:table/orders-dev/index/by-customer`);
    assert.equal(yes.code, 0, yes.stderr);
    assert.match(yes.stdout, /confirmed {3}iam-simulate agrees \(Allowed\)\nanswer {4}YES/);
    const no = await call(runAccess, "prod", "--explain", "api/backend", "dynamodb:GetItem", `arn:aws:dynamodb:us-west-2:${PROD}:table/orders`);
    assert.equal(no.code, 1);
    assert.match(no.stdout, /confirmed {3}iam-simulate agrees \(ExplicitlyDenied\)\nanswer {4}NO/);
    for (const argv of [
      ["dev", "--explain", "api/backend", "dynamodb:GetItem"],
      ["dev", "--explain", "backend", "dynamodb:GetItem", "*"],
      ["dev", "--explain", "api/backend", "GetItem", "*"],
      ["dev", "--explain", "api/backend", "dynamodb:GetItem", "table/orders"],
      ["dev", "--audience", "x"],
      ["dev", "--explain", "api/backend", "dynamodb:GetItem", "*", "--context", "novalue"],
      ["dev", "--explain", "api/backend", "dynamodb:GetItem", "*", "--base", "HEAD"],
      ["dev", "--explain", "api/backend", "dynamodb:GetItem", "*", "--explain", "web/frontend", "s3:GetObject", "*"],
    ]) {
      const r = await call(runAccess, ...argv);
      assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  it("refuses an action the AWS service catalog does not have, before any run (iam-simulate cannot answer for it)", () => {
    for (const action of ["sqs:Foo", "s3:GetObjects", "nosuch:GetThing", "sqs:constructor"]) {
      assert.throws(() => takeExplain(["dev", "--explain", "a/b", action, "*"]), { message: `--explain: ${action} is not an action of the AWS service catalog (check its spelling)` });
    }
    assert.doesNotThrow(() => takeExplain(["dev", "--explain", "a/b", "sqs:sendmessage", "*"]));
  });

  it("refuses a ServiceAccount pattern or a name Kubernetes would not accept: a pod runs as one ServiceAccount", () => {
    for (const [who, message] of [
      ["web/frontend-*", '--explain web/frontend-*: "frontend-*" is not a valid Kubernetes ServiceAccount name (RFC 1123 subdomain: lowercase letters, digits, \'-\' and \'.\', at most 253 characters): name the pod\'s ServiceAccount, not a pattern'],
      ["web/*", '--explain web/*: "*" is not a valid Kubernetes ServiceAccount name (RFC 1123 subdomain: lowercase letters, digits, \'-\' and \'.\', at most 253 characters): name the pod\'s ServiceAccount, not a pattern'],
      ["Web/frontend", '--explain Web/frontend: "Web" is not a valid Kubernetes namespace (RFC 1123 label: lowercase letters, digits and \'-\', at most 63 characters)'],
      ["web./frontend", '--explain web./frontend: "web." is not a valid Kubernetes namespace (RFC 1123 label: lowercase letters, digits and \'-\', at most 63 characters)'],
      ["web/-frontend", '--explain web/-frontend: "-frontend" is not a valid Kubernetes ServiceAccount name (RFC 1123 subdomain: lowercase letters, digits, \'-\' and \'.\', at most 253 characters)'],
      ["/frontend", '--explain /frontend: "" is not a valid Kubernetes namespace (RFC 1123 label: lowercase letters, digits and \'-\', at most 63 characters)'],
      ["a/b/c", "--explain a/b/c: expected <namespace>/<serviceaccount>"],
    ]) {
      assert.throws(() => takeExplain(["dev", "--explain", who, "s3:GetObject", "*"]), { message }, who);
    }
    assert.equal(takeExplain(["dev", "--explain", "kube-system/ebs-csi-controller-sa.v2", "s3:GetObject", "*"]).explain?.serviceAccount, "ebs-csi-controller-sa.v2");
  });

  it("takes the explain arguments out of the rest", () => {
    assert.deepEqual(takeExplain(["dev", "--explain", "a/b", "s3:GetObject", "*", "--format", "json", "--context", "aws:SecureTransport=false", "--audience", "x"]), {
      rest: ["dev", "--format", "json"],
      explain: { namespace: "a", serviceAccount: "b", action: "s3:GetObject", resource: "*", context: { "aws:SecureTransport": "false" }, audience: "x" },
    });
  });
});
