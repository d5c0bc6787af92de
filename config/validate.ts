/**
 * Raw stack config -> EnvironmentSpec, or a ConfigError listing every problem with its config path.
 * Shapes come from the zod schema; each identity's own rules from the core (the same checks its component runs),
 * their field paths mapped back to config keys; stack-wide rules (duplicates, references) are here.
 * Nothing here touches Pulumi: the program calls it before registering any resource.
 */
import type { z } from "zod";
import { issuerFromProviderArn, issuerHostPath, parseArn, roleArn } from "../core/arn";
import { ESO_CHART, ESO_DEFAULTS, esoInputProblems, esoObjects, externalSecretProblems, resolveEso, type K8sObject } from "../core/eso";
import type { EsoModels } from "../core/esoModels";
import { partitionOfRegion, placeholderEnvironment } from "../core/environment";
import { placeholderCluster } from "../core/identity";
import { directServiceAccountName, roleNameFor } from "../core/plan";
import { formatPath, quoted, type Problem } from "../core/problems";
import { RULES } from "../core/rules";
import { PRESETS } from "../core/presets";
import { serviceAccountModeOf } from "../core/serviceAccount";
import { statementAccountProblems } from "../core/statements";
import { targetProblems } from "../core/targetRole";
import { isPattern } from "../core/trust";
import { globMatch } from "../core/trustEval";
import { profileName } from "../core/crossAccount";
import { workloadProblems } from "../core/workload";
import { ESO_NAME, esoArgs, esoConfigPath, targetArgs, targetConfigPath, workloadArgs, workloadConfigPath } from "./args";
import { ConfigError, unique, type ConfigProblem } from "./errors";
import type { ClusterCreateSpec, EnvironmentSpec, ExternalSecretsSpec, TargetAccountSpec, WorkloadSpec } from "./model";
import { IdentityMode, usesIrsa, usesPodIdentity } from "../core/podIdentity";
import { auditPatternProblem } from "../core/audit";
import { planEnvironment, workloadRoleArn, type EnvironmentPlan } from "./plan";
import { stackConfigSchema, type StackConfigInput } from "./schema";

export { ConfigError, type ConfigProblem } from "./errors";
export { formatPath };

/** The ESO controller's identity name: its role is `<cluster>-external-secrets`. */
export const ESO_IDENTITY = ESO_NAME;

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${quoted(value)}`;
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
    case "invalid_union": {
      // The one branch that took the value's shape and failed inside it (a list with a bad name) says what is wrong.
      const shaped = issue.errors.filter((branch) => branch.some((i) => i.path.length > 0 || (i.code !== "invalid_type" && i.code !== "invalid_value")));
      if (shaped.length === 1) return shaped[0].flatMap((i) => fromZod({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue));
      return [{ path, message: `${describe(issue.input)} is not allowed here` }];
    }
    case "too_small":
    case "too_big":
      return [{ path, message: `${describe(issue.input)}: ${issue.message.replace(/^Too (small|big): /, "")}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

