import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { ARN_KINDS, issuerFromProviderArn, oidcProviderRefProblems } from "../core/arn";
import { ArgsError, type Problem } from "../core/problems";
import { DEFAULT_AUDIENCE } from "../core/trust";
import { withOldType, requireObjectArgs } from "./internal";

/** A cluster's IAM OIDC provider as trust policies need it: what a `ClusterOidcProvider` exposes. */
export interface OidcProviderRef {
  /** ARN of the IAM OIDC provider: the `Federated` principal of the trust policy. */
  arn: pulumi.Input<string>;
  /** The cluster's OIDC issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<id>`): its host and path prefix the `sub`/`aud` keys. */
  issuerUrl: pulumi.Input<string>;
}

export interface ClusterOidcProviderArgs {
  /**
   * The cluster's OIDC issuer URL, e.g. an `@pulumi/eks` cluster's `oidcProviderUrl` or `aws.eks.Cluster`'s
   * `identities[0].oidcs[0].issuer`. Required unless `adoptArn` is given. @default the adopted provider's issuer
   */
  issuerUrl?: pulumi.Input<string>;
  /** Adopt this existing IAM OIDC provider (e.g. made by eksctl) instead of creating one. @default create one */
  adoptArn?: string;
  /** Protect a created provider from deletion: every IRSA role of the cluster depends on it. @default true */
  protect?: boolean;
  /** Tags of a created provider. @default {} */
  tags?: Record<string, string>;
}

const ARGS: string[] = ["issuerUrl", "adoptArn", "protect", "tags"] satisfies (keyof ClusterOidcProviderArgs)[];

/**
 * The IAM OIDC identity provider that lets IAM trust the cluster's ServiceAccount tokens, created for an issuer or
 * adopted by ARN. Thumbprints are left out on purpose: IAM trusts EKS issuers through its own CA library, and tools
 * fingerprinting different certificates is a known source of drift.
 */
export class ClusterOidcProvider extends pulumi.ComponentResource {
  /** ARN of the provider, created or adopted: the `Federated` principal of every trust policy. */
  public readonly arn: pulumi.Output<string>;
  /** The issuer URL the provider trusts. */
  public readonly issuerUrl: pulumi.Output<string>;
  /** True when the provider exists outside this stack and is only referenced. */
  public readonly adopted: boolean;

  constructor(name: string, args: ClusterOidcProviderArgs, opts?: pulumi.ComponentResourceOptions) {
    requireObjectArgs(`ClusterOidcProvider ${JSON.stringify(name)}`, args);
    const problems: Problem[] = Object.keys(args ?? {}).filter((k) => !ARGS.includes(k) && (args as unknown as Record<string, unknown>)[k] !== undefined).map((k) => ({ path: [k], message: "unknown argument" }));
    if (args.adoptArn !== undefined && typeof args.adoptArn !== "string") {
      problems.push({ path: ["adoptArn"], message: `${JSON.stringify(args.adoptArn)} is not a valid ${ARN_KINDS.oidcProvider.what}` });
    }
    if (args.adoptArn === undefined && args.issuerUrl === undefined) problems.push({ path: ["issuerUrl"], message: "is required to create a provider (or give adoptArn)" });
    problems.push(...oidcProviderRefProblems([], args.adoptArn, args.issuerUrl, "adoptArn", "issuerUrl"));
    if (problems.length > 0) throw new ArgsError(`ClusterOidcProvider ${JSON.stringify(name)}`, problems);
    super("eks-irsa:index:ClusterOidcProvider", name, {}, withOldType(opts, "eks-irsa:oidc:ClusterOidcProvider"));
    this.adopted = args.adoptArn !== undefined;
    this.issuerUrl = pulumi.output(args.issuerUrl ?? issuerFromProviderArn(args.adoptArn!)).apply((u) => u.replace(/\/+$/, ""));
    if (args.adoptArn !== undefined) {
      this.arn = pulumi.output(args.adoptArn);
    } else {
      const provider = new iam.OpenIdConnectProvider(
        name,
        { url: args.issuerUrl!, clientIdLists: [DEFAULT_AUDIENCE], tags: args.tags },
        { parent: this, protect: args.protect ?? true },
      );
      this.arn = provider.arn;
    }
    this.registerOutputs({ arn: this.arn, issuerUrl: this.issuerUrl, adopted: this.adopted });
  }
}
