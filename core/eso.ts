/**
 * External Secrets Operator objects (external-secrets.io/v1) as plain data, the controller's access, and the
 * check that every remote key an ExternalSecret references is readable by the identity its store uses.
 */
import { SECRET_VALUE, type AccessSpec, type SecretGrant } from "./access";
import type { EnvironmentSpec, ExternalSecretSpec, ExternalSecretsSpec, RemoteRef, WorkloadSpec } from "./model";
import { isPattern } from "./trust";

export const ESO_API_VERSION = "external-secrets.io/v1";
/** Where ESO goes and the names of its ServiceAccounts, unless config says otherwise. */
export const ESO_DEFAULTS = {
  namespace: "external-secrets",
  serviceAccount: "external-secrets",
  readerServiceAccount: (controller: string) => `${controller}-reader`,
} as const;
export const ESO_CHART = { name: "external-secrets", repository: "https://charts.external-secrets.io", version: "2.10.0" };
const LABELS = { "app.kubernetes.io/managed-by": "eks-irsa" };

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

/** Every remote key an ExternalSecret reads, with its config path suffix. */
export function remoteRefsOf(es: ExternalSecretSpec): { path: string; ref: RemoteRef }[] {
  return [
    ...es.data.map((d, i) => ({ path: `data[${i}].remoteRef.key`, ref: d.remoteRef })),
    ...es.dataFrom.flatMap((d, i) => ("extract" in d ? [{ path: `dataFrom[${i}].extract.key`, ref: d.extract }] : [])),
  ];
}

export function findPathsOf(es: ExternalSecretSpec): { path: string; value: string }[] {
  return es.dataFrom.flatMap((d, i) => ("find" in d ? [{ path: `dataFrom[${i}].find.path`, value: d.find.path }] : []));
}

/** Whether a secret grant lets its holder read the secret named `key` (names only: ARN keys are not accepted). */
export function grantCovers(grant: SecretGrant, key: string): boolean {
  if (grant.name !== undefined) return grant.name === key;
  return grant.prefix !== undefined && key.startsWith(grant.prefix);
}

/** Whether a find-by-path under `path` stays within what the grants let the holder read. */
export function grantsCoverPath(grants: SecretGrant[], path: string): boolean {
  return grants.some((g) => g.prefix !== undefined && path.startsWith(g.prefix));
}

function describeGrants(grants: SecretGrant[]): string {
  if (grants.length === 0) return "none";
  return grants.map((g) => (g.name !== undefined ? g.name : `${g.prefix}*`)).join(", ");
}

/** The ExternalSecrets served by the ClusterSecretStore, with their namespaces. */
export function clusterStoreUsers(workloads: WorkloadSpec[]): { workload: WorkloadSpec; es: ExternalSecretSpec }[] {
  return workloads.flatMap((w) => w.externalSecrets.filter((es) => es.store === "cluster").map((es) => ({ workload: w, es })));
}

/**
 * The controller's access: GetSecretValue on the configured secrets (DescribeSecret on exactly the secrets an
 * ExternalSecret fetches metadata of), kms:Decrypt via Secrets Manager for their customer-managed keys, and ListSecrets /
 * BatchGetSecretValue on `*` only when the ClusterSecretStore is configured for find-by-path.
 */
export function controllerAccess(secrets: SecretGrant[], findByPath: boolean, workloads: WorkloadSpec[]): AccessSpec {
  // DescribeSecret only on the secrets whose metadata an ExternalSecret of the cluster store fetches.
  const fetched = clusterStoreUsers(workloads).flatMap(({ es }) => remoteRefsOf(es).filter((r) => r.ref.metadataPolicy === "Fetch").map((r) => r.ref.key));
  return { secrets, secretActions: SECRET_VALUE, ...(fetched.length ? { describeSecrets: fetched } : {}), listSecrets: findByPath };
}

export function workloadStoreName(w: WorkloadSpec): string {
  return `${w.name}-secrets-manager`;
}

