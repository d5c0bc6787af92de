/**
 * The access model, its checks and the Mermaid graph on runs built by hand: a cross-account chain, a role
 * without eks-irsa tags, and documents whose reading an evaluator must contradict.
 */
import { strict as assert } from "node:assert";
import { policyDocument, type PolicyDocument, type Statement } from "../../core/document";
import type { AccessModel, Identity } from "../../analysis/model";
import { accessModel } from "../../tools/access/model";
import { checkMermaid, mermaidGraph } from "../../tools/access/mermaid";
import { checkGrants, concrete, conditionValue, siblingResources } from "../../tools/access/verify";
import type { OfflineRun, RegisteredResource } from "../../tools/offline";

const A = "111122223333";
const B = "444455556666";
const ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER = `arn:aws:iam::${A}:oidc-provider/${ISSUER}`;
const APP = `arn:aws:iam::${A}:role/shop-app`;
const READER = `arn:aws:iam::${B}:role/shop-lake-reader`;
const TLS: Statement = { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } };

function resource(type: string, name: string, inputs: Record<string, unknown>, outputs: Record<string, unknown> = inputs): RegisteredResource {
  return { type, name, id: name, inputs, outputs, custom: true, options: { protect: false, dependsOn: [] } };
}

const irsaTrust = (...subs: string[]): PolicyDocument =>
  policyDocument([
    {
      Effect: "Allow",
      Principal: { Federated: PROVIDER },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com", [`${ISSUER}:sub`]: subs.map((s) => `system:serviceaccount:${s.replace("/", ":")}`) } },
    },
  ]);

const chainTrust = (source: string): PolicyDocument =>
  policyDocument([{ Effect: "Allow", Principal: { AWS: source }, Action: "sts:AssumeRole", Condition: { ArnEquals: { "aws:PrincipalArn": source } } }]);

/** A role with one managed policy (when statements are given), as the program registers them. */
function role(arn: string, trust: PolicyDocument, tags: Record<string, string>, statements: Statement[] = []): RegisteredResource[] {
  const name = arn.split("/").pop()!;
  const policyArn = arn.replace(":role/", ":policy/");
  const out = [resource("aws:iam/role:Role", name, { name, assumeRolePolicy: JSON.stringify(trust), tags }, { name, arn, assumeRolePolicy: JSON.stringify(trust) })];
  if (statements.length) {
    out.push(resource("aws:iam/policy:Policy", `${name}-access`, { policy: JSON.stringify(policyDocument(statements)) }, { name: `${name}-access`, arn: policyArn, policy: JSON.stringify(policyDocument(statements)) }));
    out.push(resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `${name}-access`, { role: name, policyArn }));
  }
  return out;
}

const serviceAccount = (namespace: string, name: string, roleArn: string) =>
  resource("kubernetes:core/v1:ServiceAccount", name, { metadata: { name, namespace, annotations: { "eks.amazonaws.com/role-arn": roleArn } } });

const run = (resources: RegisteredResource[]): OfflineRun => ({ stack: "synthetic", region: "us-east-1", accountId: A, resources, outputs: {} });

