import { claimConditions, federatedOf, providerHost } from "../lib/oidc";
import { eachAllowTrustStatement } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

/**
 * A condition on another issuer's keys never matches this provider's tokens, so the statement is either
 * dead or (with IfExists, or with no other condition left) wide open. The classic bug builds the key from the
 * provider ARN instead of the issuer host.
 */
export const oidcTrustConditionForAnotherIssuer: ResourceRule = {
  kind: "resource",
  name: "oidc-trust-condition-for-another-issuer",
  description: "The sub/aud condition keys of an IRSA trust statement must be those of the principal's own provider (issuer host and path, not the provider ARN).",
  enforcementLevel: "mandatory",
  defaults: {},
  check({ type, props }) {
    return eachAllowTrustStatement(type, props, (s, i) => {
      const hosts = federatedOf(s).map(providerHost).filter((h): h is string => h !== undefined);
      if (hosts.length === 0 || !hosts.some((h) => h.startsWith("oidc.eks."))) return [];
      return [...claimConditions(s, "sub"), ...claimConditions(s, "aud")]
        .filter((c) => !hosts.some((h) => [`${h}:sub`, `${h}:aud`].map((k) => k.toLowerCase()).includes(c.key.toLowerCase())))
        .map((c) => `trust statement ${i}: condition key ${c.key} is not for the principal's issuer ${hosts.join(", ")}`);
    });
  },
};

export const policy = toPolicy(oidcTrustConditionForAnotherIssuer);
