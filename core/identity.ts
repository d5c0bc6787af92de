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
import { buildPodIdentityTargetTrust, podIdentityTrustStatement, type PodIdentityTrustSpec, type TargetRoleSource } from "./podIdentity";
import { policyDocument } from "./document";

/**
 * The cluster side of trust: for IRSA the issuer and the IAM OIDC provider registered for it (in the role's account),
 * for Pod Identity the cluster's name (its ARN is in the role's account and region).
 */
export interface ClusterIdentity {
  issuerUrl: string;
  providerArn: string;
  name?: string;
}

/** Who may assume the role. */
export type IdentityTrust =
  /** IRSA: these ServiceAccounts (exact names or `*` patterns) of the cluster, through its IAM OIDC provider. */
  | { kind: "web-identity"; serviceAccounts: ServiceAccountRef[]; audience?: string }
  /** Chained: exactly these roles (in another account), with `aws:PrincipalArn` pinned to them. */
  | { kind: "role-chain"; sourceRoleArns: string[] }
  /**
   * EKS Pod Identity: associations of these namespaces' ServiceAccount on the clusters planned with; with `webIdentity`
   * (mode both) the IRSA trust too.
   */
  | { kind: "pod-identity"; podIdentity: Omit<PodIdentityTrustSpec, "clusters">; webIdentity?: { serviceAccounts: ServiceAccountRef[]; audience?: string } }
  /** A cross-account role that Pod Identity associations name as `targetRoleArn`. */
  | { kind: "pod-identity-target"; sources: TargetRoleSource[] };

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

/**
 * The trust document of an identity on its clusters: IRSA one statement per OIDC provider, Pod Identity one statement
 * for all the clusters (in `env`'s account and region).
 */
export function trustPolicyOf(trust: IdentityTrust, cluster: ClusterIdentity | readonly ClusterIdentity[], env?: AwsEnvironment): PolicyDocument {
  const clusters = Array.isArray(cluster) ? (cluster as readonly ClusterIdentity[]) : [cluster as ClusterIdentity];
  const irsa = (serviceAccounts: ServiceAccountRef[], audience?: string) =>
    buildTrustPolicy(clusters.map((c) => ({ providerArn: c.providerArn, issuerUrl: c.issuerUrl, serviceAccounts, audience })));
  switch (trust.kind) {
    case "web-identity":
      return irsa(trust.serviceAccounts, trust.audience);
    case "role-chain":
      return buildRoleChainTrustPolicy(trust.sourceRoleArns);
    case "pod-identity-target":
      return buildPodIdentityTargetTrust(trust.sources);
    case "pod-identity": {
      if (!env) throw new Error("a Pod Identity trust is planned in an environment (its clusters' account and region)");
      const names = clusters.map((c) => c.name);
      if (names.some((n) => !n)) throw new Error("a Pod Identity trust needs the name of each cluster");
      const statement = podIdentityTrustStatement({ ...trust.podIdentity, clusters: names as string[] }, env);
      const web = trust.webIdentity ? irsa(trust.webIdentity.serviceAccounts, trust.webIdentity.audience).Statement : [];
      return policyDocument([...web, statement]);
    }
  }
}

/**
 * Checks the trust on several clusters; over the quota it fails with how many of the clusters fit (the first ones,
 * as listed), so that a blue/green stack learns its limit at plan time, never at apply.
 */
export function assertClustersFit(trust: IdentityTrust, clusters: readonly ClusterIdentity[], env: AwsEnvironment, quota: number, quotaField: string): PolicyDocument {
  const doc = trustPolicyOf(trust, clusters, env);
  if (clusters.length <= 1 || policySize(doc) <= quota || trust.kind === "role-chain" || trust.kind === "pod-identity-target") {
    assertTrustFits(doc, quota, quotaField);
    return doc;
  }
  const fitting = (limit: number) => {
    let n = 0;
    while (n < clusters.length && policySize(trustPolicyOf(trust, clusters.slice(0, n + 1), env)) <= limit) n++;
    return n;
  };
  const size = policySize(doc);
  const now = fitting(quota);
  const max = fitting(LIMITS.trustPolicyCharsMax);
  // Pod Identity alone already names every cluster in one statement: only fewer clusters help then.
  const podIdentityOnly = trust.kind === "pod-identity" && !trust.webIdentity;
  const atMax = quota >= LIMITS.trustPolicyCharsMax ? "" : `at AWS's maximum of ${LIMITS.trustPolicyCharsMax} ${max} fit: `;
  const way = size <= LIMITS.trustPolicyCharsMax
    ? `raise the account's quota and ${quotaField} to at least ${size} (AWS allows up to ${LIMITS.trustPolicyCharsMax}, where ${max} fit)`
    : `${atMax}give the workload fewer clusters${podIdentityOnly ? "" : ", or move it to mode pod-identity (one statement for every cluster)"}`;
  throw new SizeLimitError(["clusters"], `the trust policy for ${clusters.length} clusters is ${size} characters, over the ${quota}-character quota: ${now} of the clusters fit; ${way}`);
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
export function planIdentity(def: IdentityDefinition, env: AwsEnvironment, cluster: ClusterIdentity | readonly ClusterIdentity[], layout?: DocumentLayout): IdentityPlan {
  const arn = roleArn(env.partition, env.accountId, def.path, def.roleName);
  const clusters = Array.isArray(cluster) ? (cluster as readonly ClusterIdentity[]) : [cluster as ClusterIdentity];
  const trustPolicy = assertClustersFit(def.trust, clusters, env, def.quotas.trustPolicy, def.quotaFields.trustPolicy);
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
    // Pod Identity alone: no role-arn annotation (with one, IRSA would win over the association).
    annotations: def.trust.kind === "pod-identity" && !def.trust.webIdentity ? {} : annotationsFor(arn, def.annotations),
    tags: def.tags,
    layout: planned,
  };
}

/**
 * The cluster identity with placeholders at least as long as the real values, for laying out before they are
 * known: a given issuer as it is, else an EKS-shaped one (same length whatever the cluster id).
 */
export function placeholderCluster(env: AwsEnvironment, known: { issuerUrl?: string; providerArn?: string; name?: string }): ClusterIdentity {
  const issuerUrl = known.issuerUrl ?? placeholderEksIssuer(env.region, env.partition, env.dnsSuffix);
  return { issuerUrl, providerArn: known.providerArn ?? oidcProviderArn(env.partition, env.accountId, issuerHostPath(issuerUrl)), ...(known.name !== undefined ? { name: known.name } : {}) };
}
