/** The access diff on models written by hand: conditions compared as data, value by value, in any order. */
import { strict as assert } from "node:assert";
import type { Condition } from "../../analysis/condition";
import { diffModels } from "../../analysis/diff";
import type { AccessModel, Grant, Identity } from "../../analysis/model";

const A = "111122223333";
const ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const BUCKET = "arn:aws:s3:::shop-assets";

const prefix = (...values: string[]): Condition => ({ operator: "StringLike", key: "s3:prefix", values });
const tls: Condition = { operator: "Bool", key: "aws:SecureTransport", values: ["true"] };
const list = (...conditions: Condition[]): Grant => ({ action: "s3:ListBucket", resource: BUCKET, conditions });

function model(...grants: Grant[]): AccessModel {
  const app: Identity = {
    kind: "workload",
    label: "app",
    roleName: "shop-app",
    roleArn: `arn:aws:iam::${A}:role/shop-app`,
    accountId: A,
    assumers: [
      {
        type: "service-account",
        serviceAccount: "shop/app",
        pattern: false,
        subject: "system:serviceaccount:shop:app",
        issuer: ISSUER,
        provider: `arn:aws:iam::${A}:oidc-provider/${ISSUER}`,
        audiences: ["sts.amazonaws.com"],
        created: true,
      },
    ],
    grants,
    guardrails: [],
    notEvaluated: [],
  };
  return { stack: "hand", region: "us-east-1", accountId: A, identities: [app], errors: [] };
}

const lines = (base: AccessModel, head: AccessModel) => diffModels(base, head).map((c) => `${c.sign} ${c.text}`);

describe("analysis/diff: conditions as data", () => {
  it("a condition that gains a value: one gain of that value, no loss", () => {
    assert.deepEqual(lines(model(list(prefix("img/", "img/*"))), model(list(prefix("css/", "img/", "img/*")))), [
      `+ shop/app gains s3:ListBucket on ${BUCKET} when s3:prefix StringLike css/`,
    ]);
  });

  it("with another condition unchanged beside it: the gain names both", () => {
    assert.deepEqual(lines(model(list(tls, prefix("img/"))), model(list(tls, prefix("css/", "img/")))), [
      `+ shop/app gains s3:ListBucket on ${BUCKET} when aws:SecureTransport Bool true and s3:prefix StringLike css/`,
    ]);
  });

  it("a value replaced by another: one gain and one loss of the values, not of the row", () => {
    assert.deepEqual(lines(model(list(prefix("img/"))), model(list(prefix("css/")))), [
      `+ shop/app gains s3:ListBucket on ${BUCKET} when s3:prefix StringLike css/`,
      `- shop/app loses s3:ListBucket on ${BUCKET} when s3:prefix StringLike img/`,
    ]);
  });

  it("conditions and values reordered: no change", () => {
    assert.deepEqual(diffModels(model(list(tls, prefix("css/", "img/"))), model(list(prefix("img/", "css/"), tls))), []);
  });

  it("a negated condition that gains a value narrows access: the whole row is lost and gained", () => {
    const region = (...values: string[]): Condition => ({ operator: "StringNotEquals", key: "aws:RequestedRegion", values });
    assert.deepEqual(lines(model(list(region("us-east-1"))), model(list(region("eu-west-1", "us-east-1")))), [
      `+ shop/app gains s3:ListBucket on ${BUCKET} when aws:RequestedRegion StringNotEquals eu-west-1 | us-east-1`,
      `- shop/app loses s3:ListBucket on ${BUCKET} when aws:RequestedRegion StringNotEquals us-east-1`,
    ]);
  });

  it("a condition added to a row: the row without it is lost, the row with it gained", () => {
    assert.deepEqual(lines(model(list(prefix("img/"))), model(list(tls, prefix("img/")))), [
      `+ shop/app gains s3:ListBucket on ${BUCKET} when aws:SecureTransport Bool true and s3:prefix StringLike img/`,
      `- shop/app loses s3:ListBucket on ${BUCKET} when s3:prefix StringLike img/`,
    ]);
  });
});

describe("analysis/diff: assumers on several clusters", () => {
  it("the OIDC assumers of two clusters going (both -> pod-identity): each named with its issuer, not twice the same line", () => {
    const GREEN = "oidc.eks.us-east-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210";
    const base = model();
    const sa = base.identities[0].assumers[0] as Extract<Identity["assumers"][number], { type: "service-account" }>;
    base.identities[0].assumers = [sa, { ...sa, issuer: GREEN, provider: `arn:aws:iam::${A}:oidc-provider/${GREEN}` }];
    const head = model();
    head.identities[0].assumers = [];
    assert.deepEqual(lines(base, head), [`- workload app no longer assumable by shop/app via ${ISSUER}`, `- workload app no longer assumable by shop/app via ${GREEN}`]);
    // One cluster: the ServiceAccount alone says it.
    assert.deepEqual(lines(model(), head), ["- workload app no longer assumable by shop/app"]);
  });
});
