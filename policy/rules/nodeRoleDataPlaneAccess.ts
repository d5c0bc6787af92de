import { asList } from "../../core/document";
import { expandAction } from "../lib/actions";
import { isAllow, permissionDocuments, readDocument, readString, trustOf } from "../lib/documents";
import { toPolicy, type CheckedResource, type StackRule, type Violation } from "../lib/rule";

interface Config {
  /** AWS managed policies a node role may hold. */
  allowedManagedPolicies: string[];
  /** Services whose access is workload data, not node plumbing. */
  dataServices: string[];
}

const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

function isNodeRole(r: CheckedResource): boolean {
  const trust = trustOf(r.type, r.props);
  return trust.kind === "document" && trust.document.Statement.some((s) => isAllow(s) && s.Principal !== "*" && asList(s.Principal?.Service).includes("ec2.amazonaws.com"));
}

async function dataActions(doc: { Statement: { Effect: string; Action?: string | string[]; NotAction?: string | string[] }[] }, services: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const s of doc.Statement) {
    if (s.Effect === "Deny") continue;
    if (s.NotAction !== undefined) {
      found.push(`everything but ${asList(s.NotAction).join(", ")} (NotAction)`);
      continue;
    }
    for (const a of asList(s.Action)) {
      const expanded = a === "*" ? services.map((x) => `${x}:*`) : (await expandAction(a)).length > 0 ? [a] : [];
      if (expanded.some((x) => services.includes(x.split(":")[0].toLowerCase()))) found.push(a);
    }
  }
  return found;
}

/**
 * The problem IRSA exists to solve: data access on the node role is shared by every pod on the node.
 * A role EC2 may assume may hold the worker, CNI, ECR-read and SSM policies, and no S3, DynamoDB or
 * Secrets Manager access of any kind.
 */
export const nodeRoleDataPlaneAccess: StackRule<Config> = {
  kind: "stack",
  name: "node-role-data-plane-access",
  description: "An EKS node role (trusted by ec2.amazonaws.com) must not hold S3, DynamoDB or Secrets Manager access: beyond the standard worker, CNI and ECR-read policies, grants go to workload roles.",
  enforcementLevel: "mandatory",
  defaults: {
    allowedManagedPolicies: [
      "AmazonEKSWorkerNodePolicy",
      "AmazonEKSWorkerNodeMinimalPolicy",
      "AmazonEKS_CNI_Policy",
      "AmazonEC2ContainerRegistryReadOnly",
      "AmazonEC2ContainerRegistryPullOnly",
      "AmazonSSMManagedInstanceCore",
    ],
    dataServices: ["s3", "dynamodb", "secretsmanager"],
  },
  configSchema: { properties: { allowedManagedPolicies: { type: "array", items: { type: "string" } }, dataServices: { type: "array", items: { type: "string" } } } },
  async check(resources, config) {
    const out: Violation[] = [];
    const policies = new Map(resources.filter((r) => r.type === "aws:iam/policy:Policy").map((r) => [readString(r.props, "arn"), r]));
    for (const role of resources.filter((r) => r.type === "aws:iam/role:Role" && isNodeRole(r))) {
      const name = readString(role.props, "name");
      const arn = readString(role.props, "arn");
      const attached = [
        ...asList(role.props.managedPolicyArns as string[] | undefined),
        ...resources
          .filter((a) => a.type === ATTACHMENT && [name, arn].includes(readString(a.props, "role")))
          .map((a) => readString(a.props, "policyArn"))
          .filter((a): a is string => a !== undefined),
      ];
      for (const policyArn of attached) {
        const awsManaged = /^arn:[\w-]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(policyArn);
        if (awsManaged) {
          if (!config.allowedManagedPolicies.includes(awsManaged[1])) out.push({ resource: role, message: `node role ${name} holds ${awsManaged[1]}; node roles may hold only ${config.allowedManagedPolicies.join(", ")}` });
          continue;
        }
        const defined = policies.get(policyArn);
        const read = defined ? readDocument(defined.props, "policy") : undefined;
        if (read?.kind === "document") {
          const found = await dataActions(read.document, config.dataServices);
          if (found.length) out.push({ resource: role, message: `node role ${name} is granted ${found.join(", ")} through ${policyArn}: every pod on the node would hold it; give it to a workload role` });
        }
      }
      const inline = [
        ...permissionDocuments(role.type, role.props),
        ...resources.filter((p) => p.type === "aws:iam/rolePolicy:RolePolicy" && [name, arn].includes(readString(p.props, "role"))).flatMap((p) => permissionDocuments(p.type, p.props)),
      ];
      for (const { read } of inline) {
        if (read.kind !== "document") continue;
        const found = await dataActions(read.document, config.dataServices);
        if (found.length) out.push({ resource: role, message: `node role ${name} has an inline grant of ${found.join(", ")}: every pod on the node would hold it` });
      }
    }
    return out;
  },
};

export const policy = toPolicy(nodeRoleDataPlaneAccess);
