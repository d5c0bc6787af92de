/**
 * A small evaluator for role trust policies, for the requests IAM's own simulators do not model:
 * `sts:AssumeRoleWithWebIdentity` with `<issuer>:sub`/`aud` keys. It follows IAM's evaluation logic for
 * what trust policies use: explicit Deny wins, an Allow must match principal, action and every condition
 * (operators ANDed, keys ANDed, values ORed), `...IfExists` is true when the key is absent, and the
 * `ForAnyValue:`/`ForAllValues:` set operators over multi-valued keys.
 */
import { asList, type ConditionBlock, type PolicyDocument, type Principal, type Statement } from "./document";

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

export interface AssumeRequest {
  action: string;
  /** The calling principal, e.g. `{ Federated: "arn:aws:iam::1:oidc-provider/..." }` or `{ AWS: roleArn }`. */
  principal: { Federated?: string; AWS?: string; Service?: string };
  /** Request context: claim keys such as `<issuer>:sub`, or `aws:PrincipalArn`. */
  context: Record<string, string | string[]>;
}

/** IAM's glob: `*` any run of characters, `?` exactly one; everything else literal. */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, ignoreCase ? "is" : "s");
  return re.test(value);
}

/** Whether some string matches both IAM patterns (`*`: any run of characters, `/` included; `?`: one character). */
export function globsOverlap(a: string, b: string): boolean {
  const memo = new Map<number, boolean>();
  const from = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (a[i] === "*") result = from(i + 1, j) || (j < b.length && from(i, j + 1));
    else if (b[j] === "*") result = from(i, j + 1) || (i < a.length && from(i + 1, j));
    else result = i < a.length && j < b.length && (a[i] === "?" || b[j] === "?" || a[i] === b[j]) && from(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return from(0, 0);
}

/**
 * IAM's ArnLike/ArnEquals: both sides split into the six ARN fields, each field matched on its own, so a `*`
 * in the account field cannot swallow the region or the resource. Anything that is not an ARN does not match.
 */
export function arnMatch(pattern: string, value: string): boolean {
  const fields = (arn: string) => {
    const parts = arn.split(":");
    return parts.length < 6 || parts[0] !== "arn" ? undefined : [...parts.slice(0, 5), parts.slice(5).join(":")];
  };
  const p = fields(pattern);
  const v = fields(value);
  return p !== undefined && v !== undefined && p.every((field, i) => globMatch(field, v[i]));
}

function accountOf(arn: string): string | undefined {
  return /^arn:[\w-]+:(iam|sts)::(\d{12}):/.exec(arn)?.[2];
}

function principalMatches(principal: Principal | undefined, request: AssumeRequest["principal"]): boolean {
  if (principal === undefined) return false;
  if (principal === "*") return true;
  for (const kind of ["Federated", "AWS", "Service"] as const) {
    const caller = request[kind];
    if (!caller) continue;
    for (const p of asList(principal[kind])) {
      if (p === "*" || p === caller) return true;
      if (kind === "AWS") {
        const root = /^(?:arn:[\w-]+:iam::)?(\d{12})(?::root)?$/.exec(p);
        if (root && accountOf(caller) === root[1]) return true;
      }
    }
  }
  return false;
}

type Compare = (policyValue: string, requestValue: string) => boolean;

const OPERATORS: Record<string, { compare: Compare; negated: boolean }> = {
  StringEquals: { compare: (p, r) => p === r, negated: false },
  StringNotEquals: { compare: (p, r) => p === r, negated: true },
  StringEqualsIgnoreCase: { compare: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { compare: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: true },
  StringLike: { compare: (p, r) => globMatch(p, r), negated: false },
  StringNotLike: { compare: (p, r) => globMatch(p, r), negated: true },
  ArnEquals: { compare: arnMatch, negated: false },
  ArnLike: { compare: arnMatch, negated: false },
  ArnNotEquals: { compare: arnMatch, negated: true },
  ArnNotLike: { compare: arnMatch, negated: true },
  Bool: { compare: (p, r) => p.toLowerCase() === r.toLowerCase(), negated: false },
};

export class UnsupportedConditionError extends Error {}

/** One `Operator: { key: values }` entry against the request context. */
export function conditionHolds(operator: string, key: string, values: string[], context: AssumeRequest["context"]): boolean {
  let op = operator;
  let set: "any" | "all" | undefined;
  if (op.startsWith("ForAnyValue:")) [set, op] = ["any", op.slice("ForAnyValue:".length)];
  else if (op.startsWith("ForAllValues:")) [set, op] = ["all", op.slice("ForAllValues:".length)];
  const ifExists = op.endsWith("IfExists");
  if (ifExists) op = op.slice(0, -"IfExists".length);
  if (op === "Null") {
    const absent = !Object.keys(context).some((k) => k.toLowerCase() === key.toLowerCase());
    return values.some((v) => (v.toLowerCase() === "true") === absent);
  }
  const spec = OPERATORS[op];
  if (!spec) throw new UnsupportedConditionError(`condition operator ${operator} is not supported by the trust evaluator`);
  // Condition key names are case-insensitive in IAM.
  const contextKey = Object.keys(context).find((k) => k.toLowerCase() === key.toLowerCase());
  if (contextKey === undefined) {
    if (ifExists) return true;
    // With no value, ForAllValues is vacuously true; a negated operator is true; anything else false.
    return set === "all" || (set === undefined && spec.negated);
  }
  const requestValues = asList(context[contextKey]);
  const matchOne = (r: string) => values.some((p) => spec.compare(p, r));
  if (set === "all") return requestValues.every((r) => (spec.negated ? !matchOne(r) : matchOne(r)));
  if (set === "any") return requestValues.some((r) => (spec.negated ? !matchOne(r) : matchOne(r)));
  // A single-valued operator over a multi-valued key: IAM compares as if any value may match.
  const anyMatch = requestValues.some(matchOne);
  return spec.negated ? !anyMatch : anyMatch;
}

export function conditionsHold(condition: ConditionBlock | undefined, context: AssumeRequest["context"]): boolean {
  return Object.entries(condition ?? {}).every(([op, kv]) => Object.entries(kv).every(([key, v]) => conditionHolds(op, key, asList(v), context)));
}

function statementApplies(s: Statement, request: AssumeRequest): boolean {
  const actionMatch = s.Action !== undefined
    ? asList(s.Action).some((a) => globMatch(a, request.action, true))
    : !asList(s.NotAction).some((a) => globMatch(a, request.action, true));
  const principalMatch = s.NotPrincipal !== undefined ? !principalMatches(s.NotPrincipal, request.principal) : principalMatches(s.Principal, request.principal);
  return actionMatch && principalMatch && conditionsHold(s.Condition, request.context);
}

/** The decision of a trust policy for one assume request. */
export function evaluateTrust(doc: PolicyDocument, request: AssumeRequest): Decision {
  const applying = doc.Statement.filter((s) => statementApplies(s, request));
  if (applying.some((s) => s.Effect === "Deny")) return "ExplicitlyDenied";
  return applying.some((s) => s.Effect === "Allow") ? "Allowed" : "ImplicitlyDenied";
}

/** The request STS evaluates for a projected ServiceAccount token presented to `AssumeRoleWithWebIdentity`. */
export function webIdentityRequest(providerArn: string, issuerHostPath: string, claims: { sub: string; aud: string | string[] }): AssumeRequest {
  return {
    action: "sts:AssumeRoleWithWebIdentity",
    principal: { Federated: providerArn },
    context: { [`${issuerHostPath}:sub`]: claims.sub, [`${issuerHostPath}:aud`]: claims.aud },
  };
}

/** One Pod Identity association as EKS presents it to STS. */
export interface AssociationRequest {
  accountId: string;
  clusterArn: string;
  namespace: string;
  serviceAccount: string;
  /** False when the association disables session tags. */
  sessionTags: boolean;
}

/**
 * The requests EKS Pod Identity makes for a pod of an association: `sts:AssumeRole` as `pods.eks.amazonaws.com` on
 * behalf of the cluster (`aws:SourceAccount`, `aws:SourceArn`), and with session tags `sts:TagSession` too, both
 * carrying the tags EKS sets (`aws:RequestTag/*`, `aws:TagKeys`).
 */
export function podIdentityRequests(a: AssociationRequest): AssumeRequest[] {
  const clusterName = a.clusterArn.slice(a.clusterArn.indexOf(":cluster/") + ":cluster/".length);
  const tags: Record<string, string> = {
    "eks-cluster-arn": a.clusterArn,
    "eks-cluster-name": clusterName,
    "kubernetes-namespace": a.namespace,
    "kubernetes-service-account": a.serviceAccount,
    "kubernetes-pod-name": `${a.serviceAccount}-7d9f8b6c5-x2x4z`,
    "kubernetes-pod-uid": "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
  };
  const context: AssumeRequest["context"] = {
    "aws:SourceAccount": a.accountId,
    "aws:SourceArn": a.clusterArn,
    ...(a.sessionTags ? { ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), "aws:TagKeys": Object.keys(tags) } : {}),
  };
  const principal = { Service: "pods.eks.amazonaws.com" };
  return [{ action: "sts:AssumeRole", principal, context }, ...(a.sessionTags ? [{ action: "sts:TagSession", principal, context }] : [])];
}

/**
 * The requests EKS makes to a target role (`targetRoleArn`) as the association's own role: `sts:AssumeRole` with the
 * association's external id, and `sts:TagSession` when the session tags are passed on (they are transitive).
 */
export function targetRoleRequests(sourceRoleArn: string, externalId: string, sessionTags: boolean): AssumeRequest[] {
  const principal = { AWS: sourceRoleArn };
  // `sts:ExternalId` is a key of AssumeRole: IAM evaluates TagSession without it.
  return [
    { action: "sts:AssumeRole", principal, context: { "aws:PrincipalArn": sourceRoleArn, "sts:ExternalId": externalId } },
    ...(sessionTags ? [{ action: "sts:TagSession", principal, context: { "aws:PrincipalArn": sourceRoleArn } }] : []),
  ];
}

/** Allowed only when every request is (a session is refused if any of its calls is). */
export function evaluateTrustAll(doc: PolicyDocument, requests: AssumeRequest[]): Decision {
  for (const r of requests) {
    const d = evaluateTrust(doc, r);
    if (d !== "Allowed") return d;
  }
  return "Allowed";
}
