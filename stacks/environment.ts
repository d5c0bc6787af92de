import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AuditAlarm } from "../components/auditAlarm";
import { TargetAccount } from "../components/crossAccount";
import { ExternalSecretsOperator } from "../components/externalSecrets";
import { ClusterOidcProvider } from "../components/oidcProvider";
import { WorkloadIdentity } from "../components/workloadIdentity";
import { ESO_NAME, esoArgs, targetArgs, workloadArgs } from "../config/args";
import type { ValidatedConfig } from "../config/validate";
import { CLUSTER_TAG } from "../core/plan";
import { chartValues, PRESETS, type AddonPreset } from "../core/presets";
import type { ServiceAccountMode, VerificationRecipe } from "../core/serviceAccount";
import { connectCluster } from "./cluster";

/** What a stack exports, per workload the values its deployment and its pods need next. */
export interface EnvironmentOutputs {
  clusterName: string;
  oidcIssuerUrl: pulumi.Output<string>;
  oidcProviderArn: pulumi.Output<string>;
  oidcProviderAdopted: boolean;
  /** Risky grants and quota pressure found at plan time (also logged as warnings, the risks by their components). */
  warnings: string[];
  workloads: Record<
    string,
    {
      roleArn: pulumi.Output<string>;
      roleName: pulumi.Output<string>;
      serviceAccount: string;
      namespace: string;
      /** created, annotated or external: who puts the annotations on the ServiceAccount. */
      serviceAccountMode: ServiceAccountMode;
      /** What the ServiceAccount must carry: for external, set them through the chart value `preset.annotationsValue` names. */
      serviceAccountAnnotations: pulumi.Output<Record<string, string>>;
      /** How to check from the cluster that pods get the role. */
      verification: pulumi.Output<VerificationRecipe>;
      /** The add-on preset, its inputs, and the chart values that go with it. */
      preset?: { input: AddonPreset; chart: string; annotationsValue: string; alsoSet: string[] };
    }
  >;
  /** The ESO controller's identity and store, when ESO is configured. */
  externalSecrets?: { roleArn: pulumi.Output<string>; namespace: string; serviceAccount: string; clusterSecretStore: string; chartVersion: string };
  /** Per target account: its id, mode and role ARNs. */
  crossAccount: Record<string, { accountId: string; mode: string; roles: pulumi.Output<Record<string, string>>; previewRoleArn?: string }>;
  /** The alarms on failed AssumeRoleWithWebIdentity calls, when configured: the log group and what each filter matches. */
  auditAlarm?: { logGroupName: string; filterPatterns: pulumi.Output<Record<string, string>>; alarmArns: pulumi.Output<string[]> };
}

/**
 * Composes one environment from its validated config: the cluster (created or connected), its OIDC provider, and the
 * public components with the arguments config/args.ts maps the config onto (the same ones validation checked).
 */
