import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awsConfigFile, awsConfigMapName } from "../core/crossAccount";
import { placeholderEnvironment } from "../core/environment";
import { placeholderCluster, planIdentity, type IdentityPlan } from "../core/identity";
import { ArgsError, SizeLimitError, type Problem } from "../core/problems";
import { serviceAccountModeOf, verificationRecipe, type ServiceAccountMode, type VerificationRecipe } from "../core/serviceAccount";
import { statementAccountProblems } from "../core/statements";
import { isPattern } from "../core/trust";
import { namespaceOf, riskyGrants, serviceAccountOf, workloadDefinition, workloadDescription, workloadProblems, type WorkloadIdentityInput } from "../core/workload";
import { awsEnvironmentOf, checkedEnvironment } from "./awsEnvironment";
import { dependsOnOf, identityOverrides, kubernetesProviderOf, optionsHaveProvider, withOldType } from "./internal";
import type { OidcProviderRef } from "./oidcProvider";
import { registerRole } from "./role";

export interface WorkloadIdentityArgs extends WorkloadIdentityInput {
  /** The cluster's IAM OIDC provider: its ARN and issuer URL (a `ClusterOidcProvider` fits). */
  oidcProvider: OidcProviderRef;
}

const LABELS = { "app.kubernetes.io/managed-by": "eks-irsa" };

/** The plan laid out with placeholders, or every problem of the arguments (size limits included) as one error. */
export function layoutWorkload(name: string, args: WorkloadIdentityArgs): IdentityPlan {
  const subject = `WorkloadIdentity ${JSON.stringify(name)}`;
  const problems: Problem[] = workloadProblems(name, args, identityOverrides.get(args));
  const provider = args.oidcProvider as unknown;
  if (provider === undefined || provider === null || typeof provider !== "object") problems.push({ path: ["oidcProvider"], message: "is required ({ arn, issuerUrl } of the cluster's IAM OIDC provider)" });
  else {
    const p = provider as Record<string, unknown>;
    if (p.arn === undefined) problems.push({ path: ["oidcProvider", "arn"], message: "is required" });
    if (p.issuerUrl === undefined) problems.push({ path: ["oidcProvider", "issuerUrl"], message: "is required" });
  }
  if (problems.length > 0) throw new ArgsError(subject, problems);
  const env = placeholderEnvironment(args.region);
  const known = {
    issuerUrl: typeof args.oidcProvider.issuerUrl === "string" ? args.oidcProvider.issuerUrl : undefined,
    providerArn: typeof args.oidcProvider.arn === "string" ? args.oidcProvider.arn : undefined,
  };
  try {
    return planIdentity(workloadDefinition(name, args, identityOverrides.get(args)), env, placeholderCluster(env, known));
  } catch (e) {
    if (e instanceof SizeLimitError) throw new ArgsError(subject, [{ path: e.path, message: e.detail }]);
    throw e;
  }
}

/**
 * One workload's AWS identity through IRSA: an IAM role only its ServiceAccount can assume, managed policies with
 * exactly the S3, DynamoDB and Secrets Manager access it declares, and (given a Kubernetes provider) the ServiceAccount
 * annotated with the role. Account, partition and region come from the AWS provider it is created with.
 *
 * ```ts
 * new WorkloadIdentity("orders", {
 *   oidcProvider: { arn, issuerUrl }, namespace: "shop", serviceAccount: "orders",
 *   s3: [{ bucket: "shop-invoices", prefix: "2026/", access: "read-write" }],
 * }, { providers: [k8sProvider] });
 * ```
 */
export class WorkloadIdentity extends pulumi.ComponentResource {
  /** ARN of the workload's role: what the ServiceAccount's `eks.amazonaws.com/role-arn` names. */
  public readonly roleArn: pulumi.Output<string>;
  /** Physical name of the role. */
  public readonly roleName: pulumi.Output<string>;
  /** Name of the ServiceAccount, or the pattern bound for a namespace-wide workload. */
  public readonly serviceAccountName: string;
  /** Namespace of the ServiceAccount. */
  public readonly serviceAccountNamespace: string;
  /** What a ServiceAccount bound to the role must carry (role ARN, regional STS, token expiration), e.g. for a Helm chart's `serviceAccount.annotations`. */
  public readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;
  /** The trust policy as registered (JSON). */
  public readonly trustPolicy: pulumi.Output<string>;
  /** The permission policies as registered (JSON each), in attachment order. */
  public readonly permissionPolicies: pulumi.Output<string[]>;
  /** Who owns the ServiceAccount: `created`, `annotated` (patched) or `external` (set `serviceAccountAnnotations` through its chart). */
  public readonly serviceAccountMode: ServiceAccountMode;
  /** How to check from the cluster that pods get the role: the annotation, the webhook's environment, `aws sts get-caller-identity`. */
  public readonly verification: pulumi.Output<VerificationRecipe>;

