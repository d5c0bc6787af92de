/**
 * EKS Pod Identity from the same workload spec: the identity modes, the `pods.eks.amazonaws.com` trust statement
 * pinned to the workload's own association (session tags, or source conditions where tags are off), the session tags
 * EKS sets, ABAC placeholders for a role shared by namespaces, and cross-account target roles reached through an
 * association's `targetRoleArn`. Pure: no Pulumi.
 */
import { Checker, validRegion } from "./check";
import { partitionOfRegion, type AwsEnvironment, type Partition } from "./environment";
import { RULES } from "./rules";
import { isPattern } from "./trust";
import type { WorkloadIdentityInput } from "./workload";
import { policyDocument, type ConditionBlock, type PolicyDocument, type Statement } from "./document";

/** How a workload's pods get their AWS identity. */
export const IdentityMode = {
  /** IAM roles for service accounts: the ServiceAccount is annotated with the role, trusted through the cluster's OIDC provider. */
  Irsa: "irsa",
  /** EKS Pod Identity: an association per ServiceAccount and cluster, the role trusts `pods.eks.amazonaws.com`. */
  PodIdentity: "pod-identity",
  /** The migration step: both trusts, the association and the annotation (IRSA wins while the annotation exists). */
  Both: "both",
} as const;
export type IdentityMode = (typeof IdentityMode)[keyof typeof IdentityMode];
export const IDENTITY_MODES = [IdentityMode.Irsa, IdentityMode.PodIdentity, IdentityMode.Both] as const satisfies readonly IdentityMode[];

export const POD_IDENTITY_SERVICE = "pods.eks.amazonaws.com";
/** The EKS add-on that serves Pod Identity credentials on each node. */
export const POD_IDENTITY_AGENT = "eks-pod-identity-agent";
/** Type token of an association, as the pack and the reports read it. */
export const ASSOCIATION_TYPE = "aws:eks/podIdentityAssociation:PodIdentityAssociation";

/** The session tags EKS Pod Identity sets (all transitive). */
export const SESSION_TAGS = {
  clusterArn: "eks-cluster-arn",
  clusterName: "eks-cluster-name",
  namespace: "kubernetes-namespace",
  serviceAccount: "kubernetes-service-account",
  podName: "kubernetes-pod-name",
  podUid: "kubernetes-pod-uid",
} as const;

/** Placeholders of a shared (ABAC) role's grants and the policy variables they become: the only variables eks-irsa writes. */
export const ABAC_PLACEHOLDERS: Record<string, string> = {
  "{namespace}": `\${aws:PrincipalTag/${SESSION_TAGS.namespace}}`,
  "{cluster}": `\${aws:PrincipalTag/${SESSION_TAGS.clusterName}}`,
};
/** The session tags a shared role's policy may key access on (the pack accepts no other `${aws:PrincipalTag/...}`). */
export const ABAC_TAGS: readonly string[] = [SESSION_TAGS.namespace, SESSION_TAGS.clusterName];

export const usesIrsa = (mode: IdentityMode | undefined): boolean => mode === undefined || mode !== IdentityMode.PodIdentity;
export const usesPodIdentity = (mode: IdentityMode | undefined): boolean => mode === IdentityMode.PodIdentity || mode === IdentityMode.Both;

/** Pod Identity is not offered in the China regions. */
export function podIdentityAvailable(partition: Partition): boolean {
  return partition !== "aws-cn";
}

/** Why a mode cannot be used in a region (the China regions have no Pod Identity), at the field `mode`. */
export function podIdentityRegionProblem(mode: IdentityMode | undefined, region: string): string | undefined {
  return usesPodIdentity(mode) && !podIdentityAvailable(partitionOfRegion(region)) ? `${JSON.stringify(mode)}: EKS Pod Identity is not available in the China regions (${region}): use mode irsa` : undefined;
}

export function eksClusterArn(env: Pick<AwsEnvironment, "partition" | "region" | "accountId">, cluster: string): string {
  return `arn:${env.partition}:eks:${env.region}:${env.accountId}:cluster/${cluster}`;
}

/** The cluster name of an EKS cluster ARN (or the value itself when it is not one). */
export function clusterNameOfArn(arn: string): string {
  const at = arn.indexOf(":cluster/");
  return at < 0 ? arn : arn.slice(at + ":cluster/".length);
}

export function hasAbacPlaceholder(value: string | undefined): boolean {
  return value !== undefined && Object.keys(ABAC_PLACEHOLDERS).some((p) => value.includes(p));
}

/** A grant value with its placeholders as policy variables. */
export function abacValue(value: string): string {
  return Object.entries(ABAC_PLACEHOLDERS).reduce((v, [p, variable]) => v.split(p).join(variable), value);
}

/** A grant value with its placeholders as one namespace and cluster would see it (to check names, to show reach). */
export function abacSample(value: string, namespace = "namespace", cluster = "cluster"): string {
  return value.split("{namespace}").join(namespace).split("{cluster}").join(cluster);
}

