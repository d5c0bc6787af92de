import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AwsEnvironment } from "../core/environment";
import type { EnvironmentSpec } from "../core/model";
import { registerRole } from "./role";
import { planWorkloadIdentity, type ClusterIdentity, type WorkloadIdentityPlan } from "../core/plan";

export interface WorkloadIdentityArgs {
  /** The validated environment; the workload is `spec.workloads[index]`, or the ESO controller. */
  spec: EnvironmentSpec;
  index: number | "eso-controller";
  /** The same plan laid out with placeholders at validation time: fixes names and the number of policies. */
  layout: WorkloadIdentityPlan;
  /** Account, partition and region, known only from AWS. */
  environment: pulumi.Input<AwsEnvironment>;
  /** The cluster's issuer and IAM OIDC provider. */
  cluster: pulumi.Input<ClusterIdentity>;
  /** Where to create the ServiceAccount; required when the workload creates one. */
  kubernetesProvider?: k8s.Provider;
  /** Resources the ServiceAccount waits for (its namespace). */
  serviceAccountDependsOn?: pulumi.Resource[];
}

/**
 * One workload's AWS identity: an IAM role only its ServiceAccount can assume, managed policies with
 * exactly the access it declares, and (unless it binds a pattern) the annotated ServiceAccount itself.
 * Every document comes from the pure core (`planWorkloadIdentity`); this class only registers them.
 */
export class WorkloadIdentity extends pulumi.ComponentResource {
  /** ARN of the workload's role: what the ServiceAccount's `eks.amazonaws.com/role-arn` names. */
  public readonly roleArn: pulumi.Output<string>;
  /** Physical name of the role, `<cluster>-<workload>` (hashed to fit 64 characters). */
  public readonly roleName: pulumi.Output<string>;
  /** Name of the ServiceAccount, or the pattern bound for a namespace-wide workload. */
  public readonly serviceAccountName: string;
  public readonly serviceAccountNamespace: string;
  /** The trust policy as registered (JSON). */
  public readonly trustPolicyJson: pulumi.Output<string>;
  /** The permission policies as registered (JSON each), in attachment order. */
  public readonly policyJson: pulumi.Output<string>[];
  private readonly plan: pulumi.Output<WorkloadIdentityPlan>;
  private annotationsOutput?: pulumi.Output<Record<string, string>>;

  /** What the ServiceAccount carries (role ARN, regional STS, token expiration), whoever creates it. Built on first use. */
  get annotations(): pulumi.Output<Record<string, string>> {
    this.annotationsOutput ??= pulumi.all([this.plan, this.roleArn]).apply(([p, arn]): Record<string, string> => ({ ...p.annotations, "eks.amazonaws.com/role-arn": arn }));
    return this.annotationsOutput;
  }

  constructor(name: string, args: WorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eks-irsa:workload:WorkloadIdentity", name, {}, opts);
    const { spec, layout } = args;
    const workload = args.index === "eso-controller" ? spec.externalSecrets?.controller : spec.workloads[args.index];
    if (!workload) throw new Error(`WorkloadIdentity ${name}: no such identity in the environment`);
    const plan = pulumi
      .all([args.environment, args.cluster])
      .apply(([env, cluster]) => planWorkloadIdentity(spec, args.index, env, cluster));
    const controller = args.index === "eso-controller";
    const { role, trustPolicyJson, policyJson } = registerRole(
      name,
      {
        layout,
        documents: plan,
        path: spec.roleDefaults.path,
        description: controller
          ? `IRSA role of the External Secrets Operator (${workload.namespace}/${workload.serviceAccount}) on EKS cluster ${spec.cluster.name}`
          : `IRSA role of ${workload.namespace}/${workload.serviceAccount} on EKS cluster ${spec.cluster.name}`,
        maxSessionDurationSeconds: workload.maxSessionDurationSeconds,
        permissionsBoundaryArn: spec.roleDefaults.permissionsBoundaryArn,
        subject: controller ? "the ESO controller" : `workload ${workload.name}`,
      },
      { parent: this },
    );
    this.trustPolicyJson = trustPolicyJson;
    this.policyJson = policyJson;
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.plan = plan;
    this.serviceAccountName = workload.serviceAccount;
    this.serviceAccountNamespace = workload.namespace;
    if (layout.serviceAccount) {
      if (!args.kubernetesProvider) throw new Error(`workload ${workload.name} creates a ServiceAccount but no Kubernetes provider was given`);
      new k8s.core.v1.ServiceAccount(
        name,
        {
          metadata: {
            name: layout.serviceAccount.name,
            namespace: layout.serviceAccount.namespace,
            labels: { "app.kubernetes.io/managed-by": "eks-irsa", "eks-irsa/workload": workload.name },
            annotations: this.annotations,
          },
        },
        { parent: this, provider: args.kubernetesProvider, dependsOn: args.serviceAccountDependsOn },
      );
    }
    this.registerOutputs({
      roleArn: this.roleArn,
      roleName: this.roleName,
      serviceAccountName: this.serviceAccountName,
      serviceAccountNamespace: this.serviceAccountNamespace,
      trustPolicyJson: this.trustPolicyJson,
      policyJson: this.policyJson,
    });
  }
}
