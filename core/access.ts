/** Least-privilege permission statements for the S3, DynamoDB and Secrets Manager access a workload declares. */
import { dynamoTableArn, s3BucketArn, s3ObjectArn, secretArn } from "./arn";
import { viaService, type AwsEnvironment } from "./environment";
import type { Statement } from "./document";
import { presetStatements, type PresetAccess } from "./presets";
import { serviceGrantStatements, type KmsGrant, type SnsGrant, type SqsGrant } from "./serviceGrants";
import { customStatement, type CustomStatement } from "./statements";

/** How much of a resource a grant opens: `read`, `write` or `read-write`. */
export const AccessLevel = { Read: "read", Write: "write", ReadWrite: "read-write" } as const;
export type AccessLevel = (typeof AccessLevel)[keyof typeof AccessLevel];
export const ACCESS_LEVELS = [AccessLevel.Read, AccessLevel.Write, AccessLevel.ReadWrite] as const satisfies readonly AccessLevel[];

/** Objects of one S3 bucket, under one key prefix or the whole bucket. */
export interface S3Grant {
  /** Bucket name (not an ARN), e.g. `shop-invoices`. */
  bucket: string;
  /**
   * Key prefix the grant is limited to, treated as a folder: `2026` and `2026/` both grant `2026/*` (and list
   * `2026/`). @default the whole bucket
   */
  prefix?: string;
  /** `read` (Get, List), `write` (Put, Delete, multipart) or `read-write`. */
  access: AccessLevel;
  /** Customer-managed KMS key of the bucket's SSE-KMS encryption: `kms:Decrypt` (and `GenerateDataKey` to write) via S3 only. @default none */
  kmsKeyArn?: string;
}

/** One DynamoDB table of the stack's account and region. */
export interface DynamoGrant {
  /** Table name (not an ARN). */
  table: string;
  /** `read` (Get, Query, Scan...), `write` (Put, Update, Delete...) or `read-write`. */
  access: AccessLevel;
  /** Query and Scan on these indexes of the table (read-only). @default none */
  indexes?: string[];
  /** Query and Scan on every index of the table (`index/*`). @default false */
  allIndexes?: boolean;
  /** Read the table's streams. @default false */
  streams?: boolean;
}

/** Secrets Manager secrets of the stack's account and region, read-only: one by name, or a path by prefix. */
export interface SecretGrant {
  /** One exact secret by name (the ARN gets AWS's random `-??????` suffix). Give `name` or `prefix`. @default none */
  name?: string;
  /**
   * Every secret whose name starts with this path, e.g. `shop/orders/`. It must end at a delimiter ('/', '-', '_' or
   * '.'): `shop/orders` would also grant `shop/orders-archive`. Give `name` or `prefix`. @default none
   */
  prefix?: string;
  /** Grant `prefix` as it is, even when it does not end at a delimiter (`app` also grants `application-keys`). @default false */
  exactPrefix?: boolean;
  /** Customer-managed KMS key the secrets are encrypted with: `kms:Decrypt` via Secrets Manager only. @default none */
  kmsKeyArn?: string;
}

export interface AccessSpec {
  s3?: S3Grant[];
  dynamodb?: DynamoGrant[];
  secrets?: SecretGrant[];
  /** The actions granted on each secret; default `SECRET_READ`. ESO's controller needs only GetSecretValue. */
  secretActions?: string[];
  /** Secrets (names) that also need `secretsmanager:DescribeSecret` when `secretActions` leaves it out (ESO's metadataPolicy: Fetch). */
  describeSecrets?: string[];
  /** `secretsmanager:ListSecrets` and `BatchGetSecretValue`, which accept only `Resource: "*"` (ESO find-by-path). */
  listSecrets?: boolean;
  /** Roles in other accounts this identity may assume: `sts:AssumeRole` on exactly these ARNs. */
  assumeRoles?: string[];
  /** Roles this identity passes its session tags to when assuming them (a Pod Identity target role): `sts:TagSession` on exactly these ARNs. */
  tagSessionRoles?: string[];
  sqs?: SqsGrant[];
  sns?: SnsGrant[];
  kms?: KmsGrant[];
  /** An add-on preset's statements (core/presets). */
  preset?: PresetAccess;
  /** Custom statements, checked against the service catalog (core/statements). */
  statements?: CustomStatement[];
}

export interface Guardrails {
  /** Deny every request not sent over TLS. */
  secureTransport?: boolean;
  /** Deny every request to another region. Global services (IAM, STS's global endpoint) count as us-east-1. */
  requestedRegions?: string[];
}

const reads = (a: AccessLevel) => a !== "write";
const writes = (a: AccessLevel) => a !== "read";

export const S3_READ_OBJECT = ["s3:GetObject", "s3:GetObjectVersion"];
export const S3_WRITE_OBJECT = ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:ListMultipartUploadParts", "s3:PutObject"];
export const DYNAMO_READ = ["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"];
export const DYNAMO_WRITE = ["dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:PutItem", "dynamodb:UpdateItem"];
export const DYNAMO_INDEX_READ = ["dynamodb:Query", "dynamodb:Scan"];
export const DYNAMO_STREAM_READ = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"];
export const SECRET_READ = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"];
export const SECRET_VALUE = ["secretsmanager:GetSecretValue"];
/** The Secrets Manager actions that take only `Resource: "*"`. */
export const SECRET_LIST = ["secretsmanager:BatchGetSecretValue", "secretsmanager:ListSecrets"];

/**
 * A prefix is a folder: `static` and `static/` both mean the keys under `static/`. Only one trailing slash goes (S3
 * keys are literal: `logs//` is the folder `logs//`, not `logs/`). The empty string means the whole bucket.
 */