/** The namespaces the ClusterSecretStore serves: those of its ExternalSecrets plus any configured. */
export function clusterStoreNamespaces(eso: ExternalSecretsSpec, workloads: WorkloadSpec[]): string[] {
  return [...new Set([...clusterStoreUsers(workloads).map(({ workload }) => workload.namespace), ...eso.clusterSecretStore.namespaces])].sort();
}

export function clusterSecretStoreObject(spec: EnvironmentSpec): K8sObject {
  const eso = spec.externalSecrets!;
  return {
    apiVersion: ESO_API_VERSION,
    kind: "ClusterSecretStore",
    metadata: { name: eso.clusterSecretStore.name, labels: LABELS },
    spec: {
      provider: {
        aws: {
          service: "SecretsManager",
          region: spec.region,
          // reader: ESO requests a token for the pod-less reader ServiceAccount and assumes its role; the
          // namespace is required here, else ESO would look in the ExternalSecret's namespace.
          ...(eso.identity === "reader" ? { auth: { jwt: { serviceAccountRef: { name: eso.readerServiceAccount, namespace: eso.namespace } } } } : {}),
        },
      },
      // Only the namespaces that declared ExternalSecrets through it may use it.
      conditions: [{ namespaces: clusterStoreNamespaces(eso, spec.workloads) }],
    },
  };
}

/** A SecretStore that authenticates as the workload's own ServiceAccount: reads happen with the workload's role. */
export function workloadSecretStoreObject(spec: EnvironmentSpec, w: WorkloadSpec): K8sObject {
  return {
    apiVersion: ESO_API_VERSION,
    kind: "SecretStore",
    metadata: { name: workloadStoreName(w), namespace: w.namespace, labels: { ...LABELS, "eks-irsa/workload": w.name } },
    spec: {
      provider: {
        aws: { service: "SecretsManager", region: spec.region, auth: { jwt: { serviceAccountRef: { name: w.serviceAccount } } } },
      },
    },
  };
}

