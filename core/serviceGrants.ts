/**
 * Typed grants beyond S3, DynamoDB and Secrets Manager, for what services call next most often: SQS queues (send,
 * receive or both), SNS topics (publish) and KMS keys (encrypt, decrypt), each on named resources of the stack's
 * account and region (KMS keys by ARN, as a key may live in another account).
 */
import { viaService, type AwsEnvironment } from "./environment";
import type { Checker } from "./check";
import type { Statement } from "./document";
import type { FieldPath } from "./problems";

/** What a workload does with a queue: `send`, `receive` (and delete) or `send-receive`. */
export const QueueAccess = { Send: "send", Receive: "receive", SendReceive: "send-receive" } as const;
export type QueueAccess = (typeof QueueAccess)[keyof typeof QueueAccess];
export const QUEUE_ACCESS = [QueueAccess.Send, QueueAccess.Receive, QueueAccess.SendReceive] as const satisfies readonly QueueAccess[];

/** What a workload does with a KMS key: `encrypt` (Encrypt, GenerateDataKey), `decrypt` or `encrypt-decrypt`. */
export const KeyAccess = { Encrypt: "encrypt", Decrypt: "decrypt", EncryptDecrypt: "encrypt-decrypt" } as const;
export type KeyAccess = (typeof KeyAccess)[keyof typeof KeyAccess];
export const KEY_ACCESS = [KeyAccess.Encrypt, KeyAccess.Decrypt, KeyAccess.EncryptDecrypt] as const satisfies readonly KeyAccess[];

/** One SQS queue of the stack's account and region. */
export interface SqsGrant {
  /** Queue name (not a URL or ARN), e.g. `orders-events` or `orders.fifo`. */
  queue: string;
  /** `send` (SendMessage), `receive` (ReceiveMessage, DeleteMessage, ChangeMessageVisibility) or `send-receive`. */
  access: QueueAccess;
  /** Customer-managed KMS key of the queue's SSE-KMS encryption: `kms:GenerateDataKey`/`Decrypt` via SQS only. @default none */
  kmsKeyArn?: string;
}

/** One SNS topic of the stack's account and region: `sns:Publish`. */
export interface SnsGrant {
  /** Topic name (not an ARN), e.g. `order-placed` or `orders.fifo`. */
  topic: string;
  /** Customer-managed KMS key of the topic's encryption: `kms:GenerateDataKey`/`Decrypt` via SNS only. @default none */
  kmsKeyArn?: string;
}

/** Direct use of one KMS key (envelope encryption in the application). */
export interface KmsGrant {
  /** Key ARN (`arn:<partition>:kms:<region>:<account>:key/<id>`); aliases cannot be granted. */
  keyArn: string;
  /** `encrypt` (Encrypt, GenerateDataKey), `decrypt` (Decrypt) or `encrypt-decrypt`. */
  access: KeyAccess;
  /** Only through this service (`kms:ViaService`), e.g. `s3`: `<service>.<region>.amazonaws.com`. @default any caller */
  viaService?: string;
}

export const SQS_SEND = ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"];
export const SQS_RECEIVE = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"];
export const KMS_ENCRYPT = ["kms:Encrypt", "kms:GenerateDataKey"];
export const KMS_DECRYPT = ["kms:Decrypt"];

/** SQS queue names: 1-80 letters, digits, '-' and '_', with `.fifo` for a FIFO queue. */
export const QUEUE_NAME = { what: "SQS queue name (1-80 letters, digits, '-' and '_', optionally ending in .fifo; not a URL or ARN)", test: (v: string) => /^[A-Za-z0-9_-]{1,80}$/.test(v.replace(/\.fifo$/, "")) && v.length <= 80 };
/** SNS topic names: 1-256 letters, digits, '-' and '_', with `.fifo` for a FIFO topic. */
export const TOPIC_NAME = { what: "SNS topic name (1-256 letters, digits, '-' and '_', optionally ending in .fifo; not an ARN)", test: (v: string) => /^[A-Za-z0-9_-]{1,256}$/.test(v.replace(/\.fifo$/, "")) && v.length <= 256 };
/** `kms:ViaService` service prefixes: lowercase letters, digits and '-'. */
export const SERVICE_PREFIX = { what: "service endpoint prefix (lowercase letters, digits and '-', e.g. s3, sqs, secretsmanager)", test: (v: string) => /^[a-z0-9-]{2,40}$/.test(v) };

export function queueArn(env: AwsEnvironment, queue: string): string {
  return `arn:${env.partition}:sqs:${env.region}:${env.accountId}:${queue}`;
}

