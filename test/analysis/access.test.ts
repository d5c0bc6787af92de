/**
 * The pure analysis on registered resources written by hand: no mocks, no offline run, no evaluator. What a
 * trust reads as (assumers), what statements read as (rows, conditions as data), and the whole reading of a run.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { policyDocument, type ConditionBlock, type PolicyDocument, type Statement } from "../../core/document";
import { readAccess } from "../../analysis/access";
import { assumersOf } from "../../analysis/assumers";
import { conditionsKey, conditionsOf, conditionText, sortConditions } from "../../analysis/condition";
import { grantRows } from "../../analysis/grants";
import type { RegisteredResource, RegisteredRun } from "../../analysis/resource";

const A = "111122223333";
const ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER = `arn:aws:iam::${A}:oidc-provider/${ISSUER}`;
const APP = `arn:aws:iam::${A}:role/shop-app`;
const DEPLOYER = `arn:aws:iam::${A}:role/deployer`;

const resource = (type: string, name: string, inputs: Record<string, unknown>, outputs: Record<string, unknown> = inputs): RegisteredResource => ({ type, name, inputs, outputs });

/** The IRSA trust of shop/app (exact) and shop/report-* (pattern), and two role principals: one direct, one an account root pinned to a role. */
const trust: PolicyDocument = policyDocument([
  {
    Effect: "Allow",
    Principal: { Federated: PROVIDER },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: { StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com", [`${ISSUER}:sub`]: "system:serviceaccount:shop:app" } },
  },
  {
    Effect: "Allow",
    Principal: { Federated: PROVIDER },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: { StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${ISSUER}:sub`]: "system:serviceaccount:shop:report-*" } },
  },
  { Effect: "Allow", Principal: { AWS: DEPLOYER }, Action: "sts:AssumeRole" },
  { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: "sts:AssumeRole", Condition: { ArnEquals: { "aws:PrincipalArn": APP } } },
  { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole" },
]);

describe("analysis/assumers: who a trust lets assume the role", () => {
  it("an exact subject, a pattern subject, a role principal and a root pinned to a role: one assumer each, in document order", () => {
    const assumers = assumersOf({ trust, serviceAccounts: [{ namespace: "shop", name: "app", annotations: {} }] }, new Map([[APP, "app"]]));
    const sa = { type: "service-account", issuer: ISSUER, provider: PROVIDER, audiences: ["sts.amazonaws.com"] } as const;
    assert.deepEqual(assumers, [
      { ...sa, serviceAccount: "shop/app", pattern: false, subject: "system:serviceaccount:shop:app", created: true },
      { ...sa, serviceAccount: "shop/report-*", pattern: true, subject: "system:serviceaccount:shop:report-*", created: false },
      { type: "role", arn: DEPLOYER },
      { type: "role", arn: APP, label: "app" },
    ]);
  });

  it("a federated principal without a sub condition, an account root without a pin, a service, anyone", () => {
    const open = policyDocument([
      { Effect: "Allow", Principal: { Federated: PROVIDER }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" } } },
      { Effect: "Allow", Principal: { AWS: A }, Action: "sts:AssumeRole" },
      { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
      { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" },
    ]);
    assert.deepEqual(
      assumersOf({ trust: open, serviceAccounts: [] }, new Map()).map((a) => (a.type === "principal" ? a.principal : a.type)),
      [`any token of ${ISSUER} (no sub condition)`, `any principal of account ${A}`, "service ec2.amazonaws.com", "anyone (*)"],
    );
  });
});

describe("analysis/grants: rows from statements, conditions as data", () => {
  const listing: Statement = {
    Effect: "Allow",
    Action: "s3:ListBucket",
    Resource: "arn:aws:s3:::shop-assets",
    Condition: { StringLike: { "s3:prefix": ["img/*", "css/", "img/", "css/*"] }, Bool: { "aws:SecureTransport": "true" } },
  };

  it("each condition is { operator, key, values }, values sorted, entries ordered by key", () => {
    assert.deepEqual(grantRows([policyDocument([listing])]), [
      {
        grant: {
          action: "s3:ListBucket",
          resource: "arn:aws:s3:::shop-assets",
          conditions: [
            { operator: "Bool", key: "aws:SecureTransport", values: ["true"] },
            { operator: "StringLike", key: "s3:prefix", values: ["css/", "css/*", "img/", "img/*"] },
          ],
        },
        statement: listing,
      },
    ]);
  });

  it("one row per action and resource; the same row from a reordered statement of another document once; Deny statements none", () => {
    const reordered: Statement = {
      ...listing,
      Condition: { Bool: { "aws:SecureTransport": ["true"] }, StringLike: { "s3:prefix": ["css/*", "img/", "css/", "img/*"] } },
    };
    const rows = grantRows([
      policyDocument([{ Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: ["arn:aws:s3:::shop-assets/img/*", "arn:aws:s3:::shop-assets/css/*"] }, listing]),
      policyDocument([reordered, { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }]),
    ]);
    assert.deepEqual(
      rows.map((r) => `${r.grant.action} ${r.grant.resource} ${r.grant.conditions.map(conditionText).join(" and ")}`.trim()),
      [
        "s3:GetObject arn:aws:s3:::shop-assets/img/*",
        "s3:GetObjectVersion arn:aws:s3:::shop-assets/img/*",
        "s3:GetObject arn:aws:s3:::shop-assets/css/*",
        "s3:GetObjectVersion arn:aws:s3:::shop-assets/css/*",
        "s3:ListBucket arn:aws:s3:::shop-assets aws:SecureTransport Bool true and s3:prefix StringLike css/ | css/* | img/ | img/*",
      ],
    );
  });

  it("NotAction and NotResource read as `* except ...`", () => {
    const rows = grantRows([policyDocument([{ Effect: "Allow", NotAction: ["iam:*", "sts:*"], NotResource: "arn:aws:s3:::secret/*" }])]);
    assert.deepEqual(rows.map((r) => [r.grant.action, r.grant.resource]), [["* except iam:*, sts:*", "* except arn:aws:s3:::secret/*"]]);
  });

  it("property: a condition block reads the same whatever the order of its operators, keys and values", () => {
    const entry = fc.record({ operator: fc.constantFrom("StringEquals", "StringLike", "ArnLike", "Bool"), key: fc.constantFrom("s3:prefix", "aws:SourceVpc", "kms:ViaService"), values: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }) });
    const entries = fc.uniqueArray(entry, { selector: (e) => `${e.operator} ${e.key}`, maxLength: 5 });
    const block = (list: { operator: string; key: string; values: string[] }[]): ConditionBlock => {
      const out: ConditionBlock = {};
      for (const e of list) out[e.operator] = { ...out[e.operator], [e.key]: e.values };
      return out;
    };
    fc.assert(
      fc.property(
        entries.chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }))),
        ([list, shuffled]) => {
          const read = conditionsOf(block(list));
          assert.deepEqual(conditionsOf(block(shuffled.map((e) => ({ ...e, values: [...e.values].reverse() })))), read);
          assert.deepEqual(sortConditions(read), read);
          assert.equal(conditionsKey([...read].reverse()), conditionsKey(read));
          for (const c of read) assert.deepEqual(c.values, [...c.values].sort());
        },
      ),
    );
  });
});

describe("analysis/access: a run read into identities", () => {
  const appPolicy = `arn:aws:iam::${A}:policy/shop-app-access`;
  const documentOf = policyDocument([
    { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
    { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::shop-assets", Condition: { StringLike: { "s3:prefix": ["img/*", "img/"] } } },
  ]);
  const run: RegisteredRun = {
    stack: "hand",
    region: "us-east-1",
    accountId: A,
    resources: [
      resource("aws:iam/role:Role", "app", { name: "shop-app", tags: { "eks-irsa:workload": "app" }, permissionsBoundary: `arn:aws:iam::${A}:policy/boundary` }, { name: "shop-app", arn: APP, assumeRolePolicy: JSON.stringify(trust) }),
      resource("aws:iam/policy:Policy", "app-access", { policy: JSON.stringify(documentOf) }, { name: "shop-app-access", arn: appPolicy, policy: JSON.stringify(documentOf) }),
      resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "app-access", { role: "shop-app", policyArn: appPolicy }),
      resource("kubernetes:core/v1:ServiceAccount", "app", { metadata: { name: "app", namespace: "shop", annotations: { "eks.amazonaws.com/role-arn": APP } } }),
    ],
  };

  it("the identity, its rows with their statements, guardrails, what was not evaluated; nothing checked yet", () => {
    const { model, identities } = readAccess(run);
    assert.deepEqual([model.stack, model.errors, model.secretStores, model.externalSecrets], ["hand", [], [], []]);
    const [app] = model.identities;
    assert.deepEqual([app.kind, app.label, app.roleName, app.accountId], ["workload", "app", "shop-app", A]);
    assert.deepEqual(app.assumers.map((a) => (a.type === "service-account" ? `${a.serviceAccount} ${a.created}` : a.type === "role" ? `${a.arn} ${a.label ?? ""}`.trim() : a.type === "principal" ? a.principal : a.type)), [
      "shop/app true",
      "shop/report-* false",
      DEPLOYER,
      `${APP} app`,
    ]);
    assert.deepEqual(app.grants, [{ action: "s3:ListBucket", resource: "arn:aws:s3:::shop-assets", conditions: [{ operator: "StringLike", key: "s3:prefix", values: ["img/", "img/*"] }] }]);
    assert.deepEqual(app.guardrails, ["deny * on * when aws:SecureTransport Bool false"]);
    assert.deepEqual(app.notEvaluated, [`permissions boundary arn:aws:iam::${A}:policy/boundary (not defined by this stack)`]);
    assert.equal(identities[0].identity, app);
    assert.equal(identities[0].rows[0].grant, app.grants[0], "a check set on a row is the model's");
    assert.deepEqual([identities[0].documents, identities[0].boundary, identities[0].denies], [[documentOf], undefined, [documentOf.Statement[0]]]);
  });
});
