/** IAM JSON policy documents as plain data, and the arithmetic AWS applies to them. */

export type ConditionValues = string | string[];
/** `{ Operator: { Key: value(s) } }`, e.g. `{ StringEquals: { "aws:SecureTransport": "true" } }`. */
export type ConditionBlock = Record<string, Record<string, ConditionValues>>;
export type Principal = "*" | Partial<Record<"AWS" | "Federated" | "Service", string | string[]>>;

export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: Principal;
  NotPrincipal?: Principal;
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

export function policyDocument(statements: Statement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** A string or list field as a list. */
export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * The size of a document as IAM counts it against its quotas: the JSON text without whitespace
 * ("IAM doesn't count white space when calculating the size of a policy").
 */
export function policySize(doc: PolicyDocument | Statement): number {
  return JSON.stringify(doc).replace(/\s/g, "").length;
}

/** Parses a policy given as JSON text or as an object; throws with a readable reason otherwise. */
export function parsePolicy(value: unknown): PolicyDocument {
  const parsed: unknown = typeof value === "string" ? JSON.parse(value) : value;
  if (typeof parsed !== "object" || parsed === null || !("Statement" in parsed)) {
    throw new Error("not an IAM policy document (no Statement)");
  }
  const statement = (parsed as { Statement: unknown }).Statement;
  const statements = Array.isArray(statement) ? statement : [statement];
  return { Version: "2012-10-17", Statement: statements as Statement[] };
}