/** Checks across values and identities that a per-field schema and a single component cannot see. */
function crossChecks(input: StackConfigInput, region: string, stackAccountIds: string[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const partition = partitionOfRegion(region);
  const checkPartition = (path: string, arn: string | undefined) => {
    const p = arn ? parseArn(arn)?.partition : undefined;
    if (p && p !== partition) problems.push({ path, message: `${JSON.stringify(arn)} is in partition ${p}, but region ${region} is in ${partition}` });
  };
  // The roles' own account: an IAM OIDC provider or a permissions boundary elsewhere cannot serve them.
  const checkAccount = (path: string, arn: string | undefined, what: string) => {
    const account = arn ? parseArn(arn)?.account : undefined;
    if (account && account !== "aws" && stackAccountIds.length > 0 && !stackAccountIds.includes(account)) {
      problems.push({ path, message: `${JSON.stringify(arn)} is in account ${account}, not one aws:allowedAccountIds allows (${stackAccountIds.join(", ")}): ${what}` });
    }
  };
  const c = input.cluster;
  checkPartition("cluster.oidcProviderArn", c.oidcProviderArn);
  checkAccount("cluster.oidcProviderArn", c.oidcProviderArn, "a role trusts IAM OIDC providers of its own account only");
  checkAccount("roleDefaults.permissionsBoundaryArn", input.roleDefaults?.permissionsBoundaryArn, "a permissions boundary is a managed policy of the role's account or an AWS managed policy");
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
  const clusterNames = new Map<string, string>([[c.name, "cluster.name"]]);
  c.additionalClusters?.forEach((k, i) => {
    const at = `cluster.additionalClusters[${i}]`;
    const other = clusterNames.get(k.name);
    if (other) problems.push({ path: `${at}.name`, message: `cluster ${JSON.stringify(k.name)} is already ${other}` });
    else clusterNames.set(k.name, `${at}.name`);
    checkPartition(`${at}.oidcProviderArn`, k.oidcProviderArn);
    checkAccount(`${at}.oidcProviderArn`, k.oidcProviderArn, "a role trusts IAM OIDC providers of its own account only");
    if (k.create && (k.oidcIssuerUrl || k.oidcProviderArn || k.kubeconfig)) {
      problems.push({ path: `${at}.create`, message: "a cluster this stack creates has its own issuer and kubeconfig: drop oidcIssuerUrl, oidcProviderArn and kubeconfig" });
    }
    if (k.oidcProviderArn && k.oidcIssuerUrl && issuerHostPath(issuerFromProviderArn(k.oidcProviderArn)) !== issuerHostPath(k.oidcIssuerUrl)) {
      problems.push({ path: `${at}.oidcProviderArn`, message: `${JSON.stringify(k.oidcProviderArn)} names another issuer than ${at}.oidcIssuerUrl ${JSON.stringify(k.oidcIssuerUrl)}` });
    }
  });
  const modeOf = (w: StackConfigInput["workloads"][number]) => w.mode ?? input.roleDefaults?.mode ?? "irsa";
  if (c.retired) {
    if (!c.additionalClusters?.length) problems.push({ path: "cluster.retired", message: "a retired cluster hands its workloads to cluster.additionalClusters: list at least one" });
    if (input.externalSecrets) problems.push({ path: "cluster.retired", message: "the External Secrets Operator runs on the stack's cluster (eks-irsa:externalSecrets): move it before retiring the cluster" });
    if (input.crossAccount?.some((t) => t.mode === "oidc")) problems.push({ path: "cluster.retired", message: "cross-account mode oidc trusts the stack's cluster's issuer: move those targets to mode chained or pod-identity first" });
    input.workloads.forEach((w, i) =>
      w.clusters?.forEach((k, j) => {
        if (k === c.name) problems.push({ path: `workloads[${i}].clusters[${j}]`, message: `cluster ${k} is retired (cluster.retired): no workload runs there` });
      }),
    );
  }
  input.workloads.forEach((w, i) =>
    w.clusters?.forEach((k, j) => {
      if (!clusterNames.has(k)) problems.push({ path: `workloads[${i}].clusters[${j}]`, message: `${JSON.stringify(k)} is not a cluster of this stack (cluster.name or cluster.additionalClusters[].name)` });
      else if (w.clusters!.indexOf(k) !== j) problems.push({ path: `workloads[${i}].clusters[${j}]`, message: `cluster ${JSON.stringify(k)} is listed twice` });
    }),
  );
  // Fargate: a cluster that runs every pod there, or a created cluster's profile selecting a namespace, puts a Pod
  // Identity workload's pods where no agent serves them, whatever the workload itself says.
  const clusterKeys = [
    { name: c.name, at: "cluster", fargate: c.fargate === true, profile: c.create?.fargateProfile === true, retired: c.retired === true },
    ...(c.additionalClusters ?? []).map((k, j) => ({ name: k.name, at: `cluster.additionalClusters[${j}]`, fargate: k.fargate === true, profile: k.create?.fargateProfile === true, retired: false })),
  ];
  const clustersOf = (w: StackConfigInput["workloads"][number]) => w.clusters ?? clusterKeys.filter((k) => !k.retired).map((k) => k.name);
  const onFargate = (w: StackConfigInput["workloads"][number]) => w.fargate ?? clusterKeys.some((k) => k.fargate && clustersOf(w).includes(k.name));
  input.workloads.forEach((w, i) => {
    const mode = modeOf(w);
    if (!usesPodIdentity(mode) || onFargate(w)) return;
    for (const k of clusterKeys.filter((x) => clustersOf(w).includes(x.name))) {
      if (k.fargate) {
        problems.push({ path: `workloads[${i}].mode`, message: `${JSON.stringify(mode)}: cluster ${k.name} runs every pod on Fargate (${k.at}.fargate), where EKS Pod Identity does not work, whatever workloads[${i}].fargate says: use mode irsa, or run the workload on other clusters` });
        continue;
      }
      const selector = k.profile && w.namespace !== undefined ? input.workloads.findIndex((f) => f !== w && f.namespace === w.namespace && onFargate(f) && clustersOf(f).includes(k.name)) : -1;
      if (selector >= 0) {
        problems.push({
          path: `workloads[${i}].namespace`,
          message: `${JSON.stringify(w.namespace)} on cluster ${k.name} is selected by its Fargate profile (${k.at}.create.fargateProfile, for workload ${input.workloads[selector].name}): the pods of mode ${mode} would run on Fargate, where EKS Pod Identity does not work: use another namespace, or mode irsa`,
        });
      }
    }
  });
  const names = new Map<string, number>();
  const boundSas = new Map<string, number>();
  input.workloads.forEach((w, i) => {
    const at = `workloads[${i}]`;
    const first = names.get(w.name);
    if (first !== undefined) problems.push({ path: `${at}.name`, message: `duplicate workload name ${JSON.stringify(w.name)} (also workloads[${first}].name)` });
    else names.set(w.name, i);
    const sa = w.serviceAccount ?? w.name;
    if (!isPattern(sa)) {
      const key = `${w.namespace}/${sa}`;
      const other = boundSas.get(key);
      if (other !== undefined) {
        problems.push({ path: `${at}.serviceAccount`, message: `ServiceAccount ${key} is already bound by workloads[${other}]: its role-arn annotation can name one role only` });
      } else boundSas.set(key, i);
      w.sharedNamespaces?.forEach((ns, k) => {
        const other = boundSas.get(`${ns}/${sa}`);
        if (other !== undefined && other !== i) problems.push({ path: `${at}.sharedNamespaces[${k}]`, message: `ServiceAccount ${ns}/${sa} is already bound by workloads[${other}]: an association names one role per ServiceAccount` });
        else boundSas.set(`${ns}/${sa}`, i);
      });
    }
    w.externalSecrets?.forEach((es, j) => {
      const where = `${at}.externalSecrets[${j}]`;
      const id = `ExternalSecret ${w.namespace}/${es.name}`;
      if (!input.externalSecrets) problems.push({ path: where, message: `${id} needs the External Secrets Operator: configure eks-irsa:externalSecrets` });
      else if (es.store === "workload" && isPattern(sa)) {
        problems.push({ path: `${where}.store`, message: `${id}: a workload store authenticates as one ServiceAccount, but workload ${w.name} binds the pattern ${JSON.stringify(sa)}` });
      } else if (es.store === "workload" && modeOf(w) === "pod-identity") {
        problems.push({ path: `${where}.store`, message: `${id}: a workload store authenticates with the ServiceAccount's token (IRSA), but workload ${w.name} is in mode pod-identity: use the cluster store, or mode both` });
      } else if (es.store === "workload" && serviceAccountModeOf(w, isPattern(sa), true) === "external") {
        problems.push({
          path: `${where}.store`,
          message: `a workload store authenticates as ServiceAccount ${w.namespace}/${sa}, which this stack does not create (createServiceAccount: false or serviceAccountMode: external): ESO needs it to exist, annotated with the role`,
        });
      }
    });
  });
  if (input.externalSecrets) {
    const eso = input.externalSecrets;
    const esoNamespace = eso.namespace ?? ESO_DEFAULTS.namespace;
    const controller = eso.serviceAccount ?? ESO_DEFAULTS.serviceAccount;
    const esoAccounts: [string, string][] = [
      ["externalSecrets.serviceAccount", controller],
      ["externalSecrets.readerServiceAccount", eso.readerServiceAccount ?? ESO_DEFAULTS.readerServiceAccount(controller)],
    ];
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
        // Two roles of one name in a target share a profile too: that is reported as a duplicate name.
        const sameRole = other !== undefined && t.roles.some((x, k) => k !== j && x.name === r.name && other === `crossAccount[${i}].roles[${k}]`);
        if (other && !sameRole) problems.push({ path: `crossAccount[${i}].roles[${j}].name`, message: `workload ${w}'s AWS profile ${profileName(t.name, r.name)} would also name ${other}: rename the target or the role` });
        else profiles.set(key, `crossAccount[${i}].roles[${j}]`);
      }),
    ),
  );
  const targetNames = new Map<string, number>();
  const podTargets = new Map<string, string>();
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
    for (const [key, arn] of [["deployRoleArn", t.deployRoleArn], ["previewRoleArn", t.previewRoleArn]] as const) {
      if (!arn) continue;
      checkPartition(`${at}.${key}`, arn);
      const role = parseArn(arn);
      if (role && role.account !== t.accountId) problems.push({ path: `${at}.${key}`, message: `${JSON.stringify(arn)} is in account ${role.account}, not the target account ${t.accountId}` });
    }
    if (t.previewRoleArn && t.previewRoleArn === t.deployRoleArn) {
      problems.push({ path: `${at}.previewRoleArn`, message: "is the deploy role: name a read-only role, or leave it out (previews then assume the deploy role)" });
    }
    if (t.oidcProviderArn) {
      const issuer = c.oidcIssuerUrl ?? (c.oidcProviderArn ? issuerFromProviderArn(c.oidcProviderArn) : undefined);
      if (issuer && issuerHostPath(issuerFromProviderArn(t.oidcProviderArn)) !== issuerHostPath(issuer)) {
        problems.push({ path: `${at}.oidcProviderArn`, message: `${JSON.stringify(t.oidcProviderArn)} names another issuer than the cluster's ${JSON.stringify(issuer)}` });
      }
    }
    t.roles.forEach((r, j) => {
      r.workloads.forEach((name, k) => {
        const path = `${at}.roles[${j}].workloads[${k}]`;
        if (!names.has(name)) {
          problems.push({ path, message: `${JSON.stringify(name)} is not a workload of this stack (eks-irsa:workloads)` });
          return;
        }
        const source = input.workloads[names.get(name)!];
        const sa = source.serviceAccount ?? source.name;
        if (t.mode === "pod-identity") {
          if (modeOf(source) !== "pod-identity") problems.push({ path, message: `workload ${name} is in mode ${modeOf(source)}: a Pod Identity target role is named by its associations, so it must be in mode pod-identity` });
          const other = podTargets.get(name);
          if (other) problems.push({ path, message: `workload ${name} already reaches ${other} through its associations: an association names one target role` });
          else podTargets.set(name, `crossAccount[${i}].roles[${j}]`);
          return;
        }
        if (t.mode !== "oidc" || isPattern(sa)) return;
        const direct = directServiceAccountName(sa, t.name, r.name);
        const bound = boundSas.get(`${source.namespace}/${direct}`);
        if (bound !== undefined) problems.push({ path, message: `the dedicated ServiceAccount ${source.namespace}/${direct} is already bound by workloads[${bound}]` });
        else if (RULES.serviceAccount.test(direct)) boundSas.set(`${source.namespace}/${direct}`, names.get(name)!);
      });
    });
  });
  return problems;
}

