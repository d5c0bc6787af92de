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
      // Broad: the pattern admits a role of any name (role/*, :*, role*), whatever the account.
      const broad = resourcesOf(s).filter((r) => r === "*" || (r.split(":")[2] === "iam" && globMatch(r.split(":").slice(5).join(":"), "role/any-role-name-3f9c")));
      return broad.length > 0 || s.NotResource !== undefined ? [`${where}: iam:PassRole on ${broad.join(", ") || "NotResource"}; name the roles that may be passed`] : [];
    });
  },
};

export const policy = toPolicy(permissionsPassRoleOnAnyResource);
