/**
 * Every identity of a stack planned from its components' arguments (config/args.ts) with the core's builders: what
 * config validation lays out with placeholders before any resource exists, so that a document over an IAM quota is
 * a config problem at its key, never a failed `pulumi up`.
 */
import { roleArn } from "../core/arn";
import { resolveEso, esoControllerInput } from "../core/eso";
import type { AwsEnvironment } from "../core/environment";
import { placeholderCluster, planIdentity, type ClusterIdentity, type IdentityPlan } from "../core/identity";
import { roleNameFor } from "../core/plan";
import { SizeLimitError, type FieldPath } from "../core/problems";
import { targetRoleDefinition, type ResolvedTarget } from "../core/targetRole";
import { riskyGrants, workloadDefinition } from "../core/workload";
import { CONFIG_QUOTA_FIELDS, ESO_NAME, esoArgs, esoConfigPath, targetArgs, targetConfigPath, workloadArgs, workloadConfigPath } from "./args";
import { ConfigError, unique, type ConfigProblem } from "./errors";
import type { EnvironmentSpec } from "./model";

export interface EnvironmentPlan {
  workloads: IdentityPlan[];
  /** The ESO controller's identity, when ESO is enabled. */
  externalSecrets?: IdentityPlan;
  /** Per target account, its roles. */
  crossAccount: IdentityPlan[][];
  /** Quota pressure. */
  warnings: string[];
  /** Valid grants that are easy to regret (each component warns of its own when deployed). */
  risks: string[];
}

/** A source workload's role ARN as the stack will name it. */
export function workloadRoleArn(spec: EnvironmentSpec, env: AwsEnvironment, workload: string): string {
  return roleArn(env.partition, env.accountId, spec.roleDefaults.path, roleNameFor(spec.cluster.name, workload));
}

/** The target's arguments resolved to plain values, the sources' role ARNs named as the stack will name them. */
export function resolvedTarget(spec: EnvironmentSpec, t: number, env: AwsEnvironment): ResolvedTarget {
  return { name: spec.crossAccount[t].name, ...targetArgs(spec, t, (w) => workloadRoleArn(spec, env, w)) };
}

/**
 * The clusters a workload runs on, as trust needs them: the stack's cluster (`cluster`, as given) and its additional
 * clusters (an issuer known from config, else a placeholder as long as EKS's).
 */
export function workloadClusters(spec: EnvironmentSpec, env: AwsEnvironment, cluster: ClusterIdentity, names: string[]): ClusterIdentity[] {
  return names.map((name) => {
    if (name === spec.cluster.name) return { ...cluster, name };
    const k = spec.cluster.additionalClusters.find((x) => x.name === name);
    return placeholderCluster(env, { issuerUrl: k?.oidcIssuerUrl, providerArn: k?.oidcProviderArn, name });
  });
}

