import * as apiextensions from "@pulumi/kubernetes/apiextensions";
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import * as pulumi from "@pulumi/pulumi";
import { Checker, validRegion } from "../core/check";
import {
  esoControllerInput,
  esoInputProblems,
  esoObjects,
  EsoIdentity,
  externalSecretProblems,
  resolveEso,
  type ExternalSecretsInput,
  type K8sObject,
  type ResolvedEso,
} from "../core/eso";
import { esoModels } from "../core/esoModels";
import { ArgsError, type Problem } from "../core/problems";
import { checkRoleArgs, type RoleInput } from "../core/workload";
import { awsEnvironmentOf, checkedEnvironment } from "./awsEnvironment";
import { dependsOnOf, identityOverrides, optionsHaveProvider, withOldType, requireObjectArgs } from "./internal";
import type { OidcProviderRef } from "./oidcProvider";
import { layoutWorkload, WorkloadIdentity, type WorkloadIdentityArgs } from "./workloadIdentity";

export interface ExternalSecretsOperatorArgs extends ExternalSecretsInput, RoleInput {
  /** The cluster's IAM OIDC provider: its ARN and issuer URL (a `ClusterOidcProvider` fits). */
  oidcProvider: OidcProviderRef;
}

/** Helm values that fix the controller's ServiceAccount (the chart creates it) and, in controller mode, annotate it with the role. */
export function esoHelmValues(serviceAccount: string, annotations: Record<string, string>): Record<string, unknown> {
  return { installCRDs: true, serviceAccount: { create: true, name: serviceAccount, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) } };
}

/** `<kind>/<namespace>/<name>`: unique, where joining with "-" would let `a-b/c` and `a/b-c` collide. */
function logicalName(o: K8sObject): string {
  return [o.kind.toLowerCase(), o.metadata.namespace, o.metadata.name].filter(Boolean).join("/");
}

/** The controller's WorkloadIdentity arguments, with ESO's exact access passed beside them. */
function controllerArgs(name: string, args: ExternalSecretsOperatorArgs, eso: ResolvedEso): WorkloadIdentityArgs {
  const { input, overrides } = esoControllerInput(name, args, eso);
  const controller: WorkloadIdentityArgs = { ...input, oidcProvider: args.oidcProvider };
  identityOverrides.set(controller, { ...overrides, ...identityOverrides.get(args) });
  return controller;
}

/** Every problem of the operator's arguments, as one error, before anything is registered. */
function checkArgs(name: string, args: ExternalSecretsOperatorArgs, opts: pulumi.ComponentResourceOptions | undefined): { eso: ResolvedEso; controller: WorkloadIdentityArgs } {
  const subject = `ExternalSecretsOperator ${JSON.stringify(name)}`;
  const region = validRegion(args.region);
  const roles = new Checker(region);
  checkRoleArgs(roles, args as unknown as Record<string, unknown>);
  const problems: Problem[] = [...esoInputProblems(args, region), ...roles.problems];
  // Without a provider of its own, the release and the objects would go to the cluster of the ambient kubeconfig.
  if (!optionsHaveProvider(opts, "kubernetes")) {
    problems.push({ path: [], message: "installs a Helm release and ESO objects in the cluster: give a Kubernetes provider in the resource options (providers)" });
  }
  // The ExternalSecrets are checked against the resolved settings, which need arguments without problems.
  if (problems.every((p) => p.path.length === 0)) problems.push(...externalSecretProblems(resolveEso(args)));
  if (problems.length > 0) throw new ArgsError(subject, problems);
  const eso = resolveEso(args);
  const controller = controllerArgs(name, args, eso);
  try {
    layoutWorkload(`${name}-controller`, controller);
  } catch (e) {
    if (e instanceof ArgsError) throw new ArgsError(subject, e.problems);
    throw e;
  }
  return { eso, controller };
}

