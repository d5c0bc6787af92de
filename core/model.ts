/** The validated, defaulted description of one environment: what config means, as plain data. */
import type { AccessSpec } from "./access";
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
}
