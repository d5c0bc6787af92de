import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import { roleArn as roleArnOf } from "../core/arn";
import { placeholderEnvironment } from "../core/environment";
import { annotationsFor, placeholderCluster, planIdentity, type IdentityPlan } from "../core/identity";
import { CLUSTER_TAG } from "../core/plan";
import { ArgsError, SizeLimitError, uniqueProblems, type Problem } from "../core/problems";
import {
  CrossAccountMode,
  dedicatedServiceAccount,
  NO_EXTERNAL_ID,
  targetProblems,
  targetRoleArn,
  targetRoleDefinition,
  targetRoleDescription,
  type ResolvedTarget,
} from "../core/targetRole";
import type { DynamoGrant, S3Grant, SecretGrant } from "../core/access";
import { riskyGrants } from "../core/workload";
import { awsEnvironmentOf, checkedEnvironment } from "./awsEnvironment";
import { dependsOnOf, identityOverrides, optionsHaveProvider, withOldType, requireObjectArgs } from "./internal";
import { ClusterOidcProvider } from "./oidcProvider";
import { registerRole } from "./role";

/** A workload of the cluster that may use a target role. */
export interface TargetSourceArgs {
  /** The workload's name (its `WorkloadIdentity`'s): recorded in the role's `eks-irsa:workload` tag. */
  workload: string;
  /** Modes chained and pod-identity: ARN of the workload's own role, the only principal the target role trusts. @default none (required in modes chained and pod-identity) */
  roleArn?: pulumi.Input<string>;
  /** Mode pod-identity: the external ids of the workload's associations naming this role (`WorkloadIdentity.associationExternalIds`). @default none (required in mode pod-identity) */
  externalIds?: pulumi.Input<string[]>;
  /** Mode pod-identity: the workload's associations disable session tags (the trust then leaves out `sts:TagSession`). @default false */
  disableSessionTags?: boolean;
  /** Mode oidc: the workload's namespace. @default none (required in mode oidc) */
  namespace?: string;
  /** Mode oidc: the workload's ServiceAccount; the dedicated one is `<serviceAccount>-<target>-<role>`. @default the workload's name */
  serviceAccount?: string;
  /** Mode oidc: `eks.amazonaws.com/token-expiration` of the dedicated ServiceAccount. @default the webhook's 86400 */
  tokenExpirationSeconds?: number;
}

/** One role in the target account. */
export interface TargetRoleArgs {
  /** Label of the role in the target: names it `<clusterName>-<target>-<name>` and its chained profile `<target>-<name>`. */
  name: string;
  /** Physical name of the role. @default `<clusterName>-<target>-<name>`, cut to 64 characters with a hash */
  roleName?: string;
  /** The workloads that may use it (at least one). */
  sources: TargetSourceArgs[];
  /** S3 access in the target account. @default none */
  s3?: S3Grant[];
  /** DynamoDB access in the target account. @default none */
  dynamodb?: DynamoGrant[];
  /** Secrets Manager read access in the target account. @default none */
  secrets?: SecretGrant[];
  /** Tags of the role, besides the target's. @default {} */
  tags?: Record<string, string>;
  /** Longest session the role allows, in seconds (3600-43200). @default 3600 */
  maxSessionDurationSeconds?: number;
}

/** Another AWS account and the roles the cluster's workloads use there; its AWS provider comes through `providers`. */
export interface TargetAccountArgs {
  /** The target account's id (12 digits): the provider must land there. */
  accountId: string;
  /** `chained` (target roles trust the source roles), `oidc` (the target account trusts the cluster's issuer) or `pod-identity` (associations name the target role). */
  mode: CrossAccountMode;
  /** Mode oidc: the cluster's OIDC issuer URL, registered in the target account. @default none (required in mode oidc) */
  issuerUrl?: pulumi.Input<string>;
  /** Mode oidc: adopt this IAM OIDC provider of the target account instead of creating one. @default create one */
  oidcProviderArn?: string;
  /** Mode oidc: protect a created provider from deletion. @default true */
  protectOidcProvider?: boolean;
  /** The roles to create, at least one. */
  roles: TargetRoleArgs[];
  /** Name of the EKS cluster: prefixes role names and is recorded in the `eks-irsa:cluster` tag. @default none */
  clusterName?: string;
  /** IAM path of the roles and policies. @default "/" */
  path?: string;
  /** ARN of a managed policy of the target account that bounds the roles. @default none */
  permissionsBoundaryArn?: string;
  /** Tags of every role and policy. @default {} */
  tags?: Record<string, string>;
  /** Deny every request to a region not listed. @default no region guardrail */
  allowedRegions?: string[];
  /** Deny every request not sent over TLS. @default true */
  requireSecureTransport?: boolean;
  /** Mode oidc: `eks.amazonaws.com/sts-regional-endpoints: "true"` on the dedicated ServiceAccounts. @default true */
  stsRegionalEndpoints?: boolean;
  /** The region of every regional ARN. @default the target provider's region, read at deployment */
  region?: string;
  /** The target account's trust policy quota in characters (2048-4096). @default 2048 */
  trustPolicyQuota?: number;
  /** Managed policies allowed per role (1-20). @default 10 */
  managedPolicyQuota?: number;
}

