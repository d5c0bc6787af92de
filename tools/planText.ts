/** The offline plan as a person reads it: per workload its role, who may assume it and what it may do. */
/* eslint-disable @typescript-eslint/no-explicit-any -- ESO specs are read as the registered JSON */
import { asList } from "../core/document";
import { KIND_TAG, PRESET_TAG, TARGET_TAG, WORKLOAD_TAG } from "../core/plan";
import { presetStatementMatch, PRESETS, type AddonPresetName } from "../core/presets";
import { ASSOCIATION_TYPE, IdentityMode, migrationStep, POD_IDENTITY_AGENT, POD_IDENTITY_SERVICE, type IdentityMode as Mode } from "../core/podIdentity";
import { describePermissions, describeTrust, rolesOf, type RoleView } from "./inventory";
import type { OfflineRun, RegisteredResource } from "./offline";
import { cutLongValues } from "./usage";

const OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
const accountOf = (arn: string) => arn.split(":")[4] ?? "";

/** What the stack outputs say of a workload's ServiceAccount (its mode, annotations, its preset's chart values). */
interface WorkloadOutput {
  serviceAccount?: string;
  namespace?: string;
  serviceAccountMode?: string;
  serviceAccountAnnotations?: Record<string, string>;
  preset?: { chart: string; annotationsValue: string; alsoSet: string[] };
}

function roleLines(out: string[], run: OfflineRun, role: RoleView, crossAccount = false): void {
  out.push(`  role        ${role.arn}`);
  const preset = PRESETS[role.tags[PRESET_TAG] as AddonPresetName] as (typeof PRESETS)[AddonPresetName] | undefined;
  if (preset) {
    const pins = preset.upstream.map((u) => `${u.repository} ${u.path} @ ${u.commit.slice(0, 7)}`).join("; ");
    out.push(`  preset      ${preset.name}: ${preset.title}, following ${pins} (docs/presets.md)`);
  }
  const workload = ((run.outputs.workloads ?? {}) as Record<string, WorkloadOutput>)[role.tags[WORKLOAD_TAG] ?? ""];
  const boundary = run.resources.find((r) => r.type === "aws:iam/role:Role" && r.name === role.resourceName)?.inputs.permissionsBoundary;
  if (typeof boundary === "string" && boundary) out.push(`  boundary    ${boundary}`);
  for (const line of describeTrust(role.trust)) out.push(`  assumed by  ${line}`);
  const seen = new Map<string, number>();
  for (const sa of role.serviceAccounts) seen.set(`${sa.namespace}/${sa.name}`, (seen.get(`${sa.namespace}/${sa.name}`) ?? 0) + 1);
  for (const sa of role.serviceAccounts) {
    const times = seen.get(`${sa.namespace}/${sa.name}`)!;
    if (times === 0) continue;
    seen.set(`${sa.namespace}/${sa.name}`, 0);
    const extra = Object.entries(sa.annotations).filter(([k]) => k !== "eks.amazonaws.com/role-arn").map(([k, v]) => `${k.replace("eks.amazonaws.com/", "")}=${v}`);
    const by = sa.helmRelease ? `by Helm release ${sa.helmRelease}, ` : "";
    const annotated = sa.annotations["eks.amazonaws.com/role-arn"] ? `annotated with the role ARN${extra.length ? ` (${extra.join(", ")})` : ""}` : "without annotation (Pod Identity)";
    if (sa.patch) out.push(`  sa          PATCH ${sa.namespace}/${sa.name}: its owner's ServiceAccount gets the role annotations only, by server-side apply${extra.length ? ` (${extra.join(", ")})` : ""}${times > 1 ? ` in each of ${times} clusters` : ""}`);
    else out.push(`  sa          CREATE ${sa.namespace}/${sa.name} ${by}${annotated}${times > 1 ? ` in each of ${times} clusters` : ""}`);
  }
  podIdentityLines(out, run, role);
  const federated = role.trust.Statement.some((s) => s.Principal && s.Principal !== "*" && s.Principal.Federated);
  if (!crossAccount && role.serviceAccounts.length === 0 && federated && workload?.serviceAccountMode === "external" && workload.serviceAccountAnnotations) {
    const where = workload.preset ? `the chart value ${workload.preset.annotationsValue} (${workload.preset.chart})` : "its owner's annotations";
    out.push(`  sa          EXTERNAL ${workload.namespace}/${workload.serviceAccount}: nothing in Kubernetes; set ${where} to ${JSON.stringify(workload.serviceAccountAnnotations)}`);
    if (workload.preset && workload.preset.alsoSet.length > 0) out.push(`  chart       also set ${workload.preset.alsoSet.join(", ")}`);
  } else if (!crossAccount && role.serviceAccounts.length === 0 && federated) {
    out.push("  sa          none created (pattern binding or createServiceAccount: false): annotate your ServiceAccounts with the role ARN");
  }
  for (const p of role.inlinePolicies) {
    out.push(`  policy      ${p.name} (inline)`);
    for (const line of describePermissions(p.document)) out.push(`    ${line}`);
  }
  for (const p of role.policies) {
    out.push(`  policy      ${p.name} (managed)${p.document ? "" : " (not defined by this stack)"}`);
    for (const line of p.document ? describePermissions(p.document) : []) out.push(`    ${line}`);
  }
  if (role.policies.length === 0 && role.inlinePolicies.length === 0) out.push("  policy      none: the role grants no access");
  // A preset's statements that stay on every resource of a type, each with the reason it cannot be scoped further.
  const documents = [...role.inlinePolicies.map((p) => p.document), ...role.policies.flatMap((p) => (p.document ? [p.document] : []))];
  for (const statement of documents.flatMap((d) => d.Statement)) {
    const match = presetStatementMatch(statement);
    if (match?.residual) out.push(`  residual    ${statement.Sid} on ${asList(statement.Resource).join(", ")}: ${match.residual}`);
  }
}

