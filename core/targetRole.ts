/**
 * Roles in another AWS account for workloads of the cluster: chained (the target role trusts exactly the source
 * workloads' roles) or oidc (the target account registers the cluster's issuer and trusts the source workloads'
 * dedicated ServiceAccounts). Checked and resolved here; planned by core/identity.ts.
 */
import { roleArn } from "./arn";
import { Checker, validRegion } from "./check";
import type { AwsEnvironment } from "./environment";
import type { IdentityDefinition } from "./identity";
import { LIMITS } from "./layout";
import { boundedName, CLUSTER_TAG, directServiceAccountName, KIND_TAG, SHARED_BINDING_TAG, TARGET_TAG, WORKLOAD_TAG } from "./plan";
import type { FieldPath, Problem } from "./problems";
import { RULES } from "./rules";
import { isPattern } from "./trust";
import { checkGrants, checkRoleArgs, checkTags } from "./workload";
import type { DynamoGrant, S3Grant, SecretGrant } from "./access";

/** How a target role is reached from the cluster. */
export const CrossAccountMode = {
  /** The target role trusts exactly the source workloads' roles; pods chain through an AWS profile. */
  Chained: "chained",
  /** The target account registers the cluster's issuer; dedicated ServiceAccounts carry the target role. */
  Oidc: "oidc",
  /** EKS Pod Identity: the source's associations name the target role (`targetRoleArn`); it trusts the source role with their external ids. */
  PodIdentity: "pod-identity",
} as const;
export type CrossAccountMode = (typeof CrossAccountMode)[keyof typeof CrossAccountMode];
export const CROSS_ACCOUNT_MODES = [CrossAccountMode.Chained, CrossAccountMode.Oidc, CrossAccountMode.PodIdentity] as const;
/** Modes where the target role trusts the source workloads' roles. */
const trustsRoles = (mode: unknown) => mode === CrossAccountMode.Chained || mode === CrossAccountMode.PodIdentity;

/** A source workload of a target role, resolved to plain values. */
export interface ResolvedSource {
  workload: string;
  /** Chained and pod-identity: the source role's ARN. */
  roleArn?: string;
  /** Pod-identity: the external ids of the source's associations naming the target role (one per cluster). */
  externalIds?: string[];
  /** Pod-identity: the source's associations disable session tags (no `sts:TagSession` then). */
  disableSessionTags?: boolean;
  /** Oidc: the source's namespace and its own ServiceAccount (the dedicated one is named after it). */
  namespace?: string;
  serviceAccount?: string;
  tokenExpirationSeconds?: number;
}

/** One role of a target account, resolved to plain values. */
export interface ResolvedTargetRole {
  name: string;
  roleName?: string;
  sources: ResolvedSource[];
  s3?: S3Grant[];
  dynamodb?: DynamoGrant[];
  secrets?: SecretGrant[];
  tags?: Record<string, string>;
  maxSessionDurationSeconds?: number;
}

/** A target account's settings shared by its roles, resolved to plain values. */
export interface ResolvedTarget {
  /** Label of the target (names its roles `<clusterName>-<target>-<role>`). */
  name: string;
  accountId: string;
  mode: CrossAccountMode;
  clusterName?: string;
  path?: string;
  permissionsBoundaryArn?: string;
  tags?: Record<string, string>;
  allowedRegions?: string[];
  requireSecureTransport?: boolean;
  stsRegionalEndpoints?: boolean;
  trustPolicyQuota?: number;
  managedPolicyQuota?: number;
  roles: ResolvedTargetRole[];
}

/** The arguments of a target account (`TargetAccountArgs`). */
export const TARGET_ACCOUNT_KEYS = [
  "accountId", "mode", "issuerUrl", "oidcProviderArn", "protectOidcProvider", "roles", "clusterName", "path", "permissionsBoundaryArn", "tags",
  "allowedRegions", "requireSecureTransport", "stsRegionalEndpoints", "region", "trustPolicyQuota", "managedPolicyQuota",
] as const;
export const TARGET_ROLE_KEYS = ["name", "roleName", "sources", "s3", "dynamodb", "secrets", "tags", "maxSessionDurationSeconds"] as const;
/** Why a Pod Identity source without an external id cannot assume the target role (`sts:ExternalId` must equal one). */
export const NO_EXTERNAL_ID = "must list at least one: the trust requires sts:ExternalId to equal one of the source's association external ids (a workload in mode irsa has no association)";

export const TARGET_SOURCE_KEYS = ["workload", "roleArn", "namespace", "serviceAccount", "tokenExpirationSeconds", "externalIds", "disableSessionTags"] as const;

