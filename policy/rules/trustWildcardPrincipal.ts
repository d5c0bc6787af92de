import { asList } from "../../core/document";
import { eachAllowTrustStatement } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

export const trustWildcardPrincipal: ResourceRule = {
  kind: "resource",
  name: "trust-wildcard-principal",
  description: 'No trust statement may allow Principal "*" or AWS "*": anyone in any account could assume the role.',
  enforcementLevel: "mandatory",
  defaults: {},
  check({ type, props }) {
    return eachAllowTrustStatement(type, props, (s, i) => {
      const p = s.Principal;
      if (p === "*") return [`trust statement ${i}: Principal "*" lets anyone assume the role`];
      if (!p) return [];
      return (["AWS", "Federated", "Service"] as const).flatMap((k) => (asList(p[k]).includes("*") ? [`trust statement ${i}: Principal ${k} "*" lets anyone assume the role`] : []));
    });
  },
};

export const policy = toPolicy(trustWildcardPrincipal);
