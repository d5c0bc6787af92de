/**
 * One IAM identity from its resolved definition: the role's name and ARN, its trust, its permission documents laid
 * out within IAM's quotas, the tags and the ServiceAccount annotations. Workloads, the ESO controller and
 * cross-account target roles are all planned here; what differs between them is resolved before (workload.ts,
 * eso.ts, targetRole.ts).
 */
import { accessStatements, guardrailStatements, type AccessSpec, type Guardrails } from "./access";
import { issuerHostPath, oidcProviderArn, roleArn } from "./arn";
import { policySize, type PolicyDocument } from "./document";
import type { AwsEnvironment } from "./environment";
import { LIMITS, planLayout, renderLayout, type DocumentLayout } from "./layout";
import { boundedName, placeholderEksIssuer } from "./plan";
import { SizeLimitError } from "./problems";
import { buildRoleChainTrustPolicy, buildTrustPolicy, type ServiceAccountRef } from "./trust";

/** The cluster side of IRSA trust: the issuer and the IAM OIDC provider registered for it (in the role's account). */
export interface ClusterIdentity {
  issuerUrl: string;
  providerArn: string;
}

/** Who may assume the role. */
export type IdentityTrust =
  /** IRSA: these ServiceAccounts (exact names or `*` patterns) of the cluster, through its IAM OIDC provider. */
  | { kind: "web-identity"; serviceAccounts: ServiceAccountRef[]; audience?: string }
  /** Chained: exactly these roles (in another account), with `aws:PrincipalArn` pinned to them. */
  | { kind: "role-chain"; sourceRoleArns: string[] };

/** What the EKS pod identity webhook reads from a ServiceAccount besides the role ARN. */
export interface AnnotationOptions {
  stsRegionalEndpoints: boolean;
  tokenExpirationSeconds?: number;
}

/** Everything that decides one identity's documents, with no default left to apply. */
export interface IdentityDefinition {
  roleName: string;
  path: string;
  trust: IdentityTrust;
  access: AccessSpec;
  guardrails: Guardrails;
  tags: Record<string, string>;
  annotations: AnnotationOptions;
  quotas: { trustPolicy: number; managedPolicies: number };
  /** The fields that raise each quota, as the caller names them (`trustPolicyQuota`, `roleDefaults.trustPolicyQuota`). */
  quotaFields: { trustPolicy: string; managedPolicies: string };
}

export interface IdentityPlan {
  roleName: string;
  roleArn: string;
  trustPolicy: PolicyDocument;
  /** The role's inline policy first, when there is one, then its managed policies. */
  permissionPolicies: { name: string; document: PolicyDocument; inline: boolean }[];
  /** What a ServiceAccount bound to the role must carry, whoever creates it. */
  annotations: Record<string, string>;
  tags: Record<string, string>;
  /** Which statements go into which policy: fixed when planned with placeholders, reused with the real values. */
  layout: DocumentLayout;
}

/** The ServiceAccount annotations for a role: the ARN, regional STS, token expiration. */
export function annotationsFor(arn: string, options: AnnotationOptions): Record<string, string> {
  const annotations: Record<string, string> = { "eks.amazonaws.com/role-arn": arn };
  if (options.stsRegionalEndpoints) annotations["eks.amazonaws.com/sts-regional-endpoints"] = "true";
  if (options.tokenExpirationSeconds !== undefined) annotations["eks.amazonaws.com/token-expiration"] = String(options.tokenExpirationSeconds);
  return annotations;
}

/** Trust policies cannot be split: over the quota, the plan fails naming the way out. */
export function assertTrustFits(trustPolicy: PolicyDocument, quota: number, quotaField = "trustPolicyQuota"): void {
  const size = policySize(trustPolicy);
  if (size <= quota) return;
  const way = size <= LIMITS.trustPolicyCharsMax
    ? `raise the account's quota and ${quotaField} to at least ${size} (AWS allows up to ${LIMITS.trustPolicyCharsMax})`
    : `AWS allows at most ${LIMITS.trustPolicyCharsMax}: split the role`;
  throw new SizeLimitError([], `the trust policy is ${size} characters, over the ${quota}-character quota; ${way}`);
}

export function trustPolicyOf(trust: IdentityTrust, cluster: ClusterIdentity): PolicyDocument {
  return trust.kind === "web-identity"
    ? buildTrustPolicy([{ providerArn: cluster.providerArn, issuerUrl: cluster.issuerUrl, serviceAccounts: trust.serviceAccounts, audience: trust.audience }])
    : buildRoleChainTrustPolicy(trust.sourceRoleArns);
}

/** The policy names of a role: `<role>-access`, `<role>-access-2`, ... */
export function policyName(roleName: string, i: number): string {
  return boundedName(i === 0 ? `${roleName}-access` : `${roleName}-access-${i + 1}`, LIMITS.policyNameChars);
}

/**
 * Plans one identity in an environment. With `layout` (from a plan made with placeholders), the permission
 * statements are put into the same documents, so the number of policies a component registered before the real
 * account and region were known stays right; each document and the trust are checked against their quotas again.
 */
export function planIdentity(def: IdentityDefinition, env: AwsEnvironment, cluster: ClusterIdentity, layout?: DocumentLayout): IdentityPlan {
  const arn = roleArn(env.partition, env.accountId, def.path, def.roleName);
  const trustPolicy = trustPolicyOf(def.trust, cluster);
  assertTrustFits(trustPolicy, def.quotas.trustPolicy, def.quotaFields.trustPolicy);
  const grants = accessStatements(def.access, env);
  const statements = grants.length === 0 ? [] : [...guardrailStatements(def.guardrails), ...grants];
  // Inline first (no customer-managed policy, no attachment: one resource per role), managed policies only beyond it.
  const options = { inlineLimit: LIMITS.inlinePolicyCharsPerRole, maxDocuments: def.quotas.managedPolicies, what: "permissions", quotaField: def.quotaFields.managedPolicies };
  const planned = layout ?? planLayout(statements, options);
  const documents = renderLayout(planned, statements, options);
  return {
    roleName: def.roleName,
    roleArn: arn,
    trustPolicy,
    permissionPolicies: documents.map((document, i) => ({ name: policyName(def.roleName, i), document, inline: planned.inline && i === 0 })),
    annotations: annotationsFor(arn, def.annotations),
    tags: def.tags,
    layout: planned,
  };
}

/**
 * The cluster identity with placeholders at least as long as the real values, for laying out before they are
 * known: a given issuer as it is, else an EKS-shaped one (same length whatever the cluster id).
 */
export function placeholderCluster(env: AwsEnvironment, known: { issuerUrl?: string; providerArn?: string }): ClusterIdentity {
  const issuerUrl = known.issuerUrl ?? placeholderEksIssuer(env.region, env.partition, env.dnsSuffix);
  return { issuerUrl, providerArn: known.providerArn ?? oidcProviderArn(env.partition, env.accountId, issuerHostPath(issuerUrl)) };
}
