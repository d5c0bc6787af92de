/**
 * A validated stack config as the public components' arguments: the one mapping from config to components, used by
 * config validation (which checks and lays out exactly what the components will get) and by `stacks/` (which
 * passes it on). Each mapping comes with the way back: an argument's field path to the config key it came from.
 */
import type { ExternalSecretsInput } from "../core/eso";
import { formatPath, type FieldPath } from "../core/problems";
import type { RoleInput, WorkloadIdentityInput } from "../core/workload";
import type { EnvironmentSpec } from "./model";

/** Names a config key below `base` (`workloads[1]` + `s3[0].bucket`). */
export function joinPath(base: string, path: FieldPath): string {
  if (path.length === 0) return base;
  const rest = formatPath(path);
  return base ? `${base}${typeof path[0] === "number" ? "" : "."}${rest}` : rest;
}

/** Role arguments that come from stack-wide defaults, by the config key that sets them. */
const STACK_WIDE: Record<string, string> = {
  clusterName: "cluster.name",
  path: "roleDefaults.path",
  permissionsBoundaryArn: "roleDefaults.permissionsBoundaryArn",
  allowedRegions: "roleDefaults.allowedRegions",
  requireSecureTransport: "roleDefaults.requireSecureTransport",
  trustPolicyQuota: "roleDefaults.trustPolicyQuota",
  managedPolicyQuota: "roleDefaults.managedPolicyQuota",
  stsRegionalEndpoints: "serviceAccountDefaults.stsRegionalEndpoints",
  region: "aws:region",
};

/** The quota fields as config names them, for size messages. */
export const CONFIG_QUOTA_FIELDS = { trustPolicy: "roleDefaults.trustPolicyQuota", managedPolicies: "roleDefaults.managedPolicyQuota" };

function stackWide(path: FieldPath): string | undefined {
  const key = STACK_WIDE[String(path[0])];
  return key && joinPath(key, path.slice(1));
}

/** The role arguments every identity of the stack shares. */
function roleDefaults(spec: EnvironmentSpec): RoleInput {
  const rd = spec.roleDefaults;
  return {
    clusterName: spec.cluster.name,
    path: rd.path,
    ...(rd.permissionsBoundaryArn ? { permissionsBoundaryArn: rd.permissionsBoundaryArn } : {}),
    maxSessionDurationSeconds: rd.maxSessionDurationSeconds,
    ...(rd.allowedRegions ? { allowedRegions: rd.allowedRegions } : {}),
    requireSecureTransport: rd.requireSecureTransport,
    ...(spec.serviceAccountDefaults.tokenExpirationSeconds !== undefined ? { tokenExpirationSeconds: spec.serviceAccountDefaults.tokenExpirationSeconds } : {}),
    stsRegionalEndpoints: spec.serviceAccountDefaults.stsRegionalEndpoints,
    region: spec.region,
    trustPolicyQuota: rd.trustPolicyQuota,
    managedPolicyQuota: rd.managedPolicyQuota,
  };
}

/** `WorkloadIdentity` arguments of `spec.workloads[i]` (its name is the workload's). */
export function workloadArgs(spec: EnvironmentSpec, i: number): WorkloadIdentityInput {
  const w = spec.workloads[i];
  return {
    ...roleDefaults(spec),
    namespace: w.namespace,
    serviceAccount: w.serviceAccount,
    createServiceAccount: w.createServiceAccount,
    serviceAccountMode: w.serviceAccountMode,
    ...(w.preset ? { preset: w.preset } : {}),
    ...(w.s3 ? { s3: w.s3 } : {}),
    ...(w.dynamodb ? { dynamodb: w.dynamodb } : {}),
    ...(w.secrets ? { secrets: w.secrets } : {}),
    ...(w.chainedRoles.length > 0 ? { chainedRoles: w.chainedRoles } : {}),
    ...(w.sqs ? { sqs: w.sqs } : {}),
    ...(w.sns ? { sns: w.sns } : {}),
    ...(w.kms ? { kms: w.kms } : {}),
    ...(w.statements ? { statements: w.statements } : {}),
    maxSessionDurationSeconds: w.maxSessionDurationSeconds,
    tags: { ...spec.roleDefaults.tags, ...w.tags },
    ...(w.tokenExpirationSeconds !== undefined ? { tokenExpirationSeconds: w.tokenExpirationSeconds } : {}),
    ...podIdentityArgs(spec, w),
  };
}

