/**
 * The access matrix of a stack, read from the documents its program registers (tools/inventory.ts): every IAM
 * role is an identity, with who may assume it (its trust policy) and one row per action, resource pattern and
 * condition its Allow statements grant. Deny statements are shown as guardrails, not subtracted from rows.
 * Each row and each assumer is then checked with an evaluator (./verify).
 */
import { asList, parsePolicy, policyDocument, type ConditionBlock, type PolicyDocument } from "../../core/document";
import { CLUSTER_TAG, KIND_TAG, TARGET_TAG, WORKLOAD_TAG } from "../../core/plan";
import { describePermissions, rolesOf, type RoleView } from "../inventory";
import type { OfflineRun } from "../offline";
import { esoViews, type ExternalSecretView, type SecretStoreView } from "./eso";
import { accountOf, checkAnnotations, checkGrants, checkTrust, type GrantRow } from "./verify";

/** Tags eks-irsa puts on its roles. Roles without them are identities too. */
const TAGS = { kind: KIND_TAG, workload: WORKLOAD_TAG, target: TARGET_TAG, cluster: CLUSTER_TAG } as const;

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

export interface RoleAssumer {
  type: "role";
  arn: string;
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

export type Assumer = ServiceAccountAssumer | RoleAssumer | PrincipalAssumer;

export interface Grant {
  action: string;
  resource: string;
  /** `key Operator value | value`, ANDed. */
  conditions: string[];
  check?: Check;
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

/**
 * `key Operator v1 | v2` per condition key, values and lines sorted: a row does not change when compaction merges
 * or reorders statements.
 */
export function conditionLines(condition: ConditionBlock | undefined): string[] {
  return Object.entries(condition ?? {})
    .flatMap(([op, kv]) => Object.entries(kv).map(([k, v]) => `${k} ${op} ${[...asList(v)].sort().join(" | ")}`))
    .sort();
}

const ROOT_PRINCIPAL = /^(?:arn:[\w-]+:iam::)?(\d{12})(?::root)?$/;

/** Who may assume the role, one entry per ServiceAccount, role or other principal its trust allows. */
export function assumersOf(role: RoleView, labels: Map<string, string>): Assumer[] {
  const out: Assumer[] = [];
  for (const s of role.trust.Statement.filter((x) => x.Effect === "Allow")) {
    const p = s.Principal;
    if (p === undefined || p === "*") {
      out.push({ type: "principal", principal: p === "*" ? "anyone (*)" : "no principal" });
      continue;
    }
    for (const provider of asList(p.Federated)) out.push(...federatedAssumers(provider, s.Condition ?? {}, role));
    for (const aws of asList(p.AWS)) {
      const root = ROOT_PRINCIPAL.exec(aws);
      const pinned = root ? principalArnValues(s.Condition ?? {}) : [aws];
      if (pinned.length === 0) out.push({ type: "principal", principal: `any principal of account ${root![1]}` });
      for (const arn of pinned) out.push({ type: "role", arn, ...(labels.has(arn) ? { label: labels.get(arn) } : {}) });
    }
    for (const service of asList(p.Service)) out.push({ type: "principal", principal: `service ${service}` });
  }
  return out;
}

function principalArnValues(condition: ConditionBlock): string[] {
  return Object.entries(condition)
    .filter(([op]) => /^(ArnEquals|ArnLike|StringEquals|StringLike)$/.test(op))
    .flatMap(([, kv]) => Object.entries(kv).filter(([k]) => k.toLowerCase() === "aws:principalarn").flatMap(([, v]) => asList(v)));
}

function federatedAssumers(provider: string, condition: ConditionBlock, role: RoleView): Assumer[] {
  const at = provider.indexOf(":oidc-provider/");
  const issuer = at >= 0 ? provider.slice(at + ":oidc-provider/".length) : provider;
  const claim = (name: string) =>
    Object.entries(condition).flatMap(([op, kv]) =>
      Object.entries(kv).filter(([k]) => k.toLowerCase() === `${issuer}:${name}`.toLowerCase()).flatMap(([, v]) => asList(v).map((value) => ({ op, value }))),
    );
  const subs = claim("sub");
  if (subs.length === 0) return [{ type: "principal", principal: `any token of ${issuer} (no sub condition)` }];
  const audiences = claim("aud").map((a) => a.value);
  return subs.map(({ op, value }) => {
    const sa = /^system:serviceaccount:([^:]+):(.+)$/.exec(value);
    const serviceAccount = sa ? `${sa[1]}/${sa[2]}` : value;
    return {
      type: "service-account" as const,
      serviceAccount,
      pattern: op.includes("Like") && /[*?]/.test(value),
      subject: value,
      issuer,
      provider,
      audiences,
      created: role.serviceAccounts.some((x) => `${x.namespace}/${x.name}` === serviceAccount),
    };
  });
}

/** One row per action and resource of each Allow statement, in document order, without duplicates. */
export function grantRows(documents: PolicyDocument[]): GrantRow[] {
  const rows = new Map<string, GrantRow>();
  for (const statement of documents.flatMap((d) => d.Statement).filter((s) => s.Effect === "Allow")) {
    const actions = statement.Action !== undefined ? asList(statement.Action) : [`* except ${asList(statement.NotAction).join(", ")}`];
    const resources = statement.Resource !== undefined ? asList(statement.Resource) : [`* except ${asList(statement.NotResource).join(", ")}`];
    const conditions = conditionLines(statement.Condition);
    for (const resource of resources) {
      for (const action of actions) {
        const key = JSON.stringify([action, resource, conditions]);
        if (!rows.has(key)) rows.set(key, { grant: { action, resource, conditions }, statement });
      }
    }
  }
  return [...rows.values()];
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

/** The access matrix of a run, every row and assumer checked. */
export async function accessModel(run: OfflineRun): Promise<AccessModel> {
  const roles = rolesOf(run.resources);
  const labels = new Map(roles.map((r) => [r.arn, labelOf(r)]));
  const trusts = new Map(roles.map((r) => [r.arn, r.trust]));
  const policies = new Map(
    run.resources.filter((r) => r.type === "aws:iam/policy:Policy").map((r) => [str(r.outputs.arn), r.outputs.policy] as const),
  );
  const errors: string[] = [];
  const identities: Identity[] = [];
  for (const role of roles) {
    const label = labelOf(role);
    const documents = [...role.policies.flatMap((p) => (p.document ? [p.document] : [])), ...role.inlinePolicies.map((p) => p.document)];
    const notEvaluated = role.policies.filter((p) => !p.document).map((p) => `managed policy ${p.arn} (not defined by this stack)`);
    const boundaryArn = str(run.resources.find((r) => r.type === "aws:iam/role:Role" && r.name === role.resourceName)?.inputs.permissionsBoundary);
    const boundary = boundaryArn && policies.has(boundaryArn) ? [parsePolicy(policies.get(boundaryArn))] : undefined;
    if (boundaryArn && !boundary) notEvaluated.push(`permissions boundary ${boundaryArn} (not defined by this stack)`);
    const denies = documents.flatMap((d) => d.Statement).filter((s) => s.Effect === "Deny");
    const rows = grantRows(documents);
    const assumers = assumersOf(role, labels);
    const where = `${kindOf(role.tags)} ${label}`;
    errors.push(
      ...checkTrust(role.trust, assumers).map((e) => `${where}: ${e}`),
      ...checkAnnotations(role).map((e) => `${where}: ${e}`),
      ...(await checkGrants({ principal: role.arn, region: run.region, documents, boundary, rows, denies, trustOf: (arn) => trusts.get(arn) })).map(
        (e) => `${where}: ${e}`,
      ),
    );
    identities.push({
      kind: kindOf(role.tags),
      label,
      roleName: role.roleName,
      roleArn: role.arn,
      accountId: accountOf(role.arn),
      assumers,
      grants: rows.map((r) => r.grant),
      guardrails: [...new Set(describePermissions(policyDocument(denies)).map((l) => l.replace(/\s+/g, " ")))],
      notEvaluated,
    });
  }
  const byArn = new Map(identities.map((i) => [i.roleArn, `${i.kind} ${i.label}`]));
  return { stack: run.stack, region: run.region, accountId: run.accountId, identities, ...esoViews(run.resources, roles, (arn) => byArn.get(arn)), errors };
}
