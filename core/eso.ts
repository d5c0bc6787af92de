/**
 * External Secrets Operator at the user's level: its arguments, the objects (external-secrets.io/v1) as plain data,
 * the controller's access, and the check that every remote key an ExternalSecret references is readable by the
 * identity its store uses.
 */
import { SECRET_VALUE, type AccessSpec, type SecretGrant } from "./access";
import { Checker } from "./check";
import { formatPath, type FieldPath, type Problem } from "./problems";
import { DISGUISING, RULES } from "./rules";
import { ROLE_INPUT_KEYS, checkGrants, type IdentityOverrides, type RoleInput, type WorkloadIdentityInput } from "./workload";

export const ESO_API_VERSION = "external-secrets.io/v1";
/** Where ESO goes and the names of its ServiceAccounts, unless the arguments say otherwise. */
export const ESO_DEFAULTS = {
  namespace: "external-secrets",
  serviceAccount: "external-secrets",
  readerServiceAccount: (controller: string) => `${controller}-reader`,
  clusterSecretStore: "aws-secrets-manager",
  refreshInterval: "1h",
} as const;
export const ESO_CHART = { name: "external-secrets", repository: "https://charts.external-secrets.io", version: "2.10.0" };
const LABELS = { "app.kubernetes.io/managed-by": "eks-irsa" };

/** Which ServiceAccount the controller's role is bound to. */
export const EsoIdentity = {
  /**
   * A pod-less ServiceAccount in ESO's namespace carries the role and the ClusterSecretStore authenticates as it
   * (`auth.jwt`): a SecretStore without `auth` in some namespace gets no AWS identity from the controller.
   */
  Reader: "reader",
  /** The chart's ServiceAccount carries the role (ESO's usual setup): every SecretStore without `auth` reads with it. */
  Controller: "controller",
} as const;
export type EsoIdentity = (typeof EsoIdentity)[keyof typeof EsoIdentity];

/** Which store an ExternalSecret reads through. */
export const SecretStoreKind = {
  /** The ClusterSecretStore, reading with the ESO role. */
  Cluster: "cluster",
  /** The workload's own SecretStore, authenticating as its ServiceAccount (reads with the workload's role). */
  Workload: "workload",
} as const;
export type SecretStoreKind = (typeof SecretStoreKind)[keyof typeof SecretStoreKind];

/** Whether an ExternalSecret also reads the secret's tags and metadata (then `secretsmanager:DescribeSecret` is granted). */
export const MetadataPolicy = { None: "None", Fetch: "Fetch" } as const;
export type MetadataPolicy = (typeof MetadataPolicy)[keyof typeof MetadataPolicy];

/** What ESO does with the Kubernetes Secret it writes. */
export const CreationPolicy = { Owner: "Owner", Orphan: "Orphan", Merge: "Merge", None: "None" } as const;
export type CreationPolicy = (typeof CreationPolicy)[keyof typeof CreationPolicy];

/** One secret of Secrets Manager, by name (not ARN). */
export interface RemoteRef {
  /** The secret's name in Secrets Manager. */
  key: string;
  /** A JSON key of the secret's value. @default the whole value */
  property?: string;
  /** A version id or stage. @default AWSCURRENT */
  version?: string;
  /** `Fetch` reads the secret's metadata (grants DescribeSecret on it). @default None */
  metadataPolicy?: MetadataPolicy;
}

/** One key of the Kubernetes Secret and where its value comes from. */
export interface ExternalSecretData {
  /** Key in the Kubernetes Secret. */
  secretKey: string;
  /** The secret (and JSON property) its value comes from. */
  remoteRef: RemoteRef;
}

/** A regular expression secret names must match. */
export interface NameRegexp {
  /** The regular expression (RE2, as ESO evaluates it). */
  regexp: string;
}

/** Secrets found by path and name (ESO's AWS provider needs a name pattern). */
export interface FindByPath {
  /** Only secrets whose names start with this path. */
  path: string;
  /** A regular expression the names must match. */
  name: NameRegexp;
}

