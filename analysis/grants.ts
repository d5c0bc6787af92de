/** What a role's permission documents grant: one row per action, resource pattern and conditions of each Allow statement. */
import { asList, type PolicyDocument, type Statement } from "../core/document";
import { conditionsKey, conditionsOf, whenText } from "./condition";
import type { Grant } from "./model";

export interface GrantRow {
  grant: Grant;
  /** The Allow statement the row comes from (its conditions, for an evaluator's request and its near misses). */
  statement: Statement;
  /** A shared (ABAC) role's row resolved for one association: the session tags it was resolved with. */
  principalTags?: Record<string, string>;
  /** ... and the resource pattern as the policy writes it (with its variables). */
  template?: string;
  /** ... and the namespaces of the role's other associations, whose resources this one must not reach. */
  otherNamespaces?: string[];
}

/** One row per action and resource of each Allow statement, in document order, without duplicates. */
export function grantRows(documents: readonly PolicyDocument[]): GrantRow[] {
  const rows = new Map<string, GrantRow>();
  for (const statement of documents.flatMap((d) => d.Statement).filter((s) => s.Effect === "Allow")) {
    const actions = statement.Action !== undefined ? asList(statement.Action) : [`* except ${asList(statement.NotAction).join(", ")}`];
    const resources = statement.Resource !== undefined ? asList(statement.Resource) : [`* except ${asList(statement.NotResource).join(", ")}`];
    const conditions = conditionsOf(statement.Condition);
    for (const resource of resources) {
      for (const action of actions) {
        const key = JSON.stringify([action, resource, conditionsKey(conditions)]);
        if (!rows.has(key)) rows.set(key, { grant: { action, resource, conditions }, statement });
      }
    }
  }
  return [...rows.values()];
}

/** `action on resource when a and b`: a row as the diff and the checks name it. */
export function grantText(g: Pick<Grant, "action" | "resource" | "conditions" | "via">): string {
  return [g.action, "on", g.resource, whenText(g.conditions), g.via ? `(${g.via})` : ""].filter(Boolean).join(" ");
}
