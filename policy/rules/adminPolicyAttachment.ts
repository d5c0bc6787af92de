import { asList } from "../../core/document";
import { readString } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

export const FORBIDDEN_MANAGED_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];
const ATTACHMENTS = [
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
];

function forbidden(arn: string): string | undefined {
  const m = /^arn:[\w-]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  return m && FORBIDDEN_MANAGED_POLICIES.includes(m[1]) ? m[1] : undefined;
}

export const adminPolicyAttachment: ResourceRule = {
  kind: "resource",
  name: "admin-policy-attachment",
  description: "No AdministratorAccess, PowerUserAccess or IAMFullAccess attached to a role (or user or group).",
  enforcementLevel: "mandatory",
  defaults: {},
  check({ type, props }) {
    const arns = ATTACHMENTS.includes(type)
      ? [readString(props, "policyArn")].filter((a): a is string => a !== undefined)
      : type === "aws:iam/role:Role" || type === "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
        ? asList((props.managedPolicyArns ?? props.policyArns) as string[] | undefined).filter((a) => typeof a === "string")
        : [];
    return arns.flatMap((a) => {
      const name = forbidden(a);
      return name ? [`attaches ${name} (${a}): a workload identity never needs it`] : [];
    });
  },
};

export const policy = toPolicy(adminPolicyAttachment);
