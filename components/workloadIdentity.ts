import * as eks from "@pulumi/aws/eks";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import { foreignPartitionProblems, oidcProviderRefProblems } from "../core/arn";
import { awsConfigFile, awsConfigMapName } from "../core/crossAccount";
import { placeholderEnvironment } from "../core/environment";
import { placeholderCluster, planIdentity, type ClusterIdentity, type IdentityPlan } from "../core/identity";
import { associationName, IdentityMode, podIdentityRegionProblem, usesIrsa, usesPodIdentity } from "../core/podIdentity";
import { ArgsError, SizeLimitError, uniqueProblems, type Problem } from "../core/problems";
import { serviceAccountModeOf, verificationRecipe, type ServiceAccountMode, type VerificationRecipe } from "../core/serviceAccount";
import { statementAccountProblems } from "../core/statements";
import { isPattern } from "../core/trust";
import { namespaceOf, riskyGrants, serviceAccountOf, workloadDefinition, workloadDescription, workloadProblems, type WorkloadCluster, type WorkloadIdentityInput } from "../core/workload";
import { awsEnvironmentOf, checkedEnvironment } from "./awsEnvironment";
import { dependsOnOf, identityOverrides, kubernetesProviderOf, optionsHaveProvider, withOldType } from "./internal";
import type { OidcProviderRef } from "./oidcProvider";
import { registerRole } from "./role";

/** A cluster the workload runs on, with its IAM OIDC provider for IRSA. */
export interface WorkloadClusterArgs extends WorkloadCluster {
  /** The cluster's IAM OIDC provider: required in modes irsa and both. @default none */
  oidcProvider?: OidcProviderRef;
}

export interface WorkloadIdentityArgs extends WorkloadIdentityInput {
  /** The cluster's IAM OIDC provider: its ARN and issuer URL (a `ClusterOidcProvider` fits). Required in modes irsa and both unless `clusters` gives one per cluster. @default none */
  oidcProvider?: OidcProviderRef;
  /** The clusters the workload runs on, when several trust one role (blue/green), each with its OIDC provider for IRSA. @default the cluster `clusterName` with `oidcProvider` */
  clusters?: WorkloadClusterArgs[];
}

const LABELS = { "app.kubernetes.io/managed-by": "eks-irsa" };

/** The plan laid out with placeholders, or every problem of the arguments (size limits included) as one error. */
export function layoutWorkload(name: string, args: WorkloadIdentityArgs, more: Problem[] = []): IdentityPlan {
  const subject = `WorkloadIdentity ${JSON.stringify(name)}`;
  const problems: Problem[] = [...workloadProblems(name, args, identityOverrides.get(args)), ...more];
  if (args === null || typeof args !== "object") throw new ArgsError(subject, problems);
  const irsa = usesIrsa(args.mode);
  const checkProvider = (at: (string | number)[], provider: unknown, required: boolean) => {
    if (provider === undefined && !required) return;
    if (provider === undefined || provider === null || typeof provider !== "object") {
      problems.push({ path: at, message: `is required${args.mode ? ` in mode ${args.mode}` : ""} ({ arn, issuerUrl } of the cluster's IAM OIDC provider)` });
      return;
    }
    const p = provider as Record<string, unknown>;
    if (p.arn === undefined) problems.push({ path: [...at, "arn"], message: "is required" });
    if (p.issuerUrl === undefined) problems.push({ path: [...at, "issuerUrl"], message: "is required" });
    problems.push(...oidcProviderRefProblems(at, p.arn, p.issuerUrl));
  };
  if (Array.isArray(args.clusters)) {
    args.clusters.forEach((k, i) => checkProvider(["clusters", i, "oidcProvider"], (k as WorkloadClusterArgs | undefined)?.oidcProvider, irsa));
    if (args.oidcProvider !== undefined) problems.push({ path: ["oidcProvider"], message: "give the OIDC provider of each cluster in clusters, not both" });
  } else checkProvider(["oidcProvider"], args.oidcProvider, irsa);
  if (problems.length > 0) throw new ArgsError(subject, problems);
  const env = placeholderEnvironment(args.region);
  const plain = (v: unknown) => (typeof v === "string" ? v : undefined);
  const clusters = clusterRefs(args).map((k) => placeholderCluster(env, { issuerUrl: plain(k.oidcProvider?.issuerUrl), providerArn: plain(k.oidcProvider?.arn), name: k.name }));
  try {
    return planIdentity(workloadDefinition(name, args, identityOverrides.get(args)), env, clusters);
  } catch (e) {
    if (e instanceof SizeLimitError) throw new ArgsError(subject, [{ path: e.path, message: e.detail }]);
    throw e;
  }
}

