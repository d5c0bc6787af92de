/** One benchmark size in its own process (so peak memory is this size's): prints one JSON line. */
import { performance } from "node:perf_hooks";
import { validateStackConfig } from "../config/validate";
import { policySize } from "../core/document";
import { planEnvironment } from "../config/plan";
import { isPattern } from "../core/trust";
import { issuerFromProviderArn } from "../core/arn";
import { program } from "../stacks";
import { permissionDocumentsOf, rolesOf } from "../tools/inventory";
import { runOffline } from "../tools/offline";
import { checkResources } from "../tools/policyCheck";
import { accessModel } from "../tools/access/model";
import { forgetDecisions } from "../tools/access/verify";
import { rawProgram } from "./raw";
import { syntheticConfig } from "./synthetic";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const workloads = Number(process.argv[2]);
  const runs = Number(process.argv[3] ?? 5);
  const config = syntheticConfig(workloads);
  const raw: Record<string, unknown> = Object.fromEntries(Object.entries(config).filter(([k]) => k.startsWith("eks-irsa:")).map(([k, v]) => [k.slice("eks-irsa:".length), v]));
  const { spec } = validateStackConfig(raw, "us-east-1");
  const env = { partition: "aws" as const, region: "us-east-1", accountId: "123456789012" };
  const cluster = { issuerUrl: issuerFromProviderArn(spec.cluster.oidcProviderArn!), providerArn: spec.cluster.oidcProviderArn! };
  const plans = planEnvironment(spec, env, cluster).workloads.map((plan, i) => {
    const w = spec.workloads[i];
    return { name: w.name, plan, ...(w.createServiceAccount && !isPattern(w.serviceAccount) ? { serviceAccount: { name: w.serviceAccount, namespace: w.namespace } } : {}) };
  });
  const kubeconfig = "{}";
  const plan: number[] = [];
  const policy: number[] = [];
  const access: number[] = [];
  const rawTimes: number[] = [];
  let resources = 0;
  let cloudResources = 0;
  let sizes = { trust: 0, permission: 0, perRole: 0, policies: 0 };
  // Warm the JIT on a small environment of the same shape, so the first timed run is not the slowest by design.
  const warm = syntheticConfig(50);
  await runOffline("warm", warm, program);
  await runOffline("warm-raw", warm, rawProgram(plans.slice(0, 50), kubeconfig));
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    await runOffline("bench-raw", config, rawProgram(plans, kubeconfig));
    rawTimes.push(performance.now() - t);
    t = performance.now();
    const run = await runOffline("bench", config, program);
    plan.push(performance.now() - t);
    t = performance.now();
    const findings = await checkResources(run.resources);
    policy.push(performance.now() - t);
    if (findings.length) throw new Error(`synthetic stack has violations: ${findings[0].message}`);
    forgetDecisions();
    t = performance.now();
    const model = await accessModel(run);
    access.push(performance.now() - t);
    if (model.errors.length) throw new Error(`access report disagrees: ${model.errors[0]}`);
    resources = run.resources.length;
    // What `pulumi up` creates in the cloud: roles, policies, ServiceAccounts (not components or providers).
    cloudResources = run.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).length;
    const roles = rolesOf(run.resources);
    sizes = {
      trust: Math.max(...roles.map((r) => policySize(r.trust))),
      permission: Math.max(...roles.flatMap((r) => permissionDocumentsOf(r).map(policySize))),
      perRole: Math.max(...roles.map((r) => policySize(r.trust) + permissionDocumentsOf(r).reduce((a, d) => a + policySize(d), 0))),
      policies: Math.max(...roles.map((r) => r.policies.length)),
    };
  }
  process.stdout.write(
    JSON.stringify({
      workloads,
      runs,
      resources,
      cloudResources,
      planMs: median(plan),
      policyMs: median(policy),
      accessMs: median(access),
      rawMs: median(rawTimes),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      sizes,
    }) + "\n",
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