  constructor(name: string, args: WorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    const layout = layoutWorkload(name, args);
    const mode = serviceAccountModeOf(args, isPattern(serviceAccountOf(name, args)), optionsHaveProvider(opts, "kubernetes"));
    if (mode === "annotated" && !optionsHaveProvider(opts, "kubernetes")) {
      throw new ArgsError(`WorkloadIdentity ${JSON.stringify(name)}`, [{ path: ["serviceAccountMode"], message: "annotated patches the ServiceAccount in the cluster: give a Kubernetes provider in the resource options (providers)" }]);
    }
    super("eks-irsa:index:WorkloadIdentity", name, {}, withOldType(opts, "eks-irsa:workload:WorkloadIdentity"));
    const overrides = identityOverrides.get(args);
    const definition = workloadDefinition(name, args, overrides);
    const environment = checkedEnvironment(awsEnvironmentOf(this), `WorkloadIdentity ${JSON.stringify(name)}`, args.region);
    const plan = pulumi.all([environment, args.oidcProvider.issuerUrl, args.oidcProvider.arn]).apply(([env, issuerUrl, providerArn]) => {
      // Custom statements may only name resources of the account the AWS provider deploys into.
      const foreign = statementAccountProblems(args.statements, [env.accountId]);
      if (foreign.length > 0) throw new ArgsError(`WorkloadIdentity ${JSON.stringify(name)}`, foreign);
      return planIdentity(definition, env, { issuerUrl, providerArn }, layout.layout);
    });
    const { role, trustPolicy, permissionPolicies } = registerRole(
      name,
      {
        layout,
        plan,
        path: args.path ?? "/",
        description: args.description ?? workloadDescription(name, args, overrides?.kind),
        maxSessionDurationSeconds: args.maxSessionDurationSeconds ?? 3600,
        permissionsBoundaryArn: args.permissionsBoundaryArn,
        subject: overrides?.kind === "eso-controller" ? "the ESO controller" : `workload ${name}`,
      },
      { parent: this },
    );
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.trustPolicy = trustPolicy;
    this.permissionPolicies = pulumi.all(permissionPolicies);
    this.serviceAccountName = serviceAccountOf(name, args);
    this.serviceAccountNamespace = namespaceOf(args);
    this.serviceAccountAnnotations = pulumi.all([plan, role.arn]).apply(([p, arn]): Record<string, string> => ({ ...p.annotations, "eks.amazonaws.com/role-arn": arn }));
    this.serviceAccountMode = mode;
    this.verification = this.serviceAccountAnnotations.apply((a) => verificationRecipe(this.serviceAccountNamespace, this.serviceAccountName, a, pulumi.getStack()));

    for (const warning of riskyGrants(`WorkloadIdentity ${JSON.stringify(name)}`, { ...args, serviceAccount: this.serviceAccountName })) void pulumi.log.warn(warning, this);
    const kubernetes = kubernetesProviderOf(this);
    const labels = { ...LABELS, "eks-irsa/workload": overrides?.label ?? name };
    const exact = !isPattern(this.serviceAccountName);
    if (exact && mode === "created") {
      new k8s.core.v1.ServiceAccount(
        name,
        { metadata: { name: this.serviceAccountName, namespace: this.serviceAccountNamespace, labels, annotations: this.serviceAccountAnnotations } },
        { parent: this, dependsOn: dependsOnOf(opts) },
      );
    }
    if (exact && mode === "annotated") {
      // Server-side apply of the annotations alone: the chart or operator that made the ServiceAccount keeps every other field.
      new k8s.core.v1.ServiceAccountPatch(
        name,
        { metadata: { name: this.serviceAccountName, namespace: this.serviceAccountNamespace, annotations: this.serviceAccountAnnotations } },
        { parent: this, dependsOn: dependsOnOf(opts) },
      );
    }
    // Chained roles: an AWS config file with one profile per target role, for the pods to mount.
    const chained = args.chainedRoles ?? [];
    if (chained.length > 0 && kubernetes !== undefined) {
      new k8s.core.v1.ConfigMap(
        awsConfigMapName(name),
        {
          metadata: { name: awsConfigMapName(name), namespace: this.serviceAccountNamespace, labels },
          data: { config: pulumi.all([role.arn, environment]).apply(([arn, env]) => awsConfigFile(name, arn, env.region, chained)) },
        },
        // It was created beside the workload, at the stack's top level, before the component package.
        { parent: this, dependsOn: dependsOnOf(opts), aliases: [{ parent: pulumi.rootStackResource }] },
      );
    }
    this.registerOutputs({
      roleArn: this.roleArn,
      roleName: this.roleName,
      serviceAccountName: this.serviceAccountName,
      serviceAccountNamespace: this.serviceAccountNamespace,
      serviceAccountAnnotations: this.serviceAccountAnnotations,
      trustPolicy: this.trustPolicy,
      permissionPolicies: this.permissionPolicies,
      serviceAccountMode: this.serviceAccountMode,
      verification: this.verification,
    });
  }
}
