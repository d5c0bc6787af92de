import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AuditAlarm } from "../components/auditAlarm";
import { TargetAccount } from "../components/crossAccount";
import { ExternalSecretsOperator } from "../components/externalSecrets";
import { ClusterOidcProvider } from "../components/oidcProvider";
import { identityOverrides } from "../components/internal";
import { WorkloadIdentity, type WorkloadIdentityArgs } from "../components/workloadIdentity";
import { ESO_NAME, esoArgs, targetArgs, workloadArgs } from "../config/args";
import type { ValidatedConfig } from "../config/validate";
import { CLUSTER_TAG } from "../core/plan";
import { chartValues, PRESETS, type AddonPreset } from "../core/presets";
import type { ServiceAccountMode, VerificationRecipe } from "../core/serviceAccount";
import { POD_IDENTITY_AGENT, usesIrsa, usesPodIdentity } from "../core/podIdentity";
import { connectCluster, type ClusterConnection } from "./cluster";

/** What a stack exports, per workload the values its deployment and its pods need next. */
export interface EnvironmentOutputs {
  clusterName: string;
  /** The further clusters (blue/green), when there are any. */
  additionalClusters?: string[];
  /** The stack's cluster is retired (blue/green), when it is. */
  clusterRetired?: boolean;
  /** The cluster's IRSA issuer and provider: absent when no identity of the stack uses IRSA (Pod Identity only). */
  oidcIssuerUrl?: pulumi.Output<string>;
  oidcProviderArn?: pulumi.Output<string>;
  oidcProviderAdopted?: boolean;
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
      /** How the pods get the role, when not irsa. */
      mode?: string;
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
  const fargateNamespaces = (cluster: string) => [...new Set(spec.workloads.filter((w) => w.fargate && w.clusters.includes(cluster)).map((w) => w.namespace))].sort();
  const connection = connectCluster(spec.cluster, spec.region, tags, undefined, fargateNamespaces(spec.cluster.name));
  // The clusters and what each needs: an IAM OIDC provider where an identity uses IRSA, the Pod Identity agent where
  // one uses Pod Identity (EKS Auto Mode and clusters made elsewhere: the plan says it must be there).
  const irsaOn = (cluster: string) => spec.workloads.some((w) => usesIrsa(w.mode) && w.clusters.includes(cluster));
  const podIdentityOn = (cluster: string) => spec.workloads.some((w) => usesPodIdentity(w.mode) && w.clusters.includes(cluster));
  const primaryIrsa = irsaOn(spec.cluster.name) || spec.externalSecrets !== undefined || spec.crossAccount.some((t) => t.mode === "oidc");
  const oidc = primaryIrsa
    ? new ClusterOidcProvider(`${spec.cluster.name}-oidc`, {
        issuerUrl: connection.issuerUrl,
        adoptArn: spec.cluster.oidcProviderArn,
        protect: spec.cluster.protectOidcProvider,
        tags,
      })
    : undefined;
  const clusters = new Map<string, { connection: ClusterConnection; oidc?: ClusterOidcProvider; createNamespaces: boolean }>([
    [spec.cluster.name, { connection, oidc, createNamespaces: spec.cluster.createNamespaces }],
  ]);
  for (const k of spec.cluster.additionalClusters) {
    const kTags = { ...spec.roleDefaults.tags, [CLUSTER_TAG]: k.name };
    const c = connectCluster(k, spec.region, kTags, undefined, fargateNamespaces(k.name));
    const provider = irsaOn(k.name)
      ? new ClusterOidcProvider(`${k.name}-oidc`, { issuerUrl: c.issuerUrl, adoptArn: k.oidcProviderArn, protect: spec.cluster.protectOidcProvider, tags: kTags })
      : undefined;
    clusters.set(k.name, { connection: c, oidc: provider, createNamespaces: k.create !== undefined });
  }
  const agents = new Map<string, aws.eks.Addon>();
  for (const [name, { connection: c }] of clusters) {
    if (c.cluster && podIdentityOn(name)) {
      agents.set(name, new aws.eks.Addon(`${name}-${POD_IDENTITY_AGENT}`, { clusterName: name, addonName: POD_IDENTITY_AGENT, tags: { ...spec.roleDefaults.tags, [CLUSTER_TAG]: name } }, { dependsOn: [c.cluster] }));
    }
  }