/**
 * The External Secrets Operator: its IRSA role (reads only the configured secrets), the Helm release with CRDs and
 * the controller's ServiceAccount, the ClusterSecretStore, the SecretStores that impersonate workloads, and the
 * ExternalSecrets, each validated against ESO's v1 schema before it is registered.
 *
 * Resources the namespaced objects must wait for (the namespaces, the workloads' annotated ServiceAccounts) go in
 * the resource options' `dependsOn`; the Kubernetes provider in `providers`.
 */
export class ExternalSecretsOperator extends pulumi.ComponentResource {
  /** ARN of the ESO role. */
  public readonly roleArn: pulumi.Output<string>;
  /** Namespace of the Helm release. */
  public readonly namespace: string;
  /** Name of the ClusterSecretStore. */
  public readonly clusterSecretStoreName: string;
  /** The chart version installed. */
  public readonly chartVersion: string;
  /** The ESO objects registered, as `<Kind>/<namespace>/<name>`. */
  public readonly objects: string[];

  constructor(name: string, args: ExternalSecretsOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
    requireObjectArgs(`ExternalSecretsOperator ${JSON.stringify(name)}`, args);
    const { eso, controller } = checkArgs(name, args, opts);
    super("eks-irsa:index:ExternalSecretsOperator", name, {}, withOldType(opts, "eks-irsa:eso:ExternalSecretsOperator"));
    this.namespace = eso.namespace;
    this.clusterSecretStoreName = eso.clusterSecretStore.name;
    this.chartVersion = eso.chart.version;
    const waitFor = dependsOnOf(opts);
    const release = (values: pulumi.Input<Record<string, unknown>>) =>
      new Release(
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
        { parent: this },
      );
    const identity = (dependsOn: pulumi.Input<pulumi.Resource>[]) => new WorkloadIdentity(`${name}-controller`, controller, { parent: this, dependsOn });
    let helm: Release;
    if (eso.identity === EsoIdentity.Reader) {
      // The chart's ServiceAccount carries no role; the reader ServiceAccount is created in the release's namespace.
      helm = release(esoHelmValues(eso.serviceAccount, {}));
      this.roleArn = identity([helm]).roleArn;
    } else {
      const role = identity([]);
      this.roleArn = role.roleArn;
      helm = release(role.serviceAccountAnnotations.apply((annotations) => esoHelmValues(eso.serviceAccount, annotations)));
    }
    const environment = checkedEnvironment(awsEnvironmentOf(this), `ExternalSecretsOperator ${JSON.stringify(name)}`, args.region);
    // The objects' names are known now; their specs (the region) once the provider answers, validated by the v1 models.
    const planned = esoObjects(eso, args.region ?? "us-east-1");
    const stores = new Map<string, apiextensions.CustomResource>();
    this.objects = [];
    planned.forEach(({ object }, i) => {
      const ns = object.metadata.namespace;
      const checked = environment.apply(async (env) => {
        const real = esoObjects(eso, env.region)[i].object;
        const result = (await esoModels()).check(real);
        if (!result.ok) throw new Error(`${object.kind} ${object.metadata.name} is not valid external-secrets.io/v1: ${result.errors.join("; ")}`);
        return result.json;
      });
      const ref = (object.spec as { secretStoreRef?: { name: string; kind: string } }).secretStoreRef;
      const store = ref ? stores.get(`${ref.kind}/${ref.kind === "SecretStore" ? ns : ""}/${ref.name}`) : undefined;
      const resource = new apiextensions.CustomResource(
        logicalName(object),
        { apiVersion: object.apiVersion, kind: object.kind, metadata: checked.metadata, spec: checked.spec },
        // The CRDs come with the release; a store exists before the ExternalSecrets that use it.
        { parent: this, dependsOn: [helm, ...waitFor, ...(store ? [store] : [])] },
      );
      const key = `${object.kind}/${ns ?? ""}/${object.metadata.name}`;
      stores.set(key, resource);
      this.objects.push(key);
    });
    this.registerOutputs({ roleArn: this.roleArn, namespace: this.namespace, clusterSecretStoreName: this.clusterSecretStoreName, chartVersion: this.chartVersion, objects: this.objects });
  }
}
