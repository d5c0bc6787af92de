/** The names and tags eks-irsa gives what it creates: deterministic, within AWS's limits, read back by the pack and reports. */
import { createHash } from "node:crypto";
import { dnsSuffix, type AwsEnvironment } from "./environment";
import { LIMITS } from "./layout";

/** Tags eks-irsa puts on every role; `SHARED_BINDING_TAG` declares a pattern binding as intended (read by the policy pack). */
export const SHARED_BINDING_TAG = "eks-irsa:binding";
/** The cluster and workload (or, for a cross-account role, its source workloads) a role belongs to. */
export const CLUSTER_TAG = "eks-irsa:cluster";
export const WORKLOAD_TAG = "eks-irsa:workload";
/** What an eks-irsa role is for: `workload`, `eso-controller` or `cross-account`. */
export const KIND_TAG = "eks-irsa:kind";
/** The add-on preset a workload's role follows (`aws-load-balancer-controller`...), read by the plan and the report. */
export const PRESET_TAG = "eks-irsa:preset";
/** The target account's label on a cross-account role. */
export const TARGET_TAG = "eks-irsa:target";
export const RESERVED_TAGS = [CLUSTER_TAG, WORKLOAD_TAG, KIND_TAG, SHARED_BINDING_TAG];
export type IdentityKind = "workload" | "eso-controller" | "cross-account";

/** A deterministic name within `max` characters: kept whole when it fits, else cut and suffixed with a hash. */
export function boundedName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, max - 9).replace(/-+$/, "")}-${hash}`;
}

export function roleNameFor(cluster: string, workload: string): string {
  return boundedName(`${cluster}-${workload}`, LIMITS.roleNameChars);
}

/** EKS issuers are `https://oidc.eks.<region>.<suffix>/id/<32 hex>`: same length whatever the id. */
export function placeholderEksIssuer(region: string, partition: AwsEnvironment["partition"], suffix = dnsSuffix(partition)): string {
  return `https://oidc.eks.${region}.${suffix}/id/${"0".repeat(32)}`;
}

/**
 * Mode oidc: the ServiceAccount `<workload's>-<target>-<role>` whose annotation names the target role. A
 * workload's own ServiceAccount names its own role, and the webhook's AWS_ROLE_ARN overrides any AWS profile
 * in most SDKs: pods that need the target account run as this one.
 */
export function directServiceAccountName(serviceAccount: string, target: string, role: string): string {
  return `${serviceAccount}-${target}-${role}`;
}