/** Who a Pod Identity trust admits, as names: resolved to ARNs when planned. */
export interface PodIdentityTrustSpec {
  /** Names of the clusters (of the role's account and region) whose associations may use the role. */
  clusters: string[];
  /** Namespaces of the ServiceAccount (several for a shared ABAC role). */
  namespaces: string[];
  serviceAccount: string;
  /** False when the associations disable session tags: the trust pins the cluster through `aws:SourceArn` only. */
  sessionTags: boolean;
}

function one(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}

/**
 * The `pods.eks.amazonaws.com` statement: `sts:AssumeRole` + `sts:TagSession`, the account pinned by
 * `aws:SourceAccount`; with session tags the namespace, ServiceAccount and cluster pinned by the tags EKS requests
 * (`aws:RequestTag/*`), without them the cluster by `aws:SourceArn` (request tags would never match then: the
 * association alone names the namespace and ServiceAccount).
 */
export function podIdentityTrustStatement(spec: PodIdentityTrustSpec, env: Pick<AwsEnvironment, "partition" | "region" | "accountId">): Statement {
  if (spec.clusters.length === 0) throw new Error("a Pod Identity trust needs at least one cluster");
  const arns = spec.clusters.map((c) => eksClusterArn(env, c));
  const condition: ConditionBlock = spec.sessionTags
    ? {
        StringEquals: {
          "aws:SourceAccount": env.accountId,
          [`aws:RequestTag/${SESSION_TAGS.clusterArn}`]: one(arns),
          [`aws:RequestTag/${SESSION_TAGS.namespace}`]: one(spec.namespaces),
          [`aws:RequestTag/${SESSION_TAGS.serviceAccount}`]: spec.serviceAccount,
        },
      }
    : { StringEquals: { "aws:SourceAccount": env.accountId }, ArnEquals: { "aws:SourceArn": one(arns) } };
  return { Effect: "Allow", Principal: { Service: POD_IDENTITY_SERVICE }, Action: ["sts:AssumeRole", "sts:TagSession"], Condition: condition };
}

/** A source of a target role reached through Pod Identity: the source role, its associations' external ids. */
export interface TargetRoleSource {
  roleArn: string;
  /** One per association (one per cluster) naming the target role. */
  externalIds: string[];
  sessionTags: boolean;
}

/**
 * Trust of a target role that associations name as `targetRoleArn`: per source role (EKS assumes the target as the
 * source role) `sts:AssumeRole` pinned by `aws:PrincipalArn` and by `sts:ExternalId` to that source's associations,
 * and, when the associations pass session tags on, `sts:TagSession` pinned by `aws:PrincipalArn` in a statement of its
 * own: IAM evaluates TagSession without the external id (it is a key of AssumeRole only), and tagging alone assumes nothing.
 */
export function buildPodIdentityTargetTrust(sources: TargetRoleSource[]): PolicyDocument {
  if (sources.length === 0) throw new Error("a target role needs at least one source");
  return policyDocument(
    sources.flatMap((s): Statement[] => [
      {
        Effect: "Allow" as const,
        Principal: { AWS: s.roleArn },
        Action: "sts:AssumeRole",
        Condition: { ArnEquals: { "aws:PrincipalArn": s.roleArn }, StringEquals: { "sts:ExternalId": one(s.externalIds) } },
      },
      ...(s.sessionTags ? [{ Effect: "Allow" as const, Principal: { AWS: s.roleArn }, Action: "sts:TagSession", Condition: { ArnEquals: { "aws:PrincipalArn": s.roleArn } } }] : []),
    ]),
  );
}

/** The logical name of a workload's association on one cluster for one namespace ('/' keeps `a-b` + `c` and `a` + `b-c` apart). */
export function associationName(workload: string, cluster: string, namespace: string): string {
  return `${workload}/${cluster}/${namespace}`;
}

/** How long pods keep credentials they already hold: what a restart after a change has to wait for otherwise. */
export const CREDENTIAL_CACHE = { withoutTargetRole: "6 h", withTargetRole: "59 min" } as const;

/** What a mode means for running pods, for the plan: the migration step it is and what must be done after it. */
export function migrationStep(mode: IdentityMode, targetRole = false): string {
  const cache = targetRole ? CREDENTIAL_CACHE.withTargetRole : CREDENTIAL_CACHE.withoutTargetRole;
  switch (mode) {
    case IdentityMode.Irsa:
      return "irsa: the ServiceAccount's role-arn annotation and the OIDC trust (next step of a migration: mode both)";
    case IdentityMode.Both:
      return (
        "both (migration step 1 of 2): the role trusts the OIDC provider and pods.eks.amazonaws.com, the association exists and the annotation stays; " +
        "IRSA wins while the annotation exists, so running pods keep their credentials. Next: mode pod-identity"
      );
    case IdentityMode.PodIdentity:
      return (
        "pod-identity: association only, no annotation, no OIDC trust. Coming from mode both (step 2 of 2): the annotation and the OIDC trust go, " +
        "so restart the pods (kubectl rollout restart) right after applying: pods started before still hold IRSA credentials, which they can no longer renew " +
        `once these expire (at most the role's session duration); restarted pods get Pod Identity credentials, which EKS caches up to ${cache}`
      );
  }
}

