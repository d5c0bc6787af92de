/**
 * The same resources as the program registers, registered directly (aws.iam.Role, Policy, attachment,
 * ServiceAccount) with precomputed documents: the baseline for the components' overhead.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import type { WorkloadIdentityPlan } from "../core/plan";

export function rawProgram(plans: WorkloadIdentityPlan[], kubeconfig: string): () => void {
  return () => {
    const provider = new k8s.Provider("raw-k8s", { kubeconfig });
    for (const p of plans) {
      const role = new aws.iam.Role(p.workload, { name: p.roleName, assumeRolePolicy: JSON.stringify(p.trustPolicy), tags: p.tags });
      p.permissionPolicies.forEach((doc, i) => {
        const policy = new aws.iam.Policy(`${p.workload}-${i}`, { name: doc.name, policy: JSON.stringify(doc.document), tags: p.tags });
        new aws.iam.RolePolicyAttachment(`${p.workload}-${i}`, { role: role.name, policyArn: policy.arn });
      });
      if (p.serviceAccount) {
        new k8s.core.v1.ServiceAccount(p.workload, { metadata: { name: p.serviceAccount.name, namespace: p.serviceAccount.namespace, annotations: { ...p.serviceAccount.annotations, "eks.amazonaws.com/role-arn": role.arn } } }, { provider });
      }
    }
  };
}
