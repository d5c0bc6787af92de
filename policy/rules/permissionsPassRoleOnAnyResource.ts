import { globMatch } from "../../core/trustEval";
import { permissionStatements, isAllow, actionsOf, resourcesOf } from "../lib/documents";
import { typesReachedByAnyName } from "../lib/resourceScope";
import { toPolicy, type ResourceRule } from "../lib/rule";

export const permissionsPassRoleOnAnyResource: ResourceRule = {
  kind: "resource",
  name: "permissions-passrole-on-any-resource",
  description: 'No iam:PassRole on Resource "*" (or a role wildcard across the account): passing any role is assuming any role.',
  enforcementLevel: "mandatory",
  defaults: {},
  async check({ type, props }) {
    const statements = permissionStatements(type, props).filter(({ statement: s }) => isAllow(s) && actionsOf(s).some((a) => a !== "*" && globMatch(a, "iam:PassRole", true)));
    const out: string[] = [];
    for (const { statement: s, where } of statements) {
      // Broad: the pattern admits a role of any name (role/*, :*, role*), whatever the account.
      const broad: string[] = [];
      for (const r of resourcesOf(s)) {
        const reached = await typesReachedByAnyName(r);
        if (reached.includes("*") || reached.includes("iam:role")) broad.push(r);
      }
      if (broad.length > 0 || s.NotResource !== undefined) out.push(`${where}: iam:PassRole on ${broad.join(", ") || "NotResource"}; name the roles that may be passed`);
    }
    return out;
  },
};

export const policy = toPolicy(permissionsPassRoleOnAnyResource);
