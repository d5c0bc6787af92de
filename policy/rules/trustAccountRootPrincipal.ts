import { asList } from "../../core/document";
import { eachAllowTrustStatement } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

const ROOT = /^(\d{12}|arn:[\w-]+:iam::\d{12}:root)$/;
const ROLE = /^arn:[\w-]+:iam::\d{12}:role\//;

/**
 * Trusting an account (`:root` or a bare id) delegates the decision to every IAM admin of that account.
 * An `AWS` principal must be a role ARN, pinned again with a condition such as `aws:PrincipalArn`.
 */
export const trustAccountRootPrincipal: ResourceRule = {
  kind: "resource",
  name: "trust-account-root-principal",
  description: "AWS principals in a trust policy must be role ARNs with a condition (e.g. aws:PrincipalArn), never a whole account (:root or an account id).",
  enforcementLevel: "mandatory",
  defaults: {},
  check({ type, props }) {
    return eachAllowTrustStatement(type, props, (s, i) => {
      const p = s.Principal;
      if (!p || p === "*") return [];
      return asList(p.AWS).flatMap((arn) => {
        if (arn === "*") return [];
        if (ROOT.test(arn)) return [`trust statement ${i}: AWS principal ${arn} trusts a whole account; name the role ARN`];
        if (!ROLE.test(arn)) return [`trust statement ${i}: AWS principal ${arn} is not a role ARN`];
        return s.Condition ? [] : [`trust statement ${i}: role principal ${arn} has no condition; pin it with aws:PrincipalArn`];
      });
    });
  },
};

export const policy = toPolicy(trustAccountRootPrincipal);
