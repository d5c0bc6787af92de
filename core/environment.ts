/** Where the documents live: partition, region and account, never hard-coded. */

export type Partition = "aws" | "aws-cn" | "aws-us-gov";

export interface AwsEnvironment {
  partition: Partition;
  region: string;
  accountId: string;
  /** Overrides the partition's endpoint suffix: only placeholders use it, to bound sizes (China's is longest). */
  dnsSuffix?: string;
}

export const REGION_PATTERN = /^(us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-[a-z]+-\d$/;

/** The partition a region belongs to (`cn-north-1` -> `aws-cn`). */
export function partitionOfRegion(region: string): Partition {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The DNS suffix of service endpoints in a partition; China's differs. */
export function dnsSuffix(partition: Partition): string {
  return partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}

/** The value of `kms:ViaService` for a service in a region, e.g. `secretsmanager.eu-west-1.amazonaws.com`. */
export function viaService(service: string, env: Pick<AwsEnvironment, "partition" | "region" | "dnsSuffix">): string {
  return `${service}.${env.region}.${env.dnsSuffix ?? dnsSuffix(env.partition)}`;
}

/**
 * Services whose requests count as us-east-1 for `aws:RequestedRegion` (their endpoints are global). Not STS: pods call
 * its regional endpoint (`sts-regional-endpoints`).
 */
export const GLOBAL_SERVICES = ["iam", "route53", "cloudfront", "organizations", "globalaccelerator", "waf"];

/** The region `aws:RequestedRegion` has for an action: us-east-1 for a global service, else the given one. */
export function requestedRegion(action: string, region: string): string {
  return GLOBAL_SERVICES.includes(action.split(":")[0].toLowerCase()) ? "us-east-1" : region;
}

/** Longer than any region name (`ap-southeast-2` has 14 characters). */
const REGION_BOUND = "xx-placeholder-9";

/**
 * An environment for laying out and size-checking documents before AWS is asked: a placeholder account (account ids
 * are always 12 digits) and, where the region is not known yet, a partition, region and endpoint suffix at least as
 * long as any real one, so that documents that fit with it fit with the real values too.
 */
export function placeholderEnvironment(region?: string): AwsEnvironment {
  if (region !== undefined) return { partition: partitionOfRegion(region), region, accountId: "000000000000" };
  return { partition: "aws-us-gov", region: REGION_BOUND, accountId: "000000000000", dnsSuffix: dnsSuffix("aws-cn") };
}
