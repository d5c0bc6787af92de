/**
 * cert-manager (ACME DNS-01 with Route 53): upstream `content/docs/configuration/acme/dns01/route53.md`, which limits
 * record changes to TXT records, on the listed hosted zones only (upstream: `hostedzone/*`, with the advice to list
 * zones).
 */
import { arnIn, type PresetContext, type PresetDefinition, type PresetProbe, type PresetStatement } from "./preset";

const zone = (ctx: PresetContext, id: string) => arnIn(ctx, "route53", `hostedzone/${id}`, { region: false, account: false });
const TXT = { "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] } };

export const certManager: PresetDefinition = {
  name: "cert-manager",
  code: "CertManager",
  title: "cert-manager",
  upstream: [
    {
      repository: "cert-manager/website",
      path: "content/docs/configuration/acme/dns01/route53.md",
      commit: "776e5dba56510fc9de84206b806b568447077f25",
      fileCommit: "abdbb72fee1fba8fecd20645d829c53553a61b58",
      blob: "0bd2d79c185f39d2e2a379e60d43026fc31e70f5",
      actions: ["route53:ChangeResourceRecordSets", "route53:GetChange", "route53:ListHostedZonesByName", "route53:ListResourceRecordSets"],
    },
  ],
  notGranted: {},
  serviceAccount: { namespace: "cert-manager", name: "cert-manager", chart: "jetstack/cert-manager", annotationsValue: "serviceAccount.annotations" },
  required: ["hostedZoneIds"],
  optional: [],
  globalServices: ["route53"],
  statements: (ctx): PresetStatement[] => [
    {
      sid: "GetChange",
      actions: ["route53:GetChange"],
      resources: [arnIn(ctx, "route53", "change/*", { region: false, account: false })],
      residual: "waits for its own record changes, whose ids Route 53 returns at run time (read-only)",
    },
    { sid: "TxtRecords", actions: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"], resources: ctx.hostedZoneIds.map((id) => zone(ctx, id)), conditions: TXT },
    {
      sid: "FindZone",
      actions: ["route53:ListHostedZonesByName"],
      resources: ["*"],
      residual: "route53:ListHostedZonesByName accepts only \"*\"; an Issuer that sets hostedZoneID does not call it",
    },
  ],
  probes: (ctx): PresetProbe[] => {
    const mine = zone(ctx, ctx.hostedZoneIds[0]);
    return [
      { label: "ChangeResourceRecordSets of a TXT challenge in a listed zone", action: "route53:ChangeResourceRecordSets", resource: mine, context: { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] }, expect: "Allowed" },
      { label: "ChangeResourceRecordSets of an A record", action: "route53:ChangeResourceRecordSets", resource: mine, context: { "route53:ChangeResourceRecordSetsRecordTypes": ["A"] }, expect: "Denied" },
      { label: "ChangeResourceRecordSets of a TXT and an A record at once", action: "route53:ChangeResourceRecordSets", resource: mine, context: { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT", "A"] }, expect: "Denied" },
      { label: "ChangeResourceRecordSets of a TXT challenge in another zone", action: "route53:ChangeResourceRecordSets", resource: zone(ctx, "Z0THERZ0NE00000"), context: { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] }, expect: "Denied" },
      { label: "GetChange", action: "route53:GetChange", resource: arnIn(ctx, "route53", "change/C0123456789ABC", { region: false, account: false }), expect: "Allowed" },
    ];
  },
};
