/** IRSA trust documents: who, by cluster issuer and ServiceAccount, may assume a role. */
import { issuerHostPath } from "./arn";
import { policyDocument, type PolicyDocument, type Statement } from "./document";

/** The audience the EKS pod identity webhook requests by default. */
export const DEFAULT_AUDIENCE = "sts.amazonaws.com";

export interface ServiceAccountRef {
  namespace: string;
  /** A ServiceAccount name, or a pattern with `*` for a namespace-wide binding. */
  name: string;
}

/** The ServiceAccounts of one cluster (one IAM OIDC provider) that may assume the role. */
export interface TrustBinding {
  providerArn: string;
  issuerUrl: string;
  serviceAccounts: ServiceAccountRef[];
  /** Defaults to `sts.amazonaws.com`. */
  audience?: string;
}

export function isPattern(serviceAccountName: string): boolean {
  return serviceAccountName.includes("*");
}

/** The `sub` claim of a projected ServiceAccount token. */
export function subjectOf(sa: ServiceAccountRef): string {
  return `system:serviceaccount:${sa.namespace}:${sa.name}`;
}

function one(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}

/**
 * One statement per provider for exact ServiceAccounts (`StringEquals` on `sub`) and one for patterns
 * (`StringLike` on `sub`); `aud` is always `StringEquals`. Exact and pattern subjects never share a
 * statement: two operators in one statement are ANDed, which would demand both at once.
 */
export function buildTrustPolicy(bindings: TrustBinding[]): PolicyDocument {
  if (bindings.length === 0) throw new Error("a trust policy needs at least one binding");
  const statements: Statement[] = [];
  for (const binding of bindings) {
    if (binding.serviceAccounts.length === 0) {
      throw new Error(`binding for ${binding.providerArn} names no ServiceAccount`);
    }
    const host = issuerHostPath(binding.issuerUrl);
    const aud = { [`${host}:aud`]: binding.audience ?? DEFAULT_AUDIENCE };
    const exact = binding.serviceAccounts.filter((sa) => !isPattern(sa.name)).map(subjectOf);
    const patterns = binding.serviceAccounts.filter((sa) => isPattern(sa.name)).map(subjectOf);
    const base = {
      Effect: "Allow" as const,
      Principal: { Federated: binding.providerArn },
      Action: "sts:AssumeRoleWithWebIdentity",
    };
    if (exact.length > 0) {
      statements.push({ ...base, Condition: { StringEquals: { ...aud, [`${host}:sub`]: one(exact) } } });
    }
    if (patterns.length > 0) {
      statements.push({
        ...base,
        Condition: { StringEquals: aud, StringLike: { [`${host}:sub`]: one(patterns) } },
      });
    }
  }
  return policyDocument(statements);
}

/**
 * Trust for chained cross-account access: exactly the named source roles as principals (never `:root`), and
 * `aws:PrincipalArn` on the same ARNs, so the statement still names only those roles should IAM ever show the
 * principal by its unique id (as it does once a trusted role is deleted: re-create the trust then).
 */
export function buildRoleChainTrustPolicy(sourceRoleArns: string[]): PolicyDocument {
  if (sourceRoleArns.length === 0) throw new Error("a chained trust needs at least one source role");
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { AWS: one(sourceRoleArns) },
      Action: "sts:AssumeRole",
      Condition: { ArnEquals: { "aws:PrincipalArn": one(sourceRoleArns) } },
    },
  ]);
}
