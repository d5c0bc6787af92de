import { asList } from "../../core/document";
import { globMatch } from "../../core/trustEval";
import { isPodIdentityStatement } from "../lib/podIdentity";
import { eachAllowTrustStatement } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

/** EKS asks for the role with `sts:AssumeRole` and `sts:TagSession`: a trust without TagSession fails every pod's credentials. */
export const podIdentityTrustWithoutTagSession: ResourceRule = {
  kind: "resource",
  name: "pod-identity-trust-without-tag-session",
  description: "A pods.eks.amazonaws.com trust statement must allow both sts:AssumeRole and sts:TagSession: EKS Pod Identity calls both, and pods get no credentials otherwise.",
  enforcementLevel: "mandatory",
  defaults: {},
  check({ type, props }) {
    return eachAllowTrustStatement(type, props, (s, i) => {
      if (!isPodIdentityStatement(s)) return [];
      const allows = (action: string) => (s.Action !== undefined ? asList(s.Action).some((a) => globMatch(a, action, true)) : !asList(s.NotAction).some((a) => globMatch(a, action, true)));
      return ["sts:AssumeRole", "sts:TagSession"].filter((a) => !allows(a)).map((a) => `trust statement ${i} (pods.eks.amazonaws.com): does not allow ${a}, which EKS Pod Identity calls: pods of its associations get no credentials`);
    });
  },
};

export const policy = toPolicy(podIdentityTrustWithoutTagSession);