/** Plans every identity; size problems become config problems at their keys, quota pressure becomes a warning. */
export function planEnvironment(spec: EnvironmentSpec, env: AwsEnvironment, cluster: ClusterIdentity): EnvironmentPlan {
  const problems: ConfigProblem[] = [];
  const attempt = <T>(where: (path: FieldPath) => string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof SizeLimitError)) throw e;
      problems.push({ path: where(e.path), message: e.detail });
      return undefined;
    }
  };
  // Every cluster a workload runs on by default: a retired stack cluster is not one of them.
  const allClusters = (spec.cluster.retired ? 0 : 1) + spec.cluster.additionalClusters.length;
  // Too many clusters for a trust: the workload's own list when it has fewer than all, else the stack's (naming the
  // workload: several may fail at that one key).
  const stackWide = (i: number, path: FieldPath) => path.length === 1 && path[0] === "clusters" && spec.workloads[i].clusters.length === allClusters;
  const workloads = spec.workloads.map((w, i) => {
    try {
      return planIdentity(workloadDefinition(w.name, workloadArgs(spec, i), { quotaFields: CONFIG_QUOTA_FIELDS }), env, workloadClusters(spec, env, cluster, w.clusters));
    } catch (e) {
      if (!(e instanceof SizeLimitError)) throw e;
      if (stackWide(i, e.path)) problems.push({ path: "cluster.additionalClusters", message: `workload ${w.name}: ${e.detail}` });
      else problems.push({ path: workloadConfigPath(i)(e.path), message: e.detail });
      return undefined;
    }
  });
  const eso = esoArgs(spec);
  const externalSecrets = eso
    ? attempt(esoConfigPath(eso.origins), () => {
        const { input, overrides } = esoControllerInput(ESO_NAME, eso.args, resolveEso(eso.args));
        return planIdentity(workloadDefinition(`${ESO_NAME}-controller`, input, { ...overrides, quotaFields: CONFIG_QUOTA_FIELDS }), env, cluster);
      })
    : undefined;
  const crossAccount = spec.crossAccount.map((target, t) => {
    const resolved = resolvedTarget(spec, t, env);
    const targetEnv = { ...env, accountId: target.accountId };
    const targetCluster = placeholderCluster(targetEnv, { issuerUrl: cluster.issuerUrl, providerArn: target.oidcProviderArn });
    return target.roles.map((_, r) =>
      attempt((path) => targetConfigPath(t)(["roles", r, ...path]), () => planIdentity(targetRoleDefinition(resolved, r, CONFIG_QUOTA_FIELDS), targetEnv, targetCluster)),
    );
  });
  if (problems.length > 0) throw new ConfigError(unique(problems));
  const inAccount = [...workloads, ...(externalSecrets ? [externalSecrets] : [])] as IdentityPlan[];
  const managed = inAccount.reduce((n, p) => n + p.permissionPolicies.filter((d) => !d.inline).length, 0);
  return {
    workloads: workloads as IdentityPlan[],
    externalSecrets,
    crossAccount: crossAccount as IdentityPlan[][],
    warnings: quotaWarnings(spec, inAccount.length, managed),
    risks: riskWarnings(spec),
  };
}

/** Risky but valid grants, per workload and target role. */
export function riskWarnings(spec: EnvironmentSpec): string[] {
  return [
    ...spec.workloads.flatMap((w) => riskyGrants(`workload ${w.name}`, { ...w, allowedRegions: spec.roleDefaults.allowedRegions })),
    ...spec.crossAccount.flatMap((t) => t.roles.flatMap((r) => riskyGrants(`cross-account role ${t.name}/${r.name}`, r))),
  ];
}

/** Quotas of the stack's account that the plan can see filling up (roles, OIDC providers, customer-managed policies). */
export function quotaWarnings(spec: EnvironmentSpec, roles: number, managedPolicies = 0): string[] {
  const q = spec.quotas;
  const warnings: string[] = [];
  const used = q.rolesAlreadyInAccount + roles;
  if (used * 100 >= q.rolesPerAccount * q.warnAtPercent) {
    warnings.push(
      `roles: ${used} of the account's ${q.rolesPerAccount}-role quota would be in use (${roles} from this stack, ` +
        `${q.rolesAlreadyInAccount} declared in quotas.rolesAlreadyInAccount); request an increase (up to 5,000) before adding more`,
    );
  }
  const providers = q.oidcProvidersAlreadyInAccount + (spec.cluster.oidcProviderArn ? 0 : 1);
  if (providers * 100 >= q.oidcProvidersPerAccount * q.warnAtPercent) {
    warnings.push(
      `OIDC providers: ${providers} of the account's ${q.oidcProvidersPerAccount}-provider quota would be in use ` +
        `(quotas.oidcProvidersAlreadyInAccount + this stack's); adopt an existing provider or request an increase`,
    );
  }
  const policies = q.managedPoliciesAlreadyInAccount + managedPolicies;
  if (managedPolicies > 0 && policies * 100 >= q.managedPoliciesPerAccount * q.warnAtPercent) {
    warnings.push(
      `customer-managed policies: ${policies} of the account's ${q.managedPoliciesPerAccount}-policy quota would be in use (${managedPolicies} from this stack, ` +
        `for permissions beyond their roles' 10,240-character inline budget; ${q.managedPoliciesAlreadyInAccount} declared in quotas.managedPoliciesAlreadyInAccount); ` +
        `split the largest workloads or request an increase (up to 5,000)`,
    );
  }
  return warnings;
}
