// Bring your own cluster: an @pulumi/eks cluster, its IAM OIDC provider, and two workloads with least-privilege roles.
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import { ClusterOidcProvider, WorkloadIdentity } from "eks-irsa";

// The cluster's own OIDC provider is off: ClusterOidcProvider registers the issuer (or adopts one by ARN).
const cluster = new eks.Cluster("shop", { name: "shop", createOidcProvider: false });
const kubernetes = new k8s.Provider("shop", { kubeconfig: cluster.kubeconfigJson });
const oidc = new ClusterOidcProvider("shop", { issuerUrl: cluster.oidcProviderUrl });

// Orders: its own ServiceAccount in namespace shop, created and annotated through the Kubernetes provider.
const orders = new WorkloadIdentity(
  "orders",
  {
    oidcProvider: oidc,
    clusterName: "shop",
    namespace: "shop",
    serviceAccount: "orders",
    s3: [{ bucket: "shop-invoices", prefix: "2026/", access: "read-write" }],
    dynamodb: [{ table: "orders", access: "read", indexes: ["by-customer"] }],
    secrets: [{ name: "shop/orders/db" }],
  },
  { providers: [kubernetes] },
);

// A Helm chart creates the exporter's ServiceAccount: no Kubernetes provider, the annotations are an output.
const exporter = new WorkloadIdentity("metrics-exporter", {
  oidcProvider: oidc,
  clusterName: "shop",
  namespace: "monitoring",
  s3: [{ bucket: "shop-metrics", prefix: "exports/", access: "write" }],
});

export const ordersRoleArn = orders.roleArn;
export const exporterAnnotations = exporter.serviceAccountAnnotations;
