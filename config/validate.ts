/**
 * Raw stack config -> EnvironmentSpec, or a ConfigError listing every problem with its config path.
 * Nothing here touches Pulumi: the program calls it before registering any resource.
 */
import type { z } from "zod";
import { issuerFromProviderArn, issuerHostPath, parseArn, roleArn } from "../core/arn";
import { ESO_CHART, ESO_DEFAULTS, controllerAccess, esoObjects, externalSecretProblems, type K8sObject } from "../core/eso";
import type { EsoModels } from "./esoModels";
import { partitionOfRegion, placeholderEnvironment } from "../core/environment";
import { LIMITS, SizeLimitError } from "../core/layout";
import type { DataFrom, EnvironmentSpec, ExternalSecretsSpec, TargetAccountSpec, WorkloadSpec } from "../core/model";
import { RESERVED_TAGS, TARGET_TAG, directServiceAccountName, placeholderCluster, planEnvironment, roleNameFor, type EnvironmentPlan } from "../core/plan";

/** The ESO controller's identity name: its role is `<cluster>-external-secrets`. */
export const ESO_IDENTITY = "external-secrets";
import { isPattern } from "../core/trust";
import { globMatch } from "../core/trustEval";
import { profileName } from "../core/crossAccount";
import { RULES } from "./rules";
import { stackConfigSchema, type StackConfigInput } from "./schema";

export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `invalid eks-irsa config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  ${p.path ? `${p.path}: ` : ""}${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), "");
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function fromZod(issue: z.core.$ZodIssue): ConfigProblem[] {
  const path = formatPath(issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((k) => ({ path: formatPath([...issue.path, k]), message: "unknown key (not part of the eks-irsa config contract)" }));
    case "invalid_type":
      return [{ path, message: issue.input === undefined ? `is required (${issue.expected})` : `expected ${issue.expected}, got ${describe(issue.input)}` }];
    case "invalid_key":
      return issue.issues.map((inner) => ({ path, message: inner.message }));
    case "invalid_union":
      return [{ path, message: `${describe(issue.input)} is not allowed here` }];
    case "too_small":
    case "too_big":
      return [{ path, message: `${describe(issue.input)}: ${issue.message.replace(/^Too (small|big): /, "")}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

