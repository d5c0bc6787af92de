import { strict as assert } from "node:assert";
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ArgsError, AuditAlarm, ClusterOidcProvider, ExternalSecretsOperator, TargetAccount, WorkloadIdentity, type WorkloadIdentityArgs } from "../components";
import { layoutWorkload } from "../components/workloadIdentity";
import { parsePolicy } from "../core/document";
import { runOffline, type OfflineRun, type RegisteredResource } from "../tools/offline";

const ISSUER = "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const HOST = ISSUER.replace("https://", "");
const CONFIG = { "aws:region": "eu-west-1" };

/** Runs a program of plain component constructions: no stack config but the region the AWS provider reads. */
const construct = (fn: () => void) => runOffline("components", CONFIG, fn);
const all = (run: OfflineRun, type: string) => run.resources.filter((r) => r.type === type);
const only = (run: OfflineRun, type: string): RegisteredResource => {
  const found = all(run, type);
  assert.equal(found.length, 1, `one ${type}`);
  return found[0];
};

describe("components: constructed directly with a user's arguments", () => {
  describe("ClusterOidcProvider", () => {
    it("creates a provider for an issuer, protected, audience sts.amazonaws.com, no thumbprint", async () => {
      const run = await construct(() => void new ClusterOidcProvider("c1", { issuerUrl: ISSUER }));
      const p = only(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
      assert.deepEqual(p.inputs.clientIdLists, ["sts.amazonaws.com"]);
      assert.equal(p.inputs.url, ISSUER);
      assert.equal(p.inputs.thumbprintLists, undefined);
      assert.equal(p.options.protect, true);
    });

    it("adopts a provider by ARN (its issuer derived from it) and creates nothing", async () => {
      let issuer: unknown;
      const run = await construct(() => {
        const adopted = new ClusterOidcProvider("c1", { adoptArn: PROVIDER });
        adopted.issuerUrl.apply((u) => (issuer = u));
      });
      assert.equal(all(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").length, 0);
      assert.equal(issuer, ISSUER);
    });

    it("refuses a malformed ARN or issuer, and neither", () => {
      assert.throws(() => new ClusterOidcProvider("c1", { adoptArn: "arn:aws:iam::1:oidc-provider/x" }), /ClusterOidcProvider "c1": adoptArn: .* is not a valid IAM OIDC provider ARN/);
      assert.throws(() => new ClusterOidcProvider("c1", { issuerUrl: "http://x.example.com" }), /issuerUrl: "http:\/\/x.example.com" is not a valid OIDC issuer URL/);
      assert.throws(() => new ClusterOidcProvider("c1", {}), /issuerUrl: is required to create a provider/);
    });

    it("refuses an argument it does not know", () => {
      assert.throws(() => new ClusterOidcProvider("c1", { issuerUrl: ISSUER, protectProvider: false } as never), (e: Error) => e instanceof ArgsError && e.message === 'ClusterOidcProvider "c1": protectProvider: unknown argument');
    });

    it("refuses to adopt a provider of another issuer than issuerUrl (trust keys would never match the provider)", async () => {
      const other = "https://oidc.eks.eu-west-1.amazonaws.com/id/FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";
      assert.throws(() => new ClusterOidcProvider("c1", { adoptArn: PROVIDER, issuerUrl: other }), (e: Error) => e instanceof ArgsError && e.message === `ClusterOidcProvider "c1": adoptArn: "${PROVIDER}" is the provider of another issuer than issuerUrl "${other}"`);
      const run = await construct(() => void new ClusterOidcProvider("c1", { adoptArn: PROVIDER, issuerUrl: `${ISSUER}/` }));
      assert.equal(all(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").length, 0);
    });
  });

  it("every component refuses arguments that are no object (null from another language) with one ArgsError", () => {
    const make: [string, (args: never) => unknown][] = [
      ["ClusterOidcProvider", (a) => new ClusterOidcProvider("x", a)],
      ["WorkloadIdentity", (a) => new WorkloadIdentity("x", a)],
      ["ExternalSecretsOperator", (a) => new ExternalSecretsOperator("x", a)],
      ["TargetAccount", (a) => new TargetAccount("x", a)],
      ["AuditAlarm", (a) => new AuditAlarm("x", a)],
    ];
    for (const [component, build] of make) {
      for (const bad of [null, undefined, [], "args"]) {
        assert.throws(() => build(bad as never), (e: Error) => e instanceof ArgsError && e.message.startsWith(`${component} "x": `), `${component} ${JSON.stringify(bad)}`);
      }
    }
  });

  describe("WorkloadIdentity", () => {
    const orders = (more: Partial<WorkloadIdentityArgs> = {}): WorkloadIdentityArgs => ({
      oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER },
      namespace: "shop",
      s3: [{ bucket: "shop-invoices", prefix: "2026/", access: "read-write" }],
      dynamodb: [{ table: "orders", access: "read", indexes: ["by-customer"] }],
      secrets: [{ name: "shop/orders/db" }],
      ...more,
    });

    it("the role trusts exactly its ServiceAccount; account, partition and region come from the AWS provider", async () => {
      const run = await construct(() => void new WorkloadIdentity("orders", orders()));
      const role = only(run, "aws:iam/role:Role");
      assert.equal(role.inputs.name, "orders");
      assert.deepEqual(parsePolicy(role.inputs.assumeRolePolicy).Statement, [
        {
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com", [`${HOST}:sub`]: "system:serviceaccount:shop:orders" } },
        },
      ]);
      const policy = JSON.stringify(parsePolicy(only(run, "aws:iam/rolePolicy:RolePolicy").inputs.policy));
      assert.equal(all(run, "aws:iam/policy:Policy").length, 0, "no managed policy: the documents fit the role's inline budget");
      assert.ok(policy.includes("arn:aws:dynamodb:eu-west-1:111122223333:table/orders/index/by-customer"), policy);
      assert.ok(policy.includes("arn:aws:secretsmanager:eu-west-1:111122223333:secret:shop/orders/db-??????"), policy);
      // No Kubernetes provider: nothing in the cluster.
      assert.equal(all(run, "kubernetes:core/v1:ServiceAccount").length, 0);
    });

    it("with a Kubernetes provider, creates the ServiceAccount annotated with the role; its outputs are what a chart needs", async () => {
      let annotations: unknown;
      const run = await construct(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        const identity = new WorkloadIdentity("orders", orders({ tokenExpirationSeconds: 3600 }), { providers: [provider] });
        identity.serviceAccountAnnotations.apply((a) => (annotations = a));
      });
      const sa = only(run, "kubernetes:core/v1:ServiceAccount");
      assert.match(sa.provider ?? "", /pulumi:providers:kubernetes::k8s::/);
      const expected = { "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/orders", "eks.amazonaws.com/sts-regional-endpoints": "true", "eks.amazonaws.com/token-expiration": "3600" };
      assert.deepEqual((sa.inputs.metadata as { annotations: unknown }).annotations, expected);
      assert.deepEqual(annotations, expected);
    });

    it("creates a ServiceAccount only through a Kubernetes provider of its options (`providers` or `provider`), never the ambient kubeconfig's cluster", async () => {
      for (const more of [{ createServiceAccount: true }, { serviceAccountMode: "created" as const }]) {
        assert.throws(
          () => new WorkloadIdentity("orders", orders(more)),
          (e: Error) => e instanceof ArgsError && e.message === `WorkloadIdentity "orders": ${Object.keys(more)[0]}: creates the ServiceAccount in the cluster: give a Kubernetes provider in the resource options (providers)`,
        );
      }
      const run = await construct(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        new WorkloadIdentity("orders", orders(), { provider });
        new WorkloadIdentity("billing", orders({ serviceAccountMode: "annotated" }), { provider });
      });
      assert.match(only(run, "kubernetes:core/v1:ServiceAccount").provider ?? "", /pulumi:providers:kubernetes::k8s::/);
      assert.match(only(run, "kubernetes:core/v1:ServiceAccountPatch").provider ?? "", /pulumi:providers:kubernetes::k8s::/);
    });

    it("takes the issuer as an Output of an @pulumi/eks cluster", async () => {
      const run = await construct(() => {
        const cluster = new eks.Cluster("shop", { name: "shop", createOidcProvider: false });
        const oidc = new ClusterOidcProvider("shop", { issuerUrl: cluster.oidcProviderUrl });
        new WorkloadIdentity("orders", orders({ oidcProvider: oidc, clusterName: "shop" }));
      });
      const issuer = String(only(run, "eks:index:Cluster").outputs.oidcProviderUrl).replace("https://", "");
      const role = only(run, "aws:iam/role:Role");
      assert.equal(role.inputs.name, "shop-orders");
      const trust = parsePolicy(role.inputs.assumeRolePolicy).Statement[0];
      assert.deepEqual(trust.Principal, { Federated: `arn:aws:iam::111122223333:oidc-provider/${issuer}` });
      assert.deepEqual(Object.keys(trust.Condition!.StringEquals).sort(), [`${issuer}:aud`, `${issuer}:sub`]);
    });

    it("throws one error naming every bad field, before registering anything", () => {
      assert.throws(
        () => new WorkloadIdentity("orders", orders({ namespace: "Shop", s3: [{ bucket: "My_Bucket", access: "all" as never }], maxSessionDurationSeconds: 60, roleName: "a/b" })),
        (e: Error) =>
          e instanceof ArgsError &&
          e.message.startsWith('WorkloadIdentity "orders": 5 problems:') &&
          ["namespace", "s3[0].bucket", "s3[0].access", "roleName", "maxSessionDurationSeconds"].every((p) => e.problems.some((x) => x.path.join(".").replace(/\.(\d+)/g, "[$1]") === p)),
      );
      assert.throws(() => new WorkloadIdentity("orders", { namespace: "shop" } as WorkloadIdentityArgs), /oidcProvider: is required/);
    });

    it("reports a missing Kubernetes provider with the arguments' problems, in one error", () => {
      const paths = (args: WorkloadIdentityArgs) => {
        try {
          new WorkloadIdentity("orders", args);
        } catch (e) {
          assert.ok(e instanceof ArgsError, String(e));
          return e.problems.map((p) => p.path.join("."));
        }
        assert.fail("accepted");
      };
      assert.deepEqual(paths(orders({ serviceAccountMode: "annotated", s3: [{ bucket: "B", access: "read" }] })), ["s3.0.bucket", "serviceAccountMode"]);
      assert.deepEqual(paths(orders({ createServiceAccount: true, namespace: "Shop" })), ["namespace", "createServiceAccount"]);
      assert.deepEqual(paths(null as unknown as WorkloadIdentityArgs), [""]);
    });

    it("checks an oidcProvider given as plain strings as ClusterOidcProvider does: an OIDC provider ARN, an issuer URL, one issuer", () => {
      const other = "https://oidc.eks.eu-west-1.amazonaws.com/id/FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF";
      const refused = (oidcProvider: { arn: string; issuerUrl: string }, at = "oidcProvider") => {
        try {
          new WorkloadIdentity("orders", orders({ oidcProvider }));
        } catch (e) {
          assert.ok(e instanceof ArgsError, String(e));
          return e.problems.map((p) => `${p.path.join(".")}: ${p.message}`).filter((m) => m.startsWith(at));
        }
        assert.fail(`accepted ${JSON.stringify(oidcProvider)}`);
      };
      assert.deepEqual(refused({ arn: "not-an-arn", issuerUrl: "http://x?y" }), [
        'oidcProvider.arn: "not-an-arn" is not a valid IAM OIDC provider ARN (arn:<partition>:iam::<account>:oidc-provider/<issuer host and path>)',
        'oidcProvider.issuerUrl: "http://x?y" is not a valid OIDC issuer URL (must be https://host[/path], with no query or fragment)',
      ]);
      assert.equal(refused({ arn: ISSUER, issuerUrl: PROVIDER }).length, 2, "swapped");
      assert.deepEqual(refused({ arn: PROVIDER, issuerUrl: other }), [`oidcProvider.arn: "${PROVIDER}" is the provider of another issuer than issuerUrl "${other}"`]);
      assert.throws(
        () => new WorkloadIdentity("orders", orders({ oidcProvider: undefined, clusterName: undefined, clusters: [{ name: "blue", oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER } }, { name: "green", oidcProvider: { arn: PROVIDER, issuerUrl: other } }] })),
        (e: Error) => e instanceof ArgsError && e.problems.map((p) => p.path.join(".")).join() === "clusters.1.oidcProvider.arn",
      );
      // A trailing slash is the same issuer.
      assert.doesNotThrow(() => layoutWorkload("orders", orders({ oidcProvider: { arn: PROVIDER, issuerUrl: `${ISSUER}/` } })));
    });

    it("a layout over the quotas fails at construction, naming the quota to raise", () => {
      const grants = Array.from({ length: 300 }, (_, i) => ({ bucket: `bucket-${i}`, prefix: `tenant-${i}/exports/`, access: "read" as const }));
      assert.throws(() => new WorkloadIdentity("big", orders({ s3: grants, managedPolicyQuota: 2, region: "eu-west-1" })), /WorkloadIdentity "big": permissions: the permissions need a full inline policy and \d+ managed policies .* raise managedPolicyQuota/);
    });

    it("without region, checks ARN partitions against the AWS provider's region once it is known (a GovCloud provider, aws ARNs)", async () => {
      const gov = (more: Partial<WorkloadIdentityArgs>) =>
        runOffline("gov", { "aws:region": "us-gov-west-1" }, () => void new WorkloadIdentity("orders", orders({ s3: [{ bucket: "shop-invoices", access: "read" }], dynamodb: undefined, secrets: undefined, ...more })));
      const govProvider = { arn: PROVIDER.replace("arn:aws:", "arn:aws-us-gov:"), issuerUrl: ISSUER };
      await assert.rejects(gov({ oidcProvider: govProvider, permissionsBoundaryArn: "arn:aws:iam::111122223333:policy/boundary" }), /WorkloadIdentity "orders": permissionsBoundaryArn: "arn:aws:iam::111122223333:policy\/boundary" is in partition aws, but region us-gov-west-1 is in aws-us-gov/);
      await assert.rejects(gov({}), /WorkloadIdentity "orders": oidcProvider\.arn: "arn:aws:iam::111122223333:oidc-provider\/[^"]+" is in partition aws, but the AWS provider's region us-gov-west-1 is in aws-us-gov/);
      await assert.rejects(gov({ oidcProvider: govProvider, chainedRoles: [{ roleArn: "arn:aws:iam::210987654321:role/x", profile: "x" }] }), /chainedRoles\[0\]\.roleArn: "arn:aws:iam::210987654321:role\/x" is in partition aws/);
      const run = await gov({ oidcProvider: govProvider });
      assert.match(String(only(run, "aws:iam/role:Role").inputs.assumeRolePolicy), /arn:aws-us-gov:iam::111122223333:oidc-provider/);
    });

    it("refuses a region that is not the AWS provider's", async () => {
      await assert.rejects(construct(() => void new WorkloadIdentity("orders", orders({ region: "us-east-1" }))), /region us-east-1 was given, but the AWS provider is configured for eu-west-1/);
    });

    it("refuses allowedRegions without the AWS provider's region when no region is given (the guardrail would deny every request)", async () => {
      await assert.rejects(
        construct(() => void new WorkloadIdentity("orders", orders({ allowedRegions: ["us-east-1"] }))),
        /WorkloadIdentity "orders": allowedRegions must include the role's region eu-west-1 \(the AWS provider's\): the guardrail would deny every request of the role/,
      );
      await construct(() => void new WorkloadIdentity("orders", orders({ allowedRegions: ["us-east-1", "eu-west-1"] })));
    });

    it("chained roles: sts:AssumeRole on exactly them and an AWS config ConfigMap with a profile each", async () => {
      const target = "arn:aws:iam::210987654321:role/datalake-reader";
      const run = await construct(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        new WorkloadIdentity("orders", orders({ chainedRoles: [{ roleArn: target, profile: "analytics" }] }), { providers: [provider] });
      });
      const policy = parsePolicy(only(run, "aws:iam/rolePolicy:RolePolicy").inputs.policy);
      assert.deepEqual(policy.Statement.filter((s) => s.Action === "sts:AssumeRole"), [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: target }]);
      const config = String((only(run, "kubernetes:core/v1:ConfigMap").inputs.data as { config: string }).config);
      assert.match(config, /\[profile analytics\]\nrole_arn = arn:aws:iam::210987654321:role\/datalake-reader\nsource_profile = irsa/);
      assert.match(config, /\[profile irsa\]\nrole_arn = arn:aws:iam::111122223333:role\/orders/);
    });

    it("chained roles without a Kubernetes provider: no ConfigMap, the AWS config file is the awsConfig output", async () => {
      const target = "arn:aws:iam::210987654321:role/datalake-reader";
      let file = "";
      let none = "unset";
      const run = await construct(() => {
        new WorkloadIdentity("orders", orders({ chainedRoles: [{ roleArn: target, profile: "analytics" }] })).awsConfig.apply((f) => (file = f));
        new WorkloadIdentity("plain", orders({ serviceAccount: "plain" })).awsConfig.apply((f) => (none = f));
      });
      assert.equal(all(run, "kubernetes:core/v1:ConfigMap").length, 0);
      assert.match(file, /\[profile analytics\]\nrole_arn = arn:aws:iam::210987654321:role\/datalake-reader\nsource_profile = irsa/);
      assert.match(file, /\[profile irsa\]\nrole_arn = arn:aws:iam::111122223333:role\/orders/);
      assert.equal(none, "");
    });
  });

  describe("ExternalSecretsOperator", () => {
    it("installs the chart, binds its role to the reader ServiceAccount, and creates the store and ExternalSecrets", async () => {
      const run = await construct(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        new ExternalSecretsOperator(
          "eso",
          {
            oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER },
            clusterName: "shop",
            secrets: [{ prefix: "shop/shared/" }],
            externalSecrets: [{ namespace: "shop", name: "api-key", data: [{ secretKey: "key", remoteRef: { key: "shop/shared/api", property: "key" } }] }],
          },
          { providers: [provider] },
        );
      });
      assert.equal(only(run, "aws:iam/role:Role").inputs.name, "shop-eso");
      const store = only(run, "kubernetes:external-secrets.io/v1:ClusterSecretStore");
      assert.deepEqual((store.inputs.spec as { conditions: unknown }).conditions, [{ namespaces: ["shop"] }]);
      assert.equal(((store.inputs.spec as { provider: { aws: { region: string } } }).provider.aws.region), "eu-west-1");
      const es = only(run, "kubernetes:external-secrets.io/v1:ExternalSecret");
      assert.ok(es.options.dependsOn.includes("kubernetes:helm.sh/v3:Release::eso"), "after the chart's CRDs");
      assert.equal((only(run, "kubernetes:core/v1:ServiceAccount").inputs.metadata as { name: string }).name, "external-secrets-reader");
    });

    it("refuses to install without a Kubernetes provider in its options (never into the ambient kubeconfig's cluster)", () => {
      assert.throws(
        () => new ExternalSecretsOperator("eso", { oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER }, secrets: [{ prefix: "shop/shared/" }] }),
        (e: Error) => e instanceof ArgsError && e.message === 'ExternalSecretsOperator "eso": installs a Helm release and ESO objects in the cluster: give a Kubernetes provider in the resource options (providers)',
      );
    });

    it("refuses an argument it does not know (a typo from JSON would leave the controller without its grants)", () => {
      assert.throws(
        () => new ExternalSecretsOperator("eso", { oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER }, secret: [{ prefix: "shop/shared/" }] } as never),
        // One error with every problem: the missing Kubernetes provider too.
        (e: Error) => e instanceof ArgsError && e.message === 'ExternalSecretsOperator "eso": 2 problems:\n  secret: unknown argument\n  installs a Helm release and ESO objects in the cluster: give a Kubernetes provider in the resource options (providers)',
      );
    });

    it("refuses an ExternalSecret reading a key outside the controller's grants, naming the field", () => {
      assert.throws(
        () =>
          new ExternalSecretsOperator("eso", {
            oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER },
            secrets: [{ prefix: "shop/shared/" }],
            externalSecrets: [{ namespace: "shop", name: "db", data: [{ secretKey: "k", remoteRef: { key: "other/db" } }] }],
          }),
        /ExternalSecretsOperator "eso": 2 problems:\n.*give a Kubernetes provider.*\n {2}externalSecrets\[0\]\.data\[0\]\.remoteRef\.key: ExternalSecret shop\/db reads "other\/db" through ClusterSecretStore aws-secrets-manager, but the ESO controller's role cannot read it \(secrets: shop\/shared\/\*\)/,
      );
    });
  });

  describe("TargetAccount", () => {
    const target = (provider: aws.Provider, sourceArn: string) =>
      new TargetAccount(
        "analytics",
        { accountId: "210987654321", mode: "chained", roles: [{ name: "reader", sources: [{ workload: "orders", roleArn: sourceArn }], s3: [{ bucket: "datalake", prefix: "curated/", access: "read" }] }] },
        { providers: [provider] },
      );

    it("deploys through the target account's provider a role trusting exactly the source role", async () => {
      const run = await construct(() => {
        const provider = new aws.Provider("analytics", { region: "eu-west-1", allowedAccountIds: ["210987654321"] });
        const source = new WorkloadIdentity("orders", { oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER }, namespace: "shop" });
        target(provider, "arn:aws:iam::111122223333:role/orders");
        void source;
      });
      const role = all(run, "aws:iam/role:Role").find((r) => r.name === "analytics/reader")!;
      assert.match(role.provider ?? "", /pulumi:providers:aws::analytics::/);
      assert.equal(role.outputs.arn, "arn:aws:iam::210987654321:role/analytics-reader");
      assert.deepEqual(parsePolicy(role.inputs.assumeRolePolicy).Statement[0].Condition, { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/orders" } });
    });

    it("without region, checks the sources' ARN partitions against the target provider's region once known, Outputs resolved", async () => {
      await assert.rejects(
        runOffline("gov", { "aws:region": "us-gov-west-1" }, () => {
          const provider = new aws.Provider("analytics", { region: "us-gov-west-1", allowedAccountIds: ["210987654321"] });
          target(provider, pulumi.output("arn:aws:iam::111122223333:role/orders") as unknown as string);
        }),
        /TargetAccount "analytics": roles\[0\]\.sources\[0\]\.roleArn: "arn:aws:iam::111122223333:role\/orders" is in partition aws, but region us-gov-west-1 is in aws-us-gov/,
      );
      const run = await runOffline("gov", { "aws:region": "us-gov-west-1" }, () => void target(new aws.Provider("analytics", { region: "us-gov-west-1", allowedAccountIds: ["210987654321"] }), "arn:aws-us-gov:iam::111122223333:role/orders"));
      assert.equal(all(run, "aws:iam/role:Role").find((r) => r.name === "analytics/reader")!.outputs.arn, "arn:aws-us-gov:iam::210987654321:role/analytics-reader");
    });

    it("refuses allowedRegions without the target provider's region", async () => {
      await assert.rejects(
        construct(() => {
          const provider = new aws.Provider("analytics", { region: "eu-west-1", allowedAccountIds: ["210987654321"] });
          new TargetAccount("analytics", { accountId: "210987654321", mode: "chained", allowedRegions: ["us-east-1"], roles: [{ name: "reader", sources: [{ workload: "orders", roleArn: "arn:aws:iam::111122223333:role/orders" }] }] }, { providers: [provider] });
        }),
        /TargetAccount "analytics": allowedRegions must include the role's region eu-west-1 \(the AWS provider's\)/,
      );
    });

    it("mode oidc refuses to create its dedicated ServiceAccounts without the cluster's Kubernetes provider", async () => {
      await assert.rejects(
        construct(() => {
          const provider = new aws.Provider("analytics", { region: "eu-west-1", allowedAccountIds: ["210987654321"] });
          new TargetAccount("analytics", { accountId: "210987654321", mode: "oidc", issuerUrl: ISSUER, roles: [{ name: "reader", sources: [{ workload: "orders", namespace: "shop" }] }] }, { providers: [provider] });
        }),
        (e: Error) => e instanceof ArgsError && e.message === 'TargetAccount "analytics": mode oidc creates a ServiceAccount per source in the cluster: give the cluster\'s Kubernetes provider in the resource options (providers: [awsProvider, kubernetesProvider])',
      );
    });

    it("refuses an argument it does not know", () => {
      assert.throws(
        () => new TargetAccount("analytics", { accountId: "210987654321", mode: "chained", roles: [{ name: "reader", sources: [{ workload: "orders", roleArn: "arn:aws:iam::111122223333:role/orders" }] }], boundaryArn: "x" } as never),
        (e: Error) => e instanceof ArgsError && e.problems.some((p) => p.path.join(".") === "boundaryArn" && p.message === "unknown argument"),
      );
    });

    it("reports the missing providers with the arguments' problems, in one error", () => {
      assert.throws(
        () => new TargetAccount("lake", { accountId: "12", mode: "oidc", roles: [{ name: "reader", sources: [{ workload: "orders", namespace: "shop" }] }] } as never),
        (e: Error) =>
          e instanceof ArgsError &&
          JSON.stringify(e.problems.map((p) => p.path.join(".") || p.message.split(" ").slice(0, 2).join(" "))) === JSON.stringify(["accountId", "issuerUrl", "needs the", "mode oidc"]),
      );
    });

    it("refuses to deploy without a provider, or through one that lands in another account", async () => {
      assert.throws(() => new TargetAccount("analytics", { accountId: "210987654321", mode: "chained", roles: [{ name: "reader", sources: [{ workload: "orders", roleArn: "arn:aws:iam::111122223333:role/orders" }] }] }), /needs the target account's AWS provider/);
      await assert.rejects(
        construct(() => void target(new aws.Provider("wrong", { region: "eu-west-1", allowedAccountIds: ["999988887777"] }), "arn:aws:iam::111122223333:role/orders")),
        /the AWS provider lands in account 999988887777, not 210987654321/,
      );
    });
  });
});
