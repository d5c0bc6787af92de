import { strict as assert } from "node:assert";
import { configProblems } from "./helpers/problems";
import { validateStackConfig } from "../config/validate";
import { auditPatternProblem, failurePattern } from "../core/audit";

const KEY = "arn:aws:kms:us-east-1:111122223333:key/1f2e3d4c-5b6a-4789-8abc-def012345678";
const base = () => ({
  cluster: { name: "c1", oidcIssuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC" },
  workloads: [{ name: "app", namespace: "team-a" }] as Record<string, unknown>[],
});

/** The problems a config draws, as `path: message` lines. */
function problems(raw: unknown, region: string | null = "us-east-1"): string[] {
  return configProblems(raw, region ?? undefined);
}

function withWorkload(extra: Record<string, unknown>) {
  const c = base();
  c.workloads[0] = { ...c.workloads[0], ...extra };
  return c;
}

describe("config: validation rules, each with its path and message", () => {
  it("accepts a minimal config and applies the documented defaults", () => {
    const { spec } = validateStackConfig(base(), "us-east-1");
    assert.equal(spec.workloads[0].serviceAccount, "app");
    assert.equal(spec.workloads[0].createServiceAccount, true);
    assert.equal(spec.roleDefaults.path, "/");
    assert.equal(spec.roleDefaults.maxSessionDurationSeconds, 3600);
    assert.equal(spec.roleDefaults.requireSecureTransport, true);
    assert.equal(spec.roleDefaults.trustPolicyQuota, 2048);
    assert.equal(spec.roleDefaults.managedPolicyQuota, 10);
    assert.equal(spec.serviceAccountDefaults.stsRegionalEndpoints, true);
    assert.equal(spec.cluster.protectOidcProvider, true);
    assert.equal(spec.cluster.createNamespaces, false);
    assert.equal(spec.partition, "aws");
  });

  const table: [string, unknown, string | RegExp, string?][] = [
    ["namespace not an RFC 1123 label", withWorkload({ namespace: "Data_Pipeline" }), 'workloads[0].namespace: "Data_Pipeline" is not a valid Kubernetes namespace (RFC 1123 label'],
    ["namespace too long", withWorkload({ namespace: "a".repeat(64) }), /^workloads\[0\]\.namespace: "a{64}" is not a valid Kubernetes namespace/],
    ["ServiceAccount not a subdomain", withWorkload({ serviceAccount: "S3_Processor" }), 'workloads[0].serviceAccount: "S3_Processor" is not a valid ServiceAccount name or pattern'],
    ["workload name", withWorkload({ name: "My App" }), 'workloads[0].name: "My App" is not a valid workload name'],
    ["bucket with uppercase", withWorkload({ s3: [{ bucket: "My_Bucket", access: "read" }] }), 'workloads[0].s3[0].bucket: "My_Bucket" is not a valid S3 bucket name'],
    ["bucket like an IP address", withWorkload({ s3: [{ bucket: "192.168.1.1", access: "read" }] }), 'workloads[0].s3[0].bucket: "192.168.1.1" is not a valid S3 bucket name'],
    ["bucket with two dots", withWorkload({ s3: [{ bucket: "a..b", access: "read" }] }), 'workloads[0].s3[0].bucket: "a..b" is not a valid S3 bucket name'],
    ["bucket with a reserved suffix", withWorkload({ s3: [{ bucket: "data-s3alias", access: "read" }] }), 'workloads[0].s3[0].bucket: "data-s3alias" is not a valid S3 bucket name'],
    ["bucket too short", withWorkload({ s3: [{ bucket: "ab", access: "read" }] }), 'workloads[0].s3[0].bucket: "ab" is not a valid S3 bucket name'],
    ["wildcard bucket", withWorkload({ s3: [{ bucket: "*", access: "read" }] }), 'workloads[0].s3[0].bucket: "*" is not a valid S3 bucket name'],
    ["wildcard prefix", withWorkload({ s3: [{ bucket: "data", prefix: "logs/*", access: "read" }] }), 'workloads[0].s3[0].prefix: "logs/*" is not a valid S3 key prefix (1-1024 characters; no wildcards'],
    ["unknown access level", withWorkload({ s3: [{ bucket: "data", access: "admin" }] }), 'workloads[0].s3[0].access: "admin" is not a known access level (read, write or read-write)'],
    ["table name with a space", withWorkload({ dynamodb: [{ table: "my table", access: "read" }] }), 'workloads[0].dynamodb[0].table: "my table" is not a valid DynamoDB table name'],
    ["wildcard table", withWorkload({ dynamodb: [{ table: "orders*", access: "read" }] }), 'workloads[0].dynamodb[0].table: "orders*" is not a valid DynamoDB table name'],
    ["index on a write grant", withWorkload({ dynamodb: [{ table: "orders", access: "write", indexes: true }] }), "workloads[0].dynamodb[0]: indexes and streams are read grants"],
    // indexes is `true` or a list of names: a list with a bad name says which name, not that lists are not allowed.
    ["a wildcard index name", withWorkload({ dynamodb: [{ table: "orders", access: "read", indexes: ["by-customer", "*"] }] }), 'workloads[0].dynamodb[0].indexes[1]: "*" is not a valid DynamoDB index name (3-255 characters: letters, digits, \'_\', \'-\' and \'.\'; no wildcards)'],
    ["indexes neither true nor a list", withWorkload({ dynamodb: [{ table: "orders", access: "read", indexes: "all" }] }), 'workloads[0].dynamodb[0].indexes: string "all" is not allowed here'],
    ["secret with both name and prefix", withWorkload({ secrets: [{ name: "a", prefix: "b/" }] }), "workloads[0].secrets[0]: give exactly one of name (one secret) or prefix (a path of secrets)"],
    ["secret with neither", withWorkload({ secrets: [{}] }), "workloads[0].secrets[0]: give exactly one of name (one secret) or prefix (a path of secrets)"],
    ["secret name with a wildcard", withWorkload({ secrets: [{ name: "prod/*" }] }), 'workloads[0].secrets[0].name: "prod/*" is not a valid Secrets Manager secret name'],
    ["secret name with a space", withWorkload({ secrets: [{ name: "my secret" }] }), 'workloads[0].secrets[0].name: "my secret" is not a valid Secrets Manager secret name'],
    ["KMS alias instead of key", withWorkload({ secrets: [{ name: "a", kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:alias/db" }] }), 'workloads[0].secrets[0].kmsKeyArn: "arn:aws:kms:us-east-1:111122223333:alias/db" is not a valid KMS key ARN'],
    ["malformed OIDC provider ARN", { ...base(), cluster: { name: "c1", oidcProviderArn: "arn:aws:iam::12345:oidc-provider/x" } }, 'cluster.oidcProviderArn: "arn:aws:iam::12345:oidc-provider/x" is not a valid IAM OIDC provider ARN'],
    ["malformed boundary ARN", { ...base(), roleDefaults: { permissionsBoundaryArn: "boundary" } }, 'roleDefaults.permissionsBoundaryArn: "boundary" is not a valid IAM managed policy ARN'],
    ["non-https issuer", { ...base(), cluster: { name: "c1", oidcIssuerUrl: "http://oidc.example.com" } }, 'cluster.oidcIssuerUrl: "http://oidc.example.com" is not a valid OIDC issuer URL (must be https://'],
    ["issuer and provider ARN disagree", { ...base(), cluster: { name: "c1", oidcIssuerUrl: "https://a.example.com/id/1", oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/b.example.com/id/1" } }, /^cluster\.oidcProviderArn: .* names another issuer than cluster\.oidcIssuerUrl/],
    ["ARN in another partition", withWorkload({ secrets: [{ name: "a", kmsKeyArn: KEY }] }), /^workloads\[0\]\.secrets\[0\]\.kmsKeyArn: .* is in partition aws, but region cn-north-1 is in aws-cn$/, "cn-north-1"],
    ["unknown top-level key", { ...base(), workload: [] }, "workload: unknown key (not part of the eks-irsa config contract)"],
    ["unknown workload key", withWorkload({ bucket: "x" }), "workloads[0].bucket: unknown key (not part of the eks-irsa config contract)"],
    ["unknown grant key", withWorkload({ s3: [{ bucket: "data", access: "read", acl: "private" }] }), "workloads[0].s3[0].acl: unknown key (not part of the eks-irsa config contract)"],
    ["missing cluster name", { ...base(), cluster: {} }, "cluster.name: is required (string)"],
    ["missing workloads", { cluster: { name: "c1" } }, "workloads: is required (array)"],
    ["wrong type", withWorkload({ s3: "bucket" }), 'workloads[0].s3: expected array, got string "bucket"'],
    ["createServiceAccount with a pattern", withWorkload({ serviceAccount: "job-*", createServiceAccount: true }), 'workloads[0].createServiceAccount: cannot be true for the pattern "job-*"'],
    ["create with an issuer", { ...base(), cluster: { name: "c1", create: {}, oidcIssuerUrl: "https://x.example.com" } }, "cluster.create: a cluster this stack creates has its own issuer"],
    ["node counts out of order", { ...base(), cluster: { name: "c1", create: { minSize: 3, maxSize: 2 } } }, "cluster.create: node counts must satisfy minSize <= desiredCapacity <= maxSize"],
    ["cluster name", { ...base(), cluster: { name: "-bad" } }, 'cluster.name: "-bad" is not a valid EKS cluster name'],
    ["token expiration below the webhook minimum", withWorkload({ tokenExpirationSeconds: 60 }), /^workloads\[0\]\.tokenExpirationSeconds: number 60: expected number to be >=600/],
    ["trust quota above AWS maximum", { ...base(), roleDefaults: { trustPolicyQuota: 8192 } }, /^roleDefaults\.trustPolicyQuota: number 8192: expected number to be <=4096/],
    ["reserved tag key", { ...base(), roleDefaults: { tags: { "aws:owner": "x" } } }, /^roleDefaults\.tags\.aws:owner: .*is not a valid tag key/],
    ["an S3 prefix with a policy variable", withWorkload({ s3: [{ bucket: "data", prefix: "${aws:username}/", access: "read" }] }), 'workloads[0].s3[0].prefix: "${aws:username}/" is not a valid S3 key prefix'],
    ["a tag key reserved for eks-irsa", withWorkload({ tags: { "eks-irsa:binding": "pattern" } }), /^workloads\[0\]\.tags\.eks-irsa:binding: .*is not a valid tag key/],
    ["a tag value with a newline", { ...base(), roleDefaults: { tags: { team: "a\nb" } } }, /^roleDefaults\.tags\.team: .*is not a valid tag value/],
    ["allowedRegions without the stack's region", { ...base(), roleDefaults: { allowedRegions: ["eu-west-1"] } }, "roleDefaults.allowedRegions: must include the role's region us-east-1"],
    ["more tags than a role may carry", withWorkload({ tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, "v"])) }), "workloads[0].tags: the role would carry 54 tags"],
    ["an S3 prefix with a '..' segment", withWorkload({ s3: [{ bucket: "data", prefix: "tenants/../admin/", access: "read" }] }), 'workloads[0].s3[0].prefix: "tenants/../admin/" is not a valid S3 key prefix'],
    ["an S3 prefix with a right-to-left override (shown escaped)", withWorkload({ s3: [{ bucket: "data", prefix: "logs/\u202Enimda/", access: "read" }] }), 'workloads[0].s3[0].prefix: "logs/\\u202enimda/" is not a valid S3 key prefix'],
    ["an S3 prefix with a zero-width space", withWorkload({ s3: [{ bucket: "data", prefix: "logs\u200B/", access: "read" }] }), "workloads[0].s3[0].prefix: "],
    ["an empty S3 prefix", withWorkload({ s3: [{ bucket: "data", prefix: "", access: "read" }] }), 'workloads[0].s3[0].prefix: "" is not a valid S3 key prefix (1-1024 characters'],
    ["a secret prefix that does not end at a delimiter", withWorkload({ secrets: [{ prefix: "d" }] }), 'workloads[0].secrets[0].prefix: "d" does not end at a delimiter, so it also grants "d-old"'],
    ["a control character in an ESO property", { ...base(), externalSecrets: { secrets: [{ prefix: "p/" }] }, workloads: [{ name: "app", namespace: "team-a", externalSecrets: [{ name: "x", data: [{ secretKey: "k", remoteRef: { key: "p/x", property: "a\u0007b" } }] }] }] }, "workloads[0].externalSecrets[0].data[0].remoteRef.property: expected a non-empty string without control"],
    ["missing region", base(), "aws:region: is required", "(none)"],
    ["bad region", base(), 'aws:region: "moon-1" is not a valid AWS region', "moon-1"],
  ];
  for (const [title, raw, expected, region] of table) {
    it(`rejects ${title}`, () => {
      const found = problems(raw, region === "(none)" ? null : (region ?? "us-east-1"));
      assert.ok(
        found.some((p) => (typeof expected === "string" ? p.startsWith(expected) : expected.test(p))),
        `expected ${String(expected)}\n got: ${found.join("\n      ")}`,
      );
    });
  }

  it("accepts a secret prefix ending at a delimiter, or any prefix marked exactPrefix", () => {
    for (const grant of [{ prefix: "shop/orders/" }, { prefix: "shop-" }, { prefix: "d", exactPrefix: true }]) assert.deepEqual(problems(withWorkload({ secrets: [grant] })), [], JSON.stringify(grant));
  });

  it("echoes a long value cut, with its length", () => {
    const [found] = problems(withWorkload({ namespace: "A".repeat(100_000) }));
    assert.ok(found.length < 400, `${found.length} characters`);
    assert.match(found, /^workloads\[0\]\.namespace: "AAAA+…" \(100000 characters\) is not a valid Kubernetes namespace/);
  });

  it("warns of valid but risky grants: a pattern in default or kube-system, a whole-bucket write", () => {
    const { layout } = validateStackConfig(
      { ...base(), workloads: [{ name: "app", namespace: "kube-system", serviceAccount: "*", s3: [{ bucket: "drop", access: "write" }, { bucket: "logs", prefix: "app/", access: "write" }, { bucket: "assets", access: "read" }] }] },
      "us-east-1",
    );
    assert.deepEqual(layout.risks, [
      'workload app binds the pattern "*" in namespace kube-system, where ServiceAccounts of unrelated workloads and controllers live: name the ServiceAccount, or give the workload a namespace of its own',
      "workload app may write every object of bucket drop (no prefix): give a prefix unless the bucket is this workload's alone",
    ]);
  });

  it("warns of a custom statement passing roles to any service (iam:PassRole without iam:PassedToService)", () => {
    const role = "arn:aws:iam::123456789012:role/batch-node";
    const statements = [
      { actions: ["iam:PassRole"], resources: [role] },
      { actions: ["iam:Pass*", "iam:GetRole"], resources: [role] },
      { actions: ["iam:PassRole"], resources: [role], conditions: [{ operator: "StringEquals", key: "iam:PassedToService", values: ["ec2.amazonaws.com"] }] },
      { actions: ["iam:GetRole"], resources: [role] },
    ];
    const { layout } = validateStackConfig({ ...base(), workloads: [{ name: "app", namespace: "team-a", statements }] }, "us-east-1");
    assert.deepEqual(layout.risks, [0, 1].map((i) =>
      `workload app statements[${i}] may pass ${role} to any AWS service (${i === 0 ? "iam:PassRole" : "iam:Pass*"} without an iam:PassedToService condition): add one naming the service the role is for (e.g. StringEquals iam:PassedToService ec2.amazonaws.com)`,
    ));
  });

  it("rejects a __proto__ key (a tag would be dropped silently), at its path", () => {
    const raw = JSON.parse('{"cluster":{"name":"c1","oidcIssuerUrl":"https://oidc.eks.us-east-1.amazonaws.com/id/ABC"},"workloads":[{"name":"app","namespace":"team-a","tags":{"__proto__":"x","team":"a"}}]}');
    assert.deepEqual(problems(raw), ["workloads[0].tags.__proto__: __proto__ is a key JavaScript reserves: eks-irsa would drop it; rename it"]);
  });

  it("rejects duplicate workload names, naming both places", () => {
    const c = base();
    c.workloads.push({ name: "app", namespace: "team-b" });
    assert.deepEqual(problems(c), ['workloads[1].name: duplicate workload name "app" (also workloads[0].name)']);
  });

  it("rejects two workloads binding one ServiceAccount", () => {
    const c = base();
    c.workloads.push({ name: "other", namespace: "team-a", serviceAccount: "app" });
    assert.deepEqual(problems(c), ["workloads[1].serviceAccount: ServiceAccount team-a/app is already bound by workloads[0]: its role-arn annotation can name one role only"]);
  });

  it("reports every schema problem at once, not only the first", () => {
    const found = problems(withWorkload({ namespace: "A", s3: [{ bucket: "B", access: "x" }] }));
    assert.equal(found.length, 3, found.join("\n"));
  });

  it("fails at plan time when the trust policy cannot fit the configured quota", () => {
    const long = `https://${"o".repeat(60)}.example.com/${"p".repeat(1500)}`;
    const found = problems({ ...base(), cluster: { name: "c1", oidcIssuerUrl: long } });
    assert.ok(found.some((p) => /^workloads\[0\]: the trust policy is \d+ characters, over the 2048-character quota; AWS allows at most 4096/.test(p)), found.join("\n"));
  });

  it("the ConfigError message lists every problem with its path", () => {
    assert.throws(() => validateStackConfig(withWorkload({ namespace: "Data_Pipeline" }), "us-east-1"), (e: Error) => {
      assert.match(e.message, /invalid eks-irsa config \(1 problem\):\n {2}workloads\[0\]\.namespace: "Data_Pipeline" is not a valid Kubernetes namespace \(RFC 1123 label/);
      return true;
    });
  });
});

describe("config: the audit alarm's filter patterns fit CloudWatch Logs' 1,024 characters", () => {
  const issuer = (i: number) => `https://oidc.eks.us-east-1.amazonaws.com/id/${i.toString(16).toUpperCase().padStart(32, "0")}`;
  const withClusters = (n: number) => ({
    cluster: {
      name: "c1",
      oidcIssuerUrl: issuer(0),
      additionalClusters: Array.from({ length: n }, (_, i) => ({ name: `c${i + 2}`, oidcIssuerUrl: issuer(i + 1) })),
    },
    roleDefaults: { trustPolicyQuota: 4096 },
    workloads: [{ name: "app", namespace: "team-a" }],
    auditAlarm: { logGroupName: "aws-cloudtrail-logs" },
  });

  it("refuses at auditAlarm a stack whose providers would not fit (it failed inside the deployment, with a stack trace)", () => {
    assert.deepEqual(problems(withClusters(7)), [
      "auditAlarm: its filter patterns would be 1405 characters for the IAM OIDC providers of 8 clusters, over CloudWatch Logs' 1024: alarm per stack with fewer clusters using IRSA",
    ]);
  });

  it("sizes the patterns as the component writes them", () => {
    const providerArns = [0, 1, 2, 3].map((i) => `arn:aws:iam::111122223333:oidc-provider/${issuer(i).slice("https://".length)}`);
    const exact = failurePattern("InvalidIdentityToken", { providerArns, roleArnPatterns: ["arn:aws:iam::111122223333:role/c1-*"] }).length;
    assert.ok(exact <= 1024);
    assert.equal(auditPatternProblem(providerArns.map((a) => ({ issuer: a.split(":oidc-provider/")[1] })), "us-east-1", "aws", "/", "c1-"), undefined);
    assert.doesNotThrow(() => validateStackConfig(withClusters(3), "us-east-1"));
  });

  it("refuses a topic of another region or partition: CloudWatch alarms notify only topics of their own region", () => {
    const config = { ...withClusters(0), auditAlarm: { logGroupName: "trail", alarmTopicArn: "arn:aws:sns:eu-west-1:111122223333:alerts" } };
    assert.deepEqual(problems(config), ['auditAlarm.alarmTopicArn: "arn:aws:sns:eu-west-1:111122223333:alerts" is in aws/eu-west-1: an alarm notifies only a topic of its own region (us-east-1)']);
  });
});
