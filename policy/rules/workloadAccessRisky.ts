import { patternHas, writesS3Objects } from "../lib/actions";
import { actionsOf, eachAllowTrustStatement, isAllow, permissionStatements, resourcesOf } from "../lib/documents";
import { claimConditions, federatedOf } from "../lib/oidc";
import { coversEverything, wholeBucket } from "../lib/resourceScope";
import { toPolicy, type ResourceRule } from "../lib/rule";

interface Config {
  /** Namespaces where trusting a ServiceAccount pattern is risky. */
  namespaces: string[];
}

const NAMESPACES = ["default", "kube-system"];
const SUB = /^system:serviceaccount:([^:]+):(.*[*?].*)$/;
const WHY: Record<string, string> = { default: ", where everything without a namespace lands", "kube-system": ", where the cluster's add-ons run" };

function patternsInNamespaces(type: string, props: Record<string, unknown>, namespaces: string[]): string[] {
  return eachAllowTrustStatement(type, props, (s, i) =>
    federatedOf(s).length === 0
      ? []
      : claimConditions(s, "sub")
          .filter((c) => c.op === "StringLike")
          .flatMap((c) => c.values.map((v) => SUB.exec(v)).filter((m): m is RegExpExecArray => m !== null && namespaces.includes(m[1])))
          .map(([sub, ns]) => `trust statement ${i}: trusts the ServiceAccount pattern ${JSON.stringify(sub)} in ${ns}${WHY[ns] ?? ""}: every matching ServiceAccount created there later gets this role; bind named ServiceAccounts, or a pattern in a namespace of the workload's own`),
  );
}

async function wholeBucketWrites(type: string, props: Record<string, unknown>): Promise<string[]> {
  const out: string[] = [];
  for (const { statement: s, where } of permissionStatements(type, props)) {
    if (!isAllow(s)) continue;
    const whole: string[] = [];
    // A pattern reaching every bucket is permissions-restrictable-action-on-any-resource's (mandatory) finding.
    for (const r of resourcesOf(s)) if (wholeBucket(r) !== undefined && !(await coversEverything(r))) whole.push(r);
    if (whole.length === 0) continue;
    const writes: string[] = [];
    for (const pattern of actionsOf(s)) if (await patternHas(pattern, writesS3Objects)) writes.push(pattern);
    if (writes.length === 0) continue;
    out.push(
      `${where}: S3 write actions ${writes.join(", ")} on every object of ${whole.map((r) => `${wholeBucket(r)} (${r})`).join(", ")}: a bug or a compromised pod can overwrite or delete the whole bucket; grant a key prefix unless the workload owns the bucket`,
    );
  }
  return out;
}

/**
 * Valid grants that a reviewer should see before they ship, so advisory by default (the plan warns about the
 * same ones):
 * - a role trusting a ServiceAccount pattern (`StringLike` on `sub`) in `default` or `kube-system`: every
 *   matching ServiceAccount created there later gets the role, and these are the namespaces everyone deploys
 *   to by accident, or the cluster's add-ons run in;
 * - S3 object writes on a whole bucket (`arn:<partition>:s3:::<bucket>/*`, no key prefix).
 */
export const workloadAccessRisky: ResourceRule<Config> = {
  kind: "resource",
  name: "workload-access-risky",
  description: "Risky but valid workload access (advisory): a role trusting a ServiceAccount pattern (StringLike on sub) in namespace default or kube-system, or S3 write actions on a whole bucket (arn:<partition>:s3:::<bucket>/* without a key prefix).",
  enforcementLevel: "advisory",
  defaults: { namespaces: NAMESPACES },
  configSchema: { properties: { namespaces: { type: "array", items: { type: "string" }, default: NAMESPACES } } },
  async check({ type, props }, config) {
    return [...patternsInNamespaces(type, props, config.namespaces), ...(await wholeBucketWrites(type, props))];
  },
};

export const policy = toPolicy(workloadAccessRisky);