/** The mode a role's trust gives it: IRSA (federated), Pod Identity (pods.eks.amazonaws.com) or both; none for other trusts. */
function modeOf(role: RoleView): Mode | undefined {
  const principals = role.trust.Statement.flatMap((s) => (s.Principal && s.Principal !== "*" ? [s.Principal] : []));
  const irsa = principals.some((p) => p.Federated !== undefined);
  const pod = principals.some((p) => asList(p.Service).includes(POD_IDENTITY_SERVICE));
  return pod ? (irsa ? IdentityMode.Both : IdentityMode.PodIdentity) : irsa ? IdentityMode.Irsa : undefined;
}

/** A workload's mode, what this step of a migration changes, and its Pod Identity associations. */
function podIdentityLines(out: string[], run: OfflineRun, role: RoleView): void {
  const mode = modeOf(role);
  const associations = run.resources.filter((r) => r.type === ASSOCIATION_TYPE && r.inputs.roleArn === role.arn);
  if (mode === undefined || (mode === IdentityMode.Irsa && associations.length === 0)) return;
  const target = associations.find((a) => typeof a.inputs.targetRoleArn === "string")?.inputs.targetRoleArn as string | undefined;
  out.push(`  mode        ${migrationStep(mode, target !== undefined)}`);
  for (const a of associations) {
    const i = a.inputs;
    const tags = i.disableSessionTags === true ? "session tags disabled" : "session tags on";
    out.push(`  association CREATE ${String(i.namespace)}/${String(i.serviceAccount)} on cluster ${String(i.clusterName)} (${tags}${target ? `, target role ${target}: pods get its credentials` : ""})`);
  }
  if (mode === IdentityMode.PodIdentity) {
    // Pod Identity's ServiceAccounts carry no annotation: found by the names the associations give.
    const names = new Set(associations.map((a) => `${String(a.inputs.namespace)}/${String(a.inputs.serviceAccount)}`));
    const created = new Map<string, number>();
    for (const sa of run.resources.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount")) {
      const md = sa.inputs.metadata as { name?: string; namespace?: string; annotations?: Record<string, string> };
      const key = `${md.namespace ?? "default"}/${md.name ?? sa.name}`;
      if (names.has(key) && !md.annotations?.["eks.amazonaws.com/role-arn"]) created.set(key, (created.get(key) ?? 0) + 1);
    }
    for (const [key, n] of created) out.push(`  sa          CREATE ${key} without annotation (Pod Identity)${n > 1 ? ` in each of ${n} clusters` : ""}`);
  }
  if (associations.some((a) => a.inputs.disableSessionTags === true)) {
    out.push("  note        session tags disabled: the trust pins the cluster (aws:SourceArn) and account only; the association alone names the namespace and ServiceAccount");
  }
}