/** The Pod Identity and cluster arguments of a workload: none for an IRSA workload of the one cluster (as before them). */
function podIdentityArgs(spec: EnvironmentSpec, w: EnvironmentSpec["workloads"][number]): Partial<WorkloadIdentityInput> {
  const onlyPrimary = w.clusters.length === 1 && w.clusters[0] === spec.cluster.name;
  return {
    ...(w.mode !== "irsa" ? { mode: w.mode } : {}),
    ...(w.disableSessionTags ? { disableSessionTags: true } : {}),
    ...(w.fargate ? { fargate: true } : {}),
    ...(w.sharedNamespaces.length > 0 ? { sharedNamespaces: w.sharedNamespaces } : {}),
    ...(w.targetRoleArn ? { targetRoleArn: w.targetRoleArn } : {}),
    ...(onlyPrimary ? {} : { clusters: w.clusters.map((name) => ({ name })) }),
  };
}

export function workloadConfigPath(i: number): (path: FieldPath) => string {
  return (path) => {
    if (path[0] === "roleName") return `workloads[${i}].name`;
    if (path[0] === "chainedRoles" || path[0] === "targetRoleArn") return "crossAccount";
    // A cluster of the list names the config's entry (`clusters[1].name` -> `workloads[0].clusters[1]`).
    if (path[0] === "clusters" && typeof path[1] === "number") return `workloads[${i}].clusters[${path[1]}]`;
    return stackWide(path) ?? joinPath(`workloads[${i}]`, path);
  };
}

/** The component name of the External Secrets Operator: its role is `<cluster>-external-secrets`. */
export const ESO_NAME = "external-secrets";

/** Where each flattened ExternalSecret and workload store came from: `[workload index, ExternalSecret index]`. */
export interface EsoOrigins {
  externalSecrets: [number, number][];
  workloadStores: number[];
}

/** `ExternalSecretsOperator` arguments: the operator, its role, and every workload's ExternalSecrets and stores. */
export function esoArgs(spec: EnvironmentSpec): { args: ExternalSecretsInput & RoleInput; origins: EsoOrigins } | undefined {
  const eso = spec.externalSecrets;
  if (!eso) return undefined;
  const origins: EsoOrigins = { externalSecrets: [], workloadStores: [] };
  const externalSecrets: NonNullable<ExternalSecretsInput["externalSecrets"]> = [];
  const workloadStores: NonNullable<ExternalSecretsInput["workloadStores"]> = [];
  spec.workloads.forEach((w, i) => {
    if (w.externalSecrets.some((es) => es.store === "workload")) {
      workloadStores.push({ workload: w.name, namespace: w.namespace, serviceAccount: w.serviceAccount, secrets: w.secrets ?? [] });
      origins.workloadStores.push(i);
    }
    w.externalSecrets.forEach((es, k) => {
      externalSecrets.push({ namespace: w.namespace, workload: w.name, ...es });
      origins.externalSecrets.push([i, k]);
    });
  });
  return {
    args: {
      ...roleDefaults(spec),
      tags: { ...spec.roleDefaults.tags, ...eso.tags },
      namespace: eso.namespace,
      serviceAccount: eso.serviceAccount,
      identity: eso.identity,
      readerServiceAccount: eso.readerServiceAccount,
      chartVersion: eso.chart.version,
      chartRepository: eso.chart.repository,
      clusterSecretStore: eso.clusterSecretStore,
      secrets: eso.secrets,
      externalSecrets,
      workloadStores,
    },
    origins,
  };
}

