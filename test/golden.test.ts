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

/**
 * The component package changed every type token and moved resources between components; existing stacks must see
 * no replacement: every resource the program registered before it (recorded in test/fixtures/golden) is registered
 * again with the same inputs, under its old URN or an alias of it, and nothing else is registered.
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
      for (const g of golden) {
        const now = found.get(g.urn);
        assert.ok(now, `no resource answers to ${g.urn}`);
        if (g.custom) assert.deepEqual(now.inputs, g.inputs, g.urn);
      }
    });

    it("registers no resource that was not there before", () => {
      const old = new Set(golden.map((g) => g.urn));
      for (const c of current) assert.ok(c.urns.some((u) => old.has(u)), `${c.key} (${c.urns[0]}) is new`);
    });

    it("the new URNs use the index module only", () => {
      for (const c of current) assert.doesNotMatch(c.urns[0], /eks-irsa:(workload|eso|oidc|crossaccount):/, c.urns[0]);
    });
  });
}
