/**
 * The access matrix of a stack as data: every IAM role is an identity, with who may assume it (its trust) and
 * one row per action, resource pattern and conditions its Allow statements grant. Deny statements are shown as
 * guardrails, not subtracted from rows. The `check` fields and `errors` are filled by whoever checks the model
 * with an evaluator (tools/access/verify); the analysis leaves them empty.
 */
import { CLUSTER_TAG, KIND_TAG, TARGET_TAG, WORKLOAD_TAG } from "../core/plan";
import type { Condition } from "./condition";
import type { ExternalSecretView, SecretStoreView } from "./eso";
import type { RoleView } from "./roles";

/** What an evaluator said about one row or assumer. */
export interface Check {
  /** The decision for the request the row or assumer stands for (expected: Allowed). */
  decision: string;
  /** Near misses of that request, each denied as expected. */
  denied: string[];
  /** Near misses that were allowed: each is also an error of the model. */
  notDenied?: string[];
  /** What could not be evaluated (e.g. a resource policy in another account). */
  note?: string;
}

export interface ServiceAccountAssumer {
  type: "service-account";
  /** `namespace/name`; the name may be a pattern (`report-*`). */
  serviceAccount: string;
  pattern: boolean;
  /** The `sub` value as the trust policy states it. */
  subject: string;
  /** Issuer host and path, as in the condition keys. */
  issuer: string;
  /** IAM OIDC provider ARN (its account may differ from the role's). */
  provider: string;
  audiences: string[];
  /** An annotated ServiceAccount of this name is registered by the stack. */
  created: boolean;
  check?: Check;
}

/**
 * EKS Pod Identity: the pods of one association (cluster, namespace, ServiceAccount), as the trust admits them. A trust
 * that pins less than all three is shown as a principal too (`any association ...`).
 */
export interface PodIdentityAssumer {
  type: "pod-identity";
  /** Cluster name. */
  cluster: string;
  clusterArn: string;
  namespace: string;
  serviceAccount: string;
  /** The pods' sessions carry EKS's session tags (false: the association disables them). */
  sessionTags: boolean;
  /** The trust itself pins the namespace and ServiceAccount (through session tags); false: the association alone names them. */
  pinned: boolean;
  /** An association of this stack names the role for these pods. */
  association: boolean;
  check?: Check;
}

export interface RoleAssumer {
  type: "role";
  arn: string;
  /** The `sts:ExternalId` values the trust requires of it (a Pod Identity target role: its associations' ids). */
  externalIds?: string[];
  /** Label of the source identity when the stack registers it. */
  label?: string;
  check?: Check;
}

export interface PrincipalAssumer {
  type: "principal";
  /** A service, an account or anyone, as the trust policy states it. */
  principal: string;
  check?: Check;
}

export type Assumer = ServiceAccountAssumer | PodIdentityAssumer | RoleAssumer | PrincipalAssumer;

export interface Grant {
  action: string;
  resource: string;
  /** ANDed, sorted (see ./condition). */
  conditions: Condition[];
  /** Why the row is on every resource of a type: an add-on preset's residual statement, as the preset registers it. */
  residual?: string;
  /** A shared (ABAC) role's row as one association's session resolves it: `association <namespace>/<sa> on cluster <name>`. */
  via?: string;
  check?: Check;
}

/** A request an add-on documents (or a near variant of it: another cluster's, zone's, untagged resource), and its check. */
export interface PresetCheck {
  label: string;
  action: string;
  resource: string;
  expect: "Allowed" | "Denied";
  /** iam-simulate's decision against the role's documents. */
  decision: string;
}

export interface Identity {
  /** `eks-irsa:kind` tag; else `workload` for a role with an `eks-irsa:workload` tag; else `role`. */
  kind: string;
  /** Workload name, `<target>/<role>` for a cross-account role, else the role name. */
  label: string;
  roleName: string;
  roleArn: string;
  accountId: string;
  assumers: Assumer[];
  grants: Grant[];
  /** Deny statements, as the plan prints them. */
  guardrails: string[];
  /** Documents that limit the role but are not defined by this stack, so were not evaluated. */
  notEvaluated: string[];
  /** The add-on preset the role follows (`eks-irsa:preset` tag). */
  preset?: string;
  /** The preset's requests, each decided as the preset expects (filled by an evaluator). */
  presetChecks?: PresetCheck[];
}

export interface AccessModel {
  stack: string;
  region: string;
  accountId: string;
  identities: Identity[];
  /** ESO: the stores (namespaces served, identity read as) and the ExternalSecrets. Absent in older reports. */
  secretStores?: SecretStoreView[];
  externalSecrets?: ExternalSecretView[];
  /** Every check that disagreed: a row not allowed, a near miss allowed, a ServiceAccount not trusted. */
  errors: string[];
}

/** `Pod Identity association api/orders on cluster prod-blue` (and what the stack does not register). */
export function podIdentityText(a: PodIdentityAssumer): string {
  return `Pod Identity association ${a.namespace}/${a.serviceAccount} on cluster ${a.cluster}${a.association ? "" : " (no association in this stack)"}${a.sessionTags ? "" : " (session tags disabled)"}`;
}

/** Tags eks-irsa puts on its roles. Roles without them are identities too. */
const TAGS = { kind: KIND_TAG, workload: WORKLOAD_TAG, target: TARGET_TAG, cluster: CLUSTER_TAG } as const;

export function kindOf(tags: Record<string, string>): string {
  return tags[TAGS.kind] ?? (tags[TAGS.workload] ? "workload" : "role");
}

export function labelOf(role: Pick<RoleView, "roleName" | "tags">): string {
  const { tags } = role;
  const target = tags[TAGS.target];
  // A target role is named `<cluster>-<target>-<role>`: shown as `<target>/<role>`.
  if (target) return `${target}/${role.roleName.replace(`${tags[TAGS.cluster] ?? ""}-${target}-`, "")}`;
  return tags[TAGS.workload] && kindOf(tags) !== "cross-account" ? tags[TAGS.workload] : role.roleName;
}

/** The account (12 digits) of an ARN, or empty. */
export const accountOf = (arn: string): string => /^arn:[\w-]+:[\w-]+:[\w-]*:(\d{12}):/.exec(arn)?.[1] ?? "";
