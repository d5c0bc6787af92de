/** The offline plan as a person reads it: per workload its role, who may assume it and what it may do. */
import { describePermissions, describeTrust, rolesOf } from "./inventory";
import type { OfflineRun } from "./offline";

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
  for (const role of rolesOf(run.resources)) {
    out.push("", `workload  ${role.tags["eks-irsa:workload"] ?? role.resourceName}`);
    out.push(`  role        ${role.arn}`);
    for (const line of describeTrust(role.trust)) out.push(`  assumed by  ${line}`);
    for (const sa of role.serviceAccounts) {
      const extra = Object.entries(sa.annotations).filter(([k]) => k !== "eks.amazonaws.com/role-arn").map(([k, v]) => `${k.replace("eks.amazonaws.com/", "")}=${v}`);
      out.push(`  sa          CREATE ${sa.namespace}/${sa.name} annotated with the role ARN${extra.length ? ` (${extra.join(", ")})` : ""}`);
    }
    if (role.serviceAccounts.length === 0) out.push("  sa          none created (pattern binding or createServiceAccount: false): annotate your ServiceAccounts with the role ARN");
    for (const p of role.policies) {
      out.push(`  policy      ${p.name}${p.document ? "" : " (not defined by this stack)"}`);
      for (const line of p.document ? describePermissions(p.document) : []) out.push(`    ${line}`);
    }
    if (role.policies.length === 0) out.push("  policy      none: the role grants no access");
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