/** Give exactly one of `extract` (the JSON keys of one secret) or `find` (secrets under a path). */
export interface ExternalSecretDataFrom {
  /** Every JSON key of one secret becomes a key of the Secret. Give `extract` or `find`. @default none */
  extract?: RemoteRef;
  /** Every secret under a path whose name matches becomes a key (needs `clusterSecretStore.findByPath`). Give `extract` or `find`. @default none */
  find?: FindByPath;
}

/** The Kubernetes Secret an ExternalSecret writes. */
export interface ExternalSecretTarget {
  /** Name of the Secret. @default the ExternalSecret's name */
  name?: string;
  /** What ESO does with the Secret (Owner deletes it with the ExternalSecret). @default Owner */
  creationPolicy?: CreationPolicy;
}

/** One ExternalSecret (external-secrets.io/v1). */
export interface ExternalSecretInput {
  /** Namespace of the ExternalSecret and of the Secret it writes. */
  namespace: string;
  /** Name of the ExternalSecret. */
  name: string;
  /** The store it reads through. @default cluster */
  store?: SecretStoreKind;
  /** The workload it belongs to: its SecretStore (`workloadStores[].workload`) when `store` is `workload`, and a label. @default none */
  workload?: string;
  /** How often ESO reads again (a Go duration; "0" turns refreshing off). @default "1h" */
  refreshInterval?: string;
  /** The Kubernetes Secret it writes. @default named after the ExternalSecret, owned by it */
  target?: ExternalSecretTarget;
  /** Keys of the Secret, one remote value each. @default none */
  data?: ExternalSecretData[];
  /** Whole secrets or secrets found by path. @default none */
  dataFrom?: ExternalSecretDataFrom[];
}

/** A SecretStore in a workload's namespace that authenticates as the workload's ServiceAccount (`auth.jwt`). */
export interface WorkloadSecretStore {
  /** The workload's name: names the store `<workload>-secrets-manager`. */
  workload: string;
  /** The workload's namespace, where the SecretStore goes. */
  namespace: string;
  /** The workload's ServiceAccount (an exact name), annotated with its role; it must exist. */
  serviceAccount: string;
  /** What the workload's role may read (its `secrets`): each key read through the store is checked against them. @default none */
  secrets?: SecretGrant[];
}

/** The ClusterSecretStore the controller serves. */
export interface ClusterSecretStoreInput {
  /** Name of the ClusterSecretStore. @default "aws-secrets-manager" */
  name?: string;
  /** Allow `dataFrom.find`: grants ListSecrets and BatchGetSecretValue on "*" to the controller. @default false */
  findByPath?: boolean;
  /** Namespaces served besides those of `externalSecrets` through it (the store admits no other). @default none */
  namespaces?: string[];
}

/** The operator's own settings (the role arguments come from `WorkloadIdentityInput`). */
export interface ExternalSecretsInput {
  /** Namespace of the Helm release and of the reader ServiceAccount. @default "external-secrets" */
  namespace?: string;
  /** Name of the controller's ServiceAccount (the chart creates it). @default "external-secrets" */
  serviceAccount?: string;
  /** Which ServiceAccount the role is bound to. @default reader */
  identity?: EsoIdentity;
  /** The pod-less ServiceAccount of identity `reader`. @default "<serviceAccount>-reader" */
  readerServiceAccount?: string;
  /** Exact chart version (a pin, not a range). @default "2.10.0" */
  chartVersion?: string;
  /** Helm repository of the chart. @default "https://charts.external-secrets.io" */
  chartRepository?: string;
  /** The ClusterSecretStore the controller serves: its name, find-by-path, extra namespaces. @default aws-secrets-manager, no find-by-path */
  clusterSecretStore?: ClusterSecretStoreInput;
  /** What the controller may read for the ClusterSecretStore (GetSecretValue only). @default none */
  secrets?: SecretGrant[];
  /** ExternalSecrets to create, through the ClusterSecretStore or a workload's SecretStore. @default none */
  externalSecrets?: ExternalSecretInput[];
  /** SecretStores of workloads whose ExternalSecrets read with the workload's own role. @default none */
  workloadStores?: WorkloadSecretStore[];
}

export interface ResolvedExternalSecret {
  namespace: string;
  name: string;
  store: SecretStoreKind;
  workload?: string;
  refreshInterval: string;
  target: { name: string; creationPolicy: CreationPolicy };
  data: ExternalSecretData[];
  dataFrom: ExternalSecretDataFrom[];
}

