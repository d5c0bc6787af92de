/**
 * `npm run bench`: offline plan, policy check, access report (every row confirmed with iam-simulate) and component overhead at 10, 100 and 1,000 workloads (each
 * size in its own process, medians of several runs), document sizes against AWS limits, and the
 * limit-pushing cases. Prints the figures and writes them to bench/results.md.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { accessStatements, type S3Grant } from "../core/access";
import { policySize } from "../core/document";
import { LIMITS, layoutDocuments } from "../core/layout";
import { buildTrustPolicy } from "../core/trust";
import { proveSplit, twoHundredPrefixes } from "./split";

const ROOT = path.resolve(__dirname, "..");
const SIZES: [number, number][] = [
  [10, 5],
  [100, 5],
  [1000, 3],
];

interface SizeResult {
  workloads: number;
  runs: number;
  resources: number;
  /** Roles, policies and ServiceAccounts: what `pulumi up` creates in the cloud. */
  cloudResources: number;
  planMs: number;
  policyMs: number;
  accessMs: number;
  rawMs: number;
  peakRssMb: number;
  sizes: { trust: number; permission: number; perRole: number; policies: number };
}

function measure(workloads: number, runs: number): SizeResult {
  const out = execFileSync(process.execPath, ["--max-semi-space-size=64", "--import", "tsx", path.join(__dirname, "size.ts"), String(workloads), String(runs)], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split("\n").pop()!) as SizeResult;
}

async function limitCases(): Promise<string[]> {
  const env = { partition: "aws" as const, region: "us-east-1", accountId: "123456789012" };
  const grants: S3Grant[] = twoHundredPrefixes();
  const statements = accessStatements({ s3: grants }, env);
  const unsplit = statements.reduce((a, s) => a + policySize(s) + 1, 0);
  const docs = layoutDocuments(statements, { what: "200 prefixes" });
  const bindings = Array.from({ length: 5 }, (_, c) => {
    const host = `oidc.eks.us-east-1.amazonaws.com/id/${String(c).repeat(32)}`;
    return {
      providerArn: `arn:aws:iam::123456789012:oidc-provider/${host}`,
      issuerUrl: `https://${host}`,
      serviceAccounts: Array.from({ length: 8 }, (_, i) => ({ namespace: `team-${i % 4}`, name: `worker-${c}-${i}` })),
    };
  });
  const trust = policySize(buildTrustPolicy(bindings));
  process.stderr.write("proving the 200-prefix split with iam-simulate...\n");
  const proof = await proveSplit(grants, env);
  const exact = proof.disagreements.length === 0 && proof.allowed === proof.expectedAllowed;
  if (!exact) process.exitCode = 1;
  return [
    `| one workload, 200 S3 prefixes (7 buckets) | ${statements.length} statements, ${unsplit} characters before compaction | ${docs.length} managed policies, largest ${Math.max(...docs.map(policySize))} of ${LIMITS.managedPolicyChars} characters |`,
    `| the same 200 prefixes: split vs unsplit, evaluated | ${proof.requests} requests with iam-simulate (${proof.allowed} allowed, ${proof.requests - proof.allowed} denied; ${proof.expectedAllowed} allowed expected) | ${exact ? `the ${proof.documents} documents decide every request as the unsplit statements do` : `FAILED: ${proof.disagreements.length} requests decided differently, e.g. ${JSON.stringify(proof.disagreements[0] ?? "allowed count differs")}`} |`,
    `| one role trusted by 40 ServiceAccounts across 5 clusters | trust ${trust} characters | ${trust <= LIMITS.trustPolicyCharsDefault ? "fits the default 2,048 quota" : trust <= LIMITS.trustPolicyCharsMax ? `over the default 2,048: needs trustPolicyQuota >= ${trust} (AWS max 4,096); the plan fails with that message until the quota is raised` : "over AWS's 4,096 maximum: the plan fails; split the role"} |`,
  ];
}

async function main() {
  const results: SizeResult[] = [];
  for (const [n, runs] of SIZES) {
    process.stderr.write(`measuring ${n} workloads (${runs} runs)...\n`);
    results.push(measure(n, runs));
  }
  const at = (n: number) => results.find((r) => r.workloads === n)!;
  const ratio = at(1000).planMs / at(100).planMs;
  const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    "# Benchmark results",
    "",
    `- date: ${new Date().toISOString()}`,
    `- machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`,
    "- command: `npm run bench` (each size in its own process; medians; JIT warmed on 50 workloads first)",
    "",
    "| workloads | resources | cloud resources per workload | offline plan | policy check | access report | raw resources, same mocks | component overhead | peak RSS |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...results.map((r) => `| ${r.workloads} | ${r.resources} | ${(r.cloudResources / r.workloads).toFixed(2)} | ${f(r.planMs)} | ${f(r.policyMs)} | ${f(r.accessMs)} | ${f(r.rawMs)} | ${(r.planMs / r.rawMs).toFixed(2)}x | ${r.peakRssMb} MB |`),
    "",
    `time(1,000)/time(100) for the plan: ${ratio.toFixed(1)} (target <= 11); raw resources alone: ${(at(1000).rawMs / at(100).rawMs).toFixed(1)}.`,
    `plan of 1,000 workloads: ${f(at(1000).planMs)} (target < 10 s); component overhead at 1,000: ${(at(1000).planMs / at(1000).rawMs).toFixed(2)}x (target <= 1.3x).`,
    "The raw baseline registers the same resources with documents computed beforehand, as plain strings; the components",
    "build theirs from the account, partition and region their AWS provider reports, so each document is an Output the",
    "SDK resolves and serializes asynchronously, and each workload is also a component resource with its outputs.",
    "",
    "## Document sizes (characters as IAM counts them, whitespace excluded)",
    "",
    "| workloads | largest trust policy | largest permission policy | largest per-role total | most managed policies on a role (beyond the inline budget) |",
    "| ---: | ---: | ---: | ---: | ---: |",
    ...results.map((r) => `| ${r.workloads} | ${r.sizes.trust} / 2048 | ${r.sizes.permission} / 10240 inline | ${r.sizes.perRole} | ${r.sizes.policies} / 10 |`),
    "",
    "## Limit-pushing cases",
    "",
    "| case | input | result |",
    "| --- | --- | --- |",
    ...(await limitCases()),
    "",
  ];
  const text = lines.join("\n");
  writeFileSync(path.join(__dirname, "results.md"), text);
  process.stdout.write(text);
}

void main();
