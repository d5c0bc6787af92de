import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { RULES } from "../../policy/rules";
import { ruleSettings, toPolicy, type Rule } from "../../policy/lib/rule";
import { checkResources } from "../../tools/policyCheck";
import { BAD_FIXTURES, HOST, PROVIDER, irsa, policy, resource, role } from "../fixtures/badResources";
import { runStack } from "../helpers/stacks";
import { RISKY_FIXTURES } from "./riskyFixtures";

// CrossGuard's own unknown-value machinery (internal to @pulumi/policy, not in its typings).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy, unknownStringValue } = require("@pulumi/policy/proxy") as { unknownCheckingProxy: <T>(o: T) => T; unknownStringValue: unknown };

const ruleNamed = (name: string): Rule => RULES.find((r) => r.name === name)!;
const rulesHit = async (resources: Parameters<typeof checkResources>[0], config = {}) => new Set((await checkResources(resources, config)).map((f) => f.rule));

describe("policy pack: rules", () => {
  it("has one module per rule, each exporting its CrossGuard policy, with unique names", () => {
    const names = RULES.map((r) => r.name);
    assert.equal(new Set(names).size, names.length);
    for (const r of RULES) {
      const p = toPolicy(r);
      assert.equal(p.name, r.name);
      assert.ok(r.kind === "resource" ? "validateResource" in p : "validateStack" in p);
    }
  });

  for (const fixture of BAD_FIXTURES) {
    it(`${fixture.rule} trips on: ${fixture.why}`, async () => {
      const hit = await rulesHit(fixture.resources);
      assert.ok(hit.has(fixture.rule), `expected ${fixture.rule}, got ${[...hit].join(", ") || "nothing"}`);
    });
  }

  it("every rule has at least one bad (or, for an advisory rule, risky) fixture", () => {
    for (const r of RULES) assert.ok([...BAD_FIXTURES, ...RISKY_FIXTURES].some((f) => f.rule === r.name), r.name);
  });

  const compliant: [string, Parameters<typeof checkResources>[0]][] = [
    [
      "a load balancer controller residual statement on * with this cluster's tag condition, as the preset registers it",
      [policy("lbc-residual", [{ Sid: "EksIrsaLbcManageOwnBalancers", Effect: "Allow", Action: ["elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup"], Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "shop" } } }])],
    ],
    ["an exact IRSA trust", [role("ok", irsa({ StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com", [`${HOST}:sub`]: "system:serviceaccount:ns:app" } }))]],
    [
      "a declared pattern trust",
      [role("pat", irsa({ StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${HOST}:sub`]: "system:serviceaccount:ns:job-*" } }), { tags: { "eks-irsa:binding": "pattern" } })],
    ],
    ["a chained trust pinned by aws:PrincipalArn", [role("chain", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::444455556666:role/src" }, Action: "sts:AssumeRole", Condition: { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::444455556666:role/src" } } }] })]],
    [
      "an IRSA trust with an extra date condition and upper-case condition keys, its ServiceAccount annotated",
      [
        role("dated", irsa({ StringEquals: { [`${HOST}:AUD`]: "sts.amazonaws.com", [`${HOST}:SUB`]: "system:serviceaccount:ns:app" }, DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } })),
        resource("kubernetes:core/v1:ServiceAccount", "app", { metadata: { name: "app", namespace: "ns", annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/dated" } } }),
      ],
    ],
    ["ListSecrets on * (only * is accepted)", [policy("list", [{ Effect: "Allow", Action: "secretsmanager:ListSecrets", Resource: "*" }])]],
    ["a Deny * guardrail", [policy("deny", [{ Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }, { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/p/*" }])]],
    [
      "a node role with the standard worker policies",
      [
        role("nodes", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
        resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "w", { role: "nodes", policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy" }),
        resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "c", { role: "nodes", policyArn: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy" }),
        resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "e", { role: "nodes", policyArn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly" }),
      ],
    ],
  ];
  for (const [title, resources] of compliant) {
    it(`passes ${title}`, async () => assert.deepEqual(await checkResources(resources), []));
  }

  it("a pattern trust is refused when allowServiceAccountPatterns is off", async () => {
    const r = [role("pat", irsa({ StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${HOST}:sub`]: "system:serviceaccount:ns:job-*" } }), { tags: { "eks-irsa:binding": "pattern" } })];
    assert.ok((await rulesHit(r, { "oidc-trust-without-exact-subject": { allowServiceAccountPatterns: false } })).has("oidc-trust-without-exact-subject"));
  });

  it("checks every statement, not only the first (checkov stops at the first non-GitHub statement)", async () => {
    const doc = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
        { Effect: "Allow", Principal: { Federated: PROVIDER }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" } } },
      ],
    };
    assert.ok((await rulesHit([role("second", doc)])).has("oidc-trust-without-exact-subject"));
  });

  it("accepts the trust in object (not string) form too", async () => {
    const r = resource("aws:iam/role:Role", "obj", { name: "obj", assumeRolePolicy: irsa({ StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" } }) });
    assert.ok((await rulesHit([r])).has("oidc-trust-without-exact-subject"));
  });
});

describe("policy pack: unknown actions", () => {
  it("a name of Object.prototype (sqs:constructor) is no action, though iam-data's iamActionExists says it is", async () => {
    const found = await checkResources([policy("proto", [{ Effect: "Allow", Action: ["sqs:constructor", "sqs:SendMessage"], Resource: "arn:aws:sqs:us-east-1:111122223333:q" }])]);
    assert.deepEqual(found.map((f) => f.rule), ["permissions-unknown-action"]);
  });
});

describe("policy pack: enforcement levels from pack config", () => {
  const bad = BAD_FIXTURES.find((f) => f.rule === "permissions-unknown-action")!.resources;
  it("defaults to mandatory", async () => {
    assert.deepEqual((await checkResources(bad)).map((f) => f.level), ["mandatory"]);
  });
  it("a rule set to advisory reports as advisory", async () => {
    assert.deepEqual((await checkResources(bad, { "permissions-unknown-action": "advisory" })).map((f) => f.level), ["advisory"]);
  });
  it("a disabled rule reports nothing; `all` applies to every rule not named", async () => {
    assert.deepEqual(await checkResources(bad, { "permissions-unknown-action": { enforcementLevel: "disabled" } }), []);
    assert.deepEqual((await checkResources(bad, { all: "advisory" })).map((f) => f.level), ["advisory"]);
  });
  it("inline size limits depend on the principal: 2,048 for a user, 5,120 for a group, 10,240 for a role", async () => {
    const doc = JSON.stringify({ Version: "2012-10-17", Statement: Array.from({ length: 40 }, (_, i) => ({ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::bucket-${i}/prefix/*` })) });
    const sizeFindings = async (type: string) =>
      (await checkResources([resource(type, "p", { policy: doc })])).filter((f) => f.rule === "policy-over-size-limit").map((f) => f.message);
    assert.ok(doc.length > 2048 && doc.length < 5120, String(doc.length));
    assert.match((await sizeFindings("aws:iam/userPolicy:UserPolicy")).join(), /over the 2048-character limit/);
    assert.deepEqual(await sizeFindings("aws:iam/groupPolicy:GroupPolicy"), []);
    assert.deepEqual(await sizeFindings("aws:iam/rolePolicy:RolePolicy"), []);
  });
  it("settings merge over defaults", () => {
    const { config } = ruleSettings(ruleNamed("policy-over-size-limit"), { "policy-over-size-limit": { trustPolicyQuota: 4096 } });
    assert.deepEqual(config, { trustPolicyQuota: 4096 });
  });
  it("the sample pack config parses and names only real rules", () => {
    const sample = JSON.parse(readFileSync(path.join(__dirname, "../../policy/policy-config.sample.json"), "utf8")) as Record<string, unknown>;
    for (const key of Object.keys(sample)) assert.ok(key === "all" || RULES.some((r) => r.name === key), key);
  });
});

describe("policy pack: values unknown at preview", () => {
  it("rules report nothing for a trust or policy document that is unknown, and do not throw", async () => {
    for (const rule of RULES.filter((r) => r.kind === "resource")) {
      for (const [type, key] of [["aws:iam/role:Role", "assumeRolePolicy"], ["aws:iam/policy:Policy", "policy"]]) {
        const props = unknownCheckingProxy({ name: "new", [key]: unknownStringValue }) as Record<string, unknown>;
        const { config } = ruleSettings(rule, {});
        assert.deepEqual(await rule.check({ type, name: "new", props }, config), [], `${rule.name} on ${type}`);
      }
    }
  });
  it("stack rules skip roles whose ARN or trust is unknown", async () => {
    const props = unknownCheckingProxy({ name: "new", assumeRolePolicy: unknownStringValue, arn: unknownStringValue }) as Record<string, unknown>;
    for (const rule of RULES.filter((r) => r.kind === "stack")) {
      const { config } = ruleSettings(rule, {});
      assert.deepEqual(await rule.check([{ type: "aws:iam/role:Role", name: "new", props }], config), [], rule.name);
    }
  });
});

describe("policy pack: the stacks pass", () => {
  for (const stack of ["dev", "prod"]) {
    it(`${stack} has no violation`, async () => {
      const run = await runStack(stack);
      assert.deepEqual(await checkResources(run.resources), []);
    });
  }
});