/** The operator's own settings (its release, its controller identity, its ClusterSecretStore), defaults applied. */
export interface EsoSettings {
  namespace: string;
  /** Fixed name of the controller's ServiceAccount (the chart creates it). */
  serviceAccount: string;
  /**
   * Which ServiceAccount the controller's role is bound to.
   * `reader` (default): a pod-less ServiceAccount in ESO's namespace, annotated with the role; the
   * ClusterSecretStore authenticates as it (`auth.jwt`), and the controller's own ServiceAccount carries no
   * role, so a SecretStore without `auth` in some namespace gets no AWS identity from the controller.
   * `controller`: the chart's ServiceAccount is annotated with the role (ESO's usual setup): every SecretStore
   * without `auth`, in any namespace, reads with the controller's role.
   */
  identity: EsoIdentity;
  readerServiceAccount: string;
  chart: { name: string; repository: string; version: string };
  /** `namespaces`: served besides those of the configured ExternalSecrets (the store admits no other). */
  clusterSecretStore: { name: string; findByPath: boolean; namespaces: string[] };
  /** Secrets the controller may read for the ClusterSecretStore. */
  secrets: SecretGrant[];
}

/** The operator with its ExternalSecrets and workload SecretStores, resolved. */
export interface ResolvedEso extends EsoSettings {
  externalSecrets: ResolvedExternalSecret[];
  workloadStores: WorkloadSecretStore[];
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

export function resolveEso(input: ExternalSecretsInput): ResolvedEso {
  const serviceAccount = input.serviceAccount ?? ESO_DEFAULTS.serviceAccount;
  return {
    namespace: input.namespace ?? ESO_DEFAULTS.namespace,
    serviceAccount,
    identity: input.identity ?? EsoIdentity.Reader,
    readerServiceAccount: input.readerServiceAccount ?? ESO_DEFAULTS.readerServiceAccount(serviceAccount),
    chart: { name: ESO_CHART.name, repository: input.chartRepository ?? ESO_CHART.repository, version: input.chartVersion ?? ESO_CHART.version },
    clusterSecretStore: {
      name: input.clusterSecretStore?.name ?? ESO_DEFAULTS.clusterSecretStore,
      findByPath: input.clusterSecretStore?.findByPath ?? false,
      namespaces: input.clusterSecretStore?.namespaces ?? [],
    },
    secrets: input.secrets ?? [],
    externalSecrets: (input.externalSecrets ?? []).map((es) => ({
      namespace: es.namespace,
      name: es.name,
      store: es.store ?? SecretStoreKind.Cluster,
      ...(es.workload !== undefined ? { workload: es.workload } : {}),
      refreshInterval: es.refreshInterval ?? ESO_DEFAULTS.refreshInterval,
      target: { name: es.target?.name ?? es.name, creationPolicy: es.target?.creationPolicy ?? CreationPolicy.Owner },
      data: es.data ?? [],
      dataFrom: es.dataFrom ?? [],
    })),
    workloadStores: input.workloadStores ?? [],
  };
}

/** Every remote key an ExternalSecret reads, with its path below the ExternalSecret. */
export function remoteRefsOf(es: ResolvedExternalSecret): { path: FieldPath; ref: RemoteRef }[] {
  return [
    ...es.data.map((d, i) => ({ path: ["data", i, "remoteRef", "key"], ref: d.remoteRef })),
    ...es.dataFrom.flatMap((d, i) => (d.extract ? [{ path: ["dataFrom", i, "extract", "key"], ref: d.extract }] : [])),
  ];
}

export function findPathsOf(es: ResolvedExternalSecret): { path: FieldPath; value: string }[] {
  return es.dataFrom.flatMap((d, i) => (d.find ? [{ path: ["dataFrom", i, "find", "path"], value: d.find.path }] : []));
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

/** The ExternalSecrets served by the ClusterSecretStore. */
export function clusterStoreUsers(externalSecrets: ResolvedExternalSecret[]): ResolvedExternalSecret[] {
  return externalSecrets.filter((es) => es.store === SecretStoreKind.Cluster);
}

/**
 * The controller's access: GetSecretValue on the configured secrets (DescribeSecret on exactly the secrets an
 * ExternalSecret fetches metadata of), kms:Decrypt via Secrets Manager for their customer-managed keys, and ListSecrets /
 * BatchGetSecretValue on `*` only when the ClusterSecretStore is configured for find-by-path.
 */
export function controllerAccess(secrets: SecretGrant[], findByPath: boolean, externalSecrets: ResolvedExternalSecret[]): AccessSpec {
  const fetched = clusterStoreUsers(externalSecrets).flatMap((es) => remoteRefsOf(es).filter((r) => r.ref.metadataPolicy === MetadataPolicy.Fetch).map((r) => r.ref.key));
  return { secrets, secretActions: SECRET_VALUE, ...(fetched.length ? { describeSecrets: fetched } : {}), listSecrets: findByPath };
}

export function workloadStoreName(workload: string): string {
  return `${workload}-secrets-manager`;
}

/** The namespaces the ClusterSecretStore serves: those of its ExternalSecrets plus any configured. */
export function clusterStoreNamespaces(eso: ResolvedEso): string[] {
  return [...new Set([...clusterStoreUsers(eso.externalSecrets).map((es) => es.namespace), ...eso.clusterSecretStore.namespaces])].sort();
}

export function clusterSecretStoreObject(eso: ResolvedEso, region: string): K8sObject {
  return {
    apiVersion: ESO_API_VERSION,
    kind: "ClusterSecretStore",
    metadata: { name: eso.clusterSecretStore.name, labels: LABELS },
    spec: {
      provider: {
        aws: {
          service: "SecretsManager",
          region,
          // reader: ESO requests a token for the pod-less reader ServiceAccount and assumes its role; the
          // namespace is required here, else ESO would look in the ExternalSecret's namespace.
          ...(eso.identity === EsoIdentity.Reader ? { auth: { jwt: { serviceAccountRef: { name: eso.readerServiceAccount, namespace: eso.namespace } } } } : {}),
        },
      },
      // Only the namespaces that declared ExternalSecrets through it may use it.
      conditions: [{ namespaces: clusterStoreNamespaces(eso) }],
    },
  };
}

/** A SecretStore that authenticates as the workload's own ServiceAccount: reads happen with the workload's role. */
export function workloadSecretStoreObject(store: WorkloadSecretStore, region: string): K8sObject {
  return {
    apiVersion: ESO_API_VERSION,
    kind: "SecretStore",
    metadata: { name: workloadStoreName(store.workload), namespace: store.namespace, labels: { ...LABELS, "eks-irsa/workload": store.workload } },
    spec: {
      provider: {
        aws: { service: "SecretsManager", region, auth: { jwt: { serviceAccountRef: { name: store.serviceAccount } } } },
      },
    },
  };
}

function remoteRef(ref: RemoteRef): Record<string, string> {
  return Object.fromEntries(Object.entries(ref).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

export function externalSecretObject(eso: ResolvedEso, es: ResolvedExternalSecret): K8sObject {
  const storeRef = es.store === SecretStoreKind.Cluster
    ? { name: eso.clusterSecretStore.name, kind: "ClusterSecretStore" }
    : { name: workloadStoreName(es.workload!), kind: "SecretStore" };
  return {
    apiVersion: ESO_API_VERSION,
    kind: "ExternalSecret",
    metadata: { name: es.name, namespace: es.namespace, labels: { ...LABELS, ...(es.workload !== undefined ? { "eks-irsa/workload": es.workload } : {}) } },
    spec: {
      refreshInterval: es.refreshInterval,
      secretStoreRef: storeRef,
      target: { name: es.target.name, creationPolicy: es.target.creationPolicy },
      ...(es.data.length > 0 ? { data: es.data.map((d) => ({ secretKey: d.secretKey, remoteRef: remoteRef(d.remoteRef) })) } : {}),
      ...(es.dataFrom.length > 0
        ? { dataFrom: es.dataFrom.map((d) => (d.extract ? { extract: remoteRef(d.extract) } : { find: { path: d.find!.path, name: { regexp: d.find!.name.regexp } } })) }
        : {}),
    },
  };
}

/** Every ESO object, with the argument path each comes from: the ClusterSecretStore, the workload stores in use, the ExternalSecrets. */
export function esoObjects(eso: ResolvedEso, region: string): { path: FieldPath; object: K8sObject }[] {
  const used = new Set(eso.externalSecrets.filter((es) => es.store === SecretStoreKind.Workload).map((es) => es.workload));
  return [
    { path: ["clusterSecretStore"], object: clusterSecretStoreObject(eso, region) },
    ...eso.workloadStores.flatMap((s, i) => (used.has(s.workload) ? [{ path: ["workloadStores", i] as FieldPath, object: workloadSecretStoreObject(s, region) }] : [])),
    ...eso.externalSecrets.map((es, j) => ({ path: ["externalSecrets", j] as FieldPath, object: externalSecretObject(eso, es) })),
  ];
}

/** Names an argument path in messages that point the reader to another field (the config layer names config keys). */
export type FieldNamer = (path: FieldPath) => string;

export const ESO_INPUT_KEYS = [
  "namespace", "serviceAccount", "identity", "readerServiceAccount", "chartVersion", "chartRepository", "clusterSecretStore", "secrets", "externalSecrets", "workloadStores",
] as const satisfies readonly (keyof ExternalSecretsInput)[];

/** The operator's own arguments: names, the store, the grants and every ExternalSecret, as values. */
export function esoInputProblems(input: ExternalSecretsInput, region?: string): Problem[] {
  const c = new Checker(region);
  const raw = input as unknown as Record<string, unknown>;
  c.known([], raw, [...ESO_INPUT_KEYS, ...ROLE_INPUT_KEYS, "oidcProvider"]);
  c.name(["namespace"], input.namespace, RULES.namespace);
  c.name(["serviceAccount"], input.serviceAccount, RULES.serviceAccount);
  c.oneOf(["identity"], input.identity ?? EsoIdentity.Reader, Object.values(EsoIdentity), "ESO identity mode");
  if (c.name(["readerServiceAccount"], input.readerServiceAccount, RULES.serviceAccount) && input.readerServiceAccount === (input.serviceAccount ?? ESO_DEFAULTS.serviceAccount)) {
    c.add(["readerServiceAccount"], "must differ from serviceAccount: the reader ServiceAccount runs no pod");
  }
  c.name(["chartVersion"], input.chartVersion, RULES.semver);
  if (input.chartRepository !== undefined && !/^https:\/\/[^\s/@]+(\/\S*)?$/.test(String(input.chartRepository))) {
    c.add(["chartRepository"], `${JSON.stringify(input.chartRepository)} is not a valid Helm repository URL (https://...)`);
  }
  if (c.object(["clusterSecretStore"], raw.clusterSecretStore)) {
    const s = raw.clusterSecretStore as Record<string, unknown>;
    c.known(["clusterSecretStore"], s, ["name", "findByPath", "namespaces"]);
    c.name(["clusterSecretStore", "name"], s.name, RULES.k8sName);
    c.bool(["clusterSecretStore", "findByPath"], s.findByPath);
    c.list<unknown>(["clusterSecretStore", "namespaces"], s.namespaces, (n, p) => c.name(p, n, RULES.namespace, true));
  }
  checkGrants(c, [], { secrets: input.secrets });
  c.list<Record<string, unknown>>(["workloadStores"], input.workloadStores, (s, p) => {
    if (!c.object(p, s)) return;
    c.known(p, s, ["workload", "namespace", "serviceAccount", "secrets"]);
    c.name([...p, "workload"], s.workload, RULES.workloadName, true);
    c.name([...p, "namespace"], s.namespace, RULES.namespace, true);
    c.name([...p, "serviceAccount"], s.serviceAccount, RULES.serviceAccount, true);
    checkGrants(c, p, { secrets: s.secrets });
  });
  c.list<Record<string, unknown>>(["externalSecrets"], input.externalSecrets, (es, p) => {
    if (!c.object(p, es)) return;
    c.known(p, es, ["namespace", "name", "store", "workload", "refreshInterval", "target", "data", "dataFrom"]);
    c.name([...p, "namespace"], es.namespace, RULES.namespace, true);
    c.name([...p, "name"], es.name, RULES.k8sName, true);
    if (es.store !== undefined && c.oneOf([...p, "store"], es.store, Object.values(SecretStoreKind), "store") && es.store === SecretStoreKind.Workload && es.workload === undefined) {
      c.add([...p, "workload"], "is required with store workload (the workloadStores entry to read through)");
    }
    c.name([...p, "workload"], es.workload, RULES.workloadName);
    c.name([...p, "refreshInterval"], es.refreshInterval, RULES.duration);
    if (c.object([...p, "target"], es.target)) {
      const t = es.target as Record<string, unknown>;
      c.known([...p, "target"], t, ["name", "creationPolicy"]);
      c.name([...p, "target", "name"], t.name, RULES.k8sName);
      if (t.creationPolicy !== undefined) c.oneOf([...p, "target", "creationPolicy"], t.creationPolicy, Object.values(CreationPolicy), "creation policy");
    }
    const ref = (at: FieldPath, r: unknown) => {
      if (!c.object(at, r)) {
        if (r === undefined) c.add(at, "is required");
        return;
      }
      const o = r as Record<string, unknown>;
      c.known(at, o, ["key", "property", "version", "metadataPolicy"]);
      c.name([...at, "key"], o.key, RULES.secretName, true);
      for (const k of ["property", "version"] as const) {
        if (o[k] !== undefined && (typeof o[k] !== "string" || o[k] === "" || DISGUISING.test(o[k] as string))) c.add([...at, k], "expected a non-empty string without control or invisible formatting characters");
      }
      if (o.metadataPolicy !== undefined) c.oneOf([...at, "metadataPolicy"], o.metadataPolicy, Object.values(MetadataPolicy), "metadata policy");
    };
    c.list<Record<string, unknown>>([...p, "data"], es.data, (d, q) => {
      if (!c.object(q, d)) return;
      c.known(q, d, ["secretKey", "remoteRef"]);
      c.name([...q, "secretKey"], d.secretKey, RULES.secretDataKey, true);
      ref([...q, "remoteRef"], d.remoteRef);
    });
    c.list<Record<string, unknown>>([...p, "dataFrom"], es.dataFrom, (d, q) => {
      if (!c.object(q, d)) return;
      c.known(q, d, ["extract", "find"]);
      if ((d.extract === undefined) === (d.find === undefined)) c.add(q, "give exactly one of extract (one secret) or find (secrets under a path)");
      if (d.extract !== undefined) ref([...q, "extract"], d.extract);
      if (c.object([...q, "find"], d.find)) {
        const f = d.find as Record<string, unknown>;
        c.known([...q, "find"], f, ["path", "name"]);
        c.name([...q, "find", "path"], f.path, RULES.secretPrefix, true);
        if (f.name === undefined) c.add([...q, "find", "name"], "is required");
        else if (c.object([...q, "find", "name"], f.name) && (typeof (f.name as Record<string, unknown>).regexp !== "string" || (f.name as { regexp: string }).regexp === "" || DISGUISING.test((f.name as { regexp: string }).regexp))) {
          c.add([...q, "find", "name", "regexp"], "expected a non-empty regular expression");
        }
      }
    });
  });
  return c.problems;
}

/**
 * What cannot work once applied: duplicate ExternalSecrets or target Secrets, ExternalSecrets that read nothing, and
 * every remote key (or find path) the store's identity could not read, named with the ExternalSecret and the key.
 */
export function externalSecretProblems(eso: ResolvedEso, nameOf: FieldNamer = formatPath): Problem[] {
  const problems: Problem[] = [];
  const targets = new Map<string, number>();
  const names = new Map<string, number>();
  const stores = new Map(eso.workloadStores.map((s, i) => [s.workload, { store: s, index: i }]));
  eso.externalSecrets.forEach((es, j) => {
    const at: FieldPath = ["externalSecrets", j];
    const id = `ExternalSecret ${es.namespace}/${es.name}`;
    const dupName = names.get(`${es.namespace}/${es.name}`);
    if (dupName !== undefined) problems.push({ path: [...at, "name"], message: `${id} is declared twice (also ${nameOf(["externalSecrets", dupName])})` });
    else names.set(`${es.namespace}/${es.name}`, j);
    const dupTarget = targets.get(`${es.namespace}/${es.target.name}`);
    if (dupTarget !== undefined) problems.push({ path: [...at, "target", "name"], message: `${id} writes Secret ${es.namespace}/${es.target.name}, which ${nameOf(["externalSecrets", dupTarget])} writes too` });
    else targets.set(`${es.namespace}/${es.target.name}`, j);
    if (es.data.length === 0 && es.dataFrom.length === 0) problems.push({ path: at, message: `${id} reads nothing: give data or dataFrom` });
    const keys = new Set<string>();
    es.data.forEach((d, k) => {
      if (keys.has(d.secretKey)) problems.push({ path: [...at, "data", k, "secretKey"], message: `${id} sets key ${JSON.stringify(d.secretKey)} twice` });
      keys.add(d.secretKey);
    });
    const viaCluster = es.store === SecretStoreKind.Cluster;
    const found = viaCluster ? undefined : stores.get(es.workload ?? "");
    if (!viaCluster && !found) {
      problems.push({ path: [...at, "workload"], message: `${id} reads through the SecretStore of workload ${JSON.stringify(es.workload)}, which is not in workloadStores` });
      return;
    }
    if (found && found.store.namespace !== es.namespace) {
      problems.push({ path: [...at, "namespace"], message: `${id} is in namespace ${es.namespace}, but workload ${found.store.workload}'s SecretStore is in ${found.store.namespace}` });
    }
    const grants = viaCluster ? eso.secrets : (found!.store.secrets ?? []);
    const holder = viaCluster
      ? `through ClusterSecretStore ${eso.clusterSecretStore.name}, but the ESO controller's role cannot read it (${nameOf(["secrets"])}: ${describeGrants(grants)})`
      : `through SecretStore ${found!.store.namespace}/${workloadStoreName(found!.store.workload)} as ServiceAccount ${found!.store.serviceAccount}, but workload ${found!.store.workload}'s role cannot read it (${nameOf(["workloadStores", found!.index, "secrets"])}: ${describeGrants(grants)})`;
    for (const { path, ref } of remoteRefsOf(es)) {
      if (!grants.some((g) => grantCovers(g, ref.key))) problems.push({ path: [...at, ...path], message: `${id} reads ${JSON.stringify(ref.key)} ${holder}` });
    }
    for (const { path, value } of findPathsOf(es)) {
      if (!viaCluster) {
        problems.push({ path: [...at, ...path], message: `${id}: find-by-path needs ListSecrets on "*", which eks-irsa grants only to the ESO controller: use store cluster with ${nameOf(["clusterSecretStore", "findByPath"])}` });
      } else if (!eso.clusterSecretStore.findByPath) {
        problems.push({ path: [...at, ...path], message: `${id} finds secrets by path, but the ClusterSecretStore is not configured for it: set ${nameOf(["clusterSecretStore", "findByPath"])}: true (grants ListSecrets and BatchGetSecretValue on "*")` });
      } else if (!grantsCoverPath(grants, value)) {
        problems.push({ path: [...at, ...path], message: `${id} finds secrets under ${JSON.stringify(value)} ${holder}` });
      }
    }
  });
  return problems;
}

/**
 * The controller's identity as a workload's: bound to the reader or the chart's ServiceAccount, with ESO's exact
 * access (GetSecretValue only, DescribeSecret where metadata is fetched, list only for find-by-path). The role is
 * named and tagged after the operator (`name`), not its `-controller` child.
 */
export function esoControllerInput(name: string, args: RoleInput, eso: ResolvedEso): { input: WorkloadIdentityInput; overrides: IdentityOverrides } {
  const role = Object.fromEntries(ROLE_INPUT_KEYS.filter((k) => args[k] !== undefined).map((k) => [k, args[k]])) as RoleInput;
  const reader = eso.identity === EsoIdentity.Reader;
  return {
    input: {
      ...role,
      namespace: eso.namespace,
      // reader: the operator creates the pod-less reader ServiceAccount; controller: the chart creates its own.
      serviceAccount: reader ? eso.readerServiceAccount : eso.serviceAccount,
      createServiceAccount: reader,
    },
    overrides: { kind: "eso-controller", label: name, access: controllerAccess(eso.secrets, eso.clusterSecretStore.findByPath, eso.externalSecrets) },
  };
}
