/**
 * external-dns: upstream `docs/tutorials/aws.md`, on the listed hosted zones only (upstream: `hostedzone/*`, with
 * the advice to list zones), optionally limited to DNS names (upstream's ABAC variant).
 */
import { arnIn, type PresetContext, type PresetDefinition, type PresetProbe, type PresetStatement } from "./preset";

const ZONE_ACTIONS = ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:ListTagsForResources"];
const zone = (ctx: PresetContext, id: string) => arnIn(ctx, "route53", `hostedzone/${id}`, { region: false, account: false });

export const externalDns: PresetDefinition = {
  name: "external-dns",
  code: "ExternalDns",
  title: "ExternalDNS",
  upstream: [
    {
      repository: "kubernetes-sigs/external-dns",
      path: "docs/tutorials/aws.md",
      commit: "2bf1bf8af2b70f23579f9147c1f7e9394f7f83d5",
      fileCommit: "9d4616c13f98c474b14e78e15ca269df79743c17",
      blob: "aef4df4d5716cbff2155d7e93040736f9f467320",
      actions: [...ZONE_ACTIONS, "route53:ListHostedZones"].sort(),
    },
  ],
  notGranted: {},
  serviceAccount: { namespace: "default", name: "external-dns", chart: "external-dns/external-dns", annotationsValue: "serviceAccount.annotations", alsoSet: ["provider.name=aws", "extraArgs={<zoneIdFilters>}"] },
  required: ["hostedZoneIds"],
  optional: ["domainFilters"],
  globalServices: ["route53"],
  variants: [{ domainFilters: ["*"] }, {}],
  statements: (ctx): PresetStatement[] => {
    const zones = ctx.hostedZoneIds.map((id) => zone(ctx, id));
    return [
      {
        sid: "ChangeRecords",
        actions: ["route53:ChangeResourceRecordSets"],
        resources: zones,
        ...(ctx.domainFilters.length > 0 ? { conditions: { "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ctx.domainFilters } } } : {}),
      },
      { sid: "ReadZones", actions: ["route53:ListResourceRecordSets", "route53:ListTagsForResources"], resources: zones },
      { sid: "ListZones", actions: ["route53:ListHostedZones"], resources: ["*"], residual: "route53:ListHostedZones accepts only \"*\" (it reads zone names, not records)" },
    ];
  },
  probes: (ctx): PresetProbe[] => {
    const mine = zone(ctx, ctx.hostedZoneIds[0]);
    const names: Record<string, string[]> = ctx.domainFilters.length > 0 ? { "route53:ChangeResourceRecordSetsNormalizedRecordNames": [ctx.domainFilters[0].replace(/\*/g, "shop")] } : {};
    return [
      { label: "ChangeResourceRecordSets in a listed zone", action: "route53:ChangeResourceRecordSets", resource: mine, context: { "route53:ChangeResourceRecordSetsRecordTypes": ["A"], ...names }, expect: "Allowed" },
      { label: "ChangeResourceRecordSets in another zone", action: "route53:ChangeResourceRecordSets", resource: zone(ctx, "Z0THERZ0NE00000"), context: { "route53:ChangeResourceRecordSetsRecordTypes": ["A"], ...names }, expect: "Denied" },
      { label: "ListResourceRecordSets of another zone", action: "route53:ListResourceRecordSets", resource: zone(ctx, "Z0THERZ0NE00000"), expect: "Denied" },
      { label: "ListHostedZones", action: "route53:ListHostedZones", resource: "*", expect: "Allowed" },
      ...(ctx.domainFilters.length > 0
        ? [{ label: "ChangeResourceRecordSets of a name outside domainFilters", action: "route53:ChangeResourceRecordSets", resource: mine, context: { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["outside.invalid"] }, expect: "Denied" as const }]
        : []),
    ];
  },
};
