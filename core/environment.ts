/** Where the documents live: partition, region and account, never hard-coded. */

export type Partition = "aws" | "aws-cn" | "aws-us-gov";

export interface AwsEnvironment {
  partition: Partition;
  region: string;
  accountId: string;
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
export function viaService(service: string, env: Pick<AwsEnvironment, "partition" | "region">): string {
  return `${service}.${env.region}.${dnsSuffix(env.partition)}`;
}

/**
 * An environment with the right lengths but a placeholder account, used to lay out and size-check
 * documents before the real account id is known (account ids are always 12 digits).
 */
export function placeholderEnvironment(region: string): AwsEnvironment {
  return { partition: partitionOfRegion(region), region, accountId: "000000000000" };
}
