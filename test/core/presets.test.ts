/**
 * The add-on presets against the AWS service catalog and a real IAM evaluator: every action and condition key exists
 * for its action, every upstream action is granted or its omission explained, each add-on's documented requests are
 * allowed and their cross-cluster / cross-zone / untagged variants denied, every statement on every resource of a type
 * says why, and a registered statement is recognised as its preset's only while it keeps the preset's conditions.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { catalogAction, conditionKeyValid } from "../../core/catalog";
import { Checker } from "../../core/check";
import { asList, policyDocument, type Statement } from "../../core/document";
import { compactStatements } from "../../core/layout";
import { chartValues, checkPreset, presetProbes, PRESETS, presetStatementMatch, presetStatements, type AddonPreset, type PresetProbe } from "../../core/presets";
import { typesReachedByAnyName } from "../../policy/lib/resourceScope";
import { checkProbes, probeAgrees } from "../../tools/access/verify";
import { ROOT } from "../../tools/offline";
import { CLUSTER, KEY, SAMPLE_PRESETS, VPC, ZONE } from "../helpers/presets";

const ENV = { partition: "aws" as const, region: "us-east-1", accountId: "111122223333" };
const ROLE = "arn:aws:iam::111122223333:role/addon";

async function decisions(statements: Statement[], probes: PresetProbe[]) {
  return checkProbes({ principal: ROLE, region: ENV.region, documents: [policyDocument(statements)], rows: [], denies: [], trustOf: () => undefined }, probes);
}

const problemsOf = (preset: unknown, clusterName?: string) => {
  const c = new Checker("us-east-1");
  checkPreset(c, ["preset"], preset, clusterName);
  return c.problems.map((p) => `${p.path.join(".")}: ${p.message}`);
};

function withoutCondition(s: Statement): Statement {
  const copy = { ...s };
  delete copy.Condition;
  return copy;
}

const label = (p: AddonPreset) => `${p.name}${p.clusterScoped ? " (clusterScoped)" : ""}${p.kmsKeyArns ? " with KMS keys" : ""}`;

describe("presets: the add-ons' policies", () => {
  it("covers at least the eight add-ons of the issue, each with a sample here", () => {
    assert.deepEqual(Object.keys(PRESETS).sort(), ["aws-load-balancer-controller", "cert-manager", "cluster-autoscaler", "ebs-csi", "efs-csi", "external-dns", "velero", "vpc-cni"]);
    for (const name of Object.keys(PRESETS)) assert.ok(SAMPLE_PRESETS.some((p) => p.name === name), name);
  });

  for (const preset of SAMPLE_PRESETS) {
    describe(label(preset), () => {
      const statements = presetStatements({ preset }, ENV);
      const def = PRESETS[preset.name];

      it("takes these inputs without a problem", () => {
        assert.deepEqual(problemsOf(preset), []);
      });

      it("every action is in the service catalog, every condition key one its actions evaluate", () => {
        for (const s of statements) {
          for (const action of asList(s.Action)) {
            const found = catalogAction(action);
            assert.ok(found, `${s.Sid}: ${action}`);
            // A ForAllValues condition on a key an action never carries holds for it (vacuously): upstream shares such
            // statements between actions (cert-manager's TXT condition also covers ListResourceRecordSets).
            const keys = Object.entries(s.Condition ?? {}).flatMap(([op, kv]) => (op.startsWith("ForAllValues:") ? [] : Object.keys(kv)));
            for (const key of keys) assert.ok(conditionKeyValid(found, key), `${s.Sid}: ${key} for ${action}`);
          }
        }
      });

      it("allows each request the add-on documents and denies its variants (iam-simulate)", async () => {
        const probes = presetProbes({ preset }, ENV);
        assert.ok(probes.some((p) => p.expect === "Allowed") && probes.some((p) => p.expect === "Denied"));
        const results = await decisions(statements, probes);
        assert.deepEqual(results.filter((r) => !probeAgrees(r)), []);
      });

      it("says why for every statement on every resource of a type, and only for those", async () => {
        for (const s of statements) {
          const broad = (await Promise.all(asList(s.Resource).map(typesReachedByAnyName))).some((t) => t.length > 0);
          const match = presetStatementMatch(s);
          assert.ok(match && !match.mismatch, `${s.Sid}: ${match?.mismatch}`);
          assert.equal(Boolean(match.residual), broad, `${s.Sid} on ${asList(s.Resource).join(", ")}: residual ${match.residual ?? "none"}`);
        }
      });

      it("keeps one statement per Sid through compaction (the layout never merges two of them)", () => {
        assert.equal(compactStatements(statements).length, statements.length);
        assert.equal(new Set(statements.map((s) => s.Sid)).size, statements.length);
        for (const s of statements) assert.match(s.Sid!, new RegExp(`^EksIrsa${def.code}[A-Za-z0-9]+$`));
      });
    });
  }

  it("grants every action of the pinned upstream policy, or says why not", () => {
    for (const def of Object.values(PRESETS)) {
      const samples = SAMPLE_PRESETS.filter((p) => p.name === def.name);
      const granted = new Set(samples.flatMap((preset) => presetStatements({ preset }, ENV).flatMap((s) => asList(s.Action))));
      for (const pin of def.upstream) {
        assert.match(pin.commit, /^[0-9a-f]{40}$/);
        assert.match(pin.fileCommit, /^[0-9a-f]{40}$/);
        assert.match(pin.blob, /^[0-9a-f]{40}$/);
        assert.deepEqual(pin.actions, [...pin.actions].sort(), `${def.name}: the pin's actions are sorted`);
        const missing = pin.actions.filter((a) => !granted.has(a) && !(a in def.notGranted));
        assert.deepEqual(missing, [], `${def.name}: upstream actions neither granted nor explained`);
      }
      const upstream = new Set(def.upstream.flatMap((u) => u.actions));
      const extra = [...granted].filter((a) => !upstream.has(a) && !(a in (def.added ?? {})));
      assert.deepEqual(extra, [], `${def.name}: actions beyond upstream without a reason`);
    }
  });

  describe("the tightening is what makes the variants fail", () => {
    const loosen = (statements: Statement[], from: RegExp, to: (s: Statement) => Statement) => statements.map((s) => (from.test(s.Sid ?? "") ? to(s) : s));

    it("LBC: upstream's 'the tag exists' guard would let it delete another cluster's security group", async () => {
      const preset = SAMPLE_PRESETS[0];
      const upstreamLike = loosen(presetStatements({ preset }, ENV), /ManageOwnSecurityGroups$/, (s) => ({ ...s, Condition: { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } } }));
      const [other] = presetProbes({ preset }, ENV).filter((p) => p.label === "DeleteSecurityGroup of another cluster");
      assert.equal((await decisions(upstreamLike, [other]))[0].decision, "Allowed");
      assert.equal((await decisions(presetStatements({ preset }, ENV), [other]))[0].decision, "ImplicitlyDenied");
    });

    it("cert-manager: without the TXT condition (as the Terraform modules ship it) an A record would pass", async () => {
      const preset: AddonPreset = { name: "cert-manager", hostedZoneIds: [ZONE] };
      const modules = loosen(presetStatements({ preset }, ENV), /TxtRecords$/, withoutCondition);
      const [a] = presetProbes({ preset }, ENV).filter((p) => p.label === "ChangeResourceRecordSets of an A record");
      assert.equal((await decisions(modules, [a]))[0].decision, "Allowed");
    });

    it("external-dns: upstream's hostedzone/* would reach another zone", async () => {
      const preset: AddonPreset = { name: "external-dns", hostedZoneIds: [ZONE] };
      const upstream = loosen(presetStatements({ preset }, ENV), /ChangeRecords$/, (s) => ({ ...s, Resource: "arn:aws:route53:::hostedzone/*" }));
      const [other] = presetProbes({ preset }, ENV).filter((p) => p.label === "ChangeResourceRecordSets in another zone");
      assert.equal((await decisions(upstream, [other]))[0].decision, "Allowed");
    });
  });

  describe("a registered statement is the preset's only as the preset registers it", () => {
    const [lbc] = presetStatements({ preset: SAMPLE_PRESETS[0] }, ENV).filter((s) => s.Sid === "EksIrsaLbcManageOwnBalancers");

    it("recognises it with its reason", () => {
      assert.match(presetStatementMatch(lbc)!.residual!, /carrying this cluster's tag/);
    });

    it("not with its condition dropped, widened to any value, an action added or a resource widened", () => {
      const bare = withoutCondition(lbc);
      assert.match(presetStatementMatch(bare)!.mismatch!, /lacks the preset's condition StringEquals aws:ResourceTag\/elbv2\.k8s\.aws\/cluster/);
      const anyValue = { ...lbc, Condition: { StringLike: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "*" } } };
      assert.ok(presetStatementMatch(anyValue)!.mismatch);
      assert.match(presetStatementMatch({ ...lbc, Action: [...asList(lbc.Action), "ec2:TerminateInstances"] })!.mismatch!, /grants ec2:TerminateInstances/);
      const [tag] = presetStatements({ preset: SAMPLE_PRESETS[0] }, ENV).filter((s) => s.Sid === "EksIrsaLbcRegisterTargets");
      assert.match(presetStatementMatch({ ...tag, Resource: "*" })!.mismatch!, /outside the preset's/);
    });

    it("not a negated guard with one of its values gone (EBS CSI's tag keys it must never edit)", () => {
      const [retag] = presetStatements({ preset: SAMPLE_PRESETS[1] }, ENV).filter((s) => s.Sid === "EksIrsaEbsCsiRetagManagedVolumes");
      const wider = { ...retag, Condition: { ...retag.Condition, "ForAllValues:StringNotEquals": { "aws:TagKeys": ["ebs.csi.aws.com/cluster-name"] } } };
      assert.ok(presetStatementMatch(wider)!.mismatch);
    });

    it("statements of no preset are not read as one", () => {
      assert.equal(presetStatementMatch({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }), undefined);
      assert.equal(presetStatementMatch({ Sid: "EksIrsaNoSuchThing", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }), undefined);
    });
  });

  describe("inputs", () => {
    it("requires the inputs that scope a mutating upstream '*'", () => {
      assert.deepEqual(problemsOf({ name: "aws-load-balancer-controller" }), [
        "preset.clusterName: is required by preset aws-load-balancer-controller (or give the workload's clusterName)",
        "preset.vpcId: is required by preset aws-load-balancer-controller",
      ]);
      assert.deepEqual(problemsOf({ name: "aws-load-balancer-controller" }, CLUSTER), ["preset.vpcId: is required by preset aws-load-balancer-controller"]);
      assert.deepEqual(problemsOf({ name: "external-dns" }), ["preset.hostedZoneIds: is required by preset external-dns"]);
      assert.deepEqual(problemsOf({ name: "velero" }), ["preset.bucket: is required by preset velero"]);
      assert.deepEqual(problemsOf({ name: "efs-csi" }), ["preset.fileSystemIds: is required by preset efs-csi"]);
      assert.deepEqual(problemsOf({ name: "ebs-csi", clusterScoped: true }), ["preset.clusterName: is required by preset ebs-csi with clusterScoped (or give the workload's clusterName)"]);
    });

    it("refuses an input of another preset, an unknown preset and malformed ids", () => {
      assert.deepEqual(problemsOf({ name: "cert-manager", hostedZoneIds: [ZONE], vpcId: VPC }), ["preset.vpcId: is not an input of preset cert-manager (it takes hostedZoneIds)"]);
      assert.deepEqual(problemsOf({ name: "traefik" }), ['preset.name: "traefik" is not a known add-on preset (aws-load-balancer-controller, ebs-csi, efs-csi, external-dns, cert-manager, cluster-autoscaler, vpc-cni or velero)']);
      assert.deepEqual(problemsOf({ name: "external-dns", hostedZoneIds: ["/hostedzone/Z1", ZONE, ZONE] }), [
        'preset.hostedZoneIds.0: "/hostedzone/Z1" is not a valid Route 53 hosted zone id (Z and up to 31 uppercase letters and digits; not /hostedzone/... or an ARN)',
        `preset.hostedZoneIds.2: "${ZONE}" is listed twice`,
      ]);
      assert.match(problemsOf({ name: "vpc-cni", clusterName: CLUSTER, vpcId: "vpc-123" })[0], /vpcId: "vpc-123" is not a valid VPC id/);
      assert.match(problemsOf({ name: "ebs-csi", kmsKeyArns: ["arn:aws:kms:us-east-1:111122223333:alias/ebs"] })[0], /kmsKeyArns\.0: .* is not a valid KMS key ARN/);
      assert.deepEqual(problemsOf({ name: "ebs-csi", kmsKeyArns: [KEY], extra: 1 }), ["preset.extra: unknown argument"]);
    });
  });

  it("the chart values a preset relies on, filled in: the cluster-scoped EBS policy needs the driver to write its cluster-name tag", () => {
    assert.deepEqual(chartValues({ preset: { name: "ebs-csi", clusterScoped: true }, clusterName: CLUSTER }, "eu-west-1"), [`controller.k8sTagClusterId=${CLUSTER}`]);
    assert.deepEqual(chartValues({ preset: { name: "ebs-csi" }, clusterName: CLUSTER }, "eu-west-1"), []);
    assert.deepEqual(chartValues({ preset: { name: "cluster-autoscaler" }, clusterName: CLUSTER }, "eu-west-1"), [`autoDiscovery.clusterName=${CLUSTER}`, "awsRegion=eu-west-1"]);
  });

  it("docs/presets.md documents each preset: its section, its chart's ServiceAccount and value, its pins, every residual statement", () => {
    const doc = readFileSync(path.join(ROOT, "docs/presets.md"), "utf8");
    for (const def of Object.values(PRESETS)) {
      const section = doc.split(`\n## ${def.name}\n`)[1]?.split("\n## ")[0];
      assert.ok(section, `## ${def.name}`);
      assert.ok(doc.includes(`| \`${def.name}\` | \`${def.serviceAccount.chart.split(" ")[0]}\``), `${def.name}: chart row`);
      assert.ok(doc.includes(`\`${def.serviceAccount.namespace}/${def.serviceAccount.name}\` | \`${def.serviceAccount.annotationsValue}\``), `${def.name}: ServiceAccount and value`);
      for (const pin of def.upstream) for (const fact of [pin.repository, pin.path, pin.commit, pin.fileCommit]) assert.ok(doc.includes(fact), `${def.name}: ${fact}`);
      const residual = SAMPLE_PRESETS.filter((p) => p.name === def.name).flatMap((preset) => presetStatements({ preset }, ENV).filter((st) => presetStatementMatch(st)?.residual));
      for (const st of residual) assert.ok(section.includes(st.Sid!.replace(`EksIrsa${def.code}`, "")), `${def.name}: ${st.Sid}`);
    }
  });

  it("docs/troubleshooting.md maps the real error messages to the --explain command that confirms each", () => {
    const doc = readFileSync(path.join(ROOT, "docs/troubleshooting.md"), "utf8");
    for (const message of ["InvalidIdentityToken: No OpenIDConnect provider found", "`AccessDenied` on `AssumeRoleWithWebIdentity`", "not authorized to perform: sts:AssumeRoleWithWebIdentity", "`AccessDenied` on the data call"]) {
      const section = doc.split(message)[1]?.split("\n### ")[0];
      assert.ok(section, message);
      assert.match(section, /--explain/, `${message}: the command that confirms it`);
    }
  });
});