export function deployEnvironment(validated: ValidatedConfig): EnvironmentOutputs {
  const { spec, layout } = validated;
  for (const warning of layout.warnings) void pulumi.log.warn(warning);
  const tags = { ...spec.roleDefaults.tags, [CLUSTER_TAG]: spec.cluster.name };
  const connection = connectCluster(spec.cluster, spec.region, tags);
  const oidc = new ClusterOidcProvider(`${spec.cluster.name}-oidc`, {
    issuerUrl: connection.issuerUrl,
    adoptArn: spec.cluster.oidcProviderArn,
    protect: spec.cluster.protectOidcProvider,
    tags,
  });

  // Namespaces this stack puts Kubernetes objects into: ServiceAccounts, ExternalSecrets, AWS config ConfigMaps.
  const eso = esoArgs(spec);
  const used = new Set([
    ...spec.workloads.filter((w) => w.createServiceAccount || w.chainedRoles.length > 0).map((w) => w.namespace),
    ...spec.crossAccount.filter((t) => t.mode === "oidc").flatMap((t) => t.roles.flatMap((r) => r.workloads.map((n) => spec.workloads.find((w) => w.name === n)!.namespace))),
    ...(eso?.args.externalSecrets ?? []).map((es) => es.namespace),
  ]);
  const annotated = spec.workloads.some((w) => w.serviceAccountMode === "annotated");
  const kubernetesProvider = used.size > 0 || eso || annotated
    ? new k8s.Provider(`${spec.cluster.name}-k8s`, { kubeconfig: connection.kubeconfig() }, { dependsOn: connection.cluster ? [connection.cluster] : [] })
    : undefined;
  const providers = kubernetesProvider ? [kubernetesProvider] : [];
  const namespaces = new Map<string, k8s.core.v1.Namespace>();
  if (spec.cluster.createNamespaces && kubernetesProvider) {
    for (const ns of [...used].sort()) {
      namespaces.set(ns, new k8s.core.v1.Namespace(ns, { metadata: { name: ns } }, { provider: kubernetesProvider }));
    }
  }
  const inNamespace = (ns: string) => (namespaces.has(ns) ? [namespaces.get(ns)!] : []);

  const workloads: EnvironmentOutputs["workloads"] = {};
  const identities = new Map<string, WorkloadIdentity>();
  spec.workloads.forEach((w, i) => {
    const identity = new WorkloadIdentity(w.name, ({ ...workloadArgs(spec, i), oidcProvider: oidc }), { providers, dependsOn: inNamespace(w.namespace) });
    identities.set(w.name, identity);
    const chart = w.preset ? PRESETS[w.preset.name].serviceAccount : undefined;
    workloads[w.name] = {
      roleArn: identity.roleArn,
      roleName: identity.roleName,
      serviceAccount: w.serviceAccount,
      namespace: w.namespace,
      serviceAccountMode: identity.serviceAccountMode,
      serviceAccountAnnotations: identity.serviceAccountAnnotations,
      verification: identity.verification,
      ...(w.preset && chart ? { preset: { input: w.preset, chart: chart.chart, annotationsValue: chart.annotationsValue, alsoSet: chartValues({ preset: w.preset, clusterName: spec.cluster.name }, spec.region) } } : {}),
    };
  });

  const operator = eso
    ? new ExternalSecretsOperator(ESO_NAME, ({ ...eso.args, oidcProvider: oidc }), {
        providers,
        // The namespaced objects wait for their namespaces and for the ServiceAccounts a workload store authenticates as.
        dependsOn: [...namespaces.values(), ...(eso.args.workloadStores ?? []).map((s) => identities.get(s.workload)!)],
      })
    : undefined;

  const crossAccount: EnvironmentOutputs["crossAccount"] = {};
  spec.crossAccount.forEach((t, i) => {
    // The target account is deployed through its own provider: a deploy role assumed from the stack's credentials;
    // a preview only reads, so it assumes the read-only preview role when the target names one.
    const stackAws = new pulumi.Config("aws");
    const assumed = pulumi.runtime.isDryRun() && t.previewRoleArn ? t.previewRoleArn : t.deployRoleArn;
    const provider = new aws.Provider(
      t.name,
      {
        region: spec.region as aws.Region,
        profile: stackAws.get("profile"),
        sharedConfigFiles: stackAws.getObject<string[]>("sharedConfigFiles"),
        sharedCredentialsFiles: stackAws.getObject<string[]>("sharedCredentialsFiles"),
        assumeRoles: [{ roleArn: assumed, sessionName: `eks-irsa-${pulumi.getStack()}`, externalId: t.externalId }],
        // A deploy role that lands in another account stops the deployment instead of writing there.
        allowedAccountIds: [t.accountId],
      },
      // It was the TargetAccount component's child before the component package.
      { aliases: [{ parent: pulumi.createUrn(t.name, "eks-irsa:crossaccount:TargetAccount") }] },
    );
    const sources = [...new Set(t.roles.flatMap((r) => r.workloads))].map((name) => identities.get(name)!);
    const args = targetArgs(spec, i, (name) => identities.get(name)!.roleArn);
    const account = new TargetAccount(t.name, ({ ...args, ...(t.mode === "oidc" ? { issuerUrl: oidc.issuerUrl } : {}) }), {
      providers: [provider, ...providers],
      dependsOn: t.mode === "chained" ? sources : [...new Set(sources.map((s) => s.serviceAccountNamespace))].flatMap(inNamespace),
    });
    crossAccount[t.name] = { accountId: t.accountId, mode: t.mode, roles: account.roleArns, ...(t.previewRoleArn ? { previewRoleArn: t.previewRoleArn } : {}) };
  });
  const audit = spec.auditAlarm
    ? new AuditAlarm(`${spec.cluster.name}-irsa-audit`, {
        logGroupName: spec.auditAlarm.logGroupName,
        oidcProviderArns: [oidc.arn],
        roleNamePrefix: `${spec.cluster.name}-`,
        rolePath: spec.roleDefaults.path,
        ...(spec.auditAlarm.alarmTopicArn ? { alarmTopicArn: spec.auditAlarm.alarmTopicArn } : {}),
        metricNamespace: spec.auditAlarm.metricNamespace,
        threshold: spec.auditAlarm.threshold,
      })
    : undefined;
  return {
    clusterName: spec.cluster.name,
    oidcIssuerUrl: oidc.issuerUrl,
    oidcProviderArn: oidc.arn,
    oidcProviderAdopted: oidc.adopted,
    warnings: [...layout.risks, ...layout.warnings],
    workloads,
    ...(spec.externalSecrets && operator
      ? {
          externalSecrets: {
            roleArn: operator.roleArn,
            namespace: operator.namespace,
            serviceAccount: spec.externalSecrets.serviceAccount,
            clusterSecretStore: operator.clusterSecretStoreName,
            chartVersion: operator.chartVersion,
          },
        }
      : {}),
    crossAccount,
    ...(audit && spec.auditAlarm ? { auditAlarm: { logGroupName: spec.auditAlarm.logGroupName, filterPatterns: audit.filterPatterns, alarmArns: audit.alarmArns } } : {}),
  };
}
