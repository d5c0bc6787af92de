/**
 * How rules read IAM documents out of resource properties, and how they treat values unknown at preview.
 *
 * Unknown values: during `pulumi preview` a document built from an unknown Output (a new cluster's issuer,
 * a role ARN not yet created) cannot be read; CrossGuard throws `UnknownValueError` on access. Every rule
 * reads documents through `readDocument`, which returns `unknown` instead, and the rule then reports
 * nothing for that document: CrossGuard validates again during `pulumi up`, when the engine has resolved
 * every input before the resource is created, so a mandatory violation still blocks the apply.
 */
import { asList, parsePolicy, type PolicyDocument, type Statement } from "../../core/document";

export type DocumentRead = { kind: "document"; document: PolicyDocument } | { kind: "unknown" } | { kind: "absent" } | { kind: "invalid"; reason: string };

function isUnknownValueError(e: unknown): boolean {
  return e instanceof Error && e.constructor.name === "UnknownValueError";
}

/** Reads `props[key]` (JSON text or object) as a policy document. */
export function readDocument(props: Record<string, unknown>, key: string): DocumentRead {
  let value: unknown;
  try {
    value = props[key];
    if (value === undefined || value === null || value === "") return { kind: "absent" };
    if (typeof value === "object") JSON.stringify(value);
  } catch (e) {
    if (isUnknownValueError(e)) return { kind: "unknown" };
    throw e;
  }
  try {
    return { kind: "document", document: parsePolicy(value) };
  } catch (e) {
    return { kind: "invalid", reason: (e as Error).message };
  }
}

/** Reads a string property, or undefined when absent or unknown at preview. */
export function readString(props: Record<string, unknown>, key: string): string | undefined {
  try {
    const v = props[key];
    return typeof v === "string" ? v : undefined;
  } catch (e) {
    if (isUnknownValueError(e)) return undefined;
    throw e;
  }
}

/** IAM treats a statement without Effect as invalid; rules treat it as Allow, the dangerous reading. */
export function isAllow(s: Statement): boolean {
  return (s as { Effect?: string }).Effect !== "Deny";
}

export const actionsOf = (s: Statement) => asList(s.Action);
export const resourcesOf = (s: Statement) => asList(s.Resource);

/** Resource types whose documents are permission policies, and the property holding the document. */
export const PERMISSION_DOCUMENTS: Record<string, string> = {
  "aws:iam/policy:Policy": "policy",
  "aws:iam/rolePolicy:RolePolicy": "policy",
  "aws:iam/userPolicy:UserPolicy": "policy",
  "aws:iam/groupPolicy:GroupPolicy": "policy",
};

/** Every permission document a resource carries: standalone/inline policies, and a role's `inlinePolicies`. */
export function permissionDocuments(type: string, props: Record<string, unknown>): { where: string; read: DocumentRead }[] {
  const key = PERMISSION_DOCUMENTS[type];
  if (key) return [{ where: key, read: readDocument(props, key) }];
  if (type === "aws:iam/role:Role") {
    let inline: unknown;
    try {
      inline = props.inlinePolicies;
    } catch (e) {
      if (isUnknownValueError(e)) return [{ where: "inlinePolicies", read: { kind: "unknown" } }];
      throw e;
    }
    return asList(inline as Record<string, unknown>[] | undefined).map((p, i) => ({ where: `inlinePolicies[${i}]`, read: readDocument(p, "policy") }));
  }
  return [];
}

/** Every statement of the resource's readable permission documents, with where it stands. */
export function permissionStatements(type: string, props: Record<string, unknown>): { statement: Statement; where: string }[] {
  return permissionDocuments(type, props).flatMap(({ where, read }) =>
    read.kind === "document" ? read.document.Statement.map((statement, i) => ({ statement, where: `${where} statement ${i}` })) : [],
  );
}

/** Reports one message per problem for every readable document of the resource. */
export function eachPermissionStatement(type: string, props: Record<string, unknown>, visit: (s: Statement, where: string) => string[]): string[] {
  return permissionStatements(type, props).flatMap(({ statement, where }) => visit(statement, where));
}

/** The trust document of a role, if it can be read. */
export function trustOf(type: string, props: Record<string, unknown>): DocumentRead {
  return type === "aws:iam/role:Role" ? readDocument(props, "assumeRolePolicy") : { kind: "absent" };
}

/** Visits every Allow statement of a role's readable trust document (none when absent or unknown). */
export function eachAllowTrustStatement(type: string, props: Record<string, unknown>, visit: (s: Statement, index: number) => string[]): string[] {
  const read = trustOf(type, props);
  if (read.kind !== "document") return [];
  return read.document.Statement.flatMap((s, i) => (isAllow(s) ? visit(s, i) : []));
}
