/**
 * Account, partition and region as the AWS provider of a component reports them: asked once per provider and
 * Pulumi run (a stack of a thousand workloads makes three calls, not three thousand).
 */
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { getPartitionOutput } from "@pulumi/aws/getPartition";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import * as pulumi from "@pulumi/pulumi";
import type { AwsEnvironment, Partition } from "../core/environment";
import { partitionOfRegion } from "../core/environment";

const cache = new WeakMap<object, Map<pulumi.ProviderResource | undefined, pulumi.Output<AwsEnvironment>>>();

/** The environment of the AWS provider `component` resolves to (its `providers`/`provider`, or the default one). */
export function awsEnvironmentOf(component: pulumi.Resource & { getProvider(member: string): pulumi.ProviderResource | undefined }): pulumi.Output<AwsEnvironment> {
  const provider = component.getProvider("aws::");
  const run = pulumi.runtime.getMonitor() ?? cache;
  let byProvider = cache.get(run);
  if (!byProvider) cache.set(run, (byProvider = new Map()));
  let env = byProvider.get(provider);
  if (!env) {
    const opts = provider ? { provider } : {};
    env = pulumi
      .all([getCallerIdentityOutput({}, opts).accountId, getPartitionOutput({}, opts).partition, getRegionOutput({}, opts).region])
      .apply(([accountId, partition, region]) => ({ accountId, partition: partition as Partition, region }));
    byProvider.set(provider, env);
  }
  return env;
}

/**
 * The environment documents are built for: the provider's, checked against a region given in the arguments (which
 * the component laid its documents out with) and, when no region was given, against the region guardrail (which
 * construction could check only against a given region).
 */
export function checkedEnvironment(env: pulumi.Output<AwsEnvironment>, subject: string, region: string | undefined, allowedRegions?: readonly string[]): pulumi.Output<AwsEnvironment> {
  return env.apply((e) => {
    if (region !== undefined && e.region !== region) {
      throw new Error(`${subject}: region ${region} was given, but the AWS provider is configured for ${e.region}`);
    }
    if (region === undefined && allowedRegions !== undefined && allowedRegions.length > 0 && !allowedRegions.includes(e.region)) {
      throw new Error(`${subject}: allowedRegions must include the role's region ${e.region} (the AWS provider's): the guardrail would deny every request of the role`);
    }
    if (partitionOfRegion(e.region) !== e.partition) {
      throw new Error(`${subject}: region ${e.region} is in partition ${partitionOfRegion(e.region)}, but the credentials are for ${e.partition}`);
    }
    return e;
  });
}