export function esoConfigPath(origins: EsoOrigins): (path: FieldPath) => string {
  return (path) => {
    const [head, index, ...rest] = path;
    if (head === "externalSecrets" && typeof index === "number") {
      const [i, k] = origins.externalSecrets[index];
      return joinPath(`workloads[${i}].externalSecrets[${k}]`, rest);
    }
    if (head === "workloadStores" && typeof index === "number") {
      const i = origins.workloadStores[index];
      if (rest.length === 0) return `workloads[${i}].externalSecrets`;
      return joinPath(`workloads[${i}]`, rest[0] === "workload" ? ["name"] : rest);
    }
    if (head === "chartVersion") return "externalSecrets.chart.version";
    if (head === "chartRepository") return "externalSecrets.chart.repository";
    if (head === "tags") return joinPath("externalSecrets.tags", path.slice(1));
    return stackWide(path) ?? joinPath("externalSecrets", path);
  };
}

/** A target account's arguments, the sources' role ARNs given by `roleArnOf(workload)`. */
export function targetArgs<A, E = string[]>(spec: EnvironmentSpec, t: number, roleArnOf: (workload: string) => A, externalIdsOf?: (workload: string) => E) {
  const target = spec.crossAccount[t];
  const rd = roleDefaults(spec);
  return {
    accountId: target.accountId,
    mode: target.mode,
    ...(target.oidcProviderArn ? { oidcProviderArn: target.oidcProviderArn } : {}),
    protectOidcProvider: spec.cluster.protectOidcProvider,
    clusterName: rd.clusterName,
    path: rd.path,
    ...(target.permissionsBoundaryArn ? { permissionsBoundaryArn: target.permissionsBoundaryArn } : {}),
    tags: spec.roleDefaults.tags,
    ...(rd.allowedRegions ? { allowedRegions: rd.allowedRegions } : {}),
    requireSecureTransport: rd.requireSecureTransport,
    stsRegionalEndpoints: rd.stsRegionalEndpoints,
    region: spec.region,
    trustPolicyQuota: rd.trustPolicyQuota,
    managedPolicyQuota: rd.managedPolicyQuota,
    roles: target.roles.map((role) => ({
      name: role.name,
      roleName: role.roleName,
      sources: role.workloads.map((name) => {
        const w = spec.workloads.find((x) => x.name === name)!;
        const tokenExpirationSeconds = w.tokenExpirationSeconds ?? spec.serviceAccountDefaults.tokenExpirationSeconds;
        if (target.mode === "pod-identity") {
          // Until the associations exist, one external id per cluster as long as EKS's (a UUID) stands in for each.
          const externalIds = externalIdsOf ? externalIdsOf(name) : w.clusters.map(() => "00000000-0000-0000-0000-000000000000");
          return { workload: name, roleArn: roleArnOf(name), externalIds, ...(w.disableSessionTags ? { disableSessionTags: true } : {}) };
        }
        return target.mode === "chained"
          ? { workload: name, roleArn: roleArnOf(name) }
          : { workload: name, namespace: w.namespace, serviceAccount: w.serviceAccount, ...(tokenExpirationSeconds !== undefined ? { tokenExpirationSeconds } : {}) };
      }),
      ...(role.s3 ? { s3: role.s3 } : {}),
      ...(role.dynamodb ? { dynamodb: role.dynamodb } : {}),
      ...(role.secrets ? { secrets: role.secrets } : {}),
      tags: role.tags,
      maxSessionDurationSeconds: role.maxSessionDurationSeconds,
    })),
  };
}

export function targetConfigPath(t: number): (path: FieldPath) => string {
  return (path) => {
    const [head, r, sub, k] = path;
    if (head === "roles" && typeof r === "number" && sub === "sources" && typeof k === "number") return `crossAccount[${t}].roles[${r}].workloads[${k}]`;
    if (head === "roles" && typeof r === "number" && sub === "roleName") return `crossAccount[${t}].roles[${r}].name`;
    if (head === "tags") return joinPath("roleDefaults.tags", path.slice(1));
    // A target's own settings, where a workload's come from stack-wide keys of the same argument name.
    if (head === "permissionsBoundaryArn") return joinPath(`crossAccount[${t}].permissionsBoundaryArn`, path.slice(1));
    if (head === "protectOidcProvider") return "cluster.protectOidcProvider";
    return stackWide(path) ?? joinPath(`crossAccount[${t}]`, path);
  };
}
