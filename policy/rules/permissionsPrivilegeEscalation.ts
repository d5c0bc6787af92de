import { ESCALATION_ACTIONS } from "../../core/statements";
import { globMatch } from "../../core/trustEval";
import { eachPermissionStatement, isAllow, actionsOf } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

/** The actions are the ones custom statements refuse (core/statements.ts): one list for both. */
export const permissionsPrivilegeEscalation: ResourceRule = {
  kind: "resource",
  name: "permissions-privilege-escalation",
  description: "No Allow of actions known to escalate privileges (iam:CreatePolicyVersion, iam:AttachRolePolicy, iam:PutRolePolicy, iam:UpdateAssumeRolePolicy, ...), whatever the resource.",
  enforcementLevel: "mandatory",
  defaults: {},
  check({ type, props }) {
    return eachPermissionStatement(type, props, (s, where) => {
      if (!isAllow(s)) return [];
      const hits = ESCALATION_ACTIONS.filter((e) => actionsOf(s).some((a) => globMatch(a, e, true)));
      return hits.length > 0 ? [`${where}: allows privilege escalation through ${hits.join(", ")}`] : [];
    });
  },
};

export const policy = toPolicy(permissionsPrivilegeEscalation);
