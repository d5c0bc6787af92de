import { globMatch } from "../../core/trustEval";
import { eachPermissionStatement, isAllow, actionsOf } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

/** Actions that let a principal grant itself more (Rhino Security Labs' IAM escalation paths, and checkov's). */
export const ESCALATION_ACTIONS = [
  "iam:AddUserToGroup",
  "iam:AttachGroupPolicy",
  "iam:AttachRolePolicy",
  "iam:AttachUserPolicy",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:CreatePolicyVersion",
  "iam:DeleteRolePermissionsBoundary",
  "iam:DeleteUserPermissionsBoundary",
  "iam:PutGroupPolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:PutRolePolicy",
  "iam:PutUserPermissionsBoundary",
  "iam:PutUserPolicy",
  "iam:SetDefaultPolicyVersion",
  "iam:UpdateAssumeRolePolicy",
  "iam:UpdateLoginProfile",
  "lambda:UpdateFunctionCode",
  "glue:UpdateDevEndpoint",
  "cloudformation:UpdateStack",
];

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