export function targetRoleName(target: ResolvedTarget, role: Pick<ResolvedTargetRole, "name" | "roleName">): string {
  return role.roleName ?? boundedName(target.clusterName ? `${target.clusterName}-${target.name}-${role.name}` : `${target.name}-${role.name}`, LIMITS.roleNameChars);
}

/** The target role's ARN: known from the target account, path and name before anything exists. */
export function targetRoleArn(target: ResolvedTarget, role: Pick<ResolvedTargetRole, "name" | "roleName">, partition: AwsEnvironment["partition"]): string {
  return roleArn(partition, target.accountId, target.path ?? "/", targetRoleName(target, role));
}

/** The dedicated ServiceAccount of a source in mode oidc. */
export function dedicatedServiceAccount(target: string, role: string, source: ResolvedSource): string {
  return directServiceAccountName(source.serviceAccount ?? source.workload, target, role);
}

/**
 * Every problem of a target account's arguments. `roleArn` of a source may be an unknown value (an Output): it is
 * checked only when it is a string.
 */
export function targetProblems(name: string, args: Record<string, unknown>, region?: string): Problem[] {
  const c = new Checker(validRegion(region ?? args.region));
  if (!RULES.roleLabel.test(name)) c.add([], `the name ${JSON.stringify(name)} is not a valid ${RULES.roleLabel.what} (it prefixes the target's role names)`);
  if (typeof args.accountId !== "string" || !RULES.accountId.test(args.accountId)) {
    c.add(["accountId"], args.accountId === undefined ? "is required" : `${JSON.stringify(args.accountId)} is not a valid ${RULES.accountId.what}`);
  }
  c.known([], args, TARGET_ACCOUNT_KEYS);
  c.oneOf(["mode"], args.mode, CROSS_ACCOUNT_MODES, "cross-account mode");
  checkRoleArgs(c, args);
  c.bool(["protectOidcProvider"], args.protectOidcProvider);
  if (args.oidcProviderArn !== undefined) {
    if (args.mode !== CrossAccountMode.Oidc) c.add(["oidcProviderArn"], "only mode oidc uses an OIDC provider in the target account");
    if (c.arn(["oidcProviderArn"], args.oidcProviderArn, "oidcProvider")) checkAccount(c, ["oidcProviderArn"], args.oidcProviderArn as string, args.accountId);
  }
  if (args.permissionsBoundaryArn !== undefined && typeof args.permissionsBoundaryArn === "string" && !/:iam::aws:/.test(args.permissionsBoundaryArn)) {
    checkAccount(c, ["permissionsBoundaryArn"], args.permissionsBoundaryArn, args.accountId);
  }
  if (!Array.isArray(args.roles) || args.roles.length === 0) c.add(["roles"], args.roles === undefined ? "is required (at least one role)" : "expected a list of at least one role");
  const roleNames = new Map<string, number>();
  c.list<Record<string, unknown>>(["roles"], args.roles, (r, p) => {
    if (!c.object(p, r)) return;
    c.known(p, r, TARGET_ROLE_KEYS);
    if (c.name([...p, "name"], r.name, RULES.roleLabel, true)) {
      const dup = roleNames.get(r.name as string);
      if (dup !== undefined) c.add([...p, "name"], `duplicate role name ${JSON.stringify(r.name)} in target ${name} (also roles[${dup}])`);
      else roleNames.set(r.name as string, p[p.length - 1] as number);
    }
    c.name([...p, "roleName"], r.roleName, RULES.roleName);
    c.int([...p, "maxSessionDurationSeconds"], r.maxSessionDurationSeconds, 3600, 43200);
    if (r.tags !== undefined) checkTags(c, [...p, "tags"], r.tags, (args.tags ?? {}) as Record<string, string>);
    checkGrants(c, p, r);
    if (!Array.isArray(r.sources) || r.sources.length === 0) c.add([...p, "sources"], "expected a list of at least one source workload");
    const seen = new Set<string>();
    c.list<Record<string, unknown>>([...p, "sources"], r.sources, (s, q) => {
      if (!c.object(q, s)) return;
      c.known(q, s, TARGET_SOURCE_KEYS);
      if (c.name([...q, "workload"], s.workload, RULES.workloadName, true)) {
        if (seen.has(s.workload as string)) c.add([...q, "workload"], `${JSON.stringify(s.workload)} is listed twice`);
        seen.add(s.workload as string);
      }
      if (args.mode === CrossAccountMode.PodIdentity) {
        if (s.externalIds === undefined) c.add([...q, "externalIds"], "is required in mode pod-identity (the external ids of the source's associations, WorkloadIdentity.associationExternalIds)");
        else if (Array.isArray(s.externalIds)) {
          if (s.externalIds.length === 0) c.add([...q, "externalIds"], NO_EXTERNAL_ID);
          s.externalIds.forEach((id, k) => {
            if (typeof id === "string" && !/^[\w+=,.@:/-]{2,1224}$/.test(id)) c.add([...q, "externalIds", k], `${JSON.stringify(id)} is not an external id (2-1224 letters, digits and +=,.@:/-)`);
          });
        }
        c.bool([...q, "disableSessionTags"], s.disableSessionTags);
      }
      if (trustsRoles(args.mode)) {
        if (s.roleArn === undefined) c.add([...q, "roleArn"], `is required in mode ${String(args.mode)} (the source workload's role)`);
        else if (typeof s.roleArn === "string" && c.arn([...q, "roleArn"], s.roleArn, "role") && s.roleArn.split(":")[4] === args.accountId) {
          c.add([...q, "roleArn"], `is in the target account ${String(args.accountId)}: grant the workload directly instead`);
        }
      }
      if (args.mode === CrossAccountMode.Oidc) {
        c.name([...q, "namespace"], s.namespace, RULES.namespace, true);
        const sa = s.serviceAccount ?? s.workload;
        if (typeof sa === "string" && isPattern(sa)) {
          c.add([...q, "serviceAccount"], `mode oidc gives each source a dedicated ServiceAccount named after its own, but workload ${String(s.workload)} binds the pattern ${JSON.stringify(sa)}: use mode chained`);
        } else if (c.name([...q, "serviceAccount"], sa, RULES.serviceAccount) && typeof r.name === "string" && typeof name === "string") {
          const direct = directServiceAccountName(sa as string, name, r.name);
          if (!RULES.serviceAccount.test(direct)) c.add([...q, "serviceAccount"], `the dedicated ServiceAccount ${JSON.stringify(direct)} is not a valid ${RULES.serviceAccount.what}`);
        }
        c.int([...q, "tokenExpirationSeconds"], s.tokenExpirationSeconds, 600, 86400);
      }
    });
  });
  return c.problems;
}

