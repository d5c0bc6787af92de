import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_AUDIENCE } from "../core/trust";

export interface ClusterOidcProviderArgs {
  /** The cluster's OIDC issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<id>`). */
  issuerUrl: pulumi.Input<string>;
  /** Adopt this existing IAM OIDC provider (e.g. made by eksctl) instead of creating one. Default: create. */
  adoptArn?: string;
  /** Protect a created provider from deletion: every IRSA role of the cluster depends on it. Default: true. */
  protect?: boolean;
  tags?: Record<string, string>;
}

/**
 * The IAM OIDC identity provider that lets IAM trust the cluster's ServiceAccount tokens. Thumbprints are
 * left out on purpose: IAM trusts EKS issuers through its own CA library, and tools fingerprinting
 * different certificates is a known source of drift.
 */
export class ClusterOidcProvider extends pulumi.ComponentResource {
  /** ARN of the provider, created or adopted: the `Federated` principal of every trust policy. */
  public readonly arn: pulumi.Output<string>;
  /** The issuer URL the provider trusts. */
  public readonly issuerUrl: pulumi.Output<string>;
  /** True when the provider exists outside this stack and is only referenced. */
  public readonly adopted: boolean;

  constructor(name: string, args: ClusterOidcProviderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eks-irsa:oidc:ClusterOidcProvider", name, {}, opts);
    this.issuerUrl = pulumi.output(args.issuerUrl);
    this.adopted = args.adoptArn !== undefined;
    if (args.adoptArn !== undefined) {
      this.arn = pulumi.output(args.adoptArn);
    } else {
      const provider = new aws.iam.OpenIdConnectProvider(
        name,
        { url: args.issuerUrl, clientIdLists: [DEFAULT_AUDIENCE], tags: args.tags },
        { parent: this, protect: args.protect ?? true },
      );
      this.arn = provider.arn;
    }
    this.registerOutputs({ arn: this.arn, issuerUrl: this.issuerUrl });
  }
}
