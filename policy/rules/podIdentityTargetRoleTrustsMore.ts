import { asList } from "../../core/document";
import { ASSOCIATION_TYPE } from "../../core/podIdentity";
import { globMatch } from "../../core/trustEval";
import { conditionsOn } from "../lib/podIdentity";
import { isAllow, readString, trustOf } from "../lib/documents";
import { toPolicy, type CheckedResource, type StackRule, type Violation } from "../lib/rule";

const read = (r: CheckedResource, key: string): unknown => {
  try {
    return r.props[key];
  } catch {
    return undefined;
  }
};

/**
 * A role that Pod Identity associations name as `targetRoleArn` is reached by role chaining as the associations' own
 * role, with each association's external id. Its trust may admit exactly those source roles (pinned by
 * `aws:PrincipalArn`) and, for `sts:AssumeRole`, only with `sts:ExternalId` among their associations' ids: anything
 * more lets other principals (or another association of the same role) into the target account.
 */
export const podIdentityTargetRoleTrustsMore: StackRule = {
  kind: "stack",
  name: "pod-identity-target-role-trusts-more-than-its-source",
  description:
    "A role named as an association's targetRoleArn must trust only the associations' own roles (aws:PrincipalArn), and allow sts:AssumeRole only with sts:ExternalId equal to their external ids.",
  enforcementLevel: "mandatory",
  defaults: {},
  check(resources) {
    const out: Violation[] = [];
    const associations = resources.filter((r) => r.type === ASSOCIATION_TYPE);
    const roles = resources.filter((r) => r.type === "aws:iam/role:Role");
    for (const target of roles) {
      const arn = readString(target.props, "arn");
      if (!arn) continue;
      const naming = associations.filter((a) => readString(a.props, "targetRoleArn") === arn);
      if (naming.length === 0) continue;
      const sources = naming.map((a) => readString(a.props, "roleArn"));
      const ids = naming.map((a) => read(a, "externalId"));
      // Unknown at preview (the association does not exist yet): CrossGuard checks again at apply.
      if (sources.some((s) => s === undefined) || ids.some((id) => typeof id !== "string")) continue;
      const trust = trustOf(target.type, target.props);
      if (trust.kind !== "document") continue;
      const name = readString(target.props, "name") ?? target.name;
      trust.document.Statement.forEach((s, i) => {
        if (!isAllow(s)) return;
        const where = `role ${name} (target of ${naming.length} association${naming.length > 1 ? "s" : ""}), trust statement ${i}`;
        const principals = s.Principal === "*" ? ["*"] : [...asList(s.Principal?.AWS), ...asList(s.Principal?.Federated), ...asList(s.Principal?.Service)];
        const others = principals.filter((p) => !sources.includes(p));
        if (others.length > 0) out.push({ resource: target, message: `${where}: trusts ${others.join(", ")}, beyond the associations' own role${sources.length > 1 ? "s" : ""} ${[...new Set(sources)].join(", ")}` });
        const pinned = conditionsOn(s, "aws:PrincipalArn").some((c) => /^(ArnEquals|StringEquals)$/.test(c.op));
        if (!pinned) out.push({ resource: target, message: `${where}: no aws:PrincipalArn condition pinning the source role` });
        const assumes = s.Action !== undefined ? asList(s.Action).some((a) => globMatch(a, "sts:AssumeRole", true)) : true;
        if (!assumes) return;
        const external = conditionsOn(s, "sts:ExternalId").filter((c) => c.op === "StringEquals").flatMap((c) => c.values);
        if (external.length === 0) out.push({ resource: target, message: `${where}: allows sts:AssumeRole without an sts:ExternalId condition: any session of the source role may chain in, not only its associations` });
        const foreign = external.filter((id) => !ids.includes(id));
        if (foreign.length > 0) out.push({ resource: target, message: `${where}: sts:ExternalId ${foreign.join(", ")} is no association's external id` });
      });
    }
    return out;
  },
};

export const policy = toPolicy(podIdentityTargetRoleTrustsMore);
