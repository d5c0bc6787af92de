import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AwsEnvironment } from "../core/environment";
import type { EnvironmentSpec } from "../core/model";
import { CLUSTER_TAG, planTargetRole, type ClusterIdentity, type TargetRolePlan } from "../core/plan";
import { ClusterOidcProvider } from "./oidcProvider";
import { registerRole } from "./role";

export interface TargetAccountArgs {
  spec: EnvironmentSpec;
  /** `spec.crossAccount[index]`. */
  index: number;
  /** Its roles laid out at validation time (names, tags, policy count). */
  layout: TargetRolePlan[];
  /** The source account's environment and cluster. */
  environment: pulumi.Input<AwsEnvironment>;
  cluster: pulumi.Input<ClusterIdentity>;
  /** The source workloads' identities: a chained trust names their roles, which must exist first (IAM checks principals). */
  sources: pulumi.Resource[];
  /** Mode oidc: where the dedicated ServiceAccounts go, and the namespaces this stack creates. */
  kubernetesProvider?: k8s.Provider;
  namespaces: Map<string, pulumi.Resource>;
}

/**
 * Everything eks-irsa puts into one other AWS account, deployed through that account's own provider (a deploy
 * role assumed from the stack's credentials): in mode oidc the account's IAM OIDC provider for the cluster's
 * issuer; then one role per configured target role, trusting exactly its source workloads.
 */
export class TargetAccount extends pulumi.ComponentResource {
  public readonly provider: aws.Provider;
  /** Role ARNs by role name (`crossAccount[].roles[].name`). */
  public readonly roleArns: Record<string, pulumi.Output<string>> = {};
  /** oidc mode: the target account's provider ARN. */
  public readonly oidcProviderArn?: pulumi.Output<string>;

  constructor(name: string, args: TargetAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eks-irsa:crossaccount:TargetAccount", name, {}, opts);
    const { spec, index } = args;
    const target = spec.crossAccount[index];
    const stackAws = new pulumi.Config("aws");
    this.provider = new aws.Provider(
      name,
      {
        region: spec.region as aws.Region,
        // The stack's own credentials settings: the deploy role is assumed from the same credentials as the rest.
        profile: stackAws.get("profile"),
        sharedConfigFiles: stackAws.getObject<string[]>("sharedConfigFiles"),
        sharedCredentialsFiles: stackAws.getObject<string[]>("sharedCredentialsFiles"),
        assumeRoles: [{ roleArn: target.deployRoleArn, sessionName: `eks-irsa-${pulumi.getStack()}`, externalId: target.externalId }],
        // A deploy role that lands in another account stops the deployment instead of writing there.
        allowedAccountIds: [target.accountId],
      },
      { parent: this },
    );
    const inAccount = { parent: this, provider: this.provider };
    const tags = { ...spec.roleDefaults.tags, [CLUSTER_TAG]: spec.cluster.name };
    let dependsOn: pulumi.Resource[] = target.mode === "chained" ? args.sources : [];
    if (target.mode === "oidc") {
      const oidc = new ClusterOidcProvider(
        `${name}-oidc`,
        {
          issuerUrl: pulumi.output(args.cluster).issuerUrl,
          adoptArn: target.oidcProviderArn,
          protect: spec.cluster.protectOidcProvider,
          tags,
        },
        { parent: this, providers: [this.provider] },
      );
      this.oidcProviderArn = oidc.arn;
      dependsOn = [oidc];
    }
    target.roles.forEach((role, r) => {
      const documents = pulumi
        .all([args.environment, args.cluster])
        .apply(([env, cluster]) => planTargetRole(spec, index, r, env, cluster));
      const { role: registered } = registerRole(
        // "/" keeps `a-b` + `c` and `a` + `b-c` apart.
        `${name}/${role.name}`,
        {
          layout: args.layout[r],
          documents,
          path: spec.roleDefaults.path,
          description: `Cross-account role (${target.mode}) for ${role.workloads.join(", ")} of EKS cluster ${spec.cluster.name}`,
          maxSessionDurationSeconds: role.maxSessionDurationSeconds,
          permissionsBoundaryArn: target.permissionsBoundaryArn,
          subject: `cross-account role ${target.name}/${role.name}`,
        },
        { ...inAccount, dependsOn },
      );
      this.roleArns[role.name] = registered.arn;
      // Mode oidc: the ServiceAccounts that carry the target role, for the pods that need the target account.
      for (const sa of args.layout[r].serviceAccounts) {
        if (!args.kubernetesProvider) throw new Error(`target ${target.name}: ServiceAccounts to create but no Kubernetes provider`);
        new k8s.core.v1.ServiceAccount(
          `${name}/${role.name}/${sa.namespace}/${sa.name}`,
          {
            metadata: {
              name: sa.name,
              namespace: sa.namespace,
              labels: { "app.kubernetes.io/managed-by": "eks-irsa", "eks-irsa/target": `${target.name}.${role.name}` },
              annotations: registered.arn.apply((arn) => ({ ...sa.annotations, "eks.amazonaws.com/role-arn": arn })),
            },
          },
          { parent: this, provider: args.kubernetesProvider, dependsOn: args.namespaces.has(sa.namespace) ? [args.namespaces.get(sa.namespace)!] : [] },
        );
      }
    });
    this.registerOutputs({ roleArns: this.roleArns, oidcProviderArn: this.oidcProviderArn });
  }
}