/** A preset's chart namespace and ServiceAccount stand in for a workload's own when it gives none, before any other check reads them. */
function withPresetDefaults(input: StackConfigInput): StackConfigInput {
  const workloads = input.workloads.map((w) => {
    const chart = w.preset ? PRESETS[w.preset.name].serviceAccount : undefined;
    return chart ? { ...w, namespace: w.namespace ?? chart.namespace, serviceAccount: w.serviceAccount ?? chart.name } : w;
  });
  return { ...input, workloads };
}

/** The accounts config names as the stack's: aws:allowedAccountIds, and those of an adopted provider or boundary. */
function stackAccounts(input: StackConfigInput, stackAccountIds: string[]): string[] {
  const own = [input.cluster.oidcProviderArn, input.roleDefaults?.permissionsBoundaryArn].flatMap((a) => {
    const account = a ? parseArn(a)?.account : undefined;
    return account && account !== "aws" ? [account] : [];
  });
  return [...new Set([...stackAccountIds, ...own])];
}

/** Each identity's own rules, as its component checks them, at the config keys they come from. */
function identityProblems(spec: EnvironmentSpec, accounts: string[] = []): ConfigProblem[] {
  const mapped = (problems: Problem[], toConfig: (path: Problem["path"]) => string) => problems.map((p) => ({ path: toConfig(p.path), message: p.message }));
  const out: ConfigProblem[] = [];
  spec.workloads.forEach((w, i) => out.push(...mapped(workloadProblems(w.name, workloadArgs(spec, i)), workloadConfigPath(i))));
  // Resources of custom statements in another account: checked here when config names the account, else at deployment.
  if (accounts.length > 0) spec.workloads.forEach((w, i) => out.push(...mapped(statementAccountProblems(w.statements, accounts), workloadConfigPath(i))));
  const eso = esoArgs(spec);
  if (eso) {
    const toConfig = esoConfigPath(eso.origins);
    out.push(...mapped(esoInputProblems(eso.args, spec.region), toConfig));
    out.push(...mapped(externalSecretProblems(resolveEso(eso.args), (path) => toConfig(path)), toConfig));
  }
  spec.crossAccount.forEach((t, i) => {
    const args = targetArgs(spec, i, (w) => workloadRoleArn(spec, placeholderEnvironment(spec.region), w));
    out.push(...mapped(targetProblems(t.name, args, spec.region), targetConfigPath(i)));
  });
  return unique(out);
}