/** Per cluster with Pod Identity associations: the agent add-on this stack creates, or what must already be there. */
function agentLines(run: OfflineRun): string[] {
  const clusters = [...new Set(run.resources.filter((r) => r.type === ASSOCIATION_TYPE).map((r) => String(r.inputs.clusterName)))];
  const created = new Set(run.resources.filter((r) => r.type === "eks:index:Cluster").map((r) => String(r.inputs.name)));
  const addons = new Set(run.resources.filter((r) => r.type === "aws:eks/addon:Addon" && r.inputs.addonName === POD_IDENTITY_AGENT).map((r) => String(r.inputs.clusterName)));
  return clusters.map((c) =>
    addons.has(c)
      ? `agent     ${c}: CREATE add-on ${POD_IDENTITY_AGENT}; the node role's AmazonEKSWorkerNodePolicy allows eks-auth:AssumeRoleForPodIdentity`
      : `agent     ${c}: Pod Identity needs the ${POD_IDENTITY_AGENT} add-on running there${created.has(c) ? "" : " (this stack does not create the cluster: install it, or use EKS Auto Mode, which has it)"}, and nodes whose role allows eks-auth:AssumeRoleForPodIdentity (AmazonEKSWorkerNodePolicy does)`,
  );
}

type Ref = { key: string; property?: string };

/** The Helm release, the stores and the ExternalSecrets, as the controller will see them. */
function esoLines(out: string[], run: OfflineRun): void {
  for (const r of run.resources.filter((x) => x.type === "kubernetes:helm.sh/v3:Release")) {
    const i = r.inputs as { chart?: string; version?: string; namespace?: string; repositoryOpts?: { repo?: string }; values?: { installCRDs?: boolean; serviceAccount?: { name?: string; annotations?: Record<string, string> } } };
    const sa = i.values?.serviceAccount;
    const role = sa?.annotations?.["eks.amazonaws.com/role-arn"] ? "annotated with the role" : "no AWS role of its own";
    out.push(`  helm        CREATE release ${i.chart} ${i.version} from ${i.repositoryOpts?.repo} in namespace ${i.namespace}${i.values?.installCRDs ? " with its CRDs" : ""}; controller ServiceAccount ${sa?.name} (${role})`);
  }
  // Stores before the ExternalSecrets that read through them, each in name order (registration order follows when
  // each object's inputs resolved).
  const order = ["ClusterSecretStore", "SecretStore", "ExternalSecret"];
  const objects = run.resources.filter((x) => x.type.startsWith("kubernetes:external-secrets.io/"));
  const rank = (r: (typeof objects)[number]) => {
    const md = r.inputs.metadata as { name: string; namespace?: string };
    return [order.indexOf(r.type.split(":").pop()!), md.namespace ?? "", md.name] as const;
  };
  objects.sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    return x[0] - y[0] || x[1].localeCompare(y[1]) || x[2].localeCompare(y[2]);
  });
  for (const r of objects) {
    const md = r.inputs.metadata as { name: string; namespace?: string };
    const spec = r.inputs.spec as Record<string, any>;
    const id = `${md.namespace ? `${md.namespace}/` : ""}${md.name}`;
    const kind = r.type.split(":").pop()!;
    if (kind === "ExternalSecret") {
      const reads = [
        ...((spec.data ?? []) as { secretKey: string; remoteRef: Ref }[]).map((d) => `${d.secretKey} <- ${d.remoteRef.key}${d.remoteRef.property ? `[${d.remoteRef.property}]` : ""}`),
        ...((spec.dataFrom ?? []) as { extract?: Ref; find?: { path: string } }[]).map((d) => (d.extract ? `* <- ${d.extract.key}` : `* <- find ${d.find?.path}*`)),
      ];
      out.push(`  secret      CREATE ExternalSecret ${id} -> Secret ${spec.target?.name} every ${spec.refreshInterval} via ${spec.secretStoreRef.kind} ${spec.secretStoreRef.name}: ${reads.join(", ")}`);
    } else {
      const aws = spec.provider?.aws ?? {};
      const ref = aws.auth?.jwt?.serviceAccountRef as { name: string; namespace?: string } | undefined;
      const namespaces = (spec.conditions?.[0]?.namespaces as string[] | undefined) ?? [];
      const reads = kind === "ClusterSecretStore"
        ? `${ref ? `as ServiceAccount ${ref.namespace}/${ref.name}` : "as the controller itself"} (the ESO role), for namespaces ${namespaces.join(", ") || "none"}`
        : `as ServiceAccount ${ref?.name} (reads with that workload's role)`;
      out.push(`  store       CREATE ${kind} ${id}: ${aws.service} ${aws.region}, ${reads}`);
    }
  }
}

