import { claimConditions, federatedOf, SET_OR_IFEXISTS } from "../lib/oidc";
import { eachAllowTrustStatement } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

/** `...IfExists` is true when the key is absent; set operators change single-valued claim semantics. */
export const oidcTrustSetOperatorOrIfExists: ResourceRule = {
  kind: "resource",
  name: "oidc-trust-set-operator-or-ifexists",
  description: "No ForAnyValue:, ForAllValues: or ...IfExists operators on the sub/aud claims of an OIDC trust.",
  enforcementLevel: "mandatory",
  defaults: {},
  check({ type, props }) {
    return eachAllowTrustStatement(type, props, (s, i) =>
      federatedOf(s).length === 0
        ? []
        : [...claimConditions(s, "sub"), ...claimConditions(s, "aud")]
            .filter((c) => SET_OR_IFEXISTS(c.op))
            .map((c) => `trust statement ${i}: ${c.op} on ${c.key} (true when the claim is absent, or over a set); use StringEquals or StringLike`),
    );
  },
};

export const policy = toPolicy(oidcTrustSetOperatorOrIfExists);
