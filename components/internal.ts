/**
 * What components in this package tell each other and users cannot: the ESO controller's exact access and kind
 * for the WorkloadIdentity it creates. Kept out of the arguments (every argument is public API and schema).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { IdentityOverrides } from "../core/workload";

export const identityOverrides = new WeakMap<object, IdentityOverrides>();

/** Resource options with an alias for the type token a component had before it moved to `eks-irsa:index:`. */
export function withOldType<T extends pulumi.ResourceOptions>(opts: T | undefined, oldType: string): T {
  return { ...opts, aliases: [...(opts?.aliases ?? []), { type: oldType }] } as T;
}

/** The Kubernetes provider a component resolves to, if one was given (its own `providers` or a parent's). */
export function kubernetesProviderOf(component: { getProvider(member: string): pulumi.ProviderResource | undefined }): pulumi.ProviderResource | undefined {
  return component.getProvider("kubernetes::");
}