export function renderPlan(run: OfflineRun): string {
  const out: string[] = [];
  const custom = run.resources.filter((r) => (r.custom || !r.type.startsWith("eks-irsa:")) && !r.type.startsWith("pulumi:"));
  out.push(`eks-irsa offline plan: stack ${run.stack}, region ${run.region}, account ${run.accountId} (mocked: no AWS call was made)`);
  // Each cluster by its own name: the stack's may exist while an additional one is created.
  const created = (name: unknown) => run.resources.find((r) => r.type === "eks:index:Cluster" && r.inputs.name === name);
  const fargateProfile = (i: Record<string, unknown>) => {
    const selectors = (i.fargate as { selectors?: { namespace?: string }[] } | undefined)?.selectors ?? [];
    return selectors.length > 0 ? `, a Fargate profile for namespaces ${selectors.map((x) => String(x.namespace)).join(", ")} (every pod there runs on Fargate)` : "";
  };
  const main = created(run.outputs.clusterName);
  const retired = run.outputs.clusterRetired === true ? " (retired: no workload runs there any more; it still names the roles)" : "";
  if (main) {
    const i = main.inputs;
    out.push(`cluster   ${String(i.name)}: CREATE with @pulumi/eks (Kubernetes ${String(i.version ?? "default")}, ${String(i.desiredCapacity)} x ${String(i.instanceType)}, ${String(i.minSize)}-${String(i.maxSize)} nodes${fargateProfile(i)})${retired}`);
  } else {
    out.push(`cluster   ${String(run.outputs.clusterName)}: existing${retired}`);
  }
  for (const name of (run.outputs.additionalClusters as string[] | undefined) ?? []) {
    const k = created(name);
    out.push(`cluster   ${name}: ${k ? `CREATE with @pulumi/eks${fargateProfile(k.inputs)}` : "existing"} (blue/green: the roles of its workloads trust it too)`);
  }
  for (const line of oidcLines(run)) out.push(line);
  for (const line of agentLines(run)) out.push(line);
  for (const path of run.secrets ?? []) {
    out.push(`secure    ${path}: a secure value of the stack file, not decrypted offline (a placeholder stood in for it; pulumi up uses the value)`);
  }
  const roles = rolesOf(run.resources);
  const kindOf = (r: RoleView) => r.tags[KIND_TAG] ?? "workload";
  for (const role of roles.filter((r) => kindOf(r) !== "cross-account")) {
    const eso = kindOf(role) === "eso-controller";
    out.push("", eso ? "eso       External Secrets Operator controller" : `workload  ${role.tags[WORKLOAD_TAG] ?? role.resourceName}`);
    roleLines(out, run, role);
    if (eso) esoLines(out, run);
  }
  const providers = run.resources.filter((r) => r.type === "pulumi:providers:aws");
  for (const role of roles.filter((r) => kindOf(r) === "cross-account")) {
    const target = role.tags[TARGET_TAG] ?? "?";
    const provider = providers.find((p) => p.name === target);
    const raw = provider?.inputs.assumeRoles;
    // Provider inputs arrive JSON-encoded when nested.
    const assumed = ((typeof raw === "string" ? JSON.parse(raw) : raw) as { roleArn?: string }[] | undefined)?.[0]?.roleArn;
    const previewer = ((run.outputs.crossAccount ?? {}) as Record<string, { previewRoleArn?: string }>)[target]?.previewRoleArn;
    out.push("", `target    ${target}: account ${role.arn.split(":")[4]}${assumed ? `, deployed through a provider assuming ${assumed}` : ""}${previewer ? ` (previews assume ${previewer})` : ""}`);
    roleLines(out, run, role, true);
  }
  for (const line of auditLines(run)) out.push(line);
  for (const cm of run.resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap")) {
    const md = cm.inputs.metadata as { name?: string; namespace?: string };
    const config = String((cm.inputs.data as Record<string, unknown> | undefined)?.config ?? "");
    const profiles = [...config.matchAll(/^\[profile ([^\]]+)\]$/gm)].map((m) => m[1]);
    out.push("", `profiles  CREATE ConfigMap ${md.namespace}/${md.name}: AWS config with profiles ${profiles.join(", ")} (mount it, set AWS_CONFIG_FILE and AWS_PROFILE)`);
  }
  // What the program warned of as it ran (the stack's quota pressure, each component's risky grants): each once.
  const warnings = run.warnings ?? ((run.outputs.warnings as string[] | undefined) ?? []);
  for (const w of warnings) out.push("", `warning: ${w}`);
  const outputs = outputLines(run.outputs);
  if (outputs.length > 0) out.push("", "outputs   (pulumi stack output)", ...outputs);
  const counts = new Map<string, number>();
  for (const r of custom) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  out.push("", `${custom.length} resources to create:`);
  for (const [type, n] of [...counts].sort()) out.push(`  ${String(n).padStart(3)} ${type}`);
  return out.join("\n");
}

