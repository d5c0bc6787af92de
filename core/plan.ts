/**
 * From an environment spec and the facts only AWS knows (account, issuer, provider ARN), everything each
 * workload identity consists of: names, trust, permission documents, ServiceAccount annotations.
 */
import { createHash } from "node:crypto";
import { accessStatements, guardrailStatements, type AccessSpec } from "./access";
import { oidcProviderArn, roleArn, issuerHostPath } from "./arn";
import { policySize, type PolicyDocument } from "./document";
import type { AwsEnvironment } from "./environment";
import { LIMITS, SizeLimitError, layoutDocuments } from "./layout";
import type { EnvironmentSpec, TargetAccountSpec, WorkloadSpec } from "./model";
import { buildRoleChainTrustPolicy, buildTrustPolicy, isPattern, type ServiceAccountRef } from "./trust";

/** Tags eks-irsa puts on every role; `SHARED_BINDING_TAG` declares a pattern binding as intended (read by the policy pack). */
export const SHARED_BINDING_TAG = "eks-irsa:binding";
/** The cluster and workload (or, for a cross-account role, its source workloads) a role belongs to. */
export const CLUSTER_TAG = "eks-irsa:cluster";
export const WORKLOAD_TAG = "eks-irsa:workload";
/** What an eks-irsa role is for: `workload`, `eso-controller` or `cross-account`. */
export const KIND_TAG = "eks-irsa:kind";
/** The target account's label on a cross-account role. */
export const TARGET_TAG = "eks-irsa:target";
export const RESERVED_TAGS = [CLUSTER_TAG, WORKLOAD_TAG, KIND_TAG, SHARED_BINDING_TAG];
export type IdentityKind = "workload" | "eso-controller" | "cross-account";

export interface ClusterIdentity {
  issuerUrl: string;
  providerArn: string;
}

export interface ServiceAccountPlan {
  name: string;
  namespace: string;
  annotations: Record<string, string>;
}

export interface WorkloadIdentityPlan {
  workload: string;
  roleName: string;
  roleArn: string;
  trustPolicy: PolicyDocument;
  permissionPolicies: { name: string; document: PolicyDocument }[];
  subjects: ServiceAccountRef[];
  /** Present when the program creates the ServiceAccount. */
  serviceAccount?: ServiceAccountPlan;
  /** What the ServiceAccount must carry, whoever creates it (the program, the ESO chart, the user). */
  annotations: Record<string, string>;
  tags: Record<string, string>;
}

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
export function placeholderEksIssuer(region: string, partition: AwsEnvironment["partition"]): string {
  return `https://oidc.eks.${region}.${partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com"}/id/${"0".repeat(32)}`;
}

/** The cluster identity with placeholders of the right length, for laying out before apply. */
export function placeholderCluster(spec: EnvironmentSpec, env: AwsEnvironment): ClusterIdentity {
  const issuerUrl = spec.cluster.oidcIssuerUrl ?? placeholderEksIssuer(spec.region, spec.partition);
  return {
    issuerUrl,
    providerArn: spec.cluster.oidcProviderArn ?? oidcProviderArn(env.partition, env.accountId, issuerHostPath(issuerUrl)),
  };
}

/** Trust policies cannot be split: over the quota, the plan fails naming the subject and the way out. */
export function assertTrustFits(trustPolicy: PolicyDocument, quota: number, subject: string): void {
  const size = policySize(trustPolicy);
  if (size <= quota) return;
  const way = size <= LIMITS.trustPolicyCharsMax
    ? `raise the account's quota and roleDefaults.trustPolicyQuota to at least ${size} (AWS allows up to ${LIMITS.trustPolicyCharsMax})`
    : `AWS allows at most ${LIMITS.trustPolicyCharsMax}: split the role`;
  throw new SizeLimitError(`${subject}: the trust policy is ${size} characters, over the ${quota}-character quota; ${way}`);
}

/** What the EKS pod identity webhook reads from a ServiceAccount. */
function annotationsFor(spec: EnvironmentSpec, arn: string, tokenExpirationSeconds: number | undefined): Record<string, string> {
  const annotations: Record<string, string> = { "eks.amazonaws.com/role-arn": arn };
  if (spec.serviceAccountDefaults.stsRegionalEndpoints) annotations["eks.amazonaws.com/sts-regional-endpoints"] = "true";
  const expiration = tokenExpirationSeconds ?? spec.serviceAccountDefaults.tokenExpirationSeconds;
  if (expiration !== undefined) annotations["eks.amazonaws.com/token-expiration"] = String(expiration);
  return annotations;
}

