/** The validated, defaulted description of one environment: what config means, as plain data. */
import type { AccessSpec, SecretGrant } from "./access";
import type { Partition } from "./environment";

export interface ClusterSpec {
  name: string;
  create?: { version?: string; instanceType: string; desiredCapacity: number; minSize: number; maxSize: number };
  /** Known issuer, from config or derived from an adopted provider's ARN. */
  oidcIssuerUrl?: string;
  /** Adopt this IAM OIDC provider rather than create one. */
  oidcProviderArn?: string;
  protectOidcProvider: boolean;
  /** Create the namespaces of the ServiceAccounts this stack creates. */
  createNamespaces: boolean;
  kubeconfig?: string;
}

export interface RoleDefaults {
  path: string;
  maxSessionDurationSeconds: number;
  permissionsBoundaryArn?: string;
  tags: Record<string, string>;
  requireSecureTransport: boolean;
  allowedRegions?: string[];
  trustPolicyQuota: number;
  managedPolicyQuota: number;
}

export interface ServiceAccountDefaults {
  stsRegionalEndpoints: boolean;
  tokenExpirationSeconds?: number;
}

export interface WorkloadSpec extends AccessSpec {
  name: string;
  namespace: string;
  /** Exact name or `*` pattern. */
  serviceAccount: string;
  createServiceAccount: boolean;
  tags: Record<string, string>;
  maxSessionDurationSeconds: number;
  tokenExpirationSeconds?: number;
  /** ExternalSecrets this workload's namespace receives (ESO must be enabled). */
  externalSecrets: ExternalSecretSpec[];
}

/** What ESO reads from Secrets Manager: `remoteRef` of an ExternalSecret's `data` or `dataFrom.extract`. */
export interface RemoteRef {
  key: string;
  property?: string;
  version?: string;
  /** `Fetch` reads the secret's tags and metadata: the reader then needs `secretsmanager:DescribeSecret`. */
  metadataPolicy?: "None" | "Fetch";
}

export type DataFrom = { extract: RemoteRef } | { find: { path: string; name: { regexp: string } } };

/** One `ExternalSecret` (external-secrets.io/v1) in a workload's namespace. */
export interface ExternalSecretSpec {
  name: string;
  /**
   * `cluster`: the ClusterSecretStore, reading with the ESO controller's own role.
   * `workload`: a SecretStore in the namespace that authenticates as the workload's ServiceAccount
   * (`auth.jwt.serviceAccountRef`), reading with the workload's role.
   */
  store: "cluster" | "workload";
  refreshInterval: string;
  target: { name: string; creationPolicy: "Owner" | "Orphan" | "Merge" | "None" };
  data: { secretKey: string; remoteRef: RemoteRef }[];
  dataFrom: DataFrom[];
}

/** The External Secrets Operator: its Helm release, its controller identity and its ClusterSecretStore. */
export interface ExternalSecretsSpec {
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
  identity: "reader" | "controller";
  readerServiceAccount: string;
  chart: { name: string; repository: string; version: string };
  /** `namespaces`: served besides those of the configured ExternalSecrets (the store admits no other). */
  clusterSecretStore: { name: string; findByPath: boolean; namespaces: string[] };
  /** Secrets the controller may read for the ClusterSecretStore. */
  secrets: SecretGrant[];
  /** The controller's IRSA identity, planned like a workload's. */
  controller: WorkloadSpec;
}

/** A role in another account, assumable by source workloads. */
export interface TargetRoleSpec extends AccessSpec {
  name: string;
  roleName: string;
  /** Known from config (account, path, name): the source roles are granted sts:AssumeRole on exactly it. */
  roleArn: string;
  /** Source workload names. */
  workloads: string[];
  maxSessionDurationSeconds: number;
  tags: Record<string, string>;
}

/** Another AWS account the stack deploys target roles into, through its own provider. */
export interface TargetAccountSpec {
  name: string;
  accountId: string;
  /** Role the deployment assumes in the target account (the `aws.Provider`'s `assumeRoles`). */
  deployRoleArn: string;
  externalId?: string;
  /**
   * `chained`: the target role trusts exactly the source workload roles (sts:AssumeRole, aws:PrincipalArn).
   * `oidc`: the target account gets its own IAM OIDC provider for the cluster's issuer and the target role
   * trusts the source workloads' ServiceAccounts directly.
   */
  mode: "chained" | "oidc";
  /** oidc mode: adopt this provider in the target account instead of creating one. */
  oidcProviderArn?: string;
  permissionsBoundaryArn?: string;
  roles: TargetRoleSpec[];
}

export interface Quotas {
  rolesPerAccount: number;
  oidcProvidersPerAccount: number;
  rolesAlreadyInAccount: number;
  oidcProvidersAlreadyInAccount: number;
  warnAtPercent: number;
}

export interface EnvironmentSpec {
  region: string;
  partition: Partition;
  cluster: ClusterSpec;
  roleDefaults: RoleDefaults;
  serviceAccountDefaults: ServiceAccountDefaults;
  workloads: WorkloadSpec[];
  quotas: Quotas;
  externalSecrets?: ExternalSecretsSpec;
  crossAccount: TargetAccountSpec[];
}
