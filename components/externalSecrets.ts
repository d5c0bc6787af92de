import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ValidatedConfig } from "../config/validate";
import type { AwsEnvironment } from "../core/environment";
import type { K8sObject } from "../core/eso";
import type { ClusterIdentity } from "../core/plan";
import { WorkloadIdentity } from "./workloadIdentity";

export interface ExternalSecretsOperatorArgs {
  validated: ValidatedConfig;
  environment: pulumi.Input<AwsEnvironment>;
  cluster: pulumi.Input<ClusterIdentity>;
  kubernetesProvider: k8s.Provider;
  /** Resources the namespaced objects wait for (the namespaces this stack creates), by namespace. */
  namespaces: Map<string, pulumi.Resource>;
  /** The workloads' identities, by name: a workload's SecretStore waits for its annotated ServiceAccount. */
  identities: Map<string, pulumi.Resource>;
}

/** Helm values that fix the controller's ServiceAccount (the chart creates it) and, in controller mode, annotate it with the role. */
export function esoHelmValues(serviceAccount: string, annotations: Record<string, string>): Record<string, unknown> {
  return { installCRDs: true, serviceAccount: { create: true, name: serviceAccount, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) } };
}

/** `<kind>/<namespace>/<name>`: unique, where joining with "-" would let `a-b/c` and `a/b-c` collide. */
function logicalName(o: K8sObject): string {
  return [o.kind.toLowerCase(), o.metadata.namespace, o.metadata.name].filter(Boolean).join("/");
}

/**
 * The External Secrets Operator: its IRSA role (reads only the configured secrets), the Helm release with
 * CRDs and the controller's ServiceAccount annotated with that role, the ClusterSecretStore, the SecretStores
 * that impersonate workloads, and the ExternalSecrets — all validated against ESO's v1 schema beforehand.
 */
export class ExternalSecretsOperator extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;
  public readonly release: k8s.helm.v3.Release;
  /** The ESO objects registered, by `<Kind>/<namespace>/<name>`. */
  public readonly objects: string[];

  constructor(name: string, args: ExternalSecretsOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("eks-irsa:eso:ExternalSecretsOperator", name, {}, opts);
    const { spec, layout, esoObjects } = args.validated;
    const eso = spec.externalSecrets;
    const controllerLayout = layout.externalSecrets;
    if (!eso || !controllerLayout) throw new Error("ExternalSecretsOperator: externalSecrets is not configured");
    const release = (values: pulumi.Input<Record<string, unknown>>) =>
      new k8s.helm.v3.Release(
        name,
        {
          name: eso.chart.name,
          chart: eso.chart.name,
          version: eso.chart.version,
          repositoryOpts: { repo: eso.chart.repository },
          namespace: eso.namespace,
          createNamespace: true,
          values,
        },
        { parent: this, provider: args.kubernetesProvider },
      );
    const identity = (dependsOn: pulumi.Resource[]) =>
      new WorkloadIdentity(
        `${name}-controller`,
        {
          spec,
          index: "eso-controller",
          layout: controllerLayout,
          environment: args.environment,
          cluster: args.cluster,
          kubernetesProvider: args.kubernetesProvider,
          serviceAccountDependsOn: dependsOn,
        },
        { parent: this },
      );
    if (eso.identity === "reader") {
      // The chart's ServiceAccount carries no role; the reader ServiceAccount is created in the release's namespace.
      this.release = release(esoHelmValues(eso.serviceAccount, {}));
      this.roleArn = identity([this.release]).roleArn;
    } else {
      const controller = identity([]);
      this.roleArn = controller.roleArn;
      this.release = release(controller.annotations.apply((annotations) => esoHelmValues(eso.serviceAccount, annotations)));
    }
    const stores = new Map<string, k8s.apiextensions.CustomResource>();
    this.objects = [];
    for (const { object } of esoObjects) {
      const ns = object.metadata.namespace;
      const workload = object.kind === "SecretStore" ? object.metadata.labels?.["eks-irsa/workload"] : undefined;
      const identity = workload ? args.identities.get(workload) : undefined;
      const spec = object.spec as { secretStoreRef?: { name: string; kind: string } };
      const store = spec.secretStoreRef ? stores.get(`${spec.secretStoreRef.kind}/${spec.secretStoreRef.kind === "SecretStore" ? ns : ""}/${spec.secretStoreRef.name}`) : undefined;
      const resource = new k8s.apiextensions.CustomResource(logicalName(object), object, {
        parent: this,
        provider: args.kubernetesProvider,
        // The CRDs come with the release; a store exists before the ExternalSecrets that use it.
        dependsOn: [
          this.release,
          ...(ns && args.namespaces.has(ns) ? [args.namespaces.get(ns)!] : []),
          ...(store ? [store] : []),
          ...(identity ? [identity] : []),
        ],
      });
      const key = `${object.kind}/${ns ?? ""}/${object.metadata.name}`;
      stores.set(key, resource);
      this.objects.push(key);
    }
    this.registerOutputs({ roleArn: this.roleArn, objects: this.objects });
  }
}
