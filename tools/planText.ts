/** The offline plan as a person reads it: per workload its role, who may assume it and what it may do. */
/* eslint-disable @typescript-eslint/no-explicit-any -- ESO specs are read as the registered JSON */
import { KIND_TAG, TARGET_TAG, WORKLOAD_TAG } from "../core/plan";
import { describePermissions, describeTrust, rolesOf, type RoleView } from "./inventory";
import type { OfflineRun } from "./offline";

function roleLines(out: string[], role: RoleView, crossAccount = false): void {
  out.push(`  role        ${role.arn}`);
  for (const line of describeTrust(role.trust)) out.push(`  assumed by  ${line}`);
  for (const sa of role.serviceAccounts) {
    const extra = Object.entries(sa.annotations).filter(([k]) => k !== "eks.amazonaws.com/role-arn").map(([k, v]) => `${k.replace("eks.amazonaws.com/", "")}=${v}`);
    const by = sa.helmRelease ? `by Helm release ${sa.helmRelease}, ` : "";
    out.push(`  sa          CREATE ${sa.namespace}/${sa.name} ${by}annotated with the role ARN${extra.length ? ` (${extra.join(", ")})` : ""}`);
  }
  if (!crossAccount && role.serviceAccounts.length === 0 && role.trust.Statement.some((s) => s.Principal && s.Principal !== "*" && s.Principal.Federated)) {
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
  for (const r of run.resources.filter((x) => x.type.startsWith("kubernetes:external-secrets.io/"))) {
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
  const cluster = run.resources.find((r) => r.type === "eks:index:Cluster");
  if (cluster) {
    const i = cluster.inputs;
    out.push(`cluster   ${String(i.name)}: CREATE with @pulumi/eks (Kubernetes ${String(i.version ?? "default")}, ${String(i.desiredCapacity)} x ${String(i.instanceType)}, ${String(i.minSize)}-${String(i.maxSize)} nodes)`);
  } else {
    out.push(`cluster   ${String(run.outputs.clusterName)}: existing`);
  }
  const provider = run.resources.find((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
  out.push(
    provider
      ? `oidc      CREATE IAM OIDC provider for ${String(provider.inputs.url)}${provider.options.protect ? " (protected)" : ""}`
      : `oidc      ADOPT existing IAM OIDC provider ${String(run.outputs.oidcProviderArn)}`,
  );
  const roles = rolesOf(run.resources);
  const kindOf = (r: RoleView) => r.tags[KIND_TAG] ?? "workload";
  for (const role of roles.filter((r) => kindOf(r) !== "cross-account")) {
    const eso = kindOf(role) === "eso-controller";
    out.push("", eso ? "eso       External Secrets Operator controller" : `workload  ${role.tags[WORKLOAD_TAG] ?? role.resourceName}`);
    roleLines(out, role);
    if (eso) esoLines(out, run);
  }
  const providers = run.resources.filter((r) => r.type === "pulumi:providers:aws");
  for (const role of roles.filter((r) => kindOf(r) === "cross-account")) {
    const target = role.tags[TARGET_TAG] ?? "?";
    const provider = providers.find((p) => p.name === target);
    const raw = provider?.inputs.assumeRoles;
    // Provider inputs arrive JSON-encoded when nested.
    const assumed = ((typeof raw === "string" ? JSON.parse(raw) : raw) as { roleArn?: string }[] | undefined)?.[0]?.roleArn;
    out.push("", `target    ${target}: account ${role.arn.split(":")[4]}${assumed ? `, deployed through a provider assuming ${assumed}` : ""}`);
    roleLines(out, role, true);
  }
  for (const cm of run.resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap")) {
    const md = cm.inputs.metadata as { name?: string; namespace?: string };
    const config = String((cm.inputs.data as Record<string, unknown> | undefined)?.config ?? "");
    const profiles = [...config.matchAll(/^\[profile ([^\]]+)\]$/gm)].map((m) => m[1]);
    out.push("", `profiles  CREATE ConfigMap ${md.namespace}/${md.name}: AWS config with profiles ${profiles.join(", ")} (mount it, set AWS_CONFIG_FILE and AWS_PROFILE)`);
  }
  const warnings = (run.outputs.warnings as string[] | undefined) ?? [];
  for (const w of warnings) out.push("", `warning: ${w}`);
  const counts = new Map<string, number>();
  for (const r of custom) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  out.push("", `${custom.length} resources to create:`);
  for (const [type, n] of [...counts].sort()) out.push(`  ${String(n).padStart(3)} ${type}`);
  return out.join("\n");
}

/** The `--json` form: every registered resource, Outputs resolved to plain values. */
export function planJson(run: OfflineRun): string {
  return JSON.stringify(
    { stack: run.stack, resources: run.resources.map(({ type, name, id, inputs, outputs }) => ({ type, name, id, inputs, outputs })) },
    null,
    2,
  );
}
