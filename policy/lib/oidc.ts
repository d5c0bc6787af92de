/** Classifying federated trust statements: EKS IRSA, GitHub Actions, or another OIDC identity provider. */
import { asList, type Statement } from "../../core/document";

export type OidcKind = "irsa" | "github" | "other-oidc" | "not-oidc";

export const GITHUB_HOST = "token.actions.githubusercontent.com";
const EKS_ISSUER = /^oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/id\/[A-Za-z0-9]+$/;

export function providerHost(federated: string): string | undefined {
  const i = federated.indexOf(":oidc-provider/");
  return i < 0 ? undefined : federated.slice(i + ":oidc-provider/".length);
}

export function federatedOf(s: Statement): string[] {
  const p = s.Principal;
  return p && p !== "*" ? asList(p.Federated) : [];
}

/** The condition entries whose key ends with `:<claim>`. */
export function claimConditions(s: Statement, claim: string): { op: string; key: string; values: string[] }[] {
  return Object.entries(s.Condition ?? {}).flatMap(([op, kv]) =>
    Object.entries(kv).filter(([k]) => k.toLowerCase().endsWith(`:${claim}`)).map(([key, v]) => ({ op, key, values: asList(v) })),
  );
}

/**
 * IRSA when the provider is an EKS issuer, or the statement's `sub` names Kubernetes ServiceAccounts through
 * an IAM OIDC provider (IRSA on a self-managed cluster). GitHub's issuer is GitHub Actions. A Cognito or
 * other non-`oidc-provider` federated principal is not an IAM OIDC provider at all.
 */
export function classify(s: Statement, allowedIssuers: string[] = []): OidcKind {
  const hosts = federatedOf(s).map(providerHost).filter((h): h is string => h !== undefined);
  if (hosts.length === 0) return "not-oidc";
  if (hosts.some((h) => h === GITHUB_HOST || h.startsWith(`${GITHUB_HOST}/`))) return "github";
  if (hosts.some((h) => EKS_ISSUER.test(h) || allowedIssuers.includes(h))) return "irsa";
  if (claimConditions(s, "sub").some((c) => c.values.some((v) => v.startsWith("system:serviceaccount:")))) return "irsa";
  return "other-oidc";
}

export const SET_OR_IFEXISTS = (op: string) => op.startsWith("ForAnyValue:") || op.startsWith("ForAllValues:") || op.endsWith("IfExists");