/** A cluster to create, with @pulumi/eks's node counts defaulted. */
function resolveCreate(create: NonNullable<StackConfigInput["cluster"]["create"]> | undefined): ClusterCreateSpec | undefined {
  if (!create) return undefined;
  const minSize = create.minSize ?? 1;
  return {
    version: create.version,
    instanceType: create.instanceType ?? "t3.medium",
    minSize,
    maxSize: create.maxSize ?? Math.max(2, minSize),
    desiredCapacity: create.desiredCapacity ?? minSize,
    fargateProfile: create.fargateProfile ?? false,
  };
}

function resolve(input: StackConfigInput, region: string): EnvironmentSpec {
  const rd = input.roleDefaults ?? {};
  const c = input.cluster;
  const allClusters = [...(c.retired ? [] : [c.name]), ...(c.additionalClusters ?? []).map((k) => k.name)];
  const fargateClusters = new Set([...(c.fargate ? [c.name] : []), ...(c.additionalClusters ?? []).filter((k) => k.fargate).map((k) => k.name)]);
  const workloads: WorkloadSpec[] = input.workloads.map((w) => {
    const serviceAccount = w.serviceAccount ?? w.name;
    const serviceAccountMode = serviceAccountModeOf(w, isPattern(serviceAccount), true);
    const clusters = w.clusters ?? allClusters;
    return {
      name: w.name,
      namespace: w.namespace!,
      serviceAccount,
      createServiceAccount: serviceAccountMode === "created",
      serviceAccountMode,
      ...(w.preset ? { preset: w.preset } : {}),
      ...(w.sqs ? { sqs: w.sqs } : {}),
      ...(w.sns ? { sns: w.sns } : {}),
      ...(w.kms ? { kms: w.kms } : {}),
      ...(w.statements ? { statements: w.statements } : {}),
      s3: w.s3,
      dynamodb: w.dynamodb?.map(({ indexes, ...g }) => ({ ...g, ...(indexes === true ? { allIndexes: true } : indexes ? { indexes } : {}) })),
      secrets: w.secrets,
      tags: w.tags ?? {},
      maxSessionDurationSeconds: w.maxSessionDurationSeconds ?? rd.maxSessionDurationSeconds ?? 3600,
      tokenExpirationSeconds: w.tokenExpirationSeconds,
      externalSecrets: (w.externalSecrets ?? []).map((es) => ({
        name: es.name,
        store: es.store ?? "cluster",
        refreshInterval: es.refreshInterval ?? ESO_DEFAULTS.refreshInterval,
        target: { name: es.target?.name ?? es.name, creationPolicy: es.target?.creationPolicy ?? "Owner" },
        data: es.data ?? [],
        dataFrom: es.dataFrom ?? [],
      })),
      chainedRoles: [],
      mode: w.mode ?? rd.mode ?? IdentityMode.Irsa,
      disableSessionTags: w.disableSessionTags ?? false,
      fargate: w.fargate ?? clusters.some((k) => fargateClusters.has(k)),
      sharedNamespaces: w.sharedNamespaces ?? [],
      clusters,
    };
  });
  const path = rd.path ?? "/";
  const partition = partitionOfRegion(region);
  const crossAccount: TargetAccountSpec[] = (input.crossAccount ?? []).map((t) => ({
    name: t.name,
    accountId: t.accountId,
    deployRoleArn: t.deployRoleArn,
    ...(t.previewRoleArn ? { previewRoleArn: t.previewRoleArn } : {}),
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
        dynamodb: r.dynamodb?.map(({ indexes, ...g }) => ({ ...g, ...(indexes === true ? { allIndexes: true } : indexes ? { indexes } : {}) })),
        secrets: r.secrets,
        maxSessionDurationSeconds: r.maxSessionDurationSeconds ?? rd.maxSessionDurationSeconds ?? 3600,
        tags: r.tags ?? {},
      };
    }),
  }));
  // Chained access: each source workload may assume exactly its target roles, each through its profile.
  for (const t of crossAccount.filter((x) => x.mode === "chained")) {
    for (const role of t.roles) {
      for (const name of role.workloads) {
        workloads.find((x) => x.name === name)?.chainedRoles.push({ roleArn: role.roleArn, profile: profileName(t.name, role.name) });
      }
    }
  }
  const es = input.externalSecrets;
  const controllerSa = es?.serviceAccount ?? ESO_DEFAULTS.serviceAccount;
  const externalSecrets: ExternalSecretsSpec | undefined = es && {
    namespace: es.namespace ?? ESO_DEFAULTS.namespace,
    serviceAccount: controllerSa,
    identity: es.identity ?? "reader",
    readerServiceAccount: es.readerServiceAccount ?? ESO_DEFAULTS.readerServiceAccount(controllerSa),
    chart: { name: ESO_CHART.name, repository: es.chart?.repository ?? ESO_CHART.repository, version: es.chart?.version ?? ESO_CHART.version },
    clusterSecretStore: {
      name: es.clusterSecretStore?.name ?? ESO_DEFAULTS.clusterSecretStore,
      findByPath: es.clusterSecretStore?.findByPath ?? false,
      namespaces: es.clusterSecretStore?.namespaces ?? [],
    },
    secrets: es.secrets ?? [],
    tags: es.tags ?? {},
  };
  // Pod Identity cross-account: each source's associations name its target role.
  for (const t of crossAccount.filter((x) => x.mode === "pod-identity")) {
    for (const role of t.roles) {
      for (const name of role.workloads) {
        const w = workloads.find((x) => x.name === name);
        if (w) w.targetRoleArn = role.roleArn;
      }
    }
  }
  return {
    region,
    partition,
    cluster: {
      name: c.name,
      create: resolveCreate(c.create),
      oidcIssuerUrl: c.oidcIssuerUrl?.replace(/\/+$/, "") ?? (c.oidcProviderArn ? issuerFromProviderArn(c.oidcProviderArn) : undefined),
      oidcProviderArn: c.oidcProviderArn,
      protectOidcProvider: c.protectOidcProvider ?? true,
      createNamespaces: c.createNamespaces ?? c.create !== undefined,
      kubeconfig: c.kubeconfig,
      fargate: c.fargate ?? false,
      retired: c.retired ?? false,
      additionalClusters: (c.additionalClusters ?? []).map((k) => ({
        name: k.name,
        create: resolveCreate(k.create),
        oidcIssuerUrl: k.oidcIssuerUrl?.replace(/\/+$/, "") ?? (k.oidcProviderArn ? issuerFromProviderArn(k.oidcProviderArn) : undefined),
        oidcProviderArn: k.oidcProviderArn,
        kubeconfig: k.kubeconfig,
        fargate: k.fargate ?? false,
      })),
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
      mode: rd.mode ?? IdentityMode.Irsa,
    },
    serviceAccountDefaults: {
      stsRegionalEndpoints: input.serviceAccountDefaults?.stsRegionalEndpoints ?? true,
      tokenExpirationSeconds: input.serviceAccountDefaults?.tokenExpirationSeconds,
    },
    workloads,
    externalSecrets,
    crossAccount,
    ...(input.auditAlarm
      ? {
          auditAlarm: {
            logGroupName: input.auditAlarm.logGroupName,
            ...(input.auditAlarm.alarmTopicArn ? { alarmTopicArn: input.auditAlarm.alarmTopicArn } : {}),
            metricNamespace: input.auditAlarm.metricNamespace ?? "EKS/IRSA",
            threshold: input.auditAlarm.threshold ?? 1,
          },
        }
      : {}),
    quotas: {
      rolesPerAccount: input.quotas?.rolesPerAccount ?? 1000,
      oidcProvidersPerAccount: input.quotas?.oidcProvidersPerAccount ?? 100,
      rolesAlreadyInAccount: input.quotas?.rolesAlreadyInAccount ?? 0,
      oidcProvidersAlreadyInAccount: input.quotas?.oidcProvidersAlreadyInAccount ?? 0,
      managedPoliciesPerAccount: input.quotas?.managedPoliciesPerAccount ?? 1500,
      managedPoliciesAlreadyInAccount: input.quotas?.managedPoliciesAlreadyInAccount ?? 0,
      warnAtPercent: input.quotas?.warnAtPercent ?? 80,
    },
  };
}