/** shop/app's role chains into a reader role in account B; a third role has no eks-irsa tags. */
function chain(readerTrust = chainTrust(APP)): OfflineRun {
  return run([
    ...role(APP, irsaTrust("shop/app"), { "eks-irsa:workload": "app", "eks-irsa:kind": "workload" }, [
      TLS,
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::shop-assets/img/*" },
      { Effect: "Allow", Action: "sts:AssumeRole", Resource: READER },
    ]),
    serviceAccount("shop", "app", APP),
    ...role(READER, readerTrust, { "eks-irsa:cluster": "shop", "eks-irsa:kind": "cross-account", "eks-irsa:target": "lake", "eks-irsa:workload": "app" }, [
      TLS,
      { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::lake/curated/*" },
      { Effect: "Allow", Action: "dynamodb:GetItem", Resource: `arn:aws:dynamodb:us-east-1:${B}:table/facts` },
    ]),
    ...role(`arn:aws:iam::${A}:role/legacy-ops`, policyDocument([{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }]), {}),
  ]);
}

const find = (model: AccessModel, label: string): Identity => model.identities.find((i) => i.label === label)!;

describe("access model: a cross-account chain built by hand", () => {
  let model: AccessModel;
  before(async () => {
    model = await accessModel(chain());
  });

  it("every role is an identity: kind and label from the eks-irsa tags, the role name without them", () => {
    assert.deepEqual(
      model.identities.map((i) => [i.kind, i.label, i.accountId]),
      [["workload", "app", A], ["cross-account", "lake/reader", B], ["role", "legacy-ops", A]],
    );
    assert.deepEqual(find(model, "legacy-ops").assumers, [{ type: "principal", principal: "service ec2.amazonaws.com" }]);
    assert.deepEqual(find(model, "legacy-ops").grants, []);
  });

  it("the target role is assumed by the source role (trust checked, another role denied)", () => {
    assert.deepEqual(find(model, "lake/reader").assumers, [{ type: "role", arn: APP, label: "app", check: { decision: "Allowed", denied: ["role/shop-app-other"] } }]);
  });

  it("the source's sts:AssumeRole row is confirmed across accounts with the target's trust policy", () => {
    const assume = find(model, "app").grants.find((g) => g.action === "sts:AssumeRole")!;
    assert.equal(assume.resource, READER);
    assert.deepEqual(assume.check, { decision: "Allowed", denied: ["role/shop-lake-reader-other", "aws:SecureTransport=false"], note: "with the role's trust policy" });
    assert.deepEqual(model.errors, []);
  });

  it("the target's rows are evaluated as that account's principal", () => {
    const get = find(model, "lake/reader").grants.find((g) => g.action === "dynamodb:GetItem")!;
    assert.deepEqual(get.check, { decision: "Allowed", denied: ["table/facts-other", "aws:SecureTransport=false"] });
  });

  it("Mermaid: issuer -> role -> ServiceAccount, a dotted sts:AssumeRole edge into account B's subgraph", () => {
    const graph = mermaidGraph(model);
    assert.deepEqual(checkMermaid(graph), []);
    const lines = graph.split("\n").map((l) => l.trim());
    for (const expected of [
      "flowchart LR",
      'issuer_01234567["OIDC issuer oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"]',
      'sa_shop_app(["shop/app"])',
      `subgraph account_${B}["account ${B}"]`,
      'role_lake_reader["cross-account lake/reader<br/>role shop-lake-reader"]',
      "issuer_01234567 --> role_app",
      "role_app --> sa_shop_app",
      'role_app -. "sts:AssumeRole" .-> role_lake_reader',
      "principal_service_ec2_amazonaws_com --> role_legacy_ops",
    ]) assert.ok(lines.includes(expected), `missing ${expected} in\n${graph}`);
  });

  it("a source role outside the stack becomes a node of its own account", async () => {
    const outside = `arn:aws:iam::${A}:role/ci-deployer`;
    const graph = mermaidGraph(await accessModel(chain(chainTrust(outside))));
    assert.deepEqual(checkMermaid(graph), []);
    assert.match(graph, /role_arn_aws_iam_111122223333_role_ci_deployer\["role ci-deployer<br\/>not in this stack"\]/);
    assert.match(graph, /role_arn_aws_iam_111122223333_role_ci_deployer -\. "sts:AssumeRole" \.-> role_lake_reader/);
  });
});

describe("access model: checks that must disagree", () => {
  it("a chain the target does not trust: the source's sts:AssumeRole row is not allowed", async () => {
    const model = await accessModel(chain(chainTrust(`arn:aws:iam::${A}:role/someone-else`)));
    assert.deepEqual(model.errors, [
      `workload app: sts:AssumeRole on ${READER}: iam-simulate did not allow sts:AssumeRole on ${READER} (ImplicitlyDenied)`,
    ]);
    assert.equal(find(model, "app").grants.find((g) => g.action === "sts:AssumeRole")!.check?.decision, "ImplicitlyDenied");
  });

  it("an Allow that a Deny without condition cancels: the row is reported, not confirmed", async () => {
    const model = await accessModel(
      run(role(APP, irsaTrust("shop/app"), {}, [
        { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::shop-assets/img/*" },
        { Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::shop-assets/*" },
      ])),
    );
    assert.deepEqual(model.errors, [
      "role shop-app: s3:GetObject on arn:aws:s3:::shop-assets/img/*: iam-simulate did not allow s3:GetObject on arn:aws:s3:::shop-assets/img/example (ExplicitlyDenied)",
    ]);
    assert.deepEqual(find(model, "shop-app").guardrails, ["deny s3:* on arn:aws:s3:::shop-assets/*"]);
  });

  it("a ServiceAccount annotated with a role that does not trust it", async () => {
    const model = await accessModel(run([...role(APP, irsaTrust("shop/app"), {}), serviceAccount("shop", "web", APP)]));
    assert.deepEqual(model.errors, ["role shop-app: ServiceAccount shop/web is annotated with this role but its trust does not allow it"]);
  });

  it("exact and pattern subjects under one statement are ANDed: neither assumer is allowed alone", async () => {
    const trust = irsaTrust("shop/app");
    trust.Statement[0].Condition!.StringLike = { [`${ISSUER}:sub`]: "system:serviceaccount:shop:job-*" };
    const model = await accessModel(run(role(APP, trust, {})));
    assert.deepEqual(model.errors, [
      "role shop-app: trust: shop/app is listed but not allowed (ImplicitlyDenied)",
      "role shop-app: trust: shop/job-* is listed but not allowed (ImplicitlyDenied)",
    ]);
  });

  it("a near miss that the documents allow beyond the rows read from them is reported", async () => {
    const narrow: Statement = { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::shop-assets/img/*" };
    const grant = { action: "s3:GetObject", resource: "arn:aws:s3:::shop-assets/img/*", conditions: [] };
    const errors = await checkGrants({
      principal: APP,
      region: "us-east-1",
      // The documents also hold a statement the rows do not show.
      documents: [policyDocument([narrow, { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::shop-assets-other/*" }])],
      rows: [{ grant, statement: narrow }],
      denies: [],
      trustOf: () => undefined,
    });
    assert.deepEqual(errors, ["s3:GetObject on arn:aws:s3:::shop-assets/img/*: near miss shop-assets-other/img/example is allowed"]);
    assert.deepEqual((grant as { check?: unknown }).check, { decision: "Allowed", denied: ["shop-assets/img-other/example"], notDenied: ["shop-assets-other/img/example"] });
  });
});

describe("access checks: requests and near misses", () => {
  it("fills wildcards with concrete characters", () => {
    assert.equal(concrete("arn:aws:secretsmanager:us-east-1:1:secret:db-??????"), "arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf");
    assert.equal(concrete("arn:aws:s3:::b/static/*"), "arn:aws:s3:::b/static/example");
  });

  it("resources just outside a pattern: longer name, sibling folder, changed stem, other parent", () => {
    assert.deepEqual(siblingResources("arn:aws:s3:::raw/incoming/*"), ["arn:aws:s3:::raw/incoming-other/example", "arn:aws:s3:::raw-other/incoming/example"]);
    assert.deepEqual(siblingResources(`arn:aws:secretsmanager:us-east-1:${A}:secret:prod/db-??????`), [
      `arn:aws:secretsmanager:us-east-1:${A}:secret:prod/db-other-AbCdEf`,
      `arn:aws:secretsmanager:us-east-1:${A}:secret:prod-other/db-AbCdEf`,
    ]);
    assert.deepEqual(siblingResources(`arn:aws:dynamodb:us-east-1:${A}:table/orders`), [`arn:aws:dynamodb:us-east-1:${A}:table/orders-other`]);
    assert.deepEqual(siblingResources(`arn:aws:iam::${A}:role/report-*`), [`arn:aws:iam::${A}:role/report_example`]);
    assert.deepEqual(siblingResources("*"), []);
  });

  it("condition values that satisfy or miss each operator", () => {
    assert.equal(conditionValue("StringLike", "s3:prefix", ["static/", "static/*"]), "static/");
    assert.equal(conditionValue("StringLike", "s3:prefix", ["static/", "static/*"], true), "other-static/");
    assert.equal(conditionValue("Bool", "aws:SecureTransport", ["false"]), "false");
    assert.equal(conditionValue("Bool", "aws:SecureTransport", ["false"], true), "true");
    assert.equal(conditionValue("StringNotEquals", "aws:RequestedRegion", ["us-east-1"]), "us-west-2");
    assert.equal(conditionValue("StringNotEquals", "aws:RequestedRegion", ["us-east-1"], true), "us-east-1");
    assert.deepEqual(conditionValue("ForAnyValue:StringEquals", "aws:TagKeys", ["team"]), ["team"]);
    assert.throws(() => conditionValue("NumericLessThan", "s3:max-keys", ["10"]), /not supported/);
  });
});

describe("Mermaid line check", () => {
  const ok = ["flowchart LR", '  a["A"]', '  subgraph g["G"]', '    b(["B/c"])', "  end", "  a --> b", '  a -. "sts:AssumeRole" .-> b', "  a -->|x| b", "  classDef k fill:#fff,stroke:#000", "  class a,b k"];

  it("accepts the flowchart subset it documents", () => assert.deepEqual(checkMermaid(ok.join("\n")), []));

  const bad: [string, string[], RegExp][] = [
    ["another header", ["graph TD", ...ok.slice(1)], /line 1: expected "flowchart LR"/],
    ["an edge with no target", [...ok, "  a --> "], /line 11: not a flowchart line: a -->/],
    ["an id with a dash", [...ok, '  role-app["x"]'], /not a flowchart line: role-app/],
    ["an edge to an undefined node", [...ok, "  a --> c"], /line 11: c is used but never defined/],
    ["a quote inside a label", [...ok, '  c["say "hi""]'], /not a flowchart line/],
    ["a keyword as id", [...ok, '  end["x"]'], /"end" is not a safe node id/],
    ["a node defined twice", [...ok, '  a["again"]'], /node a is defined twice/],
    ["an unclosed subgraph", [...ok, '  subgraph h["H"]'], /1 subgraph\(s\) not closed/],
    ["end without subgraph", [...ok, "  end"], /"end" without a subgraph/],
    ["a class not defined", [...ok, "  class a nope"], /class nope is not defined before use/],
  ];
  for (const [why, lines, problem] of bad) {
    it(`rejects ${why}`, () => {
      const problems = checkMermaid(lines.join("\n"));
      assert.ok(problems.some((p) => problem.test(p)), problems.join("\n") || "no problem found");
    });
  }
});

describe("access report: Mermaid ids", () => {
  it("two identities with one label (a workload and an untagged role) get distinct nodes", () => {
    const identity = (kind: string, arn: string) => ({ kind, label: "dup", roleName: "dup", roleArn: arn, accountId: "111122223333", assumers: [], grants: [], guardrails: [], notEvaluated: [] });
    const graph = mermaidGraph({
      stack: "s",
      region: "us-east-1",
      accountId: "111122223333",
      identities: [identity("workload", "arn:aws:iam::111122223333:role/a/dup"), identity("role", "arn:aws:iam::111122223333:role/b/dup")],
      errors: [],
    });
    assert.deepEqual(checkMermaid(graph), []);
    assert.equal(graph.split("\n").filter((l) => /^\s+role_dup(_2)?\[/.test(l)).length, 2);
  });
});
