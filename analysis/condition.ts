/**
 * The conditions of a grant as data: one entry per operator and key of a statement's `Condition` block. Values
 * and entries are kept sorted, so a row does not change when compaction merges or reorders statements; text is
 * made only where a condition is printed.
 */
import { asList, type ConditionBlock } from "../core/document";

export interface Condition {
  /** As IAM spells it, qualifiers included: `StringLike`, `ForAnyValue:StringEquals`, `ArnLikeIfExists`. */
  operator: string;
  key: string;
  /** Sorted; ORed by IAM for every operator but the negated ones. */
  values: string[];
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The same conditions, values sorted and entries ordered by key, operator and values. */
export function sortConditions(conditions: readonly Condition[]): Condition[] {
  return conditions
    .map((c) => ({ operator: c.operator, key: c.key, values: [...c.values].sort(compare) }))
    .sort((a, b) => compare(a.key, b.key) || compare(a.operator, b.operator) || compare(a.values.join("\n"), b.values.join("\n")));
}

/** A statement's `Condition` block as sorted conditions (none when it has no block). */
export function conditionsOf(block: ConditionBlock | undefined): Condition[] {
  return sortConditions(Object.entries(block ?? {}).flatMap(([operator, kv]) => Object.entries(kv).map(([key, v]) => ({ operator, key, values: asList(v) }))));
}

/** Equal for the same conditions in any order. */
export function conditionsKey(conditions: readonly Condition[]): string {
  return JSON.stringify(sortConditions(conditions).map((c) => [c.key, c.operator, c.values]));
}

/** `key Operator v1 | v2`: a condition as reports and the diff print it. */
export function conditionText(c: Condition): string {
  return `${c.key} ${c.operator} ${c.values.join(" | ")}`;
}

/** `when a and b`, or nothing for a row without conditions. */
export function whenText(conditions: readonly Condition[]): string {
  return conditions.length ? `when ${conditions.map(conditionText).join(" and ")}` : "";
}
