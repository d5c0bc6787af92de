/** The validated, defaulted description of one environment: what a stack's config means, as plain data. */
import type { DynamoGrant, S3Grant, SecretGrant } from "../core/access";
import type { Partition } from "../core/environment";
import type { AddonPreset } from "../core/presets";
import type { ServiceAccountMode } from "../core/serviceAccount";
import type { KmsGrant, SnsGrant, SqsGrant } from "../core/serviceGrants";
import type { CustomStatement } from "../core/statements";
import type { EsoSettings, ExternalSecretDataFrom, ExternalSecretData, CreationPolicy, SecretStoreKind } from "../core/eso";
import type { CrossAccountMode } from "../core/targetRole";
import type { IdentityMode } from "../core/podIdentity";
import type { ChainedRole } from "../core/workload";

/** The grants of a workload or target role. */
export interface Grants {
  s3?: S3Grant[];
  dynamodb?: DynamoGrant[];
  secrets?: SecretGrant[];
}

/** A cluster the stack creates with @pulumi/eks. */
export interface ClusterCreateSpec {
  version?: string;
  instanceType: string;
  desiredCapacity: number;
  minSize: number;
  maxSize: number;
  /** A Fargate profile for the namespaces of the workloads marked fargate. */
  fargateProfile: boolean;
}

/** A further cluster whose workloads share the stack's roles (blue/green). */
export interface AdditionalClusterSpec {
  name: string;
  create?: ClusterCreateSpec;
  oidcIssuerUrl?: string;
  oidcProviderArn?: string;
  kubeconfig?: string;
  fargate: boolean;
}

export interface ClusterSpec {
  name: string;
  create?: ClusterCreateSpec;
  /** Known issuer, from config or derived from an adopted provider's ARN. */
  oidcIssuerUrl?: string;
  /** Adopt this IAM OIDC provider rather than create one. */
  oidcProviderArn?: string;
  protectOidcProvider: boolean;
  /** Create the namespaces of the ServiceAccounts this stack creates. */
  createNamespaces: boolean;
  kubeconfig?: string;
  /** Every pod of the cluster runs on Fargate. */
  fargate: boolean;
  additionalClusters: AdditionalClusterSpec[];
  /** Blue/green: the stack's cluster runs no workload any more; it still names the roles. */
  retired: boolean;
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
  /** The identity mode of workloads that set none. */
  mode: IdentityMode;
}

export interface ServiceAccountDefaults {
  stsRegionalEndpoints: boolean;
  tokenExpirationSeconds?: number;
}

export interface WorkloadSpec extends Grants {
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
  /** Chained cross-account roles it may assume, with their profiles (from `crossAccount`). */
  chainedRoles: ChainedRole[];
  mode: IdentityMode;
  disableSessionTags: boolean;
  /** Marked fargate itself, or its cluster is. */
  fargate: boolean;
  /** Pod Identity ABAC: further namespaces sharing the role. */
  sharedNamespaces: string[];
  /** The clusters it runs on (all the stack's by default), the primary first when it is one of them. */
  clusters: string[];
  /** Pod Identity cross-account: the target role its associations name (from `crossAccount` in mode pod-identity). */
  targetRoleArn?: string;
  /** Who owns the ServiceAccount (`createServiceAccount` is true exactly when it is `created`). */
  serviceAccountMode: ServiceAccountMode;
  /** An add-on preset; its chart's namespace and ServiceAccount were the defaults of `namespace` and `serviceAccount`. */
  preset?: AddonPreset;
  sqs?: SqsGrant[];
  sns?: SnsGrant[];
  kms?: KmsGrant[];
  statements?: CustomStatement[];
}

/** Alarms on failed AssumeRoleWithWebIdentity calls, from CloudTrail's log group. */
export interface AuditAlarmSpec {
  logGroupName: string;
  alarmTopicArn?: string;
  metricNamespace: string;
  threshold: number;
}

/** One `ExternalSecret` (external-secrets.io/v1) in a workload's namespace. */
export interface ExternalSecretSpec {
  name: string;
  /**
   * `cluster`: the ClusterSecretStore, reading with the ESO controller's own role.
   * `workload`: a SecretStore in the namespace that authenticates as the workload's ServiceAccount
   * (`auth.jwt.serviceAccountRef`), reading with the workload's role.
   */
  store: SecretStoreKind;
  refreshInterval: string;
  target: { name: string; creationPolicy: CreationPolicy };
  data: ExternalSecretData[];
  dataFrom: ExternalSecretDataFrom[];
}

/** The External Secrets Operator: its Helm release, its controller identity and its ClusterSecretStore. */
export interface ExternalSecretsSpec extends EsoSettings {
  /** Tags of the controller's role, besides roleDefaults.tags. */
  tags: Record<string, string>;
}

/** A role in another account, assumable by source workloads. */
export interface TargetRoleSpec extends Grants {
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
  /** Role assumed instead during `pulumi preview`: read-only credentials suffice to preview the target account. */
  previewRoleArn?: string;
  externalId?: string;
  /**
   * `chained`: the target role trusts exactly the source workload roles (sts:AssumeRole, aws:PrincipalArn).
   * `oidc`: the target account gets its own IAM OIDC provider for the cluster's issuer and the target role
   * trusts the source workloads' ServiceAccounts directly.
   */
  mode: CrossAccountMode;
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
  managedPoliciesPerAccount: number;
  managedPoliciesAlreadyInAccount: number;
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
  auditAlarm?: AuditAlarmSpec;
}
