/**
 * "Any resource" read from ARN structure: a table of patterns across services, each decision checked against a
 * real IAM evaluator (@cloud-copilot/iam-simulate) on resources of names the pattern does not mention, and
 * against the rules that read it.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { policyDocument, type PolicyDocument } from "../../core/document";
import { globMatch } from "../../core/trustEval";
import { coversEverything, globsOverlap, typesReachedByAnyName, wholeBucket } from "../../policy/lib/resourceScope";
import { checkResources } from "../../tools/policyCheck";
import { policy } from "../fixtures/badResources";
import { ACCOUNT as A, decide } from "../helpers/simulate";

/** A request on a resource of the row's type whose name is `name`. */
interface Probe {
  action: string;
  arn: (name: string) => string;
  /** The resource's own policy, where the service needs one besides the identity's (a KMS key policy). */
  resourcePolicy?: PolicyDocument;
}

const object = (key = "photos/cat.jpg"): Probe => ({ action: "s3:GetObject", arn: (n) => `arn:aws:s3:::${n}/${key}` });
const bucket: Probe = { action: "s3:ListBucket", arn: (n) => `arn:aws:s3:::${n}` };
const accessPointObject: Probe = { action: "s3:GetObject", arn: (n) => `arn:aws:s3:us-east-1:${A}:accesspoint/${n}/object/report.csv` };
const table: Probe = { action: "dynamodb:GetItem", arn: (n) => `arn:aws:dynamodb:us-east-1:${A}:table/${n}` };
const index: Probe = { action: "dynamodb:Query", arn: (n) => `arn:aws:dynamodb:us-east-1:${A}:table/${n}/index/by-owner` };
const stream: Probe = { action: "dynamodb:GetRecords", arn: (n) => `arn:aws:dynamodb:us-east-1:${A}:table/${n}/stream/2026-01-01T00:00:00.000` };
const secret: Probe = { action: "secretsmanager:GetSecretValue", arn: (n) => `arn:aws:secretsmanager:us-east-1:${A}:secret:${n}-AbCdEf` };
// The default key policy, which lets IAM policies of the account grant use of the key.
const keyPolicy = policyDocument([{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: "kms:*", Resource: "*" }]);
const key: Probe = { action: "kms:Decrypt", arn: (n) => `arn:aws:kms:us-east-1:${A}:key/${n}`, resourcePolicy: keyPolicy };
const queue: Probe = { action: "sqs:SendMessage", arn: (n) => `arn:aws:sqs:us-east-1:${A}:${n}` };
const topic: Probe = { action: "sns:Publish", arn: (n) => `arn:aws:sns:us-east-1:${A}:${n}` };
const role: Probe = { action: "iam:PassRole", arn: (n) => `arn:aws:iam::${A}:role/${n}` };

/** Names of the shapes real resources have: digits, dots, dashes, the shortest and a long one. */
const NAMES = ["q7x", "zeta-9.example", "media.thumbs.2", "n".repeat(60)];

type Row = [arn: string, any: boolean, probe?: Probe, reaches?: string];

