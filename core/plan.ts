/**
 * From an environment spec and the facts only AWS knows (account, issuer, provider ARN), everything each
 * workload identity consists of: names, trust, permission documents, ServiceAccount annotations.
 */
import { createHash } from "node:crypto";
import { accessStatements, guardrailStatements } from "./access";
import { oidcProviderArn, roleArn, issuerHostPath } from "./arn";
import { policySize, type PolicyDocument } from "./document";
import type { AwsEnvironment } from "./environment";
import { LIMITS, SizeLimitError, layoutDocuments } from "./layout";
import type { EnvironmentSpec, WorkloadSpec } from "./model";
import { buildTrustPolicy, isPattern, type ServiceAccountRef } from "./trust";

/** Tags eks-irsa puts on every role; `SHARED_BINDING_TAG` declares a pattern binding as intended (read by the policy pack). */
export const SHARED_BINDING_TAG = "eks-irsa:binding";
export const RESERVED_TAGS = ["eks-irsa:cluster", "eks-irsa:workload", SHARED_BINDING_TAG];

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

export function planWorkloadIdentity(
  spec: EnvironmentSpec,
  index: number,
  env: AwsEnvironment,
  cluster: ClusterIdentity,
): WorkloadIdentityPlan {
  const w: WorkloadSpec = spec.workloads[index];
  const where = `workloads[${index}] (${w.name})`;
  const roleName = roleNameFor(spec.cluster.name, w.name);
  const arn = roleArn(env.partition, env.accountId, spec.roleDefaults.path, roleName);
  const subjects = [{ namespace: w.namespace, name: w.serviceAccount }];
  const trustPolicy = buildTrustPolicy([{ providerArn: cluster.providerArn, issuerUrl: cluster.issuerUrl, serviceAccounts: subjects }]);
  assertTrustFits(trustPolicy, spec.roleDefaults.trustPolicyQuota, where);
  const guardrails = guardrailStatements({
    secureTransport: spec.roleDefaults.requireSecureTransport,
    requestedRegions: spec.roleDefaults.allowedRegions,
  });
  const grants = accessStatements(w, env);
  const documents = grants.length === 0 ? [] : layoutDocuments([...guardrails, ...grants], {
    maxDocuments: spec.roleDefaults.managedPolicyQuota,
    subject: `${where}: permissions`,
  });
  const permissionPolicies = documents.map((document, i) => ({
    name: boundedName(i === 0 ? `${roleName}-access` : `${roleName}-access-${i + 1}`, LIMITS.policyNameChars),
    document,
  }));
  const annotations: Record<string, string> = { "eks.amazonaws.com/role-arn": arn };
  if (spec.serviceAccountDefaults.stsRegionalEndpoints) annotations["eks.amazonaws.com/sts-regional-endpoints"] = "true";
  const expiration = w.tokenExpirationSeconds ?? spec.serviceAccountDefaults.tokenExpirationSeconds;
  if (expiration !== undefined) annotations["eks.amazonaws.com/token-expiration"] = String(expiration);
  return {
    workload: w.name,
    roleName,
    roleArn: arn,
    trustPolicy,
    permissionPolicies,
    subjects,
    serviceAccount: w.createServiceAccount && !isPattern(w.serviceAccount)
      ? { name: w.serviceAccount, namespace: w.namespace, annotations }
      : undefined,
    tags: {
      ...spec.roleDefaults.tags,
      ...w.tags,
      "eks-irsa:cluster": spec.cluster.name,
      "eks-irsa:workload": w.name,
      ...(isPattern(w.serviceAccount) ? { [SHARED_BINDING_TAG]: "pattern" } : {}),
    },
  };
}

export interface EnvironmentPlan {
  workloads: WorkloadIdentityPlan[];
  warnings: string[];
}

/** Plans every workload; the first size problem throws, quota pressure becomes a warning. */
export function planEnvironment(spec: EnvironmentSpec, env: AwsEnvironment, cluster: ClusterIdentity): EnvironmentPlan {
  const workloads = spec.workloads.map((_, i) => planWorkloadIdentity(spec, i, env, cluster));
  return { workloads, warnings: quotaWarnings(spec, workloads.length) };
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
