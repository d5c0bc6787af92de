/**
 * The same resources as the program registers, registered directly (aws.iam.Role, its inline policy, managed policies
 * and attachments beyond it, ServiceAccount) with precomputed documents: the baseline for the components' overhead.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import type { IdentityPlan } from "../core/identity";

/** A workload's planned identity and the ServiceAccount it creates, if any. */
export interface RawWorkload {
  name: string;
  plan: IdentityPlan;
  serviceAccount?: { name: string; namespace: string };
}

export function rawProgram(workloads: RawWorkload[], kubeconfig: string): () => void {
  return () => {
    const provider = new k8s.Provider("raw-k8s", { kubeconfig });
    for (const { name, plan: p, serviceAccount } of workloads) {
      const role = new aws.iam.Role(name, { name: p.roleName, assumeRolePolicy: JSON.stringify(p.trustPolicy), tags: p.tags });
      p.permissionPolicies.forEach((doc, i) => {
        if (doc.inline) return void new aws.iam.RolePolicy(`${name}-${i}`, { name: doc.name, role: role.name, policy: JSON.stringify(doc.document) });
        const policy = new aws.iam.Policy(`${name}-${i}`, { name: doc.name, policy: JSON.stringify(doc.document), tags: p.tags });
        new aws.iam.RolePolicyAttachment(`${name}-${i}`, { role: role.name, policyArn: policy.arn });
      });
      if (serviceAccount) {
        new k8s.core.v1.ServiceAccount(name, { metadata: { ...serviceAccount, annotations: { ...p.annotations, "eks.amazonaws.com/role-arn": role.arn } } }, { provider });
      }
    }
  };
}
