/**
 * Fitting statements into IAM's size quotas: merge what can be merged without changing meaning, then pack
 * the result into as few managed policies as fit, and refuse (at plan time) only when nothing fits.
 */
import { asList, policyDocument, policySize, type PolicyDocument, type Statement } from "./document";

/** AWS's quotas that documents must respect (see the IAM and STS quotas page). */
export const LIMITS = {
  managedPolicyChars: 6144,
  trustPolicyCharsDefault: 2048,
  trustPolicyCharsMax: 4096,
  managedPoliciesPerRoleDefault: 10,
  managedPoliciesPerRoleMax: 20,
  roleNameChars: 64,
  policyNameChars: 128,
  tagsPerRole: 50,
} as const;

export class SizeLimitError extends Error {}

const sorted = (v: string | string[] | undefined) => [...asList(v)].sort();
const key = (v: unknown) => JSON.stringify(v);

/** The single `{operator: {key: values}}` of a condition, when it has exactly one. */
function soleCondition(s: Statement): { op: string; key: string; values: string[] } | undefined {
  const ops = Object.keys(s.Condition ?? {});
  if (ops.length !== 1) return undefined;
  const keys = Object.keys(s.Condition![ops[0]]);
  if (keys.length !== 1) return undefined;
  return { op: ops[0], key: keys[0], values: asList(s.Condition![ops[0]][keys[0]]) };
}

function single(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}

/**
 * Merges Allow statements that differ only in Resource (union of resources), then those that differ only
 * in the values of one sole condition key (union of values: IAM ORs the values of one key). Both merges
 * grant exactly what the separate statements granted.
 */
export function compactStatements(statements: Statement[]): Statement[] {
  const byResource = new Map<string, Statement>();
  const rest: Statement[] = [];
  for (const s of statements) {
    if (s.Effect !== "Allow" || s.Principal || s.NotAction || s.NotResource || s.Action === undefined) {
      rest.push(s);
      continue;
    }
    const k = key([sorted(s.Action), s.Condition ?? null]);
    const seen = byResource.get(k);
    if (seen) {
      seen.Resource = single([...new Set([...asList(seen.Resource), ...asList(s.Resource)])]);
    } else {
      byResource.set(k, { ...s, Action: single(sorted(s.Action)), Resource: single(asList(s.Resource)) });
    }
  }
  const byCondition = new Map<string, Statement>();
  const out: Statement[] = [];
  for (const s of byResource.values()) {
    const c = soleCondition(s);
    if (!c) {
      out.push(s);
      continue;
    }
    const k = key([sorted(s.Action), sorted(s.Resource), c.op, c.key]);
    const seen = byCondition.get(k);
    if (seen) {
      const prev = soleCondition(seen)!;
      seen.Condition = { [c.op]: { [c.key]: single([...new Set([...prev.values, ...c.values])]) } };
    } else {
      const copy = { ...s, Condition: { [c.op]: { [c.key]: single(c.values) } } };
      byCondition.set(k, copy);
      out.push(copy);
    }
  }
  return [...out, ...rest];
}

/** Splits a statement whose Resource list alone is over the limit into statements of fewer resources. */
function splitByResource(s: Statement, limit: number): Statement[] {
  const resources = asList(s.Resource);
  if (policySize(policyDocument([s])) <= limit || resources.length < 2) return [s];
  const half = Math.ceil(resources.length / 2);
  return [
    ...splitByResource({ ...s, Resource: single(resources.slice(0, half)) }, limit),
    ...splitByResource({ ...s, Resource: single(resources.slice(half)) }, limit),
  ];
}

export interface LayoutOptions {
  /** Characters per document; defaults to the managed policy quota. */
  limit?: number;
  /** Documents at most; defaults to the managed-policies-per-role quota. */
  maxDocuments?: number;
  /** Names what is being laid out, for the error message. */
  subject?: string;
}

/**
 * Packs statements (first-fit, in order) into documents each within the limit. Throws a SizeLimitError
 * naming the subject when a statement cannot fit a document alone or more documents are needed than allowed.
 */
export function layoutDocuments(statements: Statement[], options: LayoutOptions = {}): PolicyDocument[] {
  const limit = options.limit ?? LIMITS.managedPolicyChars;
  const max = options.maxDocuments ?? LIMITS.managedPoliciesPerRoleDefault;
  const subject = options.subject ?? "policy";
  const empty = policySize(policyDocument([]));
  const docs: Statement[][] = [];
  const sizes: number[] = [];
  for (const s of compactStatements(statements).flatMap((x) => splitByResource(x, limit))) {
    const cost = policySize(s) + 1;
    if (empty + cost - 1 > limit) {
      throw new SizeLimitError(`${subject}: one statement is ${empty + cost - 1} characters, over the ${limit}-character managed policy limit`);
    }
    const at = sizes.findIndex((size) => size + cost <= limit);
    if (at >= 0) {
      docs[at].push(s);
      sizes[at] += cost;
    } else {
      docs.push([s]);
      sizes.push(empty + cost - 1);
    }
  }
  if (docs.length > max) {
    const total = sizes.reduce((a, b) => a + b, 0);
    throw new SizeLimitError(
      `${subject}: the permissions need ${docs.length} managed policies (${total} characters), over the ${max} allowed per role; ` +
        `split the workload or raise roleDefaults.managedPolicyQuota (up to ${LIMITS.managedPoliciesPerRoleMax}) after raising the AWS quota`,
    );
  }
  return docs.map((d) => policyDocument(d));
}
