import { strict as assert } from "node:assert";
import fc from "fast-check";
import { SignJWT, generateKeyPair, jwtVerify, type JWTPayload } from "jose";
import { asList, policySize } from "../../core/document";
import { buildRoleChainTrustPolicy, buildTrustPolicy, type TrustBinding } from "../../core/trust";
import { assertTrustFits } from "../../core/identity";
import { SizeLimitError } from "../../core/layout";
import { evaluateTrust, globMatch, webIdentityRequest, conditionHolds, UnsupportedConditionError } from "../../core/trustEval";

const HOST = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const ISSUER = `https://${HOST}`;
const PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${HOST}`;
const HOST2 = "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER2 = `arn:aws:iam::111122223333:oidc-provider/${HOST2}`;

const binding = (names: string[], namespace = "data-pipeline"): TrustBinding => ({
  providerArn: PROVIDER,
  issuerUrl: ISSUER,
  serviceAccounts: names.map((name) => ({ namespace, name })),
});

describe("core/trust: IRSA trust documents", () => {
  it("one exact ServiceAccount: StringEquals on sub and aud, keys from the issuer (not the ARN)", () => {
    assert.deepEqual(buildTrustPolicy([binding(["s3-processor"])]), {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${HOST}:aud`]: "sts.amazonaws.com",
              [`${HOST}:sub`]: "system:serviceaccount:data-pipeline:s3-processor",
            },
          },
        },
      ],
    });
  });

  it("a pattern: StringLike on sub while aud stays StringEquals", () => {
    const doc = buildTrustPolicy([binding(["report-*"], "reporting")]);
    assert.deepEqual(doc.Statement[0].Condition, {
      StringEquals: { [`${HOST}:aud`]: "sts.amazonaws.com" },
      StringLike: { [`${HOST}:sub`]: "system:serviceaccount:reporting:report-*" },
    });
  });

  it("exact names and patterns never share a statement; several clusters get one statement each", () => {
    const doc = buildTrustPolicy([
      binding(["a", "b", "job-*"]),
      { providerArn: PROVIDER2, issuerUrl: `https://${HOST2}/`, serviceAccounts: [{ namespace: "x", name: "a" }] },
    ]);
    assert.equal(doc.Statement.length, 3);
    assert.deepEqual(doc.Statement[0].Condition!.StringEquals[`${HOST}:sub`], ["system:serviceaccount:data-pipeline:a", "system:serviceaccount:data-pipeline:b"]);
    assert.equal(doc.Statement[0].Condition!.StringLike, undefined);
    assert.equal(doc.Statement[1].Condition!.StringLike[`${HOST}:sub`], "system:serviceaccount:data-pipeline:job-*");
    assert.deepEqual(doc.Statement[2].Principal, { Federated: PROVIDER2 });
    assert.ok(`${HOST2}:sub` in doc.Statement[2].Condition!.StringEquals, "trailing slash of the issuer is dropped");
  });

  it("refuses an empty binding list and a binding without ServiceAccounts", () => {
    assert.throws(() => buildTrustPolicy([]), /at least one binding/);
    assert.throws(() => buildTrustPolicy([binding([])]), /names no ServiceAccount/);
  });

  it("matches the sizes the reference gives (~480 chars for one provider and one SA)", () => {
    const size = policySize(buildTrustPolicy([binding(["s3-processor"])]));
    assert.ok(size > 380 && size < 520, String(size));
  });

  it("a role trusted by 40 ServiceAccounts across 5 clusters: over the default quota, within a raised one", () => {
    const bindings = Array.from({ length: 5 }, (_, c) => {
      const host = `oidc.eks.us-east-1.amazonaws.com/id/${String(c).repeat(32)}`;
      return { providerArn: `arn:aws:iam::111122223333:oidc-provider/${host}`, issuerUrl: `https://${host}`, serviceAccounts: Array.from({ length: 8 }, (_, i) => ({ namespace: `team-${i % 4}`, name: `worker-${c}-${i}` })) };
    });
    const doc = buildTrustPolicy(bindings);
    assert.equal(doc.Statement.length, 5);
    const size = policySize(doc);
    assert.throws(() => assertTrustFits(doc, 2048, "roleDefaults.trustPolicyQuota"), (e: Error) => e instanceof SizeLimitError && e.message === `the trust policy is ${size} characters, over the 2048-character quota; raise the account's quota and roleDefaults.trustPolicyQuota to at least ${size} (AWS allows up to 4096)`);
    assert.doesNotThrow(() => assertTrustFits(doc, 4096));
    const huge = buildTrustPolicy([...bindings, ...bindings.map((b) => ({ ...b, providerArn: `${b.providerArn}x`, issuerUrl: `${b.issuerUrl}x` }))]);
    assert.throws(() => assertTrustFits(huge, 4096), /AWS allows at most 4096: split the role/);
  });

  it("property: never a wildcard principal, aud always StringEquals sts.amazonaws.com, one sub key per statement", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/);
    const pattern = fc.oneof(name, name.map((n) => `${n}-*`), fc.constant("*"));
    fc.assert(
      fc.property(fc.array(fc.tuple(name, pattern), { minLength: 1, maxLength: 8 }), (sas) => {
        const doc = buildTrustPolicy([{ providerArn: PROVIDER, issuerUrl: ISSUER, serviceAccounts: sas.map(([namespace, n]) => ({ namespace, name: n })) }]);
        for (const s of doc.Statement) {
          assert.deepEqual(s.Principal, { Federated: PROVIDER });
          assert.equal(s.Condition!.StringEquals[`${HOST}:aud`], "sts.amazonaws.com");
          const operators = Object.keys(s.Condition!);
          assert.ok(operators.every((op) => op === "StringEquals" || op === "StringLike"));
          const subs = operators.flatMap((op) => Object.keys(s.Condition![op]).filter((k) => k.endsWith(":sub")));
          assert.equal(subs.length, 1);
        }
      }),
    );
  });
});

