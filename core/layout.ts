/**
 * Fitting statements into IAM's size quotas: merge what can be merged without changing meaning, then pack
 * the result into as few managed policies as fit, and refuse (at plan time) only when nothing fits.
 */
import { asList, policyDocument, policySize, type PolicyDocument, type Statement } from "./document";
import { SizeLimitError } from "./problems";

export { SizeLimitError };

/** AWS's quotas that documents must respect (see the IAM and STS quotas page). */
export const LIMITS = {
  managedPolicyChars: 6144,
  /** All inline policies of one role together. */
  inlinePolicyCharsPerRole: 10240,
  trustPolicyCharsDefault: 2048,
  trustPolicyCharsMax: 4096,
  managedPoliciesPerRoleDefault: 10,
  managedPoliciesPerRoleMax: 20,
  roleNameChars: 64,
  policyNameChars: 128,
  tagsPerRole: 50,
} as const;

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

/** A statement of the compacted list, or a slice of its resources when its resource list alone is over the limit. */
export interface LayoutPiece {
  statement: number;
  /** Resource slice `[from, to)`; whole when absent. */
  slice?: [number, number];
}

/**
 * Which (pieces of) compacted statements go into which document: decided once, rendered for any environment. With an
 * inline budget, the first document is the role's inline policy and the others are managed policies.
 */
export interface DocumentLayout {
  documents: LayoutPiece[][];
  /** The first document is an inline policy (its limit is the inline budget). */
  inline: boolean;
}

/** Pieces of a statement whose Resource list alone is over the limit: halves, recursively. */
function splitPieces(s: Statement, statement: number, from: number, to: number, limit: number): LayoutPiece[] {
  const resources = asList(s.Resource);
  const whole = from === 0 && to === resources.length;
  const piece = whole ? s : { ...s, Resource: single(resources.slice(from, to)) };
  if (policySize(policyDocument([piece])) <= limit || to - from < 2) return [whole ? { statement } : { statement, slice: [from, to] }];
  const half = from + Math.ceil((to - from) / 2);
  return [...splitPieces(s, statement, from, half, limit), ...splitPieces(s, statement, half, to, limit)];
}

function pieceStatement(statements: Statement[], p: LayoutPiece): Statement {
  const s = statements[p.statement];
  return p.slice ? { ...s, Resource: single(asList(s.Resource).slice(p.slice[0], p.slice[1])) } : s;
}

export interface LayoutOptions {
  /** Characters per document; defaults to the managed policy quota. */
  limit?: number;
  /**
   * Characters of a first, inline document (the role's inline budget): statements go there first and into managed
   * policies only when it is full. Without it, every document is a managed policy.
   */
  inlineLimit?: number;
  /** Documents at most; defaults to the managed-policies-per-role quota. */
  maxDocuments?: number;
  /** What is being laid out, for messages (`permissions`). */
  what?: string;
  /** The field that raises `maxDocuments`, named as the caller knows it (`managedPolicyQuota`). */
  quotaField?: string;
}

/**
 * Packs the compacted statements (first-fit, in order) into documents each within the limit. Throws a
 * SizeLimitError when a statement cannot fit a document alone or more documents are needed than allowed.
 */
export function planLayout(statements: Statement[], options: LayoutOptions = {}): DocumentLayout {
  const limit = options.limit ?? LIMITS.managedPolicyChars;
  const inline = options.inlineLimit !== undefined;
  const max = options.maxDocuments ?? LIMITS.managedPoliciesPerRoleDefault;
  const what = options.what ?? "policy";
  const empty = policySize(policyDocument([]));
  const compacted = compactStatements(statements);
  const docs: LayoutPiece[][] = inline ? [[]] : [];
  const sizes: number[] = inline ? [empty] : [];
  const limitOf = (d: number) => (inline && d === 0 ? options.inlineLimit! : limit);
  for (const [i, s] of compacted.entries()) {
    for (const piece of splitPieces(s, i, 0, asList(s.Resource).length, limit)) {
      const cost = policySize(pieceStatement(compacted, piece)) + 1;
      if (empty + cost - 1 > limit) {
        throw new SizeLimitError([], `${what}: one statement is ${empty + cost - 1} characters, over the ${limit}-character managed policy limit`);
      }
      // An empty document costs one comma less than a document with statements.
      const at = sizes.findIndex((size, d) => size + cost - (docs[d].length === 0 ? 1 : 0) <= limitOf(d));
      if (at >= 0) {
        sizes[at] += cost - (docs[at].length === 0 ? 1 : 0);
        docs[at].push(piece);
      } else {
        docs.push([piece]);
        sizes.push(empty + cost - 1);
      }
    }
  }
  const managed = docs.length - (inline ? 1 : 0);
  if (managed > max) {
    const total = sizes.reduce((a, b) => a + b, 0);
    throw new SizeLimitError(
      [],
      `${what}: the permissions need ${inline ? "a full inline policy and " : ""}${managed} managed policies (${total} characters), over the ${max} allowed per role; ` +
        `split the workload or raise ${options.quotaField ?? "managedPolicyQuota"} (up to ${LIMITS.managedPoliciesPerRoleMax}) after raising the AWS quota`,
    );
  }
  return { documents: inline && docs[0].length === 0 ? [] : docs, inline: inline && docs[0].length > 0 };
}

/**
 * The documents of a layout, for statements built in another environment than the one it was planned with (the
 * real account and region instead of placeholders): compaction keeps its shape under such a substitution, so the
 * same pieces go into the same documents. Each document is checked against the limit again.
 */
export function renderLayout(layout: DocumentLayout, statements: Statement[], options: LayoutOptions = {}): PolicyDocument[] {
  const limit = options.limit ?? LIMITS.managedPolicyChars;
  const compacted = compactStatements(statements);
  const wanted = Math.max(-1, ...layout.documents.flat().map((p) => p.statement)) + 1;
  if (compacted.length !== wanted) {
    throw new Error(`${options.what ?? "policy"}: the statements no longer compact to the planned layout (${compacted.length} statements, ${wanted} planned)`);
  }
  return layout.documents.map((pieces, d) => {
    const doc = policyDocument(pieces.map((p) => pieceStatement(compacted, p)));
    const size = policySize(doc);
    const max = layout.inline && d === 0 ? (options.inlineLimit ?? LIMITS.inlinePolicyCharsPerRole) : limit;
    if (size > max) {
      throw new SizeLimitError([], `${options.what ?? "policy"}: a document is ${size} characters with the real account, partition and region, over the ${max}-character limit (laid out with placeholders: give the region to check before deployment)`);
    }
    return doc;
  });
}

/** Plans and renders in one go, for statements already in their final environment. */
export function layoutDocuments(statements: Statement[], options: LayoutOptions = {}): PolicyDocument[] {
  return renderLayout(planLayout(statements, options), statements, options);
}
