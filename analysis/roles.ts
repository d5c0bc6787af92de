/**
 * Identities read back out of what a run registered: each role with its trust, the permission documents
 * attached to it and the ServiceAccounts annotated with it. The plan, the policy check and the access report
 * all read this, so they describe exactly the documents `pulumi up` would send.
 */
import { parsePolicy, type PolicyDocument } from "../core/document";
import type { RegisteredResource } from "./resource";

export interface AttachedPolicy {
  name: string;
  arn: string;
  /** Undefined for policies this stack does not define (AWS managed or pre-existing). */
  document?: PolicyDocument;
}

export interface ServiceAccountView {
  namespace: string;
  name: string;
  annotations: Record<string, string>;
  /** The Helm release that creates it (the ESO controller's), when not created directly. */
  helmRelease?: string;
  /** Registered as a patch (`ServiceAccountPatch`) of a ServiceAccount someone else owns: these annotations only. */
  patch?: boolean;
}

/** An EKS Pod Identity association naming a role, as registered. */
export interface AssociationView {
  cluster: string;
  namespace: string;
  serviceAccount: string;
  /** False when the association disables session tags. */
  sessionTags: boolean;
  /** The cross-account role EKS chains to for the association's pods. */
  targetRoleArn?: string;
  externalId?: string;
}

export interface RoleView {
  /** Logical (Pulumi) name of the role resource. */
  resourceName: string;
  roleName: string;
  arn: string;
  trust: PolicyDocument;
  policies: AttachedPolicy[];
  inlinePolicies: { name: string; document: PolicyDocument }[];
  serviceAccounts: ServiceAccountView[];
  tags: Record<string, string>;
  /** Pod Identity associations naming the role (absent in views made before them). */
  associations?: AssociationView[];
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** The server-side-apply patch of a ServiceAccount another owner created (serviceAccountMode: annotated). */
export const SERVICE_ACCOUNT_PATCH = "kubernetes:core/v1:ServiceAccountPatch";

export function rolesOf(resources: readonly RegisteredResource[]): RoleView[] {
  const policiesByArn = new Map<string, AttachedPolicy>();
  for (const r of resources.filter((x) => x.type === "aws:iam/policy:Policy")) {
    policiesByArn.set(str(r.outputs.arn), { name: str(r.outputs.name), arn: str(r.outputs.arn), document: parsePolicy(r.outputs.policy) });
  }
  const serviceAccounts: ServiceAccountView[] = resources
    .filter((x) => x.type === "kubernetes:core/v1:ServiceAccount" || x.type === SERVICE_ACCOUNT_PATCH)
    .map((r) => {
      const md = (r.inputs.metadata ?? {}) as { name?: string; namespace?: string; annotations?: Record<string, string> };
      return { namespace: md.namespace ?? "default", name: md.name ?? r.name, annotations: md.annotations ?? {}, ...(r.type === SERVICE_ACCOUNT_PATCH ? { patch: true } : {}) };
    });
  for (const release of resources.filter((x) => x.type === "kubernetes:helm.sh/v3:Release")) {
    const sa = (release.inputs.values as { serviceAccount?: { name?: string; annotations?: Record<string, string> } } | undefined)?.serviceAccount;
    if (sa?.name) serviceAccounts.push({ namespace: str(release.inputs.namespace) || "default", name: sa.name, annotations: sa.annotations ?? {}, helmRelease: str(release.inputs.name) });
  }
  const associations = resources
    .filter((x) => x.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation")
    .map((a) => ({
      roleArn: str(a.inputs.roleArn),
      view: {
        cluster: str(a.inputs.clusterName),
        namespace: str(a.inputs.namespace),
        serviceAccount: str(a.inputs.serviceAccount),
        sessionTags: a.inputs.disableSessionTags !== true,
        ...(str(a.inputs.targetRoleArn) ? { targetRoleArn: str(a.inputs.targetRoleArn) } : {}),
        ...(str(a.outputs.externalId) ? { externalId: str(a.outputs.externalId) } : {}),
      } satisfies AssociationView,
    }));
  return resources
    .filter((x) => x.type === "aws:iam/role:Role")
    .map((r) => {
      const roleName = str(r.outputs.name);
      const arn = str(r.outputs.arn);
      const policies = resources
        .filter((x) => x.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && x.inputs.role === roleName)
        .map((a) => policiesByArn.get(str(a.inputs.policyArn)) ?? { name: str(a.inputs.policyArn).split("/").pop()!, arn: str(a.inputs.policyArn) });
      const inlinePolicies = resources
        .filter((x) => x.type === "aws:iam/rolePolicy:RolePolicy" && x.inputs.role === roleName)
        .map((p) => ({ name: str(p.inputs.name) || p.name, document: parsePolicy(p.inputs.policy) }));
      return {
        resourceName: r.name,
        roleName,
        arn,
        trust: parsePolicy(r.outputs.assumeRolePolicy),
        policies,
        inlinePolicies,
        serviceAccounts: serviceAccounts.filter((sa) => sa.annotations["eks.amazonaws.com/role-arn"] === arn),
        tags: (r.inputs.tags ?? {}) as Record<string, string>,
        associations: associations.filter((a) => a.roleArn === arn).map((a) => a.view),
      };
    });
}

/** Every permission document of a role this stack defines: its inline policies, then its managed policies. */
export function permissionDocumentsOf(role: Pick<RoleView, "inlinePolicies" | "policies">): PolicyDocument[] {
  return [...role.inlinePolicies.map((p) => p.document), ...role.policies.flatMap((p) => (p.document ? [p.document] : []))];
}
