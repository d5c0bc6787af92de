import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { RULES } from "../policy/rules";
import { runPolicy } from "../tools/policy";
import type { Finding } from "../tools/policyCheck";
import { call } from "./helpers/cli";

describe("tools/policy: the policy command", () => {
  it("dev and prod pass: every rule checked, exit 0", async () => {
    for (const stack of ["dev", "prod"]) {
      const r = await call(runPolicy, stack);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, `policy    ${RULES.length} rules checked: no violation\n`, ""]);
    }
  });

  it("--policy-config applies: dev's pattern binding (report-*) fails with patterns off, exit 1; advisory, exit 0", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "eks-irsa-policy-"));
    const pack = (name: string, config: unknown) => {
      writeFileSync(path.join(dir, name), JSON.stringify(config));
      return path.join(dir, name);
    };
    const strict = await call(runPolicy, "dev", "--json", "--policy-config", pack("strict.json", { "oidc-trust-without-exact-subject": { allowServiceAccountPatterns: false } }));
    assert.equal(strict.code, 1, strict.stderr);
    const { findings } = JSON.parse(strict.stdout) as { stack: string; findings: Finding[] };
    assert.deepEqual(findings.map((f) => [f.rule, f.level, f.resource]), [["oidc-trust-without-exact-subject", "mandatory", "aws:iam/role:Role::reports"]]);
    assert.match(findings[0].message, /binds every matching ServiceAccount of reporting, and allowServiceAccountPatterns is off/);
    const advisory = await call(runPolicy, "dev", "--policy-config", pack("advisory.json", { "oidc-trust-without-exact-subject": { enforcementLevel: "advisory", allowServiceAccountPatterns: false } }));
    assert.equal(advisory.code, 0, advisory.stderr);
    assert.match(advisory.stdout, /^policy {4}1 violation \(0 mandatory\):\n {2}\[advisory\] oidc-trust-without-exact-subject {2}aws:iam\/role:Role::reports\n/);
  });
});