/** The audit alarm: what each metric filter matches in which log group, and where its alarm goes. */
function auditLines(run: OfflineRun): string[] {
  const filters = run.resources.filter((r) => r.type === "aws:cloudwatch/logMetricFilter:LogMetricFilter");
  if (filters.length === 0) return [];
  const out = ["", "audit     failed AssumeRoleWithWebIdentity calls, from CloudTrail in CloudWatch Logs (the trail must cover every region the pods' STS calls land in)"];
  for (const f of filters) {
    const t = f.inputs.metricTransformation as { name?: string; namespace?: string; dimensions?: Record<string, string> } | undefined;
    const per = t?.dimensions ? ` per ${Object.keys(t.dimensions).join(", ")}` : "";
    out.push(`  filter      CREATE ${String(f.inputs.name)} on log group ${String(f.inputs.logGroupName)}: metric ${t?.namespace}/${t?.name}${per} counts ${String(f.inputs.pattern)}`);
  }
  for (const a of run.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm")) {
    const actions = (a.inputs.alarmActions as string[] | undefined) ?? [];
    out.push(`  alarm       CREATE ${String(a.inputs.name)}: ${String(a.inputs.namespace)}/${String(a.inputs.metricName)} >= ${String(a.inputs.threshold)} in ${String(a.inputs.period)} s${actions.length ? `, notifies ${actions.join(", ")}` : ", no notification (alarm state only)"}`);
  }
  return out;
}

/**
 * Every IAM OIDC provider the stack's trust policies name, in whose account: the stack's own, or a cross-account
 * target's (created through the target's provider). One the run did not create is adopted.
 */