/**
 * Checks a workload's mode and Pod Identity arguments (the refusals: China regions, Fargate, patterns; ABAC only in
 * mode pod-identity with session tags; placeholders only in a shared role). Returns the arguments with their grants'
 * placeholders as a sample namespace and cluster, for the name checks of the grants.
 */
export function checkPodIdentityArgs(c: Checker, name: string, input: WorkloadIdentityInput): WorkloadIdentityInput {
  const mode = input.mode ?? IdentityMode.Irsa;
  const modeOk = input.mode === undefined || c.oneOf(["mode"], input.mode, IDENTITY_MODES, "identity mode");
  const pod = modeOk && usesPodIdentity(mode);
  c.bool(["disableSessionTags"], input.disableSessionTags);
  c.bool(["fargate"], input.fargate);
  const region = validRegion(input.region);
  const unavailable = pod && region ? podIdentityRegionProblem(mode, region) : undefined;
  if (unavailable) c.add(["mode"], unavailable);
  if (pod && input.fargate === true) c.add(["mode"], `${JSON.stringify(mode)}: the workload runs on Fargate, where EKS Pod Identity does not work: use mode irsa`);
  const sa = input.serviceAccount ?? name;
  if (pod && typeof sa === "string" && isPattern(sa)) {
    c.add(["serviceAccount"], `mode ${mode} associates one ServiceAccount, not the pattern ${JSON.stringify(sa)}: name it, share one role by ABAC (sharedNamespaces), or use mode irsa`);
  }
  if (modeOk && !usesPodIdentity(mode) && input.disableSessionTags !== undefined) c.add(["disableSessionTags"], "only EKS Pod Identity sets session tags: use it with mode pod-identity or both");
  if (pod && input.clusterName === undefined && input.clusters === undefined) c.add(["clusterName"], `is required in mode ${mode}: each association names its cluster`);
  const clusters = new Set<string>();
  c.list<Record<string, unknown>>(["clusters"], input.clusters, (k, p) => {
    if (!c.object(p, k)) return;
    c.known(p, k, ["name", "oidcProvider"]);
    if (c.name([...p, "name"], k.name, RULES.clusterName, true)) {
      if (clusters.has(k.name as string)) c.add([...p, "name"], `cluster ${JSON.stringify(k.name)} is listed twice`);
      clusters.add(k.name as string);
    }
  });
  if (Array.isArray(input.clusters) && input.clusters.length === 0) c.add(["clusters"], "must list at least one cluster (leave it out for the cluster clusterName)");
  const shared = input.sharedNamespaces;
  if (c.list<unknown>(["sharedNamespaces"], shared, (ns, p) => {
    if (!c.name(p, ns, RULES.namespace, true)) return;
    if (ns === input.namespace) c.add(p, `${JSON.stringify(ns)} is the workload's namespace already`);
    else if (shared!.indexOf(ns) !== p[p.length - 1]) c.add(p, `namespace ${JSON.stringify(ns)} is listed twice`);
  })) {
    if (modeOk && mode !== IdentityMode.PodIdentity) {
      c.add(["sharedNamespaces"], `a role shared by ABAC is keyed on Pod Identity session tags, which IRSA does not set (mode ${mode}): use mode pod-identity`);
    } else if (input.disableSessionTags === true) {
      c.add(["sharedNamespaces"], "a role shared by ABAC is keyed on session tags: it cannot disable them (disableSessionTags)");
    }
  }
  if (input.targetRoleArn !== undefined) {
    c.arn(["targetRoleArn"], input.targetRoleArn, "role");
    if (modeOk && mode !== IdentityMode.PodIdentity) c.add(["targetRoleArn"], `is a Pod Identity association's target role: use mode pod-identity (mode ${mode})`);
  }
  const abac = Array.isArray(shared) && shared.length > 0;
  const sample = <T extends { prefix?: string; name?: string }>(g: T, at: (string | number)[]): T => {
    if (!g || typeof g !== "object") return g;
    for (const key of ["prefix", "name"] as const) {
      const v = g[key];
      if (typeof v !== "string" || !hasAbacPlaceholder(v)) continue;
      if (!abac) c.add([...at, key], `${JSON.stringify(v)}: {namespace} and {cluster} resolve per association only in a role shared by ABAC (sharedNamespaces, mode pod-identity)`);
    }
    // Checked as a name with a sample value either way: a placeholder outside ABAC is reported once, above.
    return { ...g, ...(typeof g.prefix === "string" ? { prefix: abacSample(g.prefix) } : {}), ...(typeof g.name === "string" ? { name: abacSample(g.name) } : {}) };
  };
  const each = <T extends object>(list: T[] | undefined, key: string) => (Array.isArray(list) ? list.map((g, i) => sample(g as T & { prefix?: string; name?: string }, [key, i])) : list);
  return { ...input, s3: each(input.s3, "s3"), secrets: each(input.secrets, "secrets") };
}