  // Namespaces this stack puts Kubernetes objects into: ServiceAccounts, ExternalSecrets, AWS config ConfigMaps.
  const eso = esoArgs(spec);
  const primary = spec.cluster.name;
  // A workload's own ServiceAccount (and AWS config) goes to the stack's cluster when it runs there; each further
  // cluster gets its copy as `<workload>@<cluster>`, so that retiring either cluster deletes only its own objects.
  const onPrimary = (w: (typeof spec.workloads)[number]) => w.clusters.includes(primary);
  const objects = (w: (typeof spec.workloads)[number]) => w.createServiceAccount || w.chainedRoles.length > 0;
  const used = new Set([
    ...spec.workloads.filter((w) => objects(w) && onPrimary(w)).map((w) => w.namespace),
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
  // Further clusters: their own Kubernetes provider and (when the stack creates them) namespaces, named `<ns>@<cluster>`.
  const elsewhere = new Map<string, { provider: k8s.Provider; namespaces: Map<string, k8s.core.v1.Namespace> }>();
  for (const [name, c] of [...clusters].filter(([n]) => n !== primary)) {
    const there = [...new Set(spec.workloads.filter((w) => objects(w) && w.clusters.includes(name)).map((w) => w.namespace))].sort();
    // A ServiceAccount to patch (annotated) needs the provider, not a namespace: its chart made both.
    const patched = spec.workloads.some((w) => w.serviceAccountMode === "annotated" && w.clusters.includes(name));
    if (there.length === 0 && !patched) continue;
    const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: c.connection.kubeconfig() }, { dependsOn: c.connection.cluster ? [c.connection.cluster] : [] });
    const created = new Map(c.createNamespaces ? there.map((ns) => [ns, new k8s.core.v1.Namespace(`${ns}@${name}`, { metadata: { name: ns } }, { provider })] as const) : []);
    elsewhere.set(name, { provider, namespaces: created });
  }
  const inNamespace = (ns: string, cluster = primary) => {
    const created = cluster === primary ? namespaces.get(ns) : elsewhere.get(cluster)?.namespaces.get(ns);
    return created ? [created] : [];
  };

