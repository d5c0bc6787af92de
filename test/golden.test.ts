import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { readStackFile, stackFile } from "../tools/offline";
import { runWithUrns } from "./helpers/urns";

interface GoldenResource {
  urn: string;
  type: string;
  custom: boolean;
  inputs: Record<string, unknown>;
}

const POLICY = "aws:iam/policy:Policy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const INLINE = "aws:iam/rolePolicy:RolePolicy";

/**
 * The component package changed every type token and moved resources between components; existing stacks must see
 * no replacement: every resource the program registered before it (recorded in test/fixtures/golden) is registered
 * again with the same inputs, under its old URN or an alias of it. The one intended change: a managed policy and its
 * attachment became the role's inline policy of the same name and document (fewer resources per workload).
 */
for (const stack of ["dev", "prod"]) {
  describe(`golden: ${stack} registers what it registered before the component package`, () => {
    const golden = (JSON.parse(readFileSync(path.join(__dirname, "fixtures/golden", `${stack}.json`), "utf8")) as { resources: GoldenResource[] }).resources;
    let found: Map<string, { type: string; inputs: Record<string, unknown> }>;
    let current: { key: string; urns: string[] }[];
    before(async () => {
      const { run, urns } = await runWithUrns(stack, readStackFile(stackFile(stack)));
      found = new Map();
      current = [];
      for (const r of run.resources.filter((x) => x.type !== "pulumi:pulumi:Stack")) {
        const key = `${r.type}::${r.name}`;
        const all = urns.get(key)!;
        current.push({ key, urns: all });
        for (const urn of all) found.set(urn, { type: r.type, inputs: r.inputs });
      }
    });

    it("every old resource answers to its URN or an alias, with the same inputs", () => {
      for (const g of golden.filter((x) => x.type !== POLICY && x.type !== ATTACHMENT)) {
        const now = found.get(g.urn);
        assert.ok(now, `no resource answers to ${g.urn}`);
        if (g.custom) assert.deepEqual(now.inputs, g.inputs, g.urn);
      }
    });

    it("each managed policy became its role's inline policy: same name, same document", () => {
      const policies = golden.filter((x) => x.type === POLICY);
      assert.ok(policies.length > 3);
      for (const g of policies) {
        const now = found.get(g.urn.replace(`$${POLICY}::`, `$${INLINE}::`));
        assert.ok(now, `no inline policy for ${g.urn}`);
        assert.deepEqual([now.inputs.name, now.inputs.policy], [g.inputs.name, g.inputs.policy], g.urn);
      }
    });

    it("registers no resource that was not there before, but those inline policies", () => {
      const old = new Set(golden.map((g) => g.urn.replace(`$${POLICY}::`, `$${INLINE}::`)));
      for (const c of current) assert.ok(c.urns.some((u) => old.has(u)), `${c.key} (${c.urns[0]}) is new`);
    });

    it("the new URNs use the index module only", () => {
      for (const c of current) assert.doesNotMatch(c.urns[0], /eks-irsa:(workload|eso|oidc|crossaccount):/, c.urns[0]);
    });
  });
}