export function normalizePrefix(prefix: string | undefined): string {
  return (prefix ?? "").replace(/\/$/, "");
}

function union(...lists: string[][]): string[] {
  return [...new Set(lists.flat())].sort();
}

function kmsStatement(keyArn: string, actions: string[], service: string, env: AwsEnvironment): Statement {
  return {
    Effect: "Allow",
    Action: actions,
    Resource: keyArn,
    Condition: { StringEquals: { "kms:ViaService": viaService(service, env) } },
  };
}

function s3Statements(grant: S3Grant, env: AwsEnvironment): Statement[] {
  const prefix = normalizePrefix(grant.prefix);
  const objects = s3ObjectArn(env, grant.bucket, prefix ? `${prefix}/*` : "*");
  const out: Statement[] = [
    {
      Effect: "Allow",
      Action: union(reads(grant.access) ? S3_READ_OBJECT : [], writes(grant.access) ? S3_WRITE_OBJECT : []),
      Resource: objects,
    },
  ];
  if (reads(grant.access)) {
    const list: Statement = { Effect: "Allow", Action: "s3:ListBucket", Resource: s3BucketArn(env, grant.bucket) };
    if (prefix) list.Condition = { StringLike: { "s3:prefix": [`${prefix}/`, `${prefix}/*`] } };
    out.push(list);
  }
  if (grant.kmsKeyArn) {
    const actions = union(reads(grant.access) ? ["kms:Decrypt"] : [], writes(grant.access) ? ["kms:Decrypt", "kms:GenerateDataKey"] : []);
    out.push(kmsStatement(grant.kmsKeyArn, actions, "s3", env));
  }
  return out;
}

function dynamoStatements(grant: DynamoGrant, env: AwsEnvironment): Statement[] {
  const out: Statement[] = [
    {
      Effect: "Allow",
      Action: union(reads(grant.access) ? DYNAMO_READ : [], writes(grant.access) ? DYNAMO_WRITE : []),
      Resource: dynamoTableArn(env, grant.table),
    },
  ];
  if (grant.allIndexes || (grant.indexes && grant.indexes.length > 0)) {
    const names = grant.allIndexes ? ["*"] : grant.indexes!;
    const resources = names.map((n) => dynamoTableArn(env, grant.table, `/index/${n}`));
    out.push({ Effect: "Allow", Action: DYNAMO_INDEX_READ, Resource: resources.length === 1 ? resources[0] : resources });
  }
  if (grant.streams) {
    out.push({ Effect: "Allow", Action: DYNAMO_STREAM_READ, Resource: dynamoTableArn(env, grant.table, "/stream/*") });
  }
  return out;
}

/** The resource pattern a secret grant covers: `NAME-??????` for one secret, `PREFIX*` for a path. */
export function secretResource(grant: SecretGrant, env: AwsEnvironment): string {
  if (grant.name !== undefined) return secretArn(env, `${grant.name}-??????`);
  if (grant.prefix !== undefined) return secretArn(env, `${grant.prefix}*`);
  throw new Error("a secret grant needs a name or a prefix");
}

function secretStatements(grant: SecretGrant, actions: string[], env: AwsEnvironment): Statement[] {
  const out: Statement[] = [{ Effect: "Allow", Action: union(actions), Resource: secretResource(grant, env) }];
  if (grant.kmsKeyArn) out.push(kmsStatement(grant.kmsKeyArn, ["kms:Decrypt"], "secretsmanager", env));
  return out;
}

/** Deny statements that apply to the whole role; they cost one statement each, not a condition per grant. */
export function guardrailStatements(guardrails: Guardrails): Statement[] {
  const out: Statement[] = [];
  if (guardrails.secureTransport) {
    out.push({ Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
  }
  if (guardrails.requestedRegions && guardrails.requestedRegions.length > 0) {
    const regions = guardrails.requestedRegions;
    out.push({
      Effect: "Deny",
      Action: "*",
      Resource: "*",
      Condition: { StringNotEquals: { "aws:RequestedRegion": regions.length === 1 ? regions[0] : regions } },
    });
  }
  return out;
}

/** Every Allow statement the access spec needs, in a stable order, before compaction. */
export function accessStatements(access: AccessSpec, env: AwsEnvironment): Statement[] {
  return [
    ...(access.s3 ?? []).flatMap((g) => s3Statements(g, env)),
    ...(access.dynamodb ?? []).flatMap((g) => dynamoStatements(g, env)),
    ...(access.secrets ?? []).flatMap((g) => secretStatements(g, access.secretActions ?? SECRET_READ, env)),
    ...(access.describeSecrets && access.describeSecrets.length > 0
      ? [{ Effect: "Allow" as const, Action: "secretsmanager:DescribeSecret", Resource: [...new Set(access.describeSecrets)].sort().map((name) => secretResource({ name }, env)) }]
      : []),
    ...(access.listSecrets ? [{ Effect: "Allow" as const, Action: SECRET_LIST, Resource: "*" }] : []),
    ...(access.assumeRoles && access.assumeRoles.length > 0
      ? [{ Effect: "Allow" as const, Action: "sts:AssumeRole", Resource: access.assumeRoles.length === 1 ? access.assumeRoles[0] : [...access.assumeRoles].sort() }]
      : []),
    ...(access.tagSessionRoles && access.tagSessionRoles.length > 0
      ? [{ Effect: "Allow" as const, Action: "sts:TagSession", Resource: access.tagSessionRoles.length === 1 ? access.tagSessionRoles[0] : [...access.tagSessionRoles].sort() }]
      : []),
    ...serviceGrantStatements(access, env),
    ...(access.preset ? presetStatements(access.preset, env) : []),
    ...(access.statements ?? []).map(customStatement),
  ];
}