  const workloads: EnvironmentOutputs["workloads"] = {};
  const identities = new Map<string, WorkloadIdentity>();
  spec.workloads.forEach((w, i) => {
    const args = workloadArgs(spec, i);
    const irsa = usesIrsa(w.mode);
    const wiring = args.clusters
      ? { clusters: args.clusters.map((k) => ({ ...k, ...(irsa ? { oidcProvider: clusters.get(k.name)!.oidc! } : {}) })) }
      : irsa ? { oidcProvider: oidc! } : {};
    // Associations wait for the clusters the stack creates and their Pod Identity agent.
    const podIdentity = usesPodIdentity(w.mode) ? w.clusters.flatMap((k) => [...(clusters.get(k)!.connection.cluster ? [clusters.get(k)!.connection.cluster!] : []), ...(agents.has(k) ? [agents.get(k)!] : [])]) : [];
    const here = onPrimary(w);
    const given: WorkloadIdentityArgs = { ...args, ...wiring, ...(here ? {} : { createServiceAccount: false, serviceAccountMode: "external" as const }) };
    // Custom statements may name every account the config allows, as its validation did (not only the provider's).
    if (w.statements && validated.accounts.length > 0) identityOverrides.set(given, { statementAccounts: validated.accounts });
    const identity = new WorkloadIdentity(w.name, given, {
      providers: here ? providers : [],
      dependsOn: [...(here ? inNamespace(w.namespace) : []), ...podIdentity],
    });
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
      ...(w.mode !== "irsa" ? { mode: w.mode } : {}),
      ...(w.preset && chart ? { preset: { input: w.preset, chart: chart.chart, annotationsValue: chart.annotationsValue, alsoSet: chartValues({ preset: w.preset, clusterName: spec.cluster.name }, spec.region) } } : {}),
    };
    // The same ServiceAccount in each further cluster the workload runs on (annotated as in the stack's cluster).
    if (w.createServiceAccount) {
      for (const k of w.clusters.filter((x) => x !== primary && elsewhere.has(x))) {
        new k8s.core.v1.ServiceAccount(
          `${w.name}@${k}`,
          { metadata: { name: w.serviceAccount, namespace: w.namespace, labels: { "app.kubernetes.io/managed-by": "eks-irsa", "eks-irsa/workload": w.name }, annotations: identity.serviceAccountAnnotations } },
          { parent: identity, provider: elsewhere.get(k)!.provider, dependsOn: inNamespace(w.namespace, k) },
        );
      }
    }
    // A ServiceAccount its chart made in each further cluster gets the same annotations, as a patch.
    if (w.serviceAccountMode === "annotated") {
      for (const k of w.clusters.filter((x) => x !== primary && elsewhere.has(x))) {
        new k8s.core.v1.ServiceAccountPatch(
          `${w.name}@${k}`,
          { metadata: { name: w.serviceAccount, namespace: w.namespace, annotations: identity.serviceAccountAnnotations } },
          { parent: identity, provider: elsewhere.get(k)!.provider },
        );
      }
    }
  });

  const operator = eso
    ? new ExternalSecretsOperator(ESO_NAME, ({ ...eso.args, oidcProvider: oidc! }), {
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
    const args = targetArgs(spec, i, (name) => identities.get(name)!.roleArn, (name) => identities.get(name)!.associationExternalIds);
    const account = new TargetAccount(t.name, ({ ...args, ...(t.mode === "oidc" ? { issuerUrl: oidc!.issuerUrl } : {}) }), {
      providers: [provider, ...providers],
      dependsOn: t.mode === "oidc" ? [...new Set(sources.map((s) => s.serviceAccountNamespace))].flatMap((ns) => inNamespace(ns)) : sources,
    });
    crossAccount[t.name] = { accountId: t.accountId, mode: t.mode, roles: account.roleArns, ...(t.previewRoleArn ? { previewRoleArn: t.previewRoleArn } : {}) };
  });
  const audit = spec.auditAlarm
    ? new AuditAlarm(`${spec.cluster.name}-irsa-audit`, {
        logGroupName: spec.auditAlarm.logGroupName,
        // Every IRSA provider of the stack's clusters; the roles' name prefix covers Pod Identity-only stacks too.
        oidcProviderArns: [...clusters.values()].flatMap((k) => (k.oidc ? [k.oidc.arn] : [])),
        roleNamePrefix: `${spec.cluster.name}-`,
        rolePath: spec.roleDefaults.path,
        ...(spec.auditAlarm.alarmTopicArn ? { alarmTopicArn: spec.auditAlarm.alarmTopicArn } : {}),
        metricNamespace: spec.auditAlarm.metricNamespace,
        threshold: spec.auditAlarm.threshold,
      })
    : undefined;
  return {
    clusterName: spec.cluster.name,
    ...(spec.cluster.additionalClusters.length > 0 ? { additionalClusters: spec.cluster.additionalClusters.map((k) => k.name) } : {}),
    ...(spec.cluster.retired ? { clusterRetired: true } : {}),
    ...(oidc ? { oidcIssuerUrl: oidc.issuerUrl, oidcProviderArn: oidc.arn, oidcProviderAdopted: oidc.adopted } : {}),
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