/** Checks across values that a per-field schema cannot see. */
function crossChecks(input: StackConfigInput, region: string, stackAccountIds: string[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const partition = partitionOfRegion(region);
  const checkPartition = (path: string, arn: string | undefined) => {
    const p = arn ? parseArn(arn)?.partition : undefined;
    if (p && p !== partition) problems.push({ path, message: `${JSON.stringify(arn)} is in partition ${p}, but region ${region} is in ${partition}` });
  };
  const checkSecretGrants = (at: string, grants: StackConfigInput["workloads"][number]["secrets"]) =>
    grants?.forEach((g, j) => {
      if ((g.name === undefined) === (g.prefix === undefined)) {
        problems.push({ path: `${at}[${j}]`, message: "give exactly one of name (one secret) or prefix (a path of secrets)" });
      }
      checkPartition(`${at}[${j}].kmsKeyArn`, g.kmsKeyArn);
    });
  const checkDynamo = (at: string, grants: StackConfigInput["workloads"][number]["dynamodb"]) =>
    grants?.forEach((g, j) => {
      if (g.access === "write" && (g.indexes || g.streams)) {
        problems.push({ path: `${at}.dynamodb[${j}]`, message: "indexes and streams are read grants: use access read or read-write with them" });
      }
    });
  const checkTagCount = (path: string, tags: Record<string, string> | undefined) => {
    const reserved = [...RESERVED_TAGS, TARGET_TAG];
    const count = new Set([...Object.keys(input.roleDefaults?.tags ?? {}), ...Object.keys(tags ?? {}), ...reserved]).size;
    if (count > LIMITS.tagsPerRole) {
      problems.push({ path, message: `the role would carry ${count} tags (roleDefaults.tags, these and ${reserved.length} of eks-irsa's), over AWS's ${LIMITS.tagsPerRole} per role` });
    }
  };
  const c = input.cluster;
  checkPartition("cluster.oidcProviderArn", c.oidcProviderArn);
  checkPartition("roleDefaults.permissionsBoundaryArn", input.roleDefaults?.permissionsBoundaryArn);
  if (c.oidcProviderArn && c.oidcIssuerUrl && issuerHostPath(issuerFromProviderArn(c.oidcProviderArn)) !== issuerHostPath(c.oidcIssuerUrl)) {
    problems.push({ path: "cluster.oidcProviderArn", message: `${JSON.stringify(c.oidcProviderArn)} names another issuer than cluster.oidcIssuerUrl ${JSON.stringify(c.oidcIssuerUrl)}` });
  }
  if (c.create && (c.oidcIssuerUrl || c.oidcProviderArn || c.kubeconfig)) {
    problems.push({ path: "cluster.create", message: "a cluster this stack creates has its own issuer and kubeconfig: drop oidcIssuerUrl, oidcProviderArn and kubeconfig" });
  }
  if (c.create) {
    const { minSize = 1, maxSize = 2, desiredCapacity = minSize } = c.create;
    if (minSize > maxSize || desiredCapacity < minSize || desiredCapacity > maxSize) {
      problems.push({ path: "cluster.create", message: `node counts must satisfy minSize <= desiredCapacity <= maxSize (got ${minSize} <= ${desiredCapacity} <= ${maxSize})` });
    }
  }
  const regions = input.roleDefaults?.allowedRegions;
  if (regions && !regions.includes(region)) {
    problems.push({ path: "roleDefaults.allowedRegions", message: `must include the stack's region ${region}: the guardrail would deny every request of every workload` });
  }
  const names = new Map<string, number>();
  const boundSas = new Map<string, number>();
  input.workloads.forEach((w, i) => {
    const at = `workloads[${i}]`;
    const first = names.get(w.name);
    if (first !== undefined) problems.push({ path: `${at}.name`, message: `duplicate workload name ${JSON.stringify(w.name)} (also workloads[${first}].name)` });
    else names.set(w.name, i);
    const sa = w.serviceAccount ?? w.name;
    if (isPattern(sa)) {
      if (w.createServiceAccount === true) {
        problems.push({ path: `${at}.createServiceAccount`, message: `cannot be true for the pattern ${JSON.stringify(sa)}: a pattern binds ServiceAccounts, it does not name one` });
      }
    } else {
      if (!RULES.serviceAccount.test(sa)) problems.push({ path: `${at}.serviceAccount`, message: `${JSON.stringify(sa)} is not a valid ${RULES.serviceAccount.what}` });
      const key = `${w.namespace}/${sa}`;
      const other = boundSas.get(key);
      if (other !== undefined) {
        problems.push({ path: `${at}.serviceAccount`, message: `ServiceAccount ${key} is already bound by workloads[${other}]: its role-arn annotation can name one role only` });
      } else boundSas.set(key, i);
    }
    checkTagCount(`${at}.tags`, w.tags);
    w.s3?.forEach((g, j) => checkPartition(`${at}.s3[${j}].kmsKeyArn`, g.kmsKeyArn));
    checkDynamo(at, w.dynamodb);
    checkSecretGrants(`${at}.secrets`, w.secrets);
    w.externalSecrets?.forEach((es, j) => {
      es.dataFrom?.forEach((d, k) => {
        if ((d.extract === undefined) === (d.find === undefined)) {
          problems.push({ path: `${at}.externalSecrets[${j}].dataFrom[${k}]`, message: "give exactly one of extract (one secret) or find (secrets under a path)" });
        }
      });
    });
  });
  if (input.externalSecrets) {
    checkSecretGrants("externalSecrets.secrets", input.externalSecrets.secrets);
    checkTagCount("externalSecrets.tags", input.externalSecrets.tags);
    const eso = input.externalSecrets;
    const esoNamespace = eso.namespace ?? ESO_DEFAULTS.namespace;
    const controller = eso.serviceAccount ?? ESO_DEFAULTS.serviceAccount;
    const esoAccounts: [string, string][] = [
      ["externalSecrets.serviceAccount", controller],
      ["externalSecrets.readerServiceAccount", eso.readerServiceAccount ?? ESO_DEFAULTS.readerServiceAccount(controller)],
    ];
    if (esoAccounts[0][1] === esoAccounts[1][1]) problems.push({ path: "externalSecrets.readerServiceAccount", message: "must differ from externalSecrets.serviceAccount: the reader ServiceAccount runs no pod" });
    for (const [path, name] of esoAccounts) {
      const bound = boundSas.get(`${esoNamespace}/${name}`);
      if (bound !== undefined) problems.push({ path, message: `ServiceAccount ${esoNamespace}/${name} is already bound by workloads[${bound}]: ESO needs its own` });
    }
    input.workloads.forEach((w, i) => {
      const sa = w.serviceAccount ?? w.name;
      if (w.namespace === esoNamespace && isPattern(sa) && esoAccounts.some(([, name]) => globMatch(sa, name))) {
        problems.push({ path: `workloads[${i}].serviceAccount`, message: `the pattern ${JSON.stringify(sa)} in namespace ${esoNamespace} would let ESO assume workload ${w.name}'s role` });
      }
    });
    const clash = input.workloads.findIndex((w) => w.name === ESO_IDENTITY);
    if (clash >= 0) {
      problems.push({ path: `workloads[${clash}].name`, message: `${JSON.stringify(ESO_IDENTITY)} names the ESO controller's role (<cluster>-${ESO_IDENTITY}): rename the workload` });
    }
  }
  // The stack's own account, where config reveals it: a target there would duplicate roles and providers.
  const own = new Set([...stackAccountIds, ...[c.oidcProviderArn, input.roleDefaults?.permissionsBoundaryArn].flatMap((a) => {
    const account = a ? parseArn(a)?.account : undefined;
    return account && account !== "aws" ? [account] : [];
  })]);
  // Profile names (<target>-<role>) of one workload's AWS config file must be unique: `a-b` + `c` = `a` + `b-c`.
  const profiles = new Map<string, string>();
  input.crossAccount?.forEach((t, i) =>
    t.roles.forEach((r, j) =>
      r.workloads.forEach((w) => {
        const key = `${w}\u0000${profileName(t.name, r.name)}`;
        const other = profiles.get(key);
        if (other) problems.push({ path: `crossAccount[${i}].roles[${j}].name`, message: `workload ${w}'s AWS profile ${profileName(t.name, r.name)} would also name ${other}: rename the target or the role` });
        else profiles.set(key, `crossAccount[${i}].roles[${j}]`);
      }),
    ),
  );
  const targetNames = new Map<string, number>();
  const targetAccounts = new Map<string, number>();
  input.crossAccount?.forEach((t, i) => {
    const at = `crossAccount[${i}]`;
    const dupName = targetNames.get(t.name);
    if (dupName !== undefined) problems.push({ path: `${at}.name`, message: `duplicate target name ${JSON.stringify(t.name)} (also crossAccount[${dupName}].name)` });
    else targetNames.set(t.name, i);
    const dupAccount = targetAccounts.get(t.accountId);
    if (dupAccount !== undefined) problems.push({ path: `${at}.accountId`, message: `account ${t.accountId} is already a target (crossAccount[${dupAccount}]): put its roles together` });
    else targetAccounts.set(t.accountId, i);
    if (own.has(t.accountId)) {
      problems.push({ path: `${at}.accountId`, message: `${t.accountId} is the stack's own account (aws:allowedAccountIds or cluster.oidcProviderArn): grant the workload directly instead` });
    }
    const ownAccount = (path: string, arn: string | undefined) => {
      const a = arn ? parseArn(arn) : undefined;
      if (a && a.account !== t.accountId) problems.push({ path, message: `${JSON.stringify(arn)} is in account ${a.account}, not the target account ${t.accountId}` });
    };
    checkPartition(`${at}.deployRoleArn`, t.deployRoleArn);
    ownAccount(`${at}.deployRoleArn`, t.deployRoleArn);
    checkPartition(`${at}.permissionsBoundaryArn`, t.permissionsBoundaryArn);
    if (t.permissionsBoundaryArn && parseArn(t.permissionsBoundaryArn)?.account !== "aws") ownAccount(`${at}.permissionsBoundaryArn`, t.permissionsBoundaryArn);
    if (t.oidcProviderArn) {
      if (t.mode !== "oidc") problems.push({ path: `${at}.oidcProviderArn`, message: "only mode oidc uses an OIDC provider in the target account" });
      checkPartition(`${at}.oidcProviderArn`, t.oidcProviderArn);
      ownAccount(`${at}.oidcProviderArn`, t.oidcProviderArn);
      const issuer = c.oidcIssuerUrl ?? (c.oidcProviderArn ? issuerFromProviderArn(c.oidcProviderArn) : undefined);
      if (issuer && issuerHostPath(issuerFromProviderArn(t.oidcProviderArn)) !== issuerHostPath(issuer)) {
        problems.push({ path: `${at}.oidcProviderArn`, message: `${JSON.stringify(t.oidcProviderArn)} names another issuer than the cluster's ${JSON.stringify(issuer)}` });
      }
    }
    const roleNames = new Map<string, number>();
    t.roles.forEach((r, j) => {
      const rat = `${at}.roles[${j}]`;
      const dup = roleNames.get(r.name);
      if (dup !== undefined) problems.push({ path: `${rat}.name`, message: `duplicate role name ${JSON.stringify(r.name)} in target ${t.name} (also roles[${dup}])` });
      else roleNames.set(r.name, j);
      const seen = new Set<string>();
      r.workloads.forEach((name, k) => {
        if (!names.has(name)) problems.push({ path: `${rat}.workloads[${k}]`, message: `${JSON.stringify(name)} is not a workload of this stack (eks-irsa:workloads)` });
        const source = names.has(name) ? input.workloads[names.get(name)!] : undefined;
        if (source && t.mode === "oidc") {
          const sa = source.serviceAccount ?? source.name;
          const direct = directServiceAccountName(sa, t.name, r.name);
          if (isPattern(sa)) {
            problems.push({ path: `${rat}.workloads[${k}]`, message: `mode oidc gives each source a dedicated ServiceAccount named after its own, but workload ${name} binds the pattern ${JSON.stringify(sa)}: use mode chained` });
          } else if (!RULES.serviceAccount.test(direct)) {
            problems.push({ path: `${rat}.workloads[${k}]`, message: `the dedicated ServiceAccount ${JSON.stringify(direct)} is not a valid ${RULES.serviceAccount.what}` });
          } else if (boundSas.has(`${source.namespace}/${direct}`)) {
            problems.push({ path: `${rat}.workloads[${k}]`, message: `the dedicated ServiceAccount ${source.namespace}/${direct} is already bound by workloads[${boundSas.get(`${source.namespace}/${direct}`)}]` });
          } else boundSas.set(`${source.namespace}/${direct}`, names.get(name)!);
        }
        if (seen.has(name)) problems.push({ path: `${rat}.workloads[${k}]`, message: `${JSON.stringify(name)} is listed twice` });
        seen.add(name);
      });
      r.s3?.forEach((g, k) => checkPartition(`${rat}.s3[${k}].kmsKeyArn`, g.kmsKeyArn));
      checkDynamo(rat, r.dynamodb);
      checkSecretGrants(`${rat}.secrets`, r.secrets);
      checkTagCount(`${rat}.tags`, r.tags);
    });
  });
  return problems;
}

function resolve(input: StackConfigInput, region: string): EnvironmentSpec {
  const rd = input.roleDefaults ?? {};
  const c = input.cluster;
  const workloads: WorkloadSpec[] = input.workloads.map((w) => {
    const serviceAccount = w.serviceAccount ?? w.name;
    return {
      name: w.name,
      namespace: w.namespace,
      serviceAccount,
      createServiceAccount: w.createServiceAccount ?? !isPattern(serviceAccount),
      s3: w.s3,
      dynamodb: w.dynamodb,
      secrets: w.secrets,
      tags: w.tags ?? {},
      maxSessionDurationSeconds: w.maxSessionDurationSeconds ?? rd.maxSessionDurationSeconds ?? 3600,
      tokenExpirationSeconds: w.tokenExpirationSeconds,
      externalSecrets: (w.externalSecrets ?? []).map((es) => ({
        name: es.name,
        store: es.store ?? "cluster",
        refreshInterval: es.refreshInterval ?? "1h",
        target: { name: es.target?.name ?? es.name, creationPolicy: es.target?.creationPolicy ?? "Owner" },
        data: es.data ?? [],
        dataFrom: (es.dataFrom ?? []).map((d): DataFrom => (d.extract ? { extract: d.extract } : { find: d.find! })),
      })),
    };
  });
  const path = rd.path ?? "/";
  const partition = partitionOfRegion(region);
  const crossAccount: TargetAccountSpec[] = (input.crossAccount ?? []).map((t) => ({
    name: t.name,
    accountId: t.accountId,
    deployRoleArn: t.deployRoleArn,
    externalId: t.externalId,
    mode: t.mode,
    oidcProviderArn: t.oidcProviderArn,
    permissionsBoundaryArn: t.permissionsBoundaryArn,
    roles: t.roles.map((r) => {
      const roleName = roleNameFor(c.name, `${t.name}-${r.name}`);
      return {
        name: r.name,
        roleName,
        roleArn: roleArn(partition, t.accountId, path, roleName),
        workloads: r.workloads,
        s3: r.s3,
        dynamodb: r.dynamodb,
        secrets: r.secrets,
        maxSessionDurationSeconds: r.maxSessionDurationSeconds ?? rd.maxSessionDurationSeconds ?? 3600,
        tags: r.tags ?? {},
      };
    }),
  }));
  // Chained access: each source workload may assume exactly its target roles.
  for (const role of crossAccount.filter((t) => t.mode === "chained").flatMap((t) => t.roles)) {
    for (const name of role.workloads) {
      const w = workloads.find((x) => x.name === name)!;
      w.assumeRoles = [...(w.assumeRoles ?? []), role.roleArn];
    }
  }
  const es = input.externalSecrets;
  const esoIdentity = es?.identity ?? "reader";
  const esoNamespace = es?.namespace ?? ESO_DEFAULTS.namespace;
  const controllerSa = es?.serviceAccount ?? ESO_DEFAULTS.serviceAccount;
  const readerSa = es?.readerServiceAccount ?? ESO_DEFAULTS.readerServiceAccount(controllerSa);
  const externalSecrets: ExternalSecretsSpec | undefined = es && {
    namespace: esoNamespace,
    serviceAccount: controllerSa,
    identity: esoIdentity,
    readerServiceAccount: readerSa,
    chart: { name: ESO_CHART.name, repository: es.chart?.repository ?? ESO_CHART.repository, version: es.chart?.version ?? ESO_CHART.version },
    clusterSecretStore: {
      name: es.clusterSecretStore?.name ?? "aws-secrets-manager",
      findByPath: es.clusterSecretStore?.findByPath ?? false,
      namespaces: es.clusterSecretStore?.namespaces ?? [],
    },
    secrets: es.secrets ?? [],
    controller: {
      name: ESO_IDENTITY,
      namespace: esoNamespace,
      // reader: the stack creates the pod-less reader ServiceAccount; controller: the chart creates its own.
      serviceAccount: esoIdentity === "reader" ? readerSa : controllerSa,
      createServiceAccount: esoIdentity === "reader",
      ...controllerAccess(es.secrets ?? [], es.clusterSecretStore?.findByPath ?? false, workloads),
      tags: es.tags ?? {},
      maxSessionDurationSeconds: rd.maxSessionDurationSeconds ?? 3600,
      externalSecrets: [],
    },
  };
  const minSize = c.create?.minSize ?? 1;
  return {
    region,
    partition: partitionOfRegion(region),
    cluster: {
      name: c.name,
      create: c.create && {
        version: c.create.version,
        instanceType: c.create.instanceType ?? "t3.medium",
        minSize,
        maxSize: c.create.maxSize ?? Math.max(2, minSize),
        desiredCapacity: c.create.desiredCapacity ?? minSize,
      },
      oidcIssuerUrl: c.oidcIssuerUrl?.replace(/\/+$/, "") ?? (c.oidcProviderArn ? issuerFromProviderArn(c.oidcProviderArn) : undefined),
      oidcProviderArn: c.oidcProviderArn,
      protectOidcProvider: c.protectOidcProvider ?? true,
      createNamespaces: c.createNamespaces ?? c.create !== undefined,
      kubeconfig: c.kubeconfig,
    },
    roleDefaults: {
      path,
      maxSessionDurationSeconds: rd.maxSessionDurationSeconds ?? 3600,
      permissionsBoundaryArn: rd.permissionsBoundaryArn,
      tags: rd.tags ?? {},
      requireSecureTransport: rd.requireSecureTransport ?? true,
      allowedRegions: rd.allowedRegions,
      trustPolicyQuota: rd.trustPolicyQuota ?? 2048,
      managedPolicyQuota: rd.managedPolicyQuota ?? 10,
    },
    serviceAccountDefaults: {
      stsRegionalEndpoints: input.serviceAccountDefaults?.stsRegionalEndpoints ?? true,
      tokenExpirationSeconds: input.serviceAccountDefaults?.tokenExpirationSeconds,
    },
    workloads,
    externalSecrets,
    crossAccount,
    quotas: {
      rolesPerAccount: input.quotas?.rolesPerAccount ?? 1000,
      oidcProvidersPerAccount: input.quotas?.oidcProvidersPerAccount ?? 100,
      rolesAlreadyInAccount: input.quotas?.rolesAlreadyInAccount ?? 0,
      oidcProvidersAlreadyInAccount: input.quotas?.oidcProvidersAlreadyInAccount ?? 0,
      warnAtPercent: input.quotas?.warnAtPercent ?? 80,
    },
  };
}

/** Every ESO object, checked against ESO's v1 schema; a rejected object is a config error at its path. */
function checkEsoObjects(spec: EnvironmentSpec, models: EsoModels | undefined): ValidatedConfig["esoObjects"] {
  const objects = esoObjects(spec);
  if (objects.length === 0) return [];
  if (!models) throw new Error("validateStackConfig: ESO objects need the v1 models (await loadEsoModels())");
  const problems: ConfigProblem[] = [];
  const out = objects.map(({ path, object }) => {
    const checked = models.check(object);
    if (!checked.ok) {
      problems.push(...checked.errors.map((e) => ({ path, message: `${object.kind} ${object.metadata.name} is not valid external-secrets.io/v1: ${e}` })));
      return { path, object };
    }
    return { path, object: checked.json };
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

export interface ValidatedConfig {
  spec: EnvironmentSpec;
  /** ESO objects (ClusterSecretStore, SecretStores, ExternalSecrets) as validated against the v1 schema. */
  esoObjects: { path: string; object: K8sObject }[];
  /** The plan laid out with placeholder account and issuer: proves every document fits before apply. */
  layout: EnvironmentPlan;
}

/**
 * Validates the `eks-irsa:` config object (keys without the namespace) for a stack in `region`.
 * Throws a ConfigError naming every problem; never returns a partly valid spec.
 */
export function validateStackConfig(raw: unknown, region: string | undefined, models?: EsoModels, stackAccountIds: string[] = []): ValidatedConfig {
  const problems: ConfigProblem[] = [];
  if (region === undefined) problems.push({ path: "aws:region", message: "is required: the region of the cluster and of every regional ARN" });
  else if (!RULES.region.test(region)) problems.push({ path: "aws:region", message: `${JSON.stringify(region)} is not a valid ${RULES.region.what}` });
  const parsed = stackConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap(fromZod));
  if (problems.length > 0 || !parsed.success || region === undefined) throw new ConfigError(problems);
  const cross = crossChecks(parsed.data, region, stackAccountIds);
  if (cross.length > 0) throw new ConfigError(cross);
  const spec = resolve(parsed.data, region);
  const references = externalSecretProblems(spec);
  if (references.length > 0) throw new ConfigError(references);
  const esoObjects = checkEsoObjects(spec, models);
  const env = placeholderEnvironment(region);
  try {
    return { spec, esoObjects, layout: planEnvironment(spec, env, placeholderCluster(spec, env)) };
  } catch (e) {
    if (e instanceof SizeLimitError) {
      const [path, ...rest] = e.message.split(": ");
      throw new ConfigError([{ path: path.replace(/ \(.*\)$/, ""), message: rest.join(": ") }]);
    }
    throw e;
  }
}
