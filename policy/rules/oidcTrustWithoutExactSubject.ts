import { classify, claimConditions, federatedOf, GITHUB_HOST } from "../lib/oidc";
import { eachAllowTrustStatement } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

interface Config {
  /** Allow `*` in the ServiceAccount part of `sub` (namespace-wide bindings). Never in the namespace part. */
  allowServiceAccountPatterns: boolean;
  /** Issuer hosts of self-managed clusters to treat as IRSA issuers. */
  irsaIssuers: string[];
}

const SUB = /^system:serviceaccount:([^:]+):([^:]+)$/;
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function irsaProblems(values: string[], op: string, config: Config): string[] {
  return values.flatMap((v) => {
    const m = SUB.exec(v);
    if (!m) return [`sub ${JSON.stringify(v)} does not name a ServiceAccount (system:serviceaccount:<namespace>:<name>)`];
    const [, ns, sa] = m;
    if (!NAME.test(ns)) return [`sub ${JSON.stringify(v)} has a wildcard or invalid namespace: every namespace would be trusted`];
    if (/[*?]/.test(sa)) {
      if (op !== "StringLike") return [`sub ${JSON.stringify(v)} has a wildcard under ${op}, which matches it literally; use StringLike`];
      if (!config.allowServiceAccountPatterns) return [`sub ${JSON.stringify(v)} binds every matching ServiceAccount of ${ns}, and allowServiceAccountPatterns is off`];
      return [];
    }
    return NAME.test(sa) ? [] : [`sub ${JSON.stringify(v)} names an invalid ServiceAccount`];
  });
}

/** GitHub Actions: the subject must pin an organisation and repository (`repo:org/...`). */
function githubProblems(values: string[]): string[] {
  return values.filter((v) => !/^repo:[A-Za-z0-9_.-]+\/.+/.test(v)).map((v) => `GitHub sub ${JSON.stringify(v)} does not pin repo:<org>/<repo>`);
}

export const oidcTrustWithoutExactSubject: ResourceRule<Config> = {
  kind: "resource",
  name: "oidc-trust-without-exact-subject",
  description: "A role trusted through an OIDC provider must pin the token's sub: system:serviceaccount:<namespace>:<serviceaccount> for EKS (IRSA), repo:<org>/<repo> for GitHub Actions.",
  enforcementLevel: "mandatory",
  defaults: { allowServiceAccountPatterns: true, irsaIssuers: [] },
  configSchema: {
    properties: {
      allowServiceAccountPatterns: { type: "boolean", default: true },
      irsaIssuers: { type: "array", items: { type: "string" }, default: [] },
    },
  },
  check({ type, props }, config) {
    return eachAllowTrustStatement(type, props, (s, i) => {
      const kind = classify(s, config.irsaIssuers);
      if (kind === "not-oidc") return [];
      const where = `trust statement ${i} (${federatedOf(s).join(", ")})`;
      const subs = claimConditions(s, "sub");
      if (subs.length === 0) return [`${where}: no sub condition, so every identity of the issuer may assume the role`];
      const badOperator = subs.filter((c) => c.op !== "StringEquals" && c.op !== "StringLike").map((c) => `sub uses ${c.op}; use StringEquals (or StringLike for a pattern)`);
      const problems = badOperator.length > 0
        ? badOperator
        : kind === "irsa"
          ? subs.flatMap((c) => irsaProblems(c.values, c.op, config))
          : kind === "github"
            ? subs.filter((c) => c.key.startsWith(GITHUB_HOST)).flatMap((c) => githubProblems(c.values))
            : subs.flatMap((c) => c.values.filter((v) => /^[*?]+$/.test(v)).map((v) => `sub ${JSON.stringify(v)} matches every subject`));
      return problems.map((p) => `${where}: ${p}`);
    });
  },
};

export const policy = toPolicy(oidcTrustWithoutExactSubject);