function checkAccount(c: Checker, path: FieldPath, arn: string, accountId: unknown): void {
  const account = arn.split(":")[4];
  if (typeof accountId === "string" && account !== accountId) c.add(path, `${JSON.stringify(arn)} is in account ${account}, not the target account ${accountId}`);
}

/** The definition of one target role, for core/identity.ts. */
export function targetRoleDefinition(target: ResolvedTarget, r: number, quotaFields?: IdentityDefinition["quotaFields"]): IdentityDefinition {
  const role = target.roles[r];
  const oidc = target.mode === CrossAccountMode.Oidc;
  const serviceAccounts = oidc ? role.sources.map((s) => ({ namespace: s.namespace!, name: dedicatedServiceAccount(target.name, role.name, s) })) : [];
  return {
    roleName: targetRoleName(target, role),
    path: target.path ?? "/",
    trust: oidc
      ? { kind: "web-identity", serviceAccounts }
      : target.mode === CrossAccountMode.PodIdentity
        ? { kind: "pod-identity-target", sources: role.sources.map((s) => ({ roleArn: s.roleArn!, externalIds: s.externalIds ?? [], sessionTags: s.disableSessionTags !== true })) }
        : { kind: "role-chain", sourceRoleArns: role.sources.map((s) => s.roleArn!) },
    access: { s3: role.s3, dynamodb: role.dynamodb, secrets: role.secrets },
    guardrails: { secureTransport: target.requireSecureTransport ?? true, requestedRegions: target.allowedRegions },
    tags: {
      ...target.tags,
      ...role.tags,
      ...(target.clusterName ? { [CLUSTER_TAG]: target.clusterName } : {}),
      [WORKLOAD_TAG]: role.sources.map((s) => s.workload).join("."),
      [KIND_TAG]: "cross-account",
      [TARGET_TAG]: target.name,
      // Trusted by several ServiceAccounts (oidc mode): declared, as for a pattern workload.
      ...(oidc && serviceAccounts.length > 1 ? { [SHARED_BINDING_TAG]: "shared" } : {}),
    },
    annotations: { stsRegionalEndpoints: target.stsRegionalEndpoints ?? true },
    quotas: { trustPolicy: target.trustPolicyQuota ?? LIMITS.trustPolicyCharsDefault, managedPolicies: target.managedPolicyQuota ?? LIMITS.managedPoliciesPerRoleDefault },
    quotaFields: quotaFields ?? { trustPolicy: "trustPolicyQuota", managedPolicies: "managedPolicyQuota" },
  };
}

export function targetRoleDescription(target: ResolvedTarget, role: ResolvedTargetRole): string {
  const of = target.clusterName ? ` of EKS cluster ${target.clusterName}` : "";
  return `Cross-account role (${target.mode}) for ${role.sources.map((s) => s.workload).join(", ")}${of}`;
}