function remoteRef(ref: RemoteRef): Record<string, string> {
  return Object.fromEntries(Object.entries(ref).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

export function externalSecretObject(spec: EnvironmentSpec, w: WorkloadSpec, es: ExternalSecretSpec): K8sObject {
  const storeRef = es.store === "cluster"
    ? { name: spec.externalSecrets!.clusterSecretStore.name, kind: "ClusterSecretStore" }
    : { name: workloadStoreName(w), kind: "SecretStore" };
  return {
    apiVersion: ESO_API_VERSION,
    kind: "ExternalSecret",
    metadata: { name: es.name, namespace: w.namespace, labels: { ...LABELS, "eks-irsa/workload": w.name } },
    spec: {
      refreshInterval: es.refreshInterval,
      secretStoreRef: storeRef,
      target: { name: es.target.name, creationPolicy: es.target.creationPolicy },
      ...(es.data.length > 0 ? { data: es.data.map((d) => ({ secretKey: d.secretKey, remoteRef: remoteRef(d.remoteRef) })) } : {}),
      ...(es.dataFrom.length > 0
        ? { dataFrom: es.dataFrom.map((d) => ("extract" in d ? { extract: remoteRef(d.extract) } : { find: d.find })) }
        : {}),
    },
  };
}

/** Every ESO object the environment declares, with the config path each comes from. */
export function esoObjects(spec: EnvironmentSpec): { path: string; object: K8sObject }[] {
  if (!spec.externalSecrets) return [];
  const out = [{ path: "externalSecrets.clusterSecretStore", object: clusterSecretStoreObject(spec) }];
  spec.workloads.forEach((w, i) => {
    if (w.externalSecrets.some((es) => es.store === "workload")) {
      out.push({ path: `workloads[${i}].externalSecrets`, object: workloadSecretStoreObject(spec, w) });
    }
    w.externalSecrets.forEach((es, j) => out.push({ path: `workloads[${i}].externalSecrets[${j}]`, object: externalSecretObject(spec, w, es) }));
  });
  return out;
}

export interface EsoProblem {
  path: string;
  message: string;
}

/**
 * What cannot work once applied: ExternalSecrets without ESO, stores that cannot be built, and every remote
 * key (or find path) the store's identity could not read, named with the ExternalSecret and the key.
 */
export function externalSecretProblems(spec: EnvironmentSpec): EsoProblem[] {
  const problems: EsoProblem[] = [];
  const eso = spec.externalSecrets;
  const targets = new Map<string, string>();
  const names = new Map<string, string>();
  spec.workloads.forEach((w, i) => {
    w.externalSecrets.forEach((es, j) => {
      const at = `workloads[${i}].externalSecrets[${j}]`;
      const id = `ExternalSecret ${w.namespace}/${es.name}`;
      if (!eso) {
        problems.push({ path: at, message: `${id} needs the External Secrets Operator: configure eks-irsa:externalSecrets` });
        return;
      }
      const dupName = names.get(`${w.namespace}/${es.name}`);
      if (dupName) problems.push({ path: `${at}.name`, message: `${id} is declared twice (also ${dupName})` });
      else names.set(`${w.namespace}/${es.name}`, at);
      const dupTarget = targets.get(`${w.namespace}/${es.target.name}`);
      if (dupTarget) problems.push({ path: `${at}.target.name`, message: `${id} writes Secret ${w.namespace}/${es.target.name}, which ${dupTarget} writes too` });
      else targets.set(`${w.namespace}/${es.target.name}`, at);
      if (es.data.length === 0 && es.dataFrom.length === 0) problems.push({ path: at, message: `${id} reads nothing: give data or dataFrom` });
      const keys = new Set<string>();
      es.data.forEach((d, k) => {
        if (keys.has(d.secretKey)) problems.push({ path: `${at}.data[${k}].secretKey`, message: `${id} sets key ${JSON.stringify(d.secretKey)} twice` });
        keys.add(d.secretKey);
      });
      const viaCluster = es.store === "cluster";
      if (!viaCluster && isPattern(w.serviceAccount)) {
        problems.push({ path: `${at}.store`, message: `${id}: a workload store authenticates as one ServiceAccount, but workload ${w.name} binds the pattern ${JSON.stringify(w.serviceAccount)}` });
        return;
      }
      if (!viaCluster && !w.createServiceAccount) {
        problems.push({
          path: `${at}.store`,
          message: `a workload store authenticates as ServiceAccount ${w.namespace}/${w.serviceAccount}, which this stack does not create (createServiceAccount: false): ESO needs it to exist, annotated with the role`,
        });
      }
      const grants = viaCluster ? eso.secrets : (w.secrets ?? []);
      const holder = viaCluster
        ? `through ClusterSecretStore ${eso.clusterSecretStore.name}, but the ESO controller's role cannot read it (externalSecrets.secrets: ${describeGrants(grants)})`
        : `through SecretStore ${w.namespace}/${workloadStoreName(w)} as ServiceAccount ${w.serviceAccount}, but workload ${w.name}'s role cannot read it (workloads[${i}].secrets: ${describeGrants(grants)})`;
      for (const { path, ref } of remoteRefsOf(es)) {
        if (!grants.some((g) => grantCovers(g, ref.key))) problems.push({ path: `${at}.${path}`, message: `${id} reads ${JSON.stringify(ref.key)} ${holder}` });
      }
      for (const { path, value } of findPathsOf(es)) {
        if (!viaCluster) {
          problems.push({ path: `${at}.${path}`, message: `${id}: find-by-path needs ListSecrets on "*", which eks-irsa grants only to the ESO controller: use store cluster with externalSecrets.clusterSecretStore.findByPath` });
        } else if (!eso.clusterSecretStore.findByPath) {
          problems.push({ path: `${at}.${path}`, message: `${id} finds secrets by path, but the ClusterSecretStore is not configured for it: set externalSecrets.clusterSecretStore.findByPath: true (grants ListSecrets and BatchGetSecretValue on "*")` });
        } else if (!grantsCoverPath(grants, value)) {
          problems.push({ path: `${at}.${path}`, message: `${id} finds secrets under ${JSON.stringify(value)} ${holder}` });
        }
      }
    });
  });
  return problems;
}