const LABELS = { "app.kubernetes.io/managed-by": "eks-irsa" };

/** An external id as long as EKS's (a UUID), for laying out before the associations exist. */
const EXTERNAL_ID_PLACEHOLDER = "00000000-0000-0000-0000-000000000000";

/** The arguments with every Input a plain value, the sources' role ARNs and external ids given. */
function resolve(name: string, args: TargetAccountArgs, sourceArns: (i: number, j: number) => string, externalIds: (i: number, j: number) => string[] = () => []): ResolvedTarget {
  return {
    name,
    accountId: args.accountId,
    mode: args.mode,
    clusterName: args.clusterName,
    path: args.path,
    permissionsBoundaryArn: args.permissionsBoundaryArn,
    tags: args.tags,
    allowedRegions: args.allowedRegions,
    requireSecureTransport: args.requireSecureTransport,
    stsRegionalEndpoints: args.stsRegionalEndpoints,
    trustPolicyQuota: args.trustPolicyQuota,
    managedPolicyQuota: args.managedPolicyQuota,
    roles: args.roles.map((r, i) => ({
      ...r,
      sources: r.sources.map((s, j) => ({
        ...s,
        roleArn: args.mode === CrossAccountMode.Oidc ? undefined : sourceArns(i, j),
        externalIds: args.mode === CrossAccountMode.PodIdentity ? externalIds(i, j) : undefined,
      })),
    })),
  };
}

/**
 * Everything eks-irsa puts into one other AWS account, through that account's AWS provider (in the resource options):
 * in mode oidc the account's IAM OIDC provider for the cluster's issuer and a dedicated ServiceAccount per source,
 * annotated with the target role; then one role per target role, trusting exactly its sources. Chained sources select
 * their target role through the AWS profile their `WorkloadIdentity` writes (`chainedRoles`).
 */
export class TargetAccount extends pulumi.ComponentResource {
  /** Role ARNs by role name (`roles[].name`). */
  public readonly roleArns: pulumi.Output<Record<string, string>>;
  /** Mode oidc: the target account's IAM OIDC provider ARN. */
  public readonly oidcProviderArn: pulumi.Output<string | undefined>;