function oidcLines(run: OfflineRun): string[] {
  const targets = targetAccounts(run);
  const owner = (account: string) => (account === run.accountId ? "the stack's account" : targets.has(account) ? `target ${targets.get(account)}'s account` : "another account");
  const created = run.resources.filter((r) => r.type === OIDC_PROVIDER);
  const createdArns = new Set(created.map((r) => String(r.outputs.arn)));
  const adopted = new Set<string>();
  if (typeof run.outputs.oidcProviderArn === "string" && !createdArns.has(run.outputs.oidcProviderArn)) adopted.add(run.outputs.oidcProviderArn);
  for (const role of rolesOf(run.resources)) {
    for (const s of role.trust.Statement) {
      const federated = s.Principal && s.Principal !== "*" ? s.Principal.Federated : undefined;
      for (const arn of federated ? asList(federated) : []) if (arn.includes(":oidc-provider/") && !createdArns.has(arn)) adopted.add(arn);
    }
  }
  const lines = [
    ...created.map((r) => {
      const account = accountOf(String(r.outputs.arn));
      return { account, text: `oidc      CREATE IAM OIDC provider for ${String(r.inputs.url)} in ${owner(account)} (${account})${r.options.protect ? ", protected" : ""}` };
    }),
    ...[...adopted].map((arn) => ({ account: accountOf(arn), text: `oidc      ADOPT existing IAM OIDC provider ${arn} in ${owner(accountOf(arn))} (${accountOf(arn)})` })),
  ];
  // The stack's own first, then the targets' in config order.
  const order = [run.accountId, ...targets.keys()];
  return lines.sort((a, b) => order.indexOf(a.account) - order.indexOf(b.account)).map((l) => l.text);
}

/** Target account id -> target name, from the targets' AWS providers (their `allowedAccountIds`). */
function targetAccounts(run: OfflineRun): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of run.resources.filter((r) => r.type === "pulumi:providers:aws")) {
    const raw = p.inputs.allowedAccountIds;
    // Provider inputs arrive JSON-encoded when nested.
    const ids = (typeof raw === "string" ? JSON.parse(raw) : raw) as string[] | undefined;
    if (ids?.[0]) out.set(String(ids[0]), p.name);
  }
  return out;
}

/** The stack's outputs as `name  value` lines, nested objects as dotted names, long values cut. */
function outputLines(outputs: Record<string, unknown>): string[] {
  const leaves: [string, string][] = [];
  const walk = (value: unknown, name: string) => {
    if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, name ? `${name}.${k}` : k);
    } else leaves.push([name, typeof value === "string" ? value : JSON.stringify(value)]);
  };
  walk(outputs, "");
  const width = Math.max(...leaves.map(([k]) => k.length));
  return leaves.map(([k, v]) => cutLongValues(`  ${k.padEnd(width)}  ${v}`));
}

/** `<type>::<name>` of a resource reference URN (`urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>[::<id>]`). */
function refOf(urnAndId: string): string {
  const parts = urnAndId.split("::");
  const hasId = parts.length > 4;
  const type = parts[2].split("$").pop()!;
  return `${type}::${parts.slice(3, hasId ? -1 : undefined).join("::")}`;
}

/**
 * The `--json` form: every registered resource, Outputs resolved to plain values, with the options that order and
 * place it: `provider` (`<type>::<name>` of an explicit provider, else null for the default), `parent` (the stack
 * for a top-level resource), `dependsOn` and `protect`.
 */
export function planJson(run: OfflineRun): string {
  const stackResource = run.resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const stackRef = stackResource ? `${stackResource.type}::${stackResource.name}` : null;
  const entry = (r: RegisteredResource) => ({
    type: r.type,
    name: r.name,
    id: r.id,
    inputs: r.inputs,
    outputs: r.outputs,
    provider: r.provider ? refOf(r.provider) : null,
    parent: r.options.parent ?? (r === stackResource ? null : stackRef),
    dependsOn: r.options.dependsOn,
    protect: r.options.protect,
  });
  return JSON.stringify({ stack: run.stack, resources: run.resources.map(entry) }, null, 2);
}