const ROWS: Row[] = [
  // S3: no region or account; the bucket is the name, and IAM's `*` also matches `/`.
  ["*", true, object()],
  ["arn:aws:s3:::*", true, bucket, "s3:bucket"],
  ["arn:aws:s3:::*/*", true, object(), "s3:object"],
  ["arn:aws-cn:s3:::*", true, undefined, "s3:object"],
  ["arn:aws:s3:::???*", true, object(), "s3:bucket"],
  ["arn:aws:s3:::*.jpg", true, object(), "s3:object"],
  ["arn:aws:s3:::*-thumbs/*", true, object("x-thumbs/1.png"), "s3:object"],
  ["arn:aws:s3:::*/private/*", true, object("private/a.txt"), "s3:object"],
  ["arn:aws:s3:*:*:accesspoint/*", true, accessPointObject, "s3:accesspointobject"],
  ["arn:aws:s3:::orion-media-thumbs/*", false, object()],
  ["arn:aws:s3:::my.bucket.1/*", false, object()],
  ["arn:aws:s3:::logs-2024/*", false, object()],
  ["arn:aws:s3:::orion-media-thumbs", false, bucket],
  ["arn:aws:s3:::acme-*/*", false, object()],
  ["arn:aws:s3:::acme-*", false, bucket],
  ["arn:aws:s3:::??????/*", false, object()],
  ["arn:aws:s3:::accesspoint/*", false, accessPointObject],
  ["arn:aws-us-gov:s3:::orion-media-thumbs/reports/*", false],
  // DynamoDB: the table is the name; indexes and streams hang under it.
  ["arn:aws:dynamodb:*:*:table/*", true, table, "dynamodb:table"],
  [`arn:aws:dynamodb:us-east-1:${A}:table/*`, true, table, "dynamodb:table"],
  ["arn:aws:dynamodb:*:*:t*", true, table, "dynamodb:table"],
  [`arn:aws:dynamodb:us-east-1:${A}:table/*/index/*`, true, index, "dynamodb:index"],
  [`arn:aws:dynamodb:us-east-1:${A}:table/*/stream/*`, true, stream, "dynamodb:stream"],
  ["arn:aws:dynamodb:us-east-1", true, table, "dynamodb:table"],
  [`arn:aws:dynamodb:us-east-1:${A}:table/orders`, false, table],
  ["arn:aws:dynamodb:*:*:table/orders", false, table],
  [`arn:aws:dynamodb:us-east-1:${A}:table/orders/index/*`, false, index],
  [`arn:aws:dynamodb:us-east-1:${A}:table/Orders.v2_prod/stream/*`, false, stream],
  [`arn:aws:dynamodb:us-east-1:${A}:table/orders-*`, false, table],
  ["arn:aws:dynamodb:::table/*", false, table],
  // Secrets Manager: the whole path is the name, then `-` and six characters.
  ["arn:aws:secretsmanager:*:*:secret:*", true, secret, "secretsmanager:secret"],
  [`arn:aws:secretsmanager:us-east-1:${A}:secret:*-??????`, true, secret, "secretsmanager:secret"],
  [`arn:aws:secretsmanager:us-east-1:${A}:secret:prod/shared/*`, false, secret],
  [`arn:aws:secretsmanager:us-east-1:${A}:secret:prod/db-??????`, false, secret],
  ["arn:aws:secretsmanager:*:*:secret:prod/db-??????", false, secret],
  [`arn:aws:secretsmanager:us-east-1:${A}:secret:*/db-??????`, false, secret],
  // KMS, SQS, SNS.
  [`arn:aws:kms:us-east-1:${A}:key/*`, true, key, "kms:key"],
  ["arn:aws:kms:*:*:key/*", true, key, "kms:key"],
  ["arn:aws:kms:*:*:alias/*", true, undefined, "kms:alias"],
  [`arn:aws:kms:us-east-1:${A}:key/1f2e3d4c-5b6a-4789-8abc-def012345678`, false, key],
  [`arn:aws:sqs:us-east-1:${A}:*`, true, queue, "sqs:queue"],
  ["arn:aws:sqs:*:*:orders", false, queue],
  [`arn:aws:sqs:us-east-1:${A}:*.fifo`, false, queue],
  [`arn:aws:sns:us-east-1:${A}:*`, true, topic, "sns:topic"],
  [`arn:aws:sns:us-east-1:${A}:alerts`, false, topic],
  // IAM: a role's name includes its path.
  [`arn:aws:iam::${A}:role/*`, true, role, "iam:role"],
  ["arn:aws:iam::*:role/*", true, role, "iam:role"],
  [`arn:aws:iam::${A}:*`, true, role, "iam:role"],
  [`arn:aws:iam::${A}:role/eks-irsa/*`, false, role],
  ["arn:aws:iam::*:role/app", false, role],
  [`arn:aws:iam::${A}:role/*/app`, false, role],
  // Other services, unknown services, and what is not an ARN.
  [`arn:aws:ecr:us-east-1:${A}:repository/*`, true, undefined, "ecr:repository"],
  [`arn:aws:logs:us-east-1:${A}:log-group:/aws/eks/*`, false],
  ["arn:aws:example-unknown:::*", true, undefined, "example-unknown:*"],
  ["arn:aws:example-unknown:::thing/*", false],
  ["abc*", false],
  ["${var.my_resource_arn}", false],
];

const allowed = async (arn: string, probe: Probe, name: string) => (await decide([policyDocument([{ Effect: "Allow", Action: probe.action, Resource: arn }])], { action: probe.action, resource: probe.arn(name) }, probe.resourcePolicy)) === "Allowed";