export function topicArn(env: AwsEnvironment, topic: string): string {
  return `arn:${env.partition}:sns:${env.region}:${env.accountId}:${topic}`;
}

const sorted = (...lists: string[][]) => [...new Set(lists.flat())].sort();
const sends = (a: QueueAccess) => a !== "receive";
const receives = (a: QueueAccess) => a !== "send";

function keyThrough(keyArn: string, actions: string[], service: string, env: AwsEnvironment): Statement {
  return { Effect: "Allow", Action: sorted(actions), Resource: keyArn, Condition: { StringEquals: { "kms:ViaService": viaService(service, env) } } };
}

export function sqsStatements(grant: SqsGrant, env: AwsEnvironment): Statement[] {
  const out: Statement[] = [
    { Effect: "Allow", Action: sorted(sends(grant.access) ? SQS_SEND : [], receives(grant.access) ? SQS_RECEIVE : []), Resource: queueArn(env, grant.queue) },
  ];
  // A producer encrypts with a data key SQS generates; a consumer decrypts it.
  if (grant.kmsKeyArn) out.push(keyThrough(grant.kmsKeyArn, [...(sends(grant.access) ? ["kms:GenerateDataKey", "kms:Decrypt"] : []), ...(receives(grant.access) ? ["kms:Decrypt"] : [])], "sqs", env));
  return out;
}

export function snsStatements(grant: SnsGrant, env: AwsEnvironment): Statement[] {
  const out: Statement[] = [{ Effect: "Allow", Action: "sns:Publish", Resource: topicArn(env, grant.topic) }];
  if (grant.kmsKeyArn) out.push(keyThrough(grant.kmsKeyArn, ["kms:GenerateDataKey", "kms:Decrypt"], "sns", env));
  return out;
}

export function kmsStatements(grant: KmsGrant, env: AwsEnvironment): Statement[] {
  const actions = sorted(grant.access !== "decrypt" ? KMS_ENCRYPT : [], grant.access !== "encrypt" ? KMS_DECRYPT : []);
  if (grant.viaService) return [keyThrough(grant.keyArn, actions, grant.viaService, env)];
  return [{ Effect: "Allow", Action: actions, Resource: grant.keyArn }];
}

/** Every statement of the SQS, SNS and KMS grants, in a stable order (after the S3, DynamoDB and Secrets Manager ones). */
export function serviceGrantStatements(grants: { sqs?: SqsGrant[]; sns?: SnsGrant[]; kms?: KmsGrant[] }, env: AwsEnvironment): Statement[] {
  return [
    ...(grants.sqs ?? []).flatMap((g) => sqsStatements(g, env)),
    ...(grants.sns ?? []).flatMap((g) => snsStatements(g, env)),
    ...(grants.kms ?? []).flatMap((g) => kmsStatements(g, env)),
  ];
}

/** Checks SQS, SNS and KMS grants, with the paths of their fields. */
export function checkServiceGrants(c: Checker, at: FieldPath, grants: { sqs?: unknown; sns?: unknown; kms?: unknown }): void {
  c.list<Record<string, unknown>>([...at, "sqs"], grants.sqs, (g, p) => {
    if (!c.object(p, g)) return;
    c.known(p, g, ["queue", "access", "kmsKeyArn"]);
    c.name([...p, "queue"], g.queue, QUEUE_NAME, true);
    c.oneOf([...p, "access"], g.access, QUEUE_ACCESS, "queue access");
    c.arn([...p, "kmsKeyArn"], g.kmsKeyArn, "kmsKey");
  });
  c.list<Record<string, unknown>>([...at, "sns"], grants.sns, (g, p) => {
    if (!c.object(p, g)) return;
    c.known(p, g, ["topic", "kmsKeyArn"]);
    c.name([...p, "topic"], g.topic, TOPIC_NAME, true);
    c.arn([...p, "kmsKeyArn"], g.kmsKeyArn, "kmsKey");
  });
  c.list<Record<string, unknown>>([...at, "kms"], grants.kms, (g, p) => {
    if (!c.object(p, g)) return;
    c.known(p, g, ["keyArn", "access", "viaService"]);
    if (g.keyArn === undefined) c.add([...p, "keyArn"], "is required");
    c.arn([...p, "keyArn"], g.keyArn, "kmsKey");
    c.oneOf([...p, "access"], g.access, KEY_ACCESS, "key access");
    c.name([...p, "viaService"], g.viaService, SERVICE_PREFIX);
  });
}
