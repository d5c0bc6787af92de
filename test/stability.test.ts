import { strict as assert } from "node:assert";
import { readStackFile, stackFile } from "../tools/offline";
import { runWithUrns } from "./helpers/urns";

type Config = Record<string, unknown>;
type Workload = { name: string; namespace: string; s3?: { bucket: string; prefix?: string; access: string }[] };

/** URN -> inputs of every resource a config registers. */
async function registered(config: Config): Promise<Map<string, unknown>> {
  const { run, urns } = await runWithUrns("dev", config);
  return new Map(run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => [urns.get(`${r.type}::${r.name}`)![0], r.inputs]));
}

/** The URNs whose inputs differ, and those only one side has. */
function changes(before: Map<string, unknown>, after: Map<string, unknown>) {
  const key = (v: unknown) => JSON.stringify(v);
  return {
    changed: [...after].filter(([urn, inputs]) => before.has(urn) && key(before.get(urn)) !== key(inputs)).map(([urn]) => urn),
    added: [...after.keys()].filter((urn) => !before.has(urn)),
    removed: [...before.keys()].filter((urn) => !after.has(urn)),
  };
}

/**
 * Edits to one part of a stack's config touch only that part: a resource's URN comes from its workload's name, never
 * its position, so reordering or appending workloads moves nothing, and editing one workload's access changes only
 * that workload's documents.
 */
describe("stability: URNs and inputs of unchanged workloads do not move on other edits (dev)", () => {
  const base = readStackFile(stackFile("dev"));
  const workloads = base["eks-irsa:workloads"] as Workload[];
  const edit = (fn: (w: Workload[]) => Workload[]): Config => ({ ...base, "eks-irsa:workloads": fn(structuredClone(workloads)) });
  let original: Map<string, unknown>;
  before(async () => {
    original = await registered(base);
  });

  it("reordering the workloads registers exactly the same resources", async () => {
    assert.deepEqual(changes(original, await registered(edit((w) => [...w].reverse()))), { changed: [], added: [], removed: [] });
  });

  it("appending a workload adds only its resources", async () => {
    const after = await registered(edit((w) => [...w, { name: "billing", namespace: "api", s3: [{ bucket: "acme-dev-billing", prefix: "invoices/", access: "write" }] }]));
    const diff = changes(original, after);
    assert.deepEqual([diff.changed, diff.removed], [[], []]);
    assert.deepEqual(diff.added.map((u) => u.split("::").slice(2).join("::")).sort(), [
      "eks-irsa:index:WorkloadIdentity$aws:iam/role:Role::billing",
      "eks-irsa:index:WorkloadIdentity$aws:iam/rolePolicy:RolePolicy::billing-access",
      "eks-irsa:index:WorkloadIdentity$kubernetes:core/v1:ServiceAccount::billing",
      "eks-irsa:index:WorkloadIdentity::billing",
    ]);
  });

  it("editing one workload's access changes only that workload's inline policy", async () => {
    const after = await registered(edit((w) => w.map((x) => (x.name === "frontend" ? { ...x, s3: [{ bucket: "acme-dev-static-assets", prefix: "assets/", access: "read" }] } : x))));
    const diff = changes(original, after);
    assert.deepEqual(diff, { changed: ["urn:pulumi:dev::eks-irsa::eks-irsa:index:WorkloadIdentity$aws:iam/rolePolicy:RolePolicy::frontend-access"], added: [], removed: [] });
  });
});
