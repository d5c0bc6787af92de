/** Reading EKS Pod Identity trust statements and session-tag policy variables. */
import { asList, type Statement } from "../../core/document";
import { POD_IDENTITY_SERVICE, SESSION_TAGS } from "../../core/podIdentity";

/** Whether a statement's principal is the EKS Pod Identity service. */
export function isPodIdentityStatement(s: Statement): boolean {
  return s.Principal !== undefined && s.Principal !== "*" && asList(s.Principal.Service).includes(POD_IDENTITY_SERVICE);
}

/** The condition entries of a statement on a key (case-insensitive), with their operators. */
export function conditionsOn(s: Statement, key: string): { op: string; values: string[] }[] {
  return Object.entries(s.Condition ?? {}).flatMap(([op, kv]) => Object.entries(kv).filter(([k]) => k.toLowerCase() === key.toLowerCase()).map(([, v]) => ({ op, values: asList(v) })));
}

/** Pins a key: a positive string or ARN operator (no set qualifier, no IfExists), every value without wildcards. */
export function pins(s: Statement, key: string): boolean {
  const found = conditionsOn(s, key);
  return found.length > 0 && found.every((c) => /^(StringEquals|ArnEquals|StringLike|ArnLike)$/.test(c.op) && c.values.length > 0 && c.values.every((v) => !/[*?]/.test(v)));
}

export const REQUEST_TAG = (tag: string) => `aws:RequestTag/${tag}`;
export const TAGS = SESSION_TAGS;

/** `${aws:PrincipalTag/<key>}` variables of a document's text. */
export function principalTagVariables(text: string): string[] {
  return [...text.matchAll(/\$\{aws:PrincipalTag\/([^}]*)\}/gi)].map((m) => m[1]);
}