describe("core/trustEval: deciding AssumeRoleWithWebIdentity with real signed tokens", () => {
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
  let publicKey: Awaited<ReturnType<typeof generateKeyPair>>["publicKey"];
  before(async () => {
    ({ privateKey, publicKey } = await generateKeyPair("RS256"));
  });

  /** A projected ServiceAccount token as the EKS issuer signs it, verified as STS would before evaluating. */
  async function claimsOf(namespace: string, sa: string, audience = "sts.amazonaws.com", issuer = ISSUER): Promise<JWTPayload> {
    const token = await new SignJWT({
      "kubernetes.io": { namespace, serviceaccount: { name: sa, uid: "0b1c6b4e-2f4b-4d0e-9c77-6b7d7b1c1a11" }, pod: { name: `${sa}-7d9f`, uid: "5e0f" } },
    })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(issuer)
      .setSubject(`system:serviceaccount:${namespace}:${sa}`)
      .setAudience([audience])
      .setIssuedAt()
      .setNotBefore("0s")
      .setExpirationTime("1h")
      .sign(privateKey);
    const { payload } = await jwtVerify(token, publicKey, { issuer: ISSUER });
    return payload;
  }

  async function decision(doc: ReturnType<typeof buildTrustPolicy>, namespace: string, sa: string, audience?: string, provider = PROVIDER, host = HOST) {
    const claims = await claimsOf(namespace, sa, audience);
    return evaluateTrust(doc, webIdentityRequest(provider, host, { sub: claims.sub!, aud: asList(claims.aud)[0] }));
  }

  const exact = buildTrustPolicy([binding(["s3-processor"])]);
  const pattern = buildTrustPolicy([binding(["report-*"], "reporting")]);

  it("the bound ServiceAccount may assume", async () => assert.equal(await decision(exact, "data-pipeline", "s3-processor"), "Allowed"));
  it("another ServiceAccount in the namespace may not", async () => assert.equal(await decision(exact, "data-pipeline", "default"), "ImplicitlyDenied"));
  it("the same name in another namespace may not", async () => assert.equal(await decision(exact, "web", "s3-processor"), "ImplicitlyDenied"));
  it("another audience may not", async () => assert.equal(await decision(exact, "data-pipeline", "s3-processor", "vault"), "ImplicitlyDenied"));
  it("a token of another cluster's provider may not", async () => assert.equal(await decision(exact, "data-pipeline", "s3-processor", undefined, PROVIDER2, HOST2), "ImplicitlyDenied"));
  it("a pattern admits matching names", async () => assert.equal(await decision(pattern, "reporting", "report-daily"), "Allowed"));
  it("a pattern refuses names outside it", async () => assert.equal(await decision(pattern, "reporting", "exporter"), "ImplicitlyDenied"));
  it("a pattern does not reach other namespaces", async () => assert.equal(await decision(pattern, "reporting-2", "report-daily"), "ImplicitlyDenied"));
  it("a token signed by another key never reaches evaluation", async () => {
    const other = await generateKeyPair("RS256");
    const forged = await new SignJWT({}).setProtectedHeader({ alg: "RS256" }).setIssuer(ISSUER).setSubject("system:serviceaccount:data-pipeline:s3-processor").sign(other.privateKey);
    await assert.rejects(jwtVerify(forged, publicKey), /signature/);
  });
});

