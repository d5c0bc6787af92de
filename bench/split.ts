/**
 * The proof behind the 200-prefix case: the managed policies `layoutDocuments` splits a large grant into, taken
 * together, decide every sampled request exactly as the unsplit statements do (evaluated with iam-simulate).
 * It evaluates ~250 requests twice, so it runs in `npm run bench` (or alone: `npx tsx bench/split.ts`), not in `npm test`.
 */
import { accessStatements, type S3Grant } from "../core/access";
import { policyDocument, type PolicyDocument } from "../core/document";
import type { AwsEnvironment } from "../core/environment";
import { layoutDocuments } from "../core/layout";
import { decide, type Probe } from "../test/helpers/simulate";

export interface SplitProof {
  documents: number;
  requests: number;
  allowed: number;
  /** Requests the split documents decide differently from the unsplit statements (none when the split is exact). */
  disagreements: { probe: Probe; unsplit: string; split: string }[];
  /** Allowed requests expected from the sample: its objects read, its read-write objects written. */
  expectedAllowed: number;
}

/** One workload with 200 S3 prefixes over 7 buckets, a third of them read-write. */
export function twoHundredPrefixes(): S3Grant[] {
  return Array.from({ length: 200 }, (_, i) => ({
    bucket: `tenant-data-${i % 7}`,
    prefix: `customers/tenant-${String(i).padStart(4, "0")}/exports/`,
    access: i % 3 === 0 ? "read-write" : "read",
  }));
}

export async function proveSplit(grants: S3Grant[], env: AwsEnvironment): Promise<SplitProof> {
  const statements = accessStatements({ s3: grants }, env);
  const docs: PolicyDocument[] = layoutDocuments(statements, { what: "big" });
  const unsplit = [policyDocument(statements)];
  const sampled = grants.filter((_, i) => i % 4 === 0 || i === grants.length - 1);
  const probes: Probe[] = sampled.flatMap((g, i) => {
    const key = `arn:aws:s3:::${g.bucket}/${g.prefix}file-${i}.csv`;
    return [
      { action: "s3:GetObject", resource: key },
      { action: "s3:PutObject", resource: key },
      { action: "s3:GetObject", resource: `arn:aws:s3:::${g.bucket}/${g.prefix!.replace("exports", "imports")}x` },
      { action: "s3:ListBucket", resource: `arn:aws:s3:::${g.bucket}`, context: { "s3:prefix": g.prefix! } },
      { action: "s3:ListBucket", resource: `arn:aws:s3:::${g.bucket}`, context: { "s3:prefix": "customers/" } },
    ];
  });
  const disagreements: SplitProof["disagreements"] = [];
  let allowed = 0;
  for (const probe of probes) {
    const [expected, actual] = [await decide(unsplit, probe), await decide(docs, probe)];
    if (expected !== actual) disagreements.push({ probe, unsplit: expected, split: actual });
    if (expected === "Allowed") allowed++;
  }
  const expectedAllowed = sampled.length * 2 + sampled.filter((g) => g.access === "read-write").length;
  return { documents: docs.length, requests: probes.length, allowed, disagreements, expectedAllowed };
}

if (require.main === module) {
  void proveSplit(twoHundredPrefixes(), { partition: "aws", region: "us-east-1", accountId: "123456789012" }).then((proof) => {
    process.stdout.write(`${JSON.stringify({ ...proof, disagreements: proof.disagreements.length }, null, 2)}\n`);
    process.exitCode = proof.disagreements.length === 0 && proof.allowed === proof.expectedAllowed ? 0 : 1;
  });
}
