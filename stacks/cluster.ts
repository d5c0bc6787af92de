import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSpec } from "../config/model";

export interface ClusterConnection {
  issuerUrl: pulumi.Output<string>;
  /** Looked up only when called: a stack that creates no Kubernetes object needs no cluster access. */
  kubeconfig: () => pulumi.Output<string>;
  /** The cluster this stack creates, when it creates one. */
  cluster?: eks.Cluster;
}

/** A kubeconfig that authenticates with `aws eks get-token`, as `aws eks update-kubeconfig` writes it. */
export function execKubeconfig(name: string, region: string, endpoint: string, caData: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: endpoint, "certificate-authority-data": caData } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    users: [
      {
        name,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["eks", "get-token", "--cluster-name", name, "--region", region, "--output", "json"],
          },
        },
      },
    ],
  });
}

/**
 * Creates the cluster (with @pulumi/eks, its own OIDC provider off: ours is made by ClusterOidcProvider)
 * or connects to an existing one, whose issuer comes from config or from `eks:DescribeCluster`.
 */
export function connectCluster(
  spec: Pick<ClusterSpec, "name" | "create" | "oidcIssuerUrl" | "kubeconfig">,
  region: string,
  tags: Record<string, string>,
  opts?: pulumi.CustomResourceOptions,
  fargateNamespaces: string[] = [],
): ClusterConnection {
  if (spec.create) {
    // A Fargate profile for the workloads marked fargate; the node group stays (@pulumi/eks drops it with `fargate` alone).
    const fargate = spec.create.fargateProfile && fargateNamespaces.length > 0 ? { fargate: { selectors: fargateNamespaces.map((namespace) => ({ namespace })) }, skipDefaultNodeGroup: false } : {};
    const cluster = new eks.Cluster(
      spec.name,
      {
        name: spec.name,
        version: spec.create.version,
        instanceType: spec.create.instanceType,
        desiredCapacity: spec.create.desiredCapacity,
        minSize: spec.create.minSize,
        maxSize: spec.create.maxSize,
        createOidcProvider: false,
        tags,
        ...fargate,
      },
      opts,
    );
    return { issuerUrl: cluster.oidcProviderUrl, kubeconfig: () => pulumi.secret(cluster.kubeconfigJson), cluster };
  }
  let described: pulumi.Output<aws.eks.GetClusterResult> | undefined;
  const describe = () => (described ??= aws.eks.getClusterOutput({ name: spec.name }, opts));
  return {
    issuerUrl: spec.oidcIssuerUrl ? pulumi.output(spec.oidcIssuerUrl) : describe().identities[0].oidcs[0].issuer,
    kubeconfig: () =>
      spec.kubeconfig
        ? pulumi.secret(spec.kubeconfig)
        : describe().apply((c) => execKubeconfig(spec.name, region, c.endpoint, c.certificateAuthorities[0].data)),
  };
}