describe("core/trustEval: operators", () => {
  const ctx = { k: "abc", multi: ["a", "b"] };
  const table: [string, string, string[], boolean][] = [
    ["StringEquals", "k", ["abc"], true],
    ["StringEquals", "k", ["abd", "abc"], true],
    ["StringEquals", "k", ["ab"], false],
    ["StringNotEquals", "k", ["abc"], false],
    ["StringLike", "k", ["a*"], true],
    ["StringLike", "k", ["a?c"], true],
    ["StringLike", "k", ["a?"], false],
    ["StringEqualsIgnoreCase", "k", ["ABC"], true],
    ["StringEquals", "absent", ["x"], false],
    ["StringNotEquals", "absent", ["x"], true],
    ["StringEqualsIfExists", "absent", ["x"], true],
    ["StringEqualsIfExists", "k", ["x"], false],
    ["ForAnyValue:StringEquals", "multi", ["b"], true],
    ["ForAllValues:StringEquals", "multi", ["a"], false],
    ["ForAllValues:StringEquals", "multi", ["a", "b"], true],
    ["ForAllValues:StringEquals", "absent", ["a"], true],
    ["ForAnyValue:StringEquals", "absent", ["a"], false],
    ["Null", "absent", ["true"], true],
    ["Null", "k", ["true"], false],
    ["Bool", "k", ["ABC"], true],
  ];
  for (const [op, key, values, expected] of table) {
    it(`${op} ${key} ${JSON.stringify(values)} -> ${expected}`, () => assert.equal(conditionHolds(op, key, values, ctx), expected));
  }
  it("condition key names are case-insensitive, as in IAM", () => {
    assert.equal(conditionHolds("StringEquals", "Issuer:SUB", ["x"], { "issuer:sub": "x" }), true);
    assert.equal(conditionHolds("Null", "ISSUER:sub", ["false"], { "issuer:sub": "x" }), true);
  });
  it("refuses an operator it does not know rather than guessing", () => {
    assert.throws(() => conditionHolds("NumericLessThan", "k", ["1"], ctx), UnsupportedConditionError);
  });
  it("ArnLike matches field by field: a wildcard stays inside its field", () => {
    const role = "arn:aws:iam::123456789012:role/team/app";
    const ctx2 = { "aws:PrincipalArn": role };
    assert.equal(conditionHolds("ArnLike", "aws:PrincipalArn", ["arn:aws:iam::*:role/team/*"], ctx2), true);
    assert.equal(conditionHolds("ArnEquals", "aws:PrincipalArn", [role], ctx2), true);
    // A glob over the whole string would let "*" span the account and the resource type.
    assert.equal(conditionHolds("ArnLike", "aws:PrincipalArn", ["arn:aws:iam::*team/app"], ctx2), false);
    assert.equal(conditionHolds("ArnLike", "aws:PrincipalArn", ["arn:aws:*:role/team/app"], ctx2), false);
    assert.equal(conditionHolds("ArnLike", "aws:PrincipalArn", ["*"], ctx2), false, "not an ARN pattern");
    assert.equal(conditionHolds("ArnNotLike", "aws:PrincipalArn", ["arn:aws:iam::999999999999:role/*"], ctx2), true);
    // Colons inside the resource belong to the resource field.
    assert.equal(conditionHolds("ArnLike", "k", ["arn:aws:logs:us-east-1:1:log-group:*"], { k: "arn:aws:logs:us-east-1:1:log-group:x:y" }), true);
  });
  it("glob treats regex characters literally", () => {
    assert.ok(globMatch("a.b*", "a.bc"));
    assert.ok(!globMatch("a.b", "axb"));
  });
  it("an explicit Deny wins over an Allow", () => {
    const doc = buildTrustPolicy([binding(["s3-processor"])]);
    doc.Statement.push({ Effect: "Deny", Principal: "*", Action: "sts:*", Condition: { StringLike: { [`${HOST}:sub`]: "*:data-pipeline:*" } } });
    const req = webIdentityRequest(PROVIDER, HOST, { sub: "system:serviceaccount:data-pipeline:s3-processor", aud: "sts.amazonaws.com" });
    assert.equal(evaluateTrust(doc, req), "ExplicitlyDenied");
  });
  it("chained trust: the named role may assume, another role of the account may not, the account root is not trusted", () => {
    const source = "arn:aws:iam::111122223333:role/acme-prod-data-processor";
    const doc = buildRoleChainTrustPolicy([source]);
    const req = (arn: string) => ({ action: "sts:AssumeRole", principal: { AWS: arn }, context: { "aws:PrincipalArn": arn } });
    assert.equal(evaluateTrust(doc, req(source)), "Allowed");
    assert.equal(evaluateTrust(doc, req("arn:aws:iam::111122223333:role/other")), "ImplicitlyDenied");
    assert.ok(!JSON.stringify(doc).includes(":root"));
  });
});
