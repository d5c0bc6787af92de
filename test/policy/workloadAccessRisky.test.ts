import { strict as assert } from "node:assert";
import * as path from "node:path";
import { workloadAccessRisky } from "../../policy/rules/workloadAccessRisky";
import { checkResources, readPackConfig } from "../../tools/policyCheck";
import { policy, resource } from "../fixtures/badResources";
import { patternRole, RISKY_FIXTURES } from "./riskyFixtures";

const RULE = workloadAccessRisky.name;
const findings = async (resources: Parameters<typeof checkResources>[0], config = {}) => await checkResources(resources, config);

describe("policy pack: workload-access-risky (advisory)", () => {
  it("is advisory by default", () => assert.equal(workloadAccessRisky.enforcementLevel, "advisory"));

  for (const fixture of RISKY_FIXTURES) {
    it(`flags, as advisory and with nothing mandatory: ${fixture.why}`, async () => {
      const found = await findings(fixture.resources);
      assert.ok(found.length > 0, "no finding");
      assert.deepEqual(found.map((f) => [f.rule, f.level]), found.map(() => [RULE, "advisory"]), JSON.stringify(found, null, 1));
    });
  }

  it("stays advisory under the sample pack config, whose `all` is mandatory", async () => {
    const sample = readPackConfig(path.join(__dirname, "../../policy/policy-config.sample.json"));
    assert.equal(sample.all, "mandatory");
    for (const f of RISKY_FIXTURES) assert.deepEqual([...new Set((await findings(f.resources, sample)).map((x) => x.level))], ["advisory"], f.why);
  });

  it("names the pattern and the namespace, or the bucket and the write actions", async () => {
    const [pattern, , whole] = await Promise.all(RISKY_FIXTURES.slice(0, 3).map((f) => findings(f.resources)));
    assert.match(pattern[0].message, /"system:serviceaccount:default:job-\*" in default/);
    assert.match(whole[0].message, /s3:DeleteObject, s3:PutObject on every object of orion-media-thumbs \(arn:aws:s3:::orion-media-thumbs\/\*\)/);
    assert.doesNotMatch(whole[0].message, /GetObject/);
  });

  const compliant: [string, Parameters<typeof checkResources>[0]][] = [
    ["a ServiceAccount pattern in the workload's own namespace", [patternRole("reports", "system:serviceaccount:reporting:report-*")]],
    ["StringLike on an exact ServiceAccount of default (no wildcard: not a pattern)", [patternRole("exact-like", "system:serviceaccount:default:app")]],
    ["reads of a whole bucket", [policy("reader", [{ Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: "arn:aws:s3:::orion-media-thumbs/*" }, { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::orion-media-thumbs" }])]],
    ["writes under a key prefix", [policy("prefixed", [{ Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: "arn:aws:s3:::orion-media-thumbs/uploads/*" }])]],
    ["writes to objects of one suffix (a literal in the key)", [policy("suffix", [{ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::orion-media-thumbs/*.jpg" }])]],
    ["a Deny of writes on a whole bucket", [policy("deny", [{ Effect: "Deny", Action: "s3:PutObject", Resource: "arn:aws:s3:::orion-media-thumbs/*" }, { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::orion-media-thumbs/public/*" }])]],
    ["bucket-level writes on the bucket ARN (no object reached)", [policy("bucket", [{ Effect: "Allow", Action: "s3:PutBucketTagging", Resource: "arn:aws:s3:::orion-media-thumbs" }])]],
    ["writes on a whole DynamoDB table (not S3)", [policy("table", [{ Effect: "Allow", Action: "dynamodb:PutItem", Resource: "arn:aws:dynamodb:us-east-1:111122223333:table/orders" }])]],
  ];
  for (const [title, resources] of compliant) {
    it(`passes ${title}`, async () => assert.deepEqual(await findings(resources), []));
  }

  it("writes to every bucket are the mandatory rule's finding, not this one's", async () => {
    const found = await findings([policy("every", [{ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::*/*" }])]);
    assert.deepEqual(found.map((f) => f.rule), ["permissions-restrictable-action-on-any-resource"]);
  });

  it("a whole-bucket write in a role's inline policy is flagged too", async () => {
    const inline = resource("aws:iam/role:Role", "inline", { name: "inline", inlinePolicies: [{ name: "w", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::b-1/*" }] }) }] });
    assert.deepEqual((await findings([inline])).map((f) => [f.rule, f.message.split(":")[0]]), [[RULE, "inlinePolicies[0] statement 0"]]);
  });

  it("the namespaces are a setting", async () => {
    const roles = [patternRole("shared", "system:serviceaccount:shared:*"), patternRole("jobs", "system:serviceaccount:default:job-*")];
    const found = await findings(roles, { [RULE]: { namespaces: ["shared"] } });
    assert.deepEqual(found.map((f) => f.resource), ["aws:iam/role:Role::shared"]);
  });
});
