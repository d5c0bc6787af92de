import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import type { IdentityPlan } from "../core/identity";

export interface RoleArgs {
  /** The plan made with placeholders: fixes the role's and policies' names and how many policies there are. */
  layout: IdentityPlan;
  /** The plan with the real account, partition, region and issuer. */
  plan: pulumi.Output<IdentityPlan>;
  path: string;
  description: string;
  maxSessionDurationSeconds: number;
  permissionsBoundaryArn?: string;
  /** Names the policies in their descriptions. */
  subject: string;
}

export interface RegisteredRole {
  role: iam.Role;
  trustPolicy: pulumi.Output<string>;
  permissionPolicies: pulumi.Output<string>[];
}

/**
 * One IAM role with its inline policy and, for what does not fit the role's inline budget, managed policies and
 * their attachments, all with the options given (parent, provider).
 */
export function registerRole(name: string, args: RoleArgs, opts: pulumi.CustomResourceOptions): RegisteredRole {
  const { layout } = args;
  const trustPolicy = args.plan.apply((p) => JSON.stringify(p.trustPolicy));
  const role = new iam.Role(
    name,
    {
      name: layout.roleName,
      path: args.path,
      description: args.description,
      assumeRolePolicy: trustPolicy,
      maxSessionDuration: args.maxSessionDurationSeconds,
      permissionsBoundary: args.permissionsBoundaryArn,
      tags: layout.tags,
    },
    opts,
  );
  const permissionPolicies = layout.permissionPolicies.map((laid, i) => {
    const json = args.plan.apply((p) => JSON.stringify(p.permissionPolicies[i].document));
    const suffix = i === 0 ? "access" : `access-${i + 1}`;
    if (laid.inline) {
      new iam.RolePolicy(`${name}-${suffix}`, { name: laid.name, role: role.name, policy: json }, opts);
      return json;
    }
    const policy = new iam.Policy(
      `${name}-${suffix}`,
      {
        name: laid.name,
        path: args.path,
        description: `Access of ${args.subject} (${i + 1}/${layout.permissionPolicies.length}, beyond the role's inline budget)`,
        policy: json,
        tags: layout.tags,
      },
      opts,
    );
    new iam.RolePolicyAttachment(`${name}-${suffix}`, { role: role.name, policyArn: policy.arn }, opts);
    return json;
  });
  return { role, trustPolicy, permissionPolicies };
}
