import { eachPermissionStatement, isAllow, actionsOf } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

export const permissionsWildcardAction: ResourceRule = {
  kind: "resource",
  name: "permissions-wildcard-action",
  description: 'No Allow of Action "*" or "<service>:*", and no Allow with NotAction: grants must list the actions they need.',
  enforcementLevel: "mandatory",
  defaults: {},
  check({ type, props }) {
    return eachPermissionStatement(type, props, (s, where) => {
      if (!isAllow(s)) return [];
      if (s.NotAction !== undefined) return [`${where}: Allow with NotAction grants every action but the listed ones`];
      return actionsOf(s)
        .filter((a) => a === "*" || /^[a-z0-9-]+:\*$/i.test(a))
        .map((a) => `${where}: Action ${JSON.stringify(a)} grants ${a === "*" ? "every action of every service" : `every action of ${a.split(":")[0]}`}`);
    });
  },
};

export const policy = toPolicy(permissionsWildcardAction);
