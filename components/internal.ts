/**
 * What components in this package tell each other and users cannot: the ESO controller's exact access and kind
 * for the WorkloadIdentity it creates. Kept out of the arguments (every argument is public API and schema).
 */
import type * as pulumi from "@pulumi/pulumi";
import { describeValue } from "../core/check";
import { ArgsError } from "../core/problems";
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

/**
 * The resources a component's options say to wait for, as a list its children can extend (children do not inherit
 * `dependsOn`). An Output of resources is kept as one entry, awaited as a whole.
 */
export function dependsOnOf(opts: pulumi.ResourceOptions | undefined): pulumi.Input<pulumi.Resource>[] {
  const d = opts?.dependsOn;
  if (d === undefined) return [];
  if (Array.isArray(d)) return d;
  return [d as pulumi.Input<pulumi.Resource>];
}

/** Whether resource options give a provider of `pkg` (directly, in `providers`, or through the parent), before the component exists. */
export function optionsHaveProvider(opts: pulumi.ComponentResourceOptions | undefined, pkg: string): boolean {
  const providers = opts?.providers;
  // A component's `provider` option joins its providers (the SDK adds it to the map its children resolve from).
  const list = [...(Array.isArray(providers) ? providers : providers ? Object.values(providers) : []), ...(opts?.provider ? [opts.provider] : [])];
  // A provider knows its package (`pkg`, set by its constructor); the key of a `providers` map is the package too.
  if (list.some((p) => (p as unknown as { pkg?: string }).pkg === pkg)) return true;
  if (providers && !Array.isArray(providers) && pkg in providers) return true;
  const parent = opts?.parent as { getProvider?: (member: string) => pulumi.ProviderResource | undefined } | undefined;
  return parent?.getProvider?.(`${pkg}::`) !== undefined;
}

/** Arguments that are no object (null from another language, a list) as one ArgsError, before any field is read. */
export function requireObjectArgs(subject: string, args: unknown): void {
  if (args === null || typeof args !== "object" || Array.isArray(args)) throw new ArgsError(subject, [{ path: [], message: `expected the arguments as an object, got ${describeValue(args)}` }]);
}
