import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { checkResources } from "../../tools/policyCheck";
import { policy, resource, role } from "../fixtures/badResources";

interface Case {
  check: string;
  expect: "pass" | "fail";
  kind: "permission" | "trust" | "attachment";
  document?: unknown;
  policyArn?: string;
  origin: string;
}

/** checkov's IAM cases (test/fixtures/checkov, Apache-2.0: see its README), the checks whose subject our pack covers. */
const COVERED = new Set(["CKV_AWS_1", "CKV_AWS_49", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_60", "CKV_AWS_61", "CKV_AWS_108", "CKV_AWS_288", "CKV_AWS_109", "CKV_AWS_289", "CKV_AWS_110", "CKV_AWS_286", "CKV_AWS_274", "CKV_AWS_358", "CKV_AWS_393"]);
const FILE = path.resolve(__dirname, "../fixtures/checkov/checkov-iam-cases.json");

function asResources(c: Case, i: number) {
  if (c.kind === "attachment") return [resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", `case-${i}`, { role: "app", policyArn: c.policyArn })];
  if (c.kind === "trust") return [role(`case-${i}`, c.document)];
  return [policy(`case-${i}`, (c.document as { Statement: unknown[] }).Statement)];
}

describe("policy pack: checkov's IAM cases as a conformance suite", () => {
  const cases = (JSON.parse(readFileSync(FILE, "utf8")) as { cases: Case[] }).cases;

  it("the suite is there and non-trivial", () => assert.ok(cases.filter((c) => COVERED.has(c.check)).length > 40));

  cases.forEach((c, i) => {
    if (c.expect === "fail" && COVERED.has(c.check)) {
      it(`${c.check} fail case draws a diagnostic (${c.origin.split("#").pop()})`, async () => {
        assert.ok((await checkResources(asResources(c, i))).length > 0, JSON.stringify(c.document ?? c.policyArn));
      });
    }
    if (c.expect === "pass" && c.kind === "trust" && (c.check === "CKV_AWS_358" || c.check === "CKV_AWS_393")) {
      it(`${c.check} sound GitHub Actions OIDC trust is not blocked (${c.origin.split("#").pop()})`, async () => {
        assert.deepEqual(await checkResources(asResources(c, i)), []);
      });
    }
  });
});