/** The clusters of a workload: `clusters`, else the one cluster `clusterName` with `oidcProvider`. */
function clusterRefs(args: WorkloadIdentityArgs): { name?: string; oidcProvider?: OidcProviderRef }[] {
  return args.clusters ?? [{ name: args.clusterName, oidcProvider: args.oidcProvider }];
}

/**
 * One workload's AWS identity through IRSA or EKS Pod Identity (`mode`): an IAM role only its ServiceAccount can assume,
 * with exactly the access it declares (S3, DynamoDB, Secrets Manager, SQS, SNS, KMS, an add-on `preset`, checked custom
 * `statements`) as its inline policy, and managed policies only for what does not fit the inline budget; and, given a
 * Kubernetes provider, the ServiceAccount annotated with the role (`serviceAccountMode`). Account, partition and region
 * come from the AWS provider it is created with.
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
  /** How the pods get the role: `irsa`, `pod-identity` or `both`. */
  public readonly mode: string;
  /** ARNs of the Pod Identity associations (one per cluster and namespace), empty in mode irsa. */
  public readonly associationArns: pulumi.Output<string[]>;
  /** External ids of the associations, in the order of `associationArns`: what a target role's trust pins (`sts:ExternalId`). */
  public readonly associationExternalIds: pulumi.Output<string[]>;
  /**
   * The AWS config file of `chainedRoles` (a profile per target role), empty without them: what the ConfigMap
   * `<name>-aws-config` holds when a Kubernetes provider is given, for the pods to mount (`AWS_CONFIG_FILE`); without
   * one, no ConfigMap is created and this is the file to put in one.
   */
  public readonly awsConfig: pulumi.Output<string>;

  constructor(name: string, args: WorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    const hasKubernetes = optionsHaveProvider(opts, "kubernetes");
    // Read before the arguments are checked, so a missing provider is reported with their problems: only plain reads.
    const given = args !== null && typeof args === "object" ? args : ({} as WorkloadIdentityArgs);
    const saMode = serviceAccountModeOf(given, typeof serviceAccountOf(name, given) === "string" && isPattern(serviceAccountOf(name, given)), hasKubernetes);
    // Without a provider of its own, a Kubernetes resource would go to the cluster of the ambient kubeconfig.
    const providerProblems: Problem[] = [];
    if (saMode === "annotated" && !hasKubernetes) {
      providerProblems.push({ path: ["serviceAccountMode"], message: "annotated patches the ServiceAccount in the cluster: give a Kubernetes provider in the resource options (providers)" });
    }
    if (saMode === "created" && !hasKubernetes) {
      const field = args.serviceAccountMode !== undefined ? "serviceAccountMode" : "createServiceAccount";
      providerProblems.push({ path: [field], message: "creates the ServiceAccount in the cluster: give a Kubernetes provider in the resource options (providers)" });
    }
    const layout = layoutWorkload(name, args, providerProblems);
    super("eks-irsa:index:WorkloadIdentity", name, {}, withOldType(opts, "eks-irsa:workload:WorkloadIdentity"));
    const overrides = identityOverrides.get(args);
    const definition = workloadDefinition(name, args, overrides);
    const environment = checkedEnvironment(awsEnvironmentOf(this), `WorkloadIdentity ${JSON.stringify(name)}`, args.region, args.allowedRegions);
    const refs = clusterRefs(args);
    // Pod Identity alone needs no OIDC provider: its clusters are named, their ARNs are in the provider's account.
    const providers = refs.map((k) => pulumi.all([k.oidcProvider?.issuerUrl ?? "", k.oidcProvider?.arn ?? ""]));
    const plan = pulumi.all([environment, pulumi.all(providers)]).apply(([env, known]) => {
      // Custom statements may only name resources of the account the AWS provider deploys into; a region given by the
      // provider alone is known only now (checked before with `region`).
      const unavailable = podIdentityRegionProblem(args.mode, env.region);
      const late: Problem[] = [...statementAccountProblems(args.statements, [env.accountId, ...(overrides?.statementAccounts ?? [])]), ...(unavailable ? [{ path: ["mode"], message: unavailable }] : [])];
      // Without `region`, the region-dependent rules (ARN partitions, regional ARNs) run now, with the provider's.
      if (args.region === undefined) late.push(...workloadProblems(name, { ...args, region: env.region }, overrides));
      late.push(...foreignPartitionProblems(known.map(([, arn], i) => ({ path: args.clusters ? ["clusters", i, "oidcProvider", "arn"] : ["oidcProvider", "arn"], arn })), env));
      if (late.length > 0) throw new ArgsError(`WorkloadIdentity ${JSON.stringify(name)}`, uniqueProblems(late));
      return planIdentity(definition, env, known.map(([issuerUrl, providerArn], i): ClusterIdentity => ({ issuerUrl, providerArn, ...(refs[i].name !== undefined ? { name: refs[i].name } : {}) })), layout.layout);
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
    const mode = args.mode ?? IdentityMode.Irsa;
    this.mode = mode;
    this.serviceAccountAnnotations = pulumi
      .all([plan, role.arn])
      .apply(([p, arn]): Record<string, string> => (usesIrsa(mode) ? { ...p.annotations, "eks.amazonaws.com/role-arn": arn } : p.annotations));
    this.serviceAccountMode = saMode;
    this.verification = pulumi
      .all([this.serviceAccountAnnotations, role.arn])
      .apply(([a, arn]) => verificationRecipe(this.serviceAccountNamespace, this.serviceAccountName, a, pulumi.getStack(), usesIrsa(mode) ? undefined : { roleArn: arn, clusterName: refs[0]?.name, targetRoleArn: args.targetRoleArn }));

    for (const warning of riskyGrants(`WorkloadIdentity ${JSON.stringify(name)}`, { ...args, serviceAccount: this.serviceAccountName })) void pulumi.log.warn(warning, this);
    const kubernetes = kubernetesProviderOf(this);
    const labels = { ...LABELS, "eks-irsa/workload": overrides?.label ?? name };
    const exact = !isPattern(this.serviceAccountName);
    if (exact && saMode === "created") {
      new corev1.ServiceAccount(
        name,
        { metadata: { name: this.serviceAccountName, namespace: this.serviceAccountNamespace, labels, annotations: this.serviceAccountAnnotations } },
        { parent: this, dependsOn: dependsOnOf(opts) },
      );
    }
    if (exact && saMode === "annotated") {
      // Server-side apply of the annotations alone: the chart or operator that made the ServiceAccount keeps every other field.
      new corev1.ServiceAccountPatch(
        name,
        { metadata: { name: this.serviceAccountName, namespace: this.serviceAccountNamespace, annotations: this.serviceAccountAnnotations } },
        { parent: this, dependsOn: dependsOnOf(opts) },
      );
    }
    // Pod Identity: one association per cluster and namespace, for the ServiceAccount (by name: it need not exist yet).
    const associations = usesPodIdentity(mode)
      ? refs.flatMap((k) =>
          [this.serviceAccountNamespace, ...(args.sharedNamespaces ?? [])].map(
            (namespace) =>
              new eks.PodIdentityAssociation(
                associationName(name, k.name!, namespace),
                {
                  clusterName: k.name!,
                  namespace,
                  serviceAccount: this.serviceAccountName,
                  roleArn: role.arn,
                  ...(args.disableSessionTags === true ? { disableSessionTags: true } : {}),
                  ...(args.targetRoleArn !== undefined ? { targetRoleArn: args.targetRoleArn } : {}),
                  tags: layout.tags,
                },
                { parent: this, dependsOn: dependsOnOf(opts) },
              ),
          ),
        )
      : [];
    this.associationArns = pulumi.all(associations.map((a) => a.associationArn));
    this.associationExternalIds = pulumi.all(associations.map((a) => a.externalId));
    // Chained roles: an AWS config file with one profile per target role, for the pods to mount.
    const chained = args.chainedRoles ?? [];
    this.awsConfig = chained.length === 0 ? pulumi.output("") : pulumi.all([role.arn, environment]).apply(([arn, env]) => awsConfigFile(name, arn, env.region, chained, mode === IdentityMode.PodIdentity));
    if (chained.length > 0 && kubernetes !== undefined) {
      new corev1.ConfigMap(
        awsConfigMapName(name),
        {
          metadata: { name: awsConfigMapName(name), namespace: this.serviceAccountNamespace, labels },
          data: { config: this.awsConfig },
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
      mode: this.mode,
      associationArns: this.associationArns,
      associationExternalIds: this.associationExternalIds,
      awsConfig: this.awsConfig,
    });
  }
}