describe("policy pack: which Resource patterns are any-resource (ARN structure, not characters)", () => {
  for (const [arn, any, probe, reaches] of ROWS) {
    it(`${arn}: ${any ? "any resource" : "scoped"}${reaches ? ` (reaches every ${reaches})` : ""}`, async () => {
      assert.equal(await coversEverything(arn), any);
      if (reaches) assert.ok((await typesReachedByAnyName(arn)).includes(reaches), (await typesReachedByAnyName(arn)).join(", "));
    });
    if (probe) {
      it(`${arn}: iam-simulate ${any ? "allows every" : "refuses some"} ${probe.action} on names it does not mention`, async () => {
        const verdicts = await Promise.all(NAMES.map((n) => allowed(arn, probe, n)));
        if (any) assert.deepEqual(verdicts, NAMES.map(() => true));
        else assert.ok(verdicts.includes(false), "every name was allowed");
      });
      const rule = probe.action === "iam:PassRole" ? "permissions-passrole-on-any-resource" : "permissions-restrictable-action-on-any-resource";
      it(`${arn}: ${probe.action} on it ${any ? "draws" : "does not draw"} ${rule}`, async () => {
        const rules = (await checkResources([policy("p", [{ Effect: "Allow", Action: probe.action, Resource: arn }])])).map((f) => f.rule);
        assert.equal(rules.includes(rule), any, rules.join(", "));
      });
    }
  }

  const notGranted: [arn: string, probe: Probe][] = [
    ["arn:aws:s3:::*/*", bucket],
    [`arn:aws:dynamodb:us-east-1:${A}:table/*/index/*`, table],
    [`arn:aws:kms:us-east-1:${A}:alias/*`, key],
  ];
  for (const [arn, probe] of notGranted) {
    it(`${probe.action} on ${arn} grants nothing (no resource of its type matches), so it is not flagged`, async () => {
      assert.deepEqual(await Promise.all(NAMES.map((n) => allowed(arn, probe, n))), NAMES.map(() => false));
      assert.deepEqual(await checkResources([policy("p", [{ Effect: "Allow", Action: probe.action, Resource: arn }])]), []);
    });
  }

  it("NotResource is any resource", async () => {
    const found = await checkResources([policy("p", [{ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::private/*" }])]);
    assert.ok(found.some((f) => f.rule === "permissions-restrictable-action-on-any-resource"));
  });
});

describe("policy pack: whole-bucket S3 patterns", () => {
  const rows: [string, string | undefined][] = [
    ["arn:aws:s3:::orion-media-thumbs/*", "orion-media-thumbs"],
    ["arn:aws-us-gov:s3:::my.bucket.1/*", "my.bucket.1"],
    ["arn:aws:s3:::logs-2024/?*", "logs-2024"],
    ["arn:aws:s3:::acme-*/*", "acme-*"],
    ["arn:aws:s3:::acme-*", "acme-*"],
    ["arn:aws:s3:::orion-media-thumbs/uploads/*", undefined],
    ["arn:aws:s3:::orion-media-thumbs/*.jpg", undefined],
    ["arn:aws:s3:::orion-media-thumbs", undefined],
    ["arn:aws:s3:us-east-1:111122223333:accesspoint/*", undefined],
    [`arn:aws:dynamodb:us-east-1:${A}:table/orders/*`, undefined],
  ];
  for (const [arn, expected] of rows) it(`${arn}: ${expected ?? "not a whole bucket"}`, () => assert.equal(wholeBucket(arn), expected));
});

describe("IAM pattern overlap", () => {
  // Brute force over a small alphabet: two patterns overlap exactly when some short string matches both (a
  // shortest common string is no longer than their literal characters and `?`s together).
  const glob = fc.stringMatching(/^[ab/*?]{0,4}$/);
  const strings = (length: number): string[] => (length === 0 ? [""] : strings(length - 1).flatMap((s) => ["a", "b", "/"].map((c) => s + c)));
  const upTo6 = [0, 1, 2, 3, 4, 5, 6].flatMap(strings);

  it("agrees with matching every string of up to six characters", () => {
    fc.assert(
      fc.property(glob, glob, (a, b) => {
        const witness = upTo6.some((s) => globMatch(a, s) && globMatch(b, s));
        assert.equal(globsOverlap(a, b), witness, `${a} / ${b}`);
      }),
      { seed: 20261111, numRuns: 400 },
    );
  });

  it("treats `*` as matching `/` too, as IAM does in resource ARNs", () => {
    assert.ok(globsOverlap("*-thumbs/*", "bucket/x-thumbs/y"));
    assert.ok(!globsOverlap("orion-media-thumbs/*", "q7x/*"));
  });
});
