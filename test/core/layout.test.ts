import { strict as assert } from "node:assert";
import { accessStatements, type S3Grant } from "../../core/access";
import { policyDocument, policySize } from "../../core/document";
import type { AwsEnvironment } from "../../core/environment";
import { LIMITS, SizeLimitError, compactStatements, layoutDocuments } from "../../core/layout";
import { boundedName, roleNameFor } from "../../core/plan";
import { ACCOUNT } from "../helpers/simulate";

const env: AwsEnvironment = { partition: "aws", region: "us-east-1", accountId: ACCOUNT };

describe("core/layout: compaction and splitting within AWS limits", () => {
  it("counts size as IAM does, without whitespace", () => {
    const doc = policyDocument([{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }]);
    assert.equal(policySize(doc), JSON.stringify(doc).length);
    assert.equal(policySize(doc), JSON.stringify(doc, null, 2).replace(/\s/g, "").length);
  });

  it("merges same-action grants into one statement and one condition list", () => {
    const grants: S3Grant[] = ["a", "b"].map((p) => ({ bucket: "data", prefix: p, access: "read" }));
    const merged = compactStatements(accessStatements({ s3: grants }, env));
    assert.deepEqual(merged, [
      { Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: ["arn:aws:s3:::data/a/*", "arn:aws:s3:::data/b/*"] },
      { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::data", Condition: { StringLike: { "s3:prefix": ["a/", "a/*", "b/", "b/*"] } } },
    ]);
  });

  it("never merges statements whose conditions differ in more than one key", () => {
    const s = [
      { Effect: "Allow" as const, Action: "kms:Decrypt", Resource: "k1", Condition: { StringEquals: { "kms:ViaService": "s3.x", "aws:a": "1" } } },
      { Effect: "Allow" as const, Action: "kms:Decrypt", Resource: "k1", Condition: { StringEquals: { "kms:ViaService": "sm.x", "aws:a": "2" } } },
    ];
    assert.equal(compactStatements(s).length, 2);
  });

  describe("one workload with 200 S3 prefixes", () => {
    const grants: S3Grant[] = Array.from({ length: 200 }, (_, i) => ({
      bucket: `tenant-data-${i % 7}`,
      prefix: `customers/tenant-${String(i).padStart(4, "0")}/exports/`,
      access: i % 3 === 0 ? "read-write" : "read",
    }));
    const statements = accessStatements({ s3: grants }, env);
    const docs = layoutDocuments(statements, { what: "big" });

    it("splits into several managed policies, each within 6,144 characters and at most 10", () => {
      assert.ok(docs.length > 1 && docs.length <= LIMITS.managedPoliciesPerRoleDefault, String(docs.length));
      for (const d of docs) assert.ok(policySize(d) <= LIMITS.managedPolicyChars, String(policySize(d)));
    });
    // That the split documents together grant exactly what the unsplit statements grant is evaluated request by
    // request with iam-simulate in `npm run bench` (bench/split.ts): too slow for every test run.
  });

  it("fails with the subject named when more policies are needed than the quota allows", () => {
    const grants: S3Grant[] = Array.from({ length: 200 }, (_, i) => ({ bucket: `b-${i}`, prefix: `p${i}/`, access: "read" }));
    assert.throws(
      () => layoutDocuments(accessStatements({ s3: grants }, env), { what: "permissions", maxDocuments: 2, quotaField: "roleDefaults.managedPolicyQuota" }),
      (e: Error) =>
        e instanceof SizeLimitError && /^permissions: the permissions need \d+ managed policies .* over the 2 allowed per role; split the workload or raise roleDefaults\.managedPolicyQuota/.test(e.message),
    );
  });

  it("fails when a single statement cannot fit any document", () => {
    const huge = { Effect: "Allow" as const, Action: "s3:GetObject", Resource: `arn:aws:s3:::b/${"x".repeat(7000)}` };
    assert.throws(() => layoutDocuments([huge], { what: "w" }), /w: one statement is \d+ characters, over the 6144-character managed policy limit/);
  });

  it("bounded names are deterministic and within the limit", () => {
    assert.equal(roleNameFor("c", "w"), "c-w");
    const long = roleNameFor("a-very-long-production-cluster-name", "an-even-longer-workload-name-for-testing");
    assert.equal(long.length, 64);
    assert.equal(long, roleNameFor("a-very-long-production-cluster-name", "an-even-longer-workload-name-for-testing"));
    assert.notEqual(boundedName("x".repeat(70) + "a", 64), boundedName("x".repeat(70) + "b", 64));
  });
});
