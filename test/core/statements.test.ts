/**
 * Custom statements are held to the rules the policy pack applies to any role, before anything is registered: each
 * refusal names its field, as the component reports it and as config validation maps it to the config key.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { Checker } from "../../core/check";
import { policyDocument } from "../../core/document";
import { checkStatements, customStatement, expandCustomAction, statementAccountProblems, type CustomStatement } from "../../core/statements";
import { riskyGrants } from "../../core/workload";
import { checkResources } from "../../tools/policyCheck";
import { decide } from "../helpers/simulate";

const problems = (statements: unknown, context: { region?: string; allowedRegions?: string[] } = { region: "us-east-1" }) => {
  const c = new Checker(context.region);
  checkStatements(c, ["statements"], statements, context);
  return c.problems.map((p) => `${p.path.join(".")}: ${p.message}`);
};

const PARAMS: CustomStatement = { actions: ["ssm:GetParameter", "ssm:GetParametersByPath"], resources: ["arn:aws:ssm:us-east-1:111122223333:parameter/reporting/*"] };

describe("custom statements", () => {
  it("accepts actions of the catalog on named resources, a verb prefix, conditions its actions evaluate", () => {
    assert.deepEqual(problems([PARAMS]), []);
    assert.deepEqual(problems([{ actions: ["sqs:Get*"], resources: ["arn:aws:sqs:us-east-1:111122223333:orders"] }]), []);
    assert.deepEqual(problems([{ actions: ["ses:SendEmail"], resources: ["arn:aws:ses:us-east-1:111122223333:identity/example.com"], conditions: [{ operator: "StringEquals", key: "ses:FromAddress", values: ["reports@example.com"] }] }]), []);
    assert.deepEqual(problems([{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-reports/2026/*"], conditions: [{ operator: "StringEquals", key: "aws:SourceVpce", values: ["vpce-1a2b3c4d"] }] }]), []);
    // Some actions take another service's ARNs: a command on EC2 instances, a role to assume.
    assert.deepEqual(problems([{ actions: ["ssm:SendCommand"], resources: ["arn:aws:ec2:us-east-1:111122223333:instance/i-0123456789abcdef0", "arn:aws:ssm:us-east-1:111122223333:document/reporting-export"] }]), []);
    assert.deepEqual(problems([{ actions: ["sts:AssumeRole"], resources: ["arn:aws:iam::111122223333:role/reporting-reader"] }]), []);
    // sts:GetCallerIdentity and ec2:DescribeInstances accept nothing but "*".
    assert.deepEqual(problems([{ actions: ["ec2:DescribeInstances"], resources: ["*"] }]), []);
  });

  it("refuses sqs:*, *, a wildcard inside a name, a prefix that stops inside a word, an unknown action or service", () => {
    assert.deepEqual(problems([{ actions: ["sqs:*", "*", "sqs:Get*Url", "sqs:Ge*", "sqs:SendMessages", "nosuch:Thing"], resources: ["arn:aws:sqs:us-east-1:111122223333:orders"] }]), [
      'statements.0.actions.0: "sqs:*" grants every action of sqs: list the actions, or a verb prefix such as sqs:Get*',
      'statements.0.actions.1: "*" is not an action (service:Action, e.g. sqs:SendMessage)',
      'statements.0.actions.2: "sqs:Get*Url": a wildcard may only end a verb prefix (sqs:Get*), once',
      'statements.0.actions.3: "sqs:Ge*": spell out the verb the prefix stands for (e.g. sqs:Get*)',
      'statements.0.actions.4: "sqs:SendMessages" is not an action of sqs in the AWS service catalog',
      'statements.0.actions.5: "nosuch:Thing": nosuch is not a service of the AWS service catalog',
    ]);
  });

  it("refuses a condition key the action does not evaluate, an operator it cannot prove, a key given twice", () => {
    assert.deepEqual(
      problems([
        {
          ...PARAMS,
          conditions: [
            { operator: "StringEquals", key: "s3:prefix", values: ["x"] },
            { operator: "NumericLessThan", key: "aws:MultiFactorAuthAge", values: ["300"] },
            { operator: "StringEquals", key: "aws:SourceVpce", values: ["vpce-1"] },
            { operator: "StringEquals", key: "aws:SourceVpce", values: ["vpce-2"] },
          ],
        },
      ]),
      [
        'statements.0.conditions.0.key: "s3:prefix" is not a condition key of ssm:GetParameter, ssm:GetParametersByPath (nor a global key): the condition would never hold for it',
        'statements.0.conditions.1.operator: "NumericLessThan" is not a condition operator eks-irsa checks (String*, Arn*, Bool or Null, with ForAnyValue:/ForAllValues: or IfExists)',
        'statements.0.conditions.3.key: "aws:SourceVpce" is given twice with StringEquals: list its values once',
      ],
    );
    // A policy variable is refused in a condition value as in a resource: `${aws:PrincipalTag/kubernetes-namespace}`
    // would reach an IRSA role, whose sessions carry no tags (the pack refuses it), and no report resolves it.
    assert.deepEqual(problems([{ actions: ["s3:ListBucket"], resources: ["arn:aws:s3:::acme-reports"], conditions: [{ operator: "StringLike", key: "s3:prefix", values: ["2026/*", "${aws:PrincipalTag/kubernetes-namespace}/*"] }] }]), [
      'statements.0.conditions.0.values.1: "${aws:PrincipalTag/kubernetes-namespace}/*": policy variables (${...}) are not supported in custom statements',
    ]);
    // IAM compares Bool and Null with "true" and "false": another value never matches.
    assert.deepEqual(
      problems([{ ...PARAMS, conditions: [{ operator: "Bool", key: "aws:SecureTransport", values: ["maybe"] }, { operator: "Null", key: "aws:SourceVpce", values: ["yes", "False"] }] }]),
      [
        'statements.0.conditions.0.values.0: "maybe" is not a value of Bool ("true" or "false"): the condition would never hold',
        'statements.0.conditions.1.values.0: "yes" is not a value of Null ("true" or "false"): the condition would never hold',
      ],
    );
    assert.deepEqual(problems([{ ...PARAMS, conditions: [{ operator: "BoolIfExists", key: "aws:SecureTransport", values: ["true"] }] }]), []);
    // Tag keys are global in name only: an action without tag support never carries them.
    assert.match(problems([{ actions: ["route53:ListHostedZones"], resources: ["*"], conditions: [{ operator: "StringEquals", key: "aws:ResourceTag/team", values: ["web"] }] }])[0], /is not a condition key of route53:ListHostedZones/);
  });

  it("refuses * for actions that accept ARNs, every resource of a type, wildcard accounts, other partitions and services", () => {
    assert.deepEqual(
      problems([
        {
          actions: ["ssm:GetParameter"],
          resources: ["*", "arn:aws:ssm:us-east-1:111122223333:parameter/*", "arn:aws:ssm:us-east-1:*:parameter/app/x", "arn:aws-cn:ssm:us-east-1:111122223333:parameter/app", "arn:aws:sqs:us-east-1:111122223333:q", "arn:aws:ssm:us-east-1:111122223333:parameter/${aws:username}", "parameter/app"],
        },
      ]),
      [
        'statements.0.resources.0: "*" for actions that accept resource ARNs (ssm:GetParameter): name the resources',
        'statements.0.resources.1: "arn:aws:ssm:us-east-1:111122223333:parameter/*" reaches every parameter whatever its name: name the resources (a literal name or prefix before any wildcard)',
        'statements.0.resources.2: "arn:aws:ssm:us-east-1:*:parameter/app/x": name the account (12 digits): "*" could reach resources of other accounts',
        'statements.0.resources.3: "arn:aws-cn:ssm:us-east-1:111122223333:parameter/app" is in partition aws-cn, but the stack\'s region is in aws',
        'statements.0.resources.4: "arn:aws:sqs:us-east-1:111122223333:q" is a sqs resource, but the statement\'s actions are ssm actions',
        'statements.0.resources.5: "arn:aws:ssm:us-east-1:111122223333:parameter/${aws:username}": policy variables (${...}) are not supported in custom statements',
        'statements.0.resources.6: "parameter/app" is not an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)',
      ],
    );
    assert.match(problems([{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::*/reports/*"] }])[0], /reaches every object whatever its name/);
  });

  it("refuses a wildcard inside a resource type's ARN prefix, as the policy pack does (tab*, param*, secret*, func*)", () => {
    for (const [action, resource, reached] of [
      ["dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:tab*", /every .*table whatever its name/],
      ["ssm:GetParameter", "arn:aws:ssm:us-east-1:111122223333:param*", /every parameter whatever its name/],
      ["ssm:GetParameter", "arn:aws:ssm:us-east-1:111122223333:parameter*", /every parameter whatever its name/],
      ["secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:111122223333:secret*", /every secret whatever its name/],
      ["lambda:InvokeFunction", "arn:aws:lambda:us-east-1:111122223333:func*", /every .*function.* whatever its name/],
    ] as const) {
      const found = problems([{ actions: [action], resources: [resource] }]);
      assert.equal(found.length, 1, `${resource}: ${found.join("; ")}`);
      assert.match(found[0], reached);
    }
    // A literal name or prefix after the type's own prefix still passes.
    assert.deepEqual(problems([{ actions: ["dynamodb:GetItem"], resources: ["arn:aws:dynamodb:us-east-1:111122223333:table/orders*"] }]), []);
  });

  it("refuses names of Object.prototype as actions (sqs:constructor), without throwing", () => {
    assert.deepEqual(problems([{ actions: ["sqs:constructor", "sqs:toString", "sqs:hasOwnProperty"], resources: ["*"] }]), [
      'statements.0.actions.0: "sqs:constructor" is not an action of sqs in the AWS service catalog',
      'statements.0.actions.1: "sqs:toString" is not an action of sqs in the AWS service catalog',
      'statements.0.actions.2: "sqs:hasOwnProperty" is not an action of sqs in the AWS service catalog',
    ]);
  });

  it("refuses a resource none of the actions acts on, and an action none of the resources is for (either grants nothing)", () => {
    const one = (statement: unknown) => problems([statement]);
    assert.match(one({ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::acme-reports"] })[0], /^statements\.0\.resources\.0: "arn:aws:s3:::acme-reports" is no resource s3:GetObject can act on .*\$\{BucketName\}\/\$\{ObjectName\}/);
    assert.match(one({ actions: ["kms:Decrypt"], resources: ["arn:aws:kms:us-east-1:111122223333:alias/reports"] })[0], /is no resource kms:Decrypt can act on/);
    assert.match(one({ actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:us-east-1::orders"] })[0], /is no resource sqs:SendMessage can act on/);
    assert.match(one({ actions: ["sqs:ListQueues"], resources: ["arn:aws:sqs:us-east-1:111122223333:orders"] })[0], /sqs:ListQueues accept only "\*" as a resource: a resource ARN grants nothing/);
    assert.deepEqual(one({ actions: ["s3:ListBucket", "s3:GetObject"], resources: ["arn:aws:s3:::acme-reports/2026/*"] }), [
      'statements.0.actions.0: "s3:ListBucket" acts on none of the statement\'s resources (it takes arn:${Partition}:s3:${Region}:${Account}:accesspoint/${AccessPointName} or arn:${Partition}:s3:::${BucketName}): it would be granted nothing',
    ]);
    assert.deepEqual(one({ actions: ["sqs:SendMessage", "sqs:ListQueues"], resources: ["arn:aws:sqs:us-east-1:111122223333:orders"] }), [
      'statements.0.actions.1: "sqs:ListQueues" accepts only "*" as a resource (it acts on no resource type): give it its own statement with resources: ["*"]',
    ]);
    // Each action acting on one of the resources, and a verb prefix some of whose actions do, pass.
    assert.deepEqual(one({ actions: ["s3:ListBucket", "s3:GetObject", "s3:Get*"], resources: ["arn:aws:s3:::acme-reports", "arn:aws:s3:::acme-reports/2026/*"] }), []);
  });

  it("never throws, whatever the strings (fast-check)", () => {
    const word = fc.oneof(fc.string(), fc.constantFrom("sqs:", "s3:", "arn:aws:", "*", "?", "constructor", "__proto__", "table/", ":", "${x}"));
    const text = fc.array(word, { maxLength: 6 }).map((w) => w.join(""));
    fc.assert(
      fc.property(fc.array(fc.record({ actions: fc.array(text, { maxLength: 3 }), resources: fc.array(text, { maxLength: 3 }), conditions: fc.array(fc.record({ operator: text, key: text, values: fc.array(text, { maxLength: 2 }) }), { maxLength: 2 }) }), { maxLength: 2 }), (statements) => {
        problems(statements);
      }),
      { numRuns: 300, seed: 13 },
    );
  });

  it("refuses privilege escalation, and a global service the region guardrail would deny", () => {
    assert.match(problems([{ actions: ["iam:PutRolePolicy"], resources: ["arn:aws:iam::111122223333:role/app"] }])[0], /iam:PutRolePolicy.*privilege escalation is refused/);
    assert.deepEqual(problems([{ actions: ["route53:GetHostedZone"], resources: ["arn:aws:route53:::hostedzone/Z0123456789"] }], { region: "eu-west-1", allowedRegions: ["eu-west-1"] }), [
      "statements.0.actions: route53 requests count as us-east-1 (a global endpoint): allowedRegions must include us-east-1 or the region guardrail denies them",
    ]);
  });

  it("warns of a resource of a region outside allowedRegions (the guardrail denies requests there; a cross-region copy's source stays usable)", () => {
    const q = (region: string) => `arn:aws:sqs:${region}:111122223333:jobs`;
    const statements = [{ actions: ["sqs:SendMessage"], resources: [q("eu-west-1"), q("us-east-1"), q("*")] }];
    assert.deepEqual(problems(statements, { region: "eu-west-1", allowedRegions: ["eu-west-1"] }), [], "valid");
    assert.deepEqual(riskyGrants("workload w", { statements, allowedRegions: ["eu-west-1"] }), [
      "workload w statements[0].resources[1] is in region us-east-1, outside allowedRegions (eu-west-1): the region guardrail denies every request made in that region; only calls from an allowed region (a cross-region copy's source) can use it",
    ]);
    assert.deepEqual(riskyGrants("workload w", { statements }), [], "no guardrail, no warning");
  });

  it("refuses resources of an account the stack does not allow", () => {
    const other: CustomStatement = { actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:us-east-1:111122223333:own", "arn:aws:sqs:us-east-1:444455556666:theirs"] };
    assert.deepEqual(statementAccountProblems([other], ["111122223333"]), [
      { path: ["statements", 0, "resources", 1], message: '"arn:aws:sqs:us-east-1:444455556666:theirs" is in account 444455556666, which the stack does not allow (111122223333): grant it through a cross-account role' },
    ]);
  });

  it("a verb prefix stands for the catalog's actions that start with it", () => {
    const found = expandCustomAction("sqs:Get*");
    assert.ok("actions" in found);
    assert.deepEqual(found.actions.map((a) => a.name).sort(), ["GetQueueAttributes", "GetQueueUrl"]);
  });

  it("is registered as written, allows exactly that (iam-simulate) and draws no finding of the pack", async () => {
    const statement = customStatement({ ...PARAMS, conditions: [{ operator: "StringEquals", key: "aws:SourceVpce", values: ["vpce-1a2b3c4d"] }] });
    assert.deepEqual(statement, {
      Effect: "Allow",
      Action: ["ssm:GetParameter", "ssm:GetParametersByPath"],
      Resource: "arn:aws:ssm:us-east-1:111122223333:parameter/reporting/*",
      Condition: { StringEquals: { "aws:SourceVpce": "vpce-1a2b3c4d" } },
    });
    const doc = policyDocument([statement]);
    const param = "arn:aws:ssm:us-east-1:111122223333:parameter/reporting/daily";
    assert.equal(await decide([doc], { action: "ssm:GetParameter", resource: param, context: { "aws:SourceVpce": "vpce-1a2b3c4d" } }), "Allowed");
    assert.equal(await decide([doc], { action: "ssm:GetParameter", resource: param, context: { "aws:SourceVpce": "vpce-other" } }), "ImplicitlyDenied");
    assert.equal(await decide([doc], { action: "ssm:PutParameter", resource: param, context: { "aws:SourceVpce": "vpce-1a2b3c4d" } }), "ImplicitlyDenied");
    const resource = { type: "aws:iam/rolePolicy:RolePolicy", name: "custom", id: "custom", inputs: { policy: JSON.stringify(doc) }, outputs: {}, custom: true, options: { protect: false, dependsOn: [] } };
    assert.deepEqual(await checkResources([resource]), []);
  });
});