/** Every ESO object, checked against ESO's v1 schema; a rejected object is a config error at its key. */
function checkEsoObjects(spec: EnvironmentSpec, models: EsoModels | undefined): ValidatedConfig["esoObjects"] {
  const eso = esoArgs(spec);
  if (!eso) return [];
  if (!models) throw new Error("validateStackConfig: ESO objects need the v1 models (await loadEsoModels())");
  const toConfig = esoConfigPath(eso.origins);
  const problems: ConfigProblem[] = [];
  const out = esoObjects(resolveEso(eso.args), spec.region).map(({ path, object }) => {
    const where = toConfig(path);
    const checked = models.check(object);
    if (!checked.ok) {
      problems.push(...checked.errors.map((e) => ({ path: where, message: `${object.kind} ${object.metadata.name} is not valid external-secrets.io/v1: ${e}` })));
      return { path: where, object };
    }
    return { path: where, object: checked.json };
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
  /** The accounts config names as the stack's (aws:allowedAccountIds, an adopted provider's, a boundary's): custom statements may name them. */
  accounts: string[];
}

/** The audit alarm's filter patterns, sized for the IAM OIDC providers the stack will watch (stacks/environment.ts). */
function auditProblems(spec: EnvironmentSpec): ConfigProblem[] {
  if (!spec.auditAlarm) return [];
  const irsaOn = (cluster: string) => spec.workloads.some((w) => usesIrsa(w.mode) && w.clusters.includes(cluster));
  const primary = irsaOn(spec.cluster.name) || spec.externalSecrets !== undefined || spec.crossAccount.some((t) => t.mode === "oidc");
  const issuerOf = (k: { oidcIssuerUrl?: string; oidcProviderArn?: string }) => k.oidcProviderArn?.split(":oidc-provider/")[1] ?? k.oidcIssuerUrl?.replace(/^https:\/\//, "");
  const clusters = [...(primary ? [{ issuer: issuerOf(spec.cluster) }] : []), ...spec.cluster.additionalClusters.filter((k) => irsaOn(k.name)).map((k) => ({ issuer: issuerOf(k) }))];
  const problem = auditPatternProblem(clusters, spec.region, spec.partition, spec.roleDefaults.path, `${spec.cluster.name}-`);
  const out: ConfigProblem[] = problem ? [{ path: "auditAlarm", message: problem }] : [];
  // CloudWatch notifies only a topic of the alarm's own region (PutMetricAlarm: "Invalid region ... specified").
  const topic = spec.auditAlarm.alarmTopicArn ? parseArn(spec.auditAlarm.alarmTopicArn) : undefined;
  if (topic && (topic.partition !== spec.partition || topic.region !== spec.region)) {
    out.push({ path: "auditAlarm.alarmTopicArn", message: `${quoted(spec.auditAlarm.alarmTopicArn)} is in ${topic.partition}/${topic.region}: an alarm notifies only a topic of its own region (${spec.region})` });
  }
  return out;
}

/** Keys JavaScript reserves (`__proto__`): a map parsed from YAML keeps them, but no JavaScript object can carry them on. */
function reservedKeys(value: unknown, at: (string | number)[] = []): ConfigProblem[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => reservedKeys(v, [...at, i]));
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k === "__proto__" ? [{ path: formatPath([...at, k]), message: "__proto__ is a key JavaScript reserves: eks-irsa would drop it; rename it" }] : reservedKeys(v, [...at, k]),
  );
}

/**
 * Validates the `eks-irsa:` config object (keys without the namespace) for a stack in `region`.
 * Throws a ConfigError naming every problem; never returns a partly valid spec.
 */
export function validateStackConfig(raw: unknown, region: string | undefined, models?: EsoModels, stackAccountIds: string[] = []): ValidatedConfig {
  const problems: ConfigProblem[] = [];
  if (region === undefined) problems.push({ path: "aws:region", message: "is required: the region of the cluster and of every regional ARN" });
  else if (!RULES.region.test(region)) problems.push({ path: "aws:region", message: `${JSON.stringify(region)} is not a valid ${RULES.region.what}` });
  problems.push(...reservedKeys(raw));
  const parsed = stackConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) problems.push(...parsed.error.issues.flatMap(fromZod));
  if (problems.length > 0 || !parsed.success || region === undefined) throw new ConfigError(problems);
  const defaulted = withPresetDefaults(parsed.data);
  const cross = crossChecks(defaulted, region, stackAccountIds);
  if (cross.length > 0) throw new ConfigError(cross);
  const spec = resolve(defaulted, region);
  const audit = auditProblems(spec);
  if (audit.length > 0) throw new ConfigError(audit);
  const accounts = stackAccounts(defaulted, stackAccountIds);
  const own = identityProblems(spec, accounts);
  if (own.length > 0) throw new ConfigError(own);
  const objects = checkEsoObjects(spec, models);
  const env = placeholderEnvironment(region);
  const cluster = placeholderCluster(env, { issuerUrl: spec.cluster.oidcIssuerUrl, providerArn: spec.cluster.oidcProviderArn });
  return { spec, esoObjects: objects, layout: planEnvironment(spec, env, cluster), accounts };
}