/**
 * Mode oidc: the ServiceAccount `<workload's>-<target>-<role>` whose annotation names the target role. A
 * workload's own ServiceAccount names its own role, and the webhook's AWS_ROLE_ARN overrides any AWS profile
 * in most SDKs: pods that need the target account run as this one.
 */
export function directServiceAccountName(serviceAccount: string, target: string, role: string): string {
  return `${serviceAccount}-${target}-${role}`;
}

/** Guardrails, then the grants, laid out in managed policies named after the role. */
function permissionPolicies(spec: EnvironmentSpec, access: AccessSpec, env: AwsEnvironment, roleName: string, where: string) {
  const guardrails = guardrailStatements({
    secureTransport: spec.roleDefaults.requireSecureTransport,
    requestedRegions: spec.roleDefaults.allowedRegions,
  });
  const grants = accessStatements(access, env);
  const documents = grants.length === 0 ? [] : layoutDocuments([...guardrails, ...grants], {
    maxDocuments: spec.roleDefaults.managedPolicyQuota,
    subject: `${where}: permissions`,
  });
  return documents.map((document, i) => ({
    name: boundedName(i === 0 ? `${roleName}-access` : `${roleName}-access-${i + 1}`, LIMITS.policyNameChars),
    document,
  }));
}

/** The workload at `spec.workloads[index]`, or the ESO controller. */
export function planWorkloadIdentity(
  spec: EnvironmentSpec,
  index: number | "eso-controller",
  env: AwsEnvironment,
  cluster: ClusterIdentity,
): WorkloadIdentityPlan {
  const controller = index === "eso-controller";
  const w: WorkloadSpec | undefined = controller ? spec.externalSecrets?.controller : spec.workloads[index];
  if (!w) throw new Error(`no ${controller ? "ESO controller" : `workload ${index}`} in this environment`);
  const where = controller ? "externalSecrets" : `workloads[${index}] (${w.name})`;
  const roleName = roleNameFor(spec.cluster.name, w.name);
  const arn = roleArn(env.partition, env.accountId, spec.roleDefaults.path, roleName);
  const subjects = [{ namespace: w.namespace, name: w.serviceAccount }];
  const trustPolicy = buildTrustPolicy([{ providerArn: cluster.providerArn, issuerUrl: cluster.issuerUrl, serviceAccounts: subjects }]);
  assertTrustFits(trustPolicy, spec.roleDefaults.trustPolicyQuota, where);
  const annotations = annotationsFor(spec, arn, w.tokenExpirationSeconds);
  return {
    workload: w.name,
    roleName,
    roleArn: arn,
    trustPolicy,
    permissionPolicies: permissionPolicies(spec, w, env, roleName, where),
    subjects,
    serviceAccount: w.createServiceAccount && !isPattern(w.serviceAccount)
      ? { name: w.serviceAccount, namespace: w.namespace, annotations }
      : undefined,
    annotations,
    tags: {
      ...spec.roleDefaults.tags,
      ...w.tags,
      [CLUSTER_TAG]: spec.cluster.name,
      [WORKLOAD_TAG]: w.name,
      [KIND_TAG]: controller ? "eso-controller" : "workload",
      ...(isPattern(w.serviceAccount) ? { [SHARED_BINDING_TAG]: "pattern" } : {}),
    },
  };
}

/** A role in another account and the source workloads that may use it. */
export interface TargetRolePlan {
  target: string;
  role: string;
  accountId: string;
  mode: TargetAccountSpec["mode"];
  roleName: string;
  roleArn: string;
  trustPolicy: PolicyDocument;
  permissionPolicies: { name: string; document: PolicyDocument }[];
  /** oidc mode: the target account's IAM OIDC provider for the cluster's issuer. */
  oidcProviderArn?: string;
  /**
   * The source workloads. `serviceAccount`: in mode oidc the dedicated ServiceAccount that carries the target
   * role (pods needing the target account run as it); in mode chained the workload's own.
   */
  sources: { workload: string; roleArn: string; namespace: string; serviceAccount: string }[];
  /** Mode oidc: the dedicated ServiceAccounts to create, annotated with the target role. */
  serviceAccounts: ServiceAccountPlan[];
  tags: Record<string, string>;
}

