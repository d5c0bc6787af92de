/** ARN shapes: builders for the resources we grant on, and parsers for the ARNs users give us. */
import type { AwsEnvironment, Partition } from "./environment";
import type { FieldPath, Problem } from "./problems";

export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(value: string): Arn | undefined {
  const m = /^arn:(aws|aws-cn|aws-us-gov):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws)?:(.+)$/.exec(value);
  if (!m) return undefined;
  return { partition: m[1], service: m[2], region: m[3], account: m[4] ?? "", resource: m[5] };
}

type ArnKind = { what: string; pattern: RegExp };

/** The ARN kinds config may carry, each with the shape AWS gives it. */
export const ARN_KINDS = {
  kmsKey: {
    what: "KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<key-id>; aliases cannot be granted kms:Decrypt)",
    pattern: /^arn:(aws|aws-cn|aws-us-gov):kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
  },
  oidcProvider: {
    what: "IAM OIDC provider ARN (arn:<partition>:iam::<account>:oidc-provider/<issuer host and path>)",
    pattern: /^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:oidc-provider\/[a-z0-9.-]+(\/[A-Za-z0-9._~-]+)*$/,
  },
  role: {
    what: "IAM role ARN (arn:<partition>:iam::<account>:role/<path/name>)",
    pattern: /^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/,
  },
  snsTopic: {
    what: "SNS topic ARN (arn:<partition>:sns:<region>:<account>:<topic>)",
    pattern: /^arn:(aws|aws-cn|aws-us-gov):sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/,
  },
  managedPolicy: {
    what: "IAM managed policy ARN (arn:<partition>:iam::<account or aws>:policy/<path/name>)",
    pattern: /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}|aws):policy\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/,
  },
} satisfies Record<string, ArnKind>;

export type ArnKindName = keyof typeof ARN_KINDS;

export function s3BucketArn(env: Pick<AwsEnvironment, "partition">, bucket: string): string {
  return `arn:${env.partition}:s3:::${bucket}`;
}

export function s3ObjectArn(env: Pick<AwsEnvironment, "partition">, bucket: string, keyPattern: string): string {
  return `arn:${env.partition}:s3:::${bucket}/${keyPattern}`;
}

export function dynamoTableArn(env: AwsEnvironment, table: string, suffix = ""): string {
  return `arn:${env.partition}:dynamodb:${env.region}:${env.accountId}:table/${table}${suffix}`;
}

export function secretArn(env: AwsEnvironment, pattern: string): string {
  return `arn:${env.partition}:secretsmanager:${env.region}:${env.accountId}:secret:${pattern}`;
}

export function oidcProviderArn(partition: Partition, accountId: string, issuerHostPath: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${issuerHostPath}`;
}

export function roleArn(partition: Partition, accountId: string, path: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:role${path}${name}`;
}

/** `https://oidc.eks.../id/X` -> `oidc.eks.../id/X` (the form IAM uses in condition keys and provider ARNs). */
export function issuerHostPath(issuerUrl: string): string {
  return issuerUrl.replace(/^https:\/\//, "").replace(/\/+$/, "");
}

/** The issuer a provider ARN names, as an https URL. */
export function issuerFromProviderArn(arn: string): string {
  return `https://${arn.slice(arn.indexOf(":oidc-provider/") + ":oidc-provider/".length)}`;
}

/** An OIDC issuer URL as IAM registers it: https, a host, an optional path, no query or fragment. */
export const ISSUER_URL = { what: "OIDC issuer URL (must be https://host[/path], with no query or fragment)", pattern: /^https:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/ };

/**
 * Problems of an IAM OIDC provider reference `{ arn, issuerUrl }`, for the values known now (plain strings): the ARN
 * is an OIDC provider's, the URL an issuer's, and both name one issuer (the trust's keys come from the URL and its
 * Federated principal from the ARN: for two issuers no token ever matches). The fields are named `arnField` and
 * `issuerField` under `at`.
 */
export function oidcProviderRefProblems(at: FieldPath, arn: unknown, issuerUrl: unknown, arnField = "arn", issuerField = "issuerUrl"): Problem[] {
  const problems: Problem[] = [];
  const arnOk = typeof arn === "string" && ARN_KINDS.oidcProvider.pattern.test(arn);
  const urlOk = typeof issuerUrl === "string" && ISSUER_URL.pattern.test(issuerUrl);
  if (typeof arn === "string" && !arnOk) problems.push({ path: [...at, arnField], message: `${JSON.stringify(arn)} is not a valid ${ARN_KINDS.oidcProvider.what}` });
  if (typeof issuerUrl === "string" && !urlOk) problems.push({ path: [...at, issuerField], message: `${JSON.stringify(issuerUrl)} is not a valid ${ISSUER_URL.what}` });
  if (arnOk && urlOk && issuerHostPath(issuerFromProviderArn(arn as string)) !== issuerHostPath(issuerUrl as string)) {
    problems.push({ path: [...at, arnField], message: `${JSON.stringify(arn)} is the provider of another issuer than ${issuerField} ${JSON.stringify(issuerUrl)}` });
  }
  return problems;
}

/**
 * ARNs of another partition than the AWS provider's, checked once the provider's region is known (a component given
 * no `region`): such an ARN names nothing the provider's credentials reach, and a trust or filter on it never matches.
 */
export function foreignPartitionProblems(arns: { path: FieldPath; arn: string }[], env: { region: string; partition: string }): Problem[] {
  return arns.flatMap(({ path, arn }) => {
    const partition = arn.split(":")[1];
    return arn && partition !== env.partition ? [{ path, message: `${JSON.stringify(arn)} is in partition ${partition}, but the AWS provider's region ${env.region} is in ${env.partition}` }] : [];
  });
}
