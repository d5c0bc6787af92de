import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument } from "../core/document";

/** What is fixed before apply: names, tags and how many managed policies (from the placeholder layout). */
export interface RoleLayout {
  roleName: string;
  tags: Record<string, string>;
  permissionPolicies: { name: string }[];
}

/** The documents, known once account and issuer are. */
export interface RoleDocuments {
  trustPolicy: PolicyDocument;
  permissionPolicies: { document: PolicyDocument }[];
}

export interface RoleArgs {
  layout: RoleLayout;
  documents: pulumi.Output<RoleDocuments>;
  path: string;
  description: string;
  maxSessionDurationSeconds: number;
  permissionsBoundaryArn?: string;
  /** Names the policies in their descriptions. */
  subject: string;
}

export interface RegisteredRole {
  role: aws.iam.Role;
  trustPolicyJson: pulumi.Output<string>;
  policyJson: pulumi.Output<string>[];
}

/** One IAM role with its managed policies and their attachments, children of `parent`. */
export function registerRole(name: string, args: RoleArgs, opts: pulumi.CustomResourceOptions): RegisteredRole {
  const { layout } = args;
  const trustPolicyJson = args.documents.apply((d) => JSON.stringify(d.trustPolicy));
  const role = new aws.iam.Role(
    name,
    {
      name: layout.roleName,
      path: args.path,
      description: args.description,
      assumeRolePolicy: trustPolicyJson,
      maxSessionDuration: args.maxSessionDurationSeconds,
      permissionsBoundary: args.permissionsBoundaryArn,
      tags: layout.tags,
    },
    opts,
  );
  const policyJson = layout.permissionPolicies.map((laid, i) => {
    const json = args.documents.apply((d) => JSON.stringify(d.permissionPolicies[i].document));
    const suffix = i === 0 ? "access" : `access-${i + 1}`;
    const policy = new aws.iam.Policy(
      `${name}-${suffix}`,
      {
        name: laid.name,
        path: args.path,
        description: `Access of ${args.subject} (${i + 1}/${layout.permissionPolicies.length})`,
        policy: json,
        tags: layout.tags,
      },
      opts,
    );
    new aws.iam.RolePolicyAttachment(`${name}-${suffix}`, { role: role.name, policyArn: policy.arn }, opts);
    return json;
  });
  return { role, trustPolicyJson, policyJson };
}