/** The target account's ARN of its own IAM OIDC provider for the cluster's issuer (oidc mode). */
export function targetOidcProviderArn(target: TargetAccountSpec, partition: AwsEnvironment["partition"], issuerUrl: string): string {
  return target.oidcProviderArn ?? oidcProviderArn(partition, target.accountId, issuerHostPath(issuerUrl));
}

/**
 * `spec.crossAccount[t].roles[r]`: chained, it trusts exactly its source roles; oidc, it trusts the source
 * ServiceAccounts through the target account's own provider. Grants are built for the target account.
 */
export function planTargetRole(spec: EnvironmentSpec, t: number, r: number, env: AwsEnvironment, cluster: ClusterIdentity): TargetRolePlan {
  const target = spec.crossAccount[t];
  const role = target.roles[r];
  const where = `crossAccount[${t}].roles[${r}] (${target.name}/${role.name})`;
  const sources = role.workloads.map((name) => {
    const w = spec.workloads.find((x) => x.name === name);
    if (!w) throw new Error(`${where}: no workload ${name}`);
    return {
      workload: name,
      roleArn: roleArn(env.partition, env.accountId, spec.roleDefaults.path, roleNameFor(spec.cluster.name, name)),
      namespace: w.namespace,
      serviceAccount: target.mode === "oidc" ? directServiceAccountName(w.serviceAccount, target.name, role.name) : w.serviceAccount,
      tokenExpirationSeconds: w.tokenExpirationSeconds,
    };
  });
  const providerArn = target.mode === "oidc" ? targetOidcProviderArn(target, env.partition, cluster.issuerUrl) : undefined;
  const trustPolicy = providerArn
    ? buildTrustPolicy([{ providerArn, issuerUrl: cluster.issuerUrl, serviceAccounts: sources.map((s) => ({ namespace: s.namespace, name: s.serviceAccount })) }])
    : buildRoleChainTrustPolicy(sources.map((s) => s.roleArn));
  assertTrustFits(trustPolicy, spec.roleDefaults.trustPolicyQuota, where);
  const targetEnv: AwsEnvironment = { partition: env.partition, region: env.region, accountId: target.accountId };
  return {
    target: target.name,
    role: role.name,
    accountId: target.accountId,
    mode: target.mode,
    roleName: role.roleName,
    roleArn: role.roleArn,
    trustPolicy,
    permissionPolicies: permissionPolicies(spec, role, targetEnv, role.roleName, where),
    ...(providerArn ? { oidcProviderArn: providerArn } : {}),
    sources: sources.map(({ tokenExpirationSeconds: _, ...source }) => source),
    serviceAccounts: target.mode === "oidc"
      ? sources.map((src) => ({ name: src.serviceAccount, namespace: src.namespace, annotations: annotationsFor(spec, role.roleArn, src.tokenExpirationSeconds) }))
      : [],
    tags: {
      ...spec.roleDefaults.tags,
      ...role.tags,
      [CLUSTER_TAG]: spec.cluster.name,
      [WORKLOAD_TAG]: role.workloads.join("."),
      [KIND_TAG]: "cross-account",
      [TARGET_TAG]: target.name,
      // Trusted by several ServiceAccounts or a pattern (oidc mode): declared, as for a pattern workload.
      ...(providerArn && (sources.length > 1 || sources.some((s) => isPattern(s.serviceAccount))) ? { [SHARED_BINDING_TAG]: "shared" } : {}),
    },
  };
}

export interface EnvironmentPlan {
  workloads: WorkloadIdentityPlan[];
  /** The ESO controller's identity, when ESO is enabled. */
  externalSecrets?: WorkloadIdentityPlan;
  /** Per target account, its roles. */
  crossAccount: TargetRolePlan[][];
  warnings: string[];
}

/** Plans every identity; the first size problem throws, quota pressure becomes a warning. */
export function planEnvironment(spec: EnvironmentSpec, env: AwsEnvironment, cluster: ClusterIdentity): EnvironmentPlan {
  const workloads = spec.workloads.map((_, i) => planWorkloadIdentity(spec, i, env, cluster));
  const externalSecrets = spec.externalSecrets ? planWorkloadIdentity(spec, "eso-controller", env, cluster) : undefined;
  const crossAccount = spec.crossAccount.map((target, t) => target.roles.map((_, r) => planTargetRole(spec, t, r, env, cluster)));
  return { workloads, externalSecrets, crossAccount, warnings: quotaWarnings(spec, workloads.length + (externalSecrets ? 1 : 0)) };
}

export function quotaWarnings(spec: EnvironmentSpec, roles: number): string[] {
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
  return warnings;
}
