import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { connectCluster } from "../components/cluster";
import { TargetAccount } from "../components/crossAccount";
import { ExternalSecretsOperator } from "../components/externalSecrets";
import { awsConfigFile, awsConfigMapName } from "../core/crossAccount";
import { ClusterOidcProvider } from "../components/oidcProvider";
import { WorkloadIdentity } from "../components/workloadIdentity";
import type { ValidatedConfig } from "../config/validate";
import type { AwsEnvironment } from "../core/environment";
import { CLUSTER_TAG, type ClusterIdentity } from "../core/plan";

/** What a stack exports, per workload the values its deployment and its pods need next. */
export interface EnvironmentOutputs {
  clusterName: string;
  oidcIssuerUrl: pulumi.Output<string>;
  oidcProviderArn: pulumi.Output<string>;
  oidcProviderAdopted: boolean;
  /** Quota pressure found at plan time (also logged as warnings). */
  warnings: string[];
  workloads: Record<
    string,
    { roleArn: pulumi.Output<string>; roleName: pulumi.Output<string>; serviceAccount: string; namespace: string }
  >;
  /** The ESO controller's identity and store, when ESO is configured. */
  externalSecrets?: { roleArn: pulumi.Output<string>; namespace: string; serviceAccount: string; clusterSecretStore: string; chartVersion: string };
  /** Per target account: its id, mode and role ARNs; `profiles` names the ConfigMap each source workload mounts. */
  crossAccount: Record<string, { accountId: string; mode: string; roles: Record<string, pulumi.Output<string>> }>;
}

/** Account and partition as AWS reports them, checked against the partition of the configured region. */
export function awsEnvironment(region: string, expectedPartition: string): pulumi.Output<AwsEnvironment> {
  return pulumi
    .all([aws.getCallerIdentityOutput().accountId, aws.getPartitionOutput().partition])
    .apply(([accountId, partition]) => {
      if (partition !== expectedPartition) {
        throw new Error(`aws:region ${region} is in partition ${expectedPartition}, but the credentials are for ${partition}`);
      }
      return { accountId, partition: partition as AwsEnvironment["partition"], region };
    });
}

/** Composes one environment from its validated config: cluster, OIDC provider, a workload identity each. */
export function deployEnvironment(validated: ValidatedConfig): EnvironmentOutputs {
  const { spec, layout } = validated;
  for (const warning of layout.warnings) void pulumi.log.warn(warning);
  const tags = { ...spec.roleDefaults.tags, [CLUSTER_TAG]: spec.cluster.name };
  const environment = awsEnvironment(spec.region, spec.partition);
  const connection = connectCluster(spec.cluster, spec.region, tags);
  const oidc = new ClusterOidcProvider(`${spec.cluster.name}-oidc`, {
    issuerUrl: connection.issuerUrl,
    adoptArn: spec.cluster.oidcProviderArn,
    protect: spec.cluster.protectOidcProvider,
    tags,
  });
  const cluster: pulumi.Output<ClusterIdentity> = pulumi
    .all([oidc.issuerUrl, oidc.arn])
    .apply(([issuerUrl, providerArn]) => ({ issuerUrl, providerArn }));

  // Namespaces this stack puts Kubernetes objects into: ServiceAccounts, ExternalSecrets, AWS config ConfigMaps.
  const profiled = new Set(spec.crossAccount.filter((t) => t.mode === "chained").flatMap((t) => t.roles.flatMap((r) => r.workloads)));
  const used = new Set([
    ...layout.workloads.flatMap((w) => (w.serviceAccount ? [w.serviceAccount.namespace] : [])),
    ...layout.crossAccount.flat().flatMap((p) => p.serviceAccounts.map((sa) => sa.namespace)),
    ...validated.esoObjects.flatMap(({ object }) => (object.metadata.namespace ? [object.metadata.namespace] : [])),
    ...spec.workloads.filter((w) => profiled.has(w.name)).map((w) => w.namespace),
  ]);
  const kubernetesProvider = used.size > 0 || spec.externalSecrets
    ? new k8s.Provider(`${spec.cluster.name}-k8s`, { kubeconfig: connection.kubeconfig() }, { dependsOn: connection.cluster ? [connection.cluster] : [] })
    : undefined;
  const namespaces = new Map<string, k8s.core.v1.Namespace>();
  if (spec.cluster.createNamespaces && kubernetesProvider) {
    for (const ns of [...used].sort()) {
      namespaces.set(ns, new k8s.core.v1.Namespace(ns, { metadata: { name: ns } }, { provider: kubernetesProvider }));
    }
  }

  const workloads: EnvironmentOutputs["workloads"] = {};
  const identities = new Map<string, WorkloadIdentity>();
  spec.workloads.forEach((w, index) => {
    const identity = new WorkloadIdentity(w.name, {
      spec,
      index,
      layout: layout.workloads[index],
      environment,
      cluster,
      kubernetesProvider,
      serviceAccountDependsOn: namespaces.has(w.namespace) ? [namespaces.get(w.namespace)!] : [],
    });
    identities.set(w.name, identity);
    workloads[w.name] = { roleArn: identity.roleArn, roleName: identity.roleName, serviceAccount: w.serviceAccount, namespace: w.namespace };
  });

  const eso = spec.externalSecrets;
  const operator = eso && new ExternalSecretsOperator("external-secrets", { validated, environment, cluster, kubernetesProvider: kubernetesProvider!, namespaces, identities });

  const crossAccount: EnvironmentOutputs["crossAccount"] = {};
  spec.crossAccount.forEach((t, index) => {
    const sources = [...new Set(t.roles.flatMap((r) => r.workloads))].map((name) => identities.get(name)!);
    const account = new TargetAccount(t.name, { spec, index, layout: layout.crossAccount[index], environment, cluster, sources, kubernetesProvider, namespaces });
    crossAccount[t.name] = { accountId: t.accountId, mode: t.mode, roles: account.roleArns };
  });
  // Each source workload of a chained target gets an AWS config file with a profile per target role.
  for (const w of spec.workloads.filter((x) => profiled.has(x.name))) {
    const targets = layout.crossAccount.flat().filter((p) => p.mode === "chained" && p.sources.some((s) => s.workload === w.name));
    new k8s.core.v1.ConfigMap(
      awsConfigMapName(w.name),
      {
        metadata: { name: awsConfigMapName(w.name), namespace: w.namespace, labels: { "app.kubernetes.io/managed-by": "eks-irsa", "eks-irsa/workload": w.name } },
        data: { config: workloads[w.name].roleArn.apply((arn) => awsConfigFile(w.name, arn, spec.region, targets)) },
      },
      { provider: kubernetesProvider, dependsOn: namespaces.has(w.namespace) ? [namespaces.get(w.namespace)!] : [] },
    );
  }
  return {
    clusterName: spec.cluster.name,
    oidcIssuerUrl: oidc.issuerUrl,
    oidcProviderArn: oidc.arn,
    oidcProviderAdopted: oidc.adopted,
    warnings: layout.warnings,
    workloads,
    ...(eso && operator
      ? { externalSecrets: { roleArn: operator.roleArn, namespace: eso.namespace, serviceAccount: eso.serviceAccount, clusterSecretStore: eso.clusterSecretStore.name, chartVersion: eso.chart.version } }
      : {}),
    crossAccount,
  };
}
