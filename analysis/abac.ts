/**
 * A shared (ABAC) role's rows as each of its Pod Identity associations reaches them: the session-tag policy variables
 * (`${aws:PrincipalTag/kubernetes-namespace}`, ...) resolved with the tags EKS sets for that association's pods.
 */
import { eksClusterArn, SESSION_TAGS } from "../core/podIdentity";
import type { Partition } from "../core/environment";
import type { GrantRow } from "./grants";
import type { AssociationView } from "./roles";

const VARIABLE = /\$\{aws:PrincipalTag\/([^}]+)\}/g;

export function hasSessionTagVariable(text: string): boolean {
  return /\$\{aws:PrincipalTag\//.test(text);
}

/** A policy text with its principal-tag variables as a session with `tags` resolves them (an absent tag stays as written). */
export function resolvePrincipalTags(text: string, tags: Record<string, string>): string {
  return text.replace(VARIABLE, (whole, key: string) => tags[key] ?? whole);
}

/** The session tags EKS sets for an association's pods (the pod name and uid aside: no policy of eks-irsa reads them). */
export function associationTags(a: Pick<AssociationView, "cluster" | "namespace" | "serviceAccount">, env: { partition: Partition; region: string; accountId: string }): Record<string, string> {
  return {
    [SESSION_TAGS.clusterArn]: eksClusterArn(env, a.cluster),
    [SESSION_TAGS.clusterName]: a.cluster,
    [SESSION_TAGS.namespace]: a.namespace,
    [SESSION_TAGS.serviceAccount]: a.serviceAccount,
  };
}

/**
 * Rows with a principal-tag variable become one row per association that sends session tags, resolved for it (`via`
 * names it, `principalTags` carries the tags for an evaluator); the other rows stay as they are.
 */
export function resolveAbacRows(rows: GrantRow[], associations: readonly AssociationView[], env: { partition: Partition; region: string; accountId: string }): GrantRow[] {
  const tagged = associations.filter((a) => a.sessionTags);
  return rows.flatMap((row) => {
    const { grant } = row;
    const variable = hasSessionTagVariable(grant.resource) || grant.conditions.some((c) => c.values.some(hasSessionTagVariable));
    if (!variable || tagged.length === 0) return [row];
    // Associations whose sessions resolve the row alike (one namespace on two clusters) share one row.
    const resolved = new Map<string, { row: GrantRow; who: string[]; clusters: string[] }>();
    for (const a of tagged) {
      const tags = associationTags(a, env);
      const resource = resolvePrincipalTags(grant.resource, tags);
      const conditions = grant.conditions.map((c) => ({ ...c, values: c.values.map((v) => resolvePrincipalTags(v, tags)) }));
      const key = JSON.stringify([resource, conditions]);
      const otherNamespaces = [...new Set(tagged.map((x) => x.namespace))].filter((ns) => ns !== a.namespace);
      const entry = resolved.get(key) ?? { row: { ...row, template: grant.resource, principalTags: tags, otherNamespaces, grant: { ...grant, resource, conditions } }, who: [], clusters: [] };
      if (!entry.who.includes(`${a.namespace}/${a.serviceAccount}`)) entry.who.push(`${a.namespace}/${a.serviceAccount}`);
      if (!entry.clusters.includes(a.cluster)) entry.clusters.push(a.cluster);
      resolved.set(key, entry);
    }
    return [...resolved.values()].map(({ row: r, who, clusters }) => ({
      ...r,
      grant: { ...r.grant, via: `association${who.length > 1 ? "s" : ""} ${who.join(", ")} on cluster${clusters.length > 1 ? "s" : ""} ${clusters.join(", ")}` },
    }));
  });
}
