import { globMatch } from "../../core/trustEval";
import { eachPermissionStatement, isAllow, actionsOf, resourcesOf } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

export const permissionsPassRoleOnAnyResource: ResourceRule = {
  kind: "resource",
  name: "permissions-passrole-on-any-resource",
  description: 'No iam:PassRole on Resource "*" (or a role wildcard across the account): passing any role is assuming any role.',
  enforcementLevel: "mandatory",
  defaults: {},
  check({ type, props }) {
    return eachPermissionStatement(type, props, (s, where) => {
      if (!isAllow(s) || !actionsOf(s).some((a) => a !== "*" && globMatch(a, "iam:PassRole", true))) return [];
      const broad = resourcesOf(s).filter((r) => r === "*" || /:role\/\*$/.test(r));
      return broad.length > 0 || s.NotResource !== undefined ? [`${where}: iam:PassRole on ${broad.join(", ") || "NotResource"}; name the roles that may be passed`] : [];
    });
  },
};

export const policy = toPolicy(permissionsPassRoleOnAnyResource);