  constructor(name: string, args: TargetAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    requireObjectArgs(`TargetAccount ${JSON.stringify(name)}`, args);
    const subject = `TargetAccount ${JSON.stringify(name)}`;
    const problems: Problem[] = targetProblems(name, args as unknown as Record<string, unknown>);
    if (args.mode === CrossAccountMode.Oidc && args.issuerUrl === undefined) problems.push({ path: ["issuerUrl"], message: "is required in mode oidc (the cluster's issuer, registered in the target account)" });
    const providerProblems: Problem[] = [];
    if (!optionsHaveProvider(opts, "aws")) providerProblems.push({ path: [], message: "needs the target account's AWS provider in its resource options (providers: [provider])" });
    if (args.mode === CrossAccountMode.Oidc && !optionsHaveProvider(opts, "kubernetes")) {
      providerProblems.push({ path: [], message: "mode oidc creates a ServiceAccount per source in the cluster: give the cluster's Kubernetes provider in the resource options (providers: [awsProvider, kubernetesProvider])" });
    }
    // Every problem in one error: the layouts below need arguments without problems, the providers do not.
    if (problems.length > 0) throw new ArgsError(subject, [...problems, ...providerProblems]);
    const env0 = { ...placeholderEnvironment(args.region), accountId: args.accountId };
    // Chained sources known now are sized exactly; Outputs are checked once they resolve.
    const known = resolve(
      name,
      args,
      (i, j) => {
        const arn = args.roles[i].sources[j].roleArn;
        return typeof arn === "string" ? arn : roleArnOf(env0.partition, "000000000000", "/", args.roles[i].sources[j].workload);
      },
      (i, j) => {
        const ids = args.roles[i].sources[j].externalIds;
        return Array.isArray(ids) ? ids.map((id) => (typeof id === "string" ? id : EXTERNAL_ID_PLACEHOLDER)) : [EXTERNAL_ID_PLACEHOLDER];
      },
    );
    const cluster0 = placeholderCluster(env0, { issuerUrl: typeof args.issuerUrl === "string" ? args.issuerUrl : undefined, providerArn: args.oidcProviderArn });
    const overrides = identityOverrides.get(args);
    const layouts: IdentityPlan[] = [];
    known.roles.forEach((_, r) => {
      try {
        layouts.push(planIdentity(targetRoleDefinition(known, r, overrides?.quotaFields), env0, cluster0));
      } catch (e) {
        if (e instanceof SizeLimitError) problems.push({ path: ["roles", r, ...e.path], message: e.detail });
        else throw e;
      }
    });
    problems.push(...providerProblems);
    if (problems.length > 0) throw new ArgsError(subject, problems);
    super("eks-irsa:index:TargetAccount", name, {}, withOldType(opts, "eks-irsa:crossaccount:TargetAccount"));
    const environment = checkedEnvironment(awsEnvironmentOf(this), subject, args.region, args.allowedRegions).apply((env) => {
      if (env.accountId !== args.accountId) throw new Error(`${subject}: the AWS provider lands in account ${env.accountId}, not ${args.accountId}`);
      return env;
    });
    const oidc = args.mode === CrossAccountMode.Oidc
      ? new ClusterOidcProvider(
          `${name}-oidc`,
          { issuerUrl: args.issuerUrl, adoptArn: args.oidcProviderArn, protect: args.protectOidcProvider, tags: { ...args.tags, ...(args.clusterName ? { [CLUSTER_TAG]: args.clusterName } : {}) } },
          { parent: this },
        )
      : undefined;
    this.oidcProviderArn = oidc ? oidc.arn : pulumi.output(undefined);
    for (const role of args.roles) for (const warning of riskyGrants(`TargetAccount ${JSON.stringify(name)} role ${role.name}`, role)) void pulumi.log.warn(warning, this);
    const sourceArns = args.roles.map((r) => r.sources.map((s) => s.roleArn ?? ""));
    const externalIds = args.roles.map((r) => r.sources.map((s) => s.externalIds ?? []));
    const roleArns: Record<string, pulumi.Output<string>> = {};
    args.roles.forEach((role, r) => {
      const plan = pulumi
        .all([environment, pulumi.all(sourceArns), pulumi.all(externalIds), oidc ? oidc.issuerUrl : args.issuerUrl ?? "", oidc ? oidc.arn : ""])
        .apply(([env, arns, ids, issuerUrl, providerArn]) => {
          const target = resolve(name, args, (i, j) => arns[i][j], (i, j) => ids[i][j]);
          // External ids given as Outputs (WorkloadIdentity.associationExternalIds) are known only now.
          const none = args.mode === CrossAccountMode.PodIdentity ? ids.flatMap((byRole, i) => byRole.flatMap((list, j) => (list.length === 0 ? [{ path: ["roles", i, "sources", j, "externalIds"], message: NO_EXTERNAL_ID }] : []))) : [];
          // Without `region`, the region-dependent rules (ARN partitions) run now, with the provider's, on the resolved ARNs.
          const resolvedArgs = { ...args, region: env.region, roles: args.roles.map((role, i) => ({ ...role, sources: role.sources.map((src, j) => ({ ...src, roleArn: src.roleArn === undefined ? undefined : arns[i][j], externalIds: src.externalIds === undefined ? undefined : ids[i][j] })) })) };
          const late = [...none, ...(args.region === undefined ? targetProblems(name, resolvedArgs as unknown as Record<string, unknown>, env.region) : [])];
          if (late.length > 0) throw new ArgsError(`TargetAccount ${JSON.stringify(name)}`, uniqueProblems(late));
          return planIdentity(targetRoleDefinition(target, r, overrides?.quotaFields), env, { issuerUrl, providerArn }, layouts[r].layout);
        });
      const { role: registered } = registerRole(
        // "/" keeps `a-b` + `c` and `a` + `b-c` apart.
        `${name}/${role.name}`,
        {
          layout: layouts[r],
          plan,
          path: args.path ?? "/",
          description: targetRoleDescription(known, known.roles[r]),
          maxSessionDurationSeconds: role.maxSessionDurationSeconds ?? 3600,
          permissionsBoundaryArn: args.permissionsBoundaryArn,
          subject: `cross-account role ${name}/${role.name}`,
        },
        // Chained: IAM checks the trusted principals exist, so the source roles come first.
        { parent: this, dependsOn: oidc ? [oidc, ...dependsOnOf(opts)] : dependsOnOf(opts) },
      );
      roleArns[role.name] = registered.arn;
      // Mode oidc: the ServiceAccounts that carry the target role, for the pods that need the target account.
      if (oidc) {
        for (const source of known.roles[r].sources) {
          const sa = dedicatedServiceAccount(name, role.name, source);
          const annotations = registered.arn.apply((arn) => annotationsFor(arn, { stsRegionalEndpoints: args.stsRegionalEndpoints ?? true, tokenExpirationSeconds: source.tokenExpirationSeconds }));
          new corev1.ServiceAccount(
            `${name}/${role.name}/${source.namespace}/${sa}`,
            { metadata: { name: sa, namespace: source.namespace!, labels: { ...LABELS, "eks-irsa/target": `${name}.${role.name}` }, annotations } },
            { parent: this, dependsOn: dependsOnOf(opts) },
          );
        }
      }
    });
    this.roleArns = pulumi.all(roleArns);
    this.registerOutputs({ roleArns: this.roleArns, oidcProviderArn: this.oidcProviderArn });
  }

  /** The ARN a target role will have, known before it exists (for the sources' `chainedRoles`). */
  static roleArn(target: string, accountId: string, role: { name: string; roleName?: string }, options: { clusterName?: string; path?: string; partition?: "aws" | "aws-cn" | "aws-us-gov" } = {}): string {
    return targetRoleArn({ name: target, accountId, mode: CrossAccountMode.Chained, clusterName: options.clusterName, path: options.path, roles: [] }, role, options.partition ?? "aws");
  }
}
