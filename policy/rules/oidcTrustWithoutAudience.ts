import { classify, claimConditions, providerHost, federatedOf } from "../lib/oidc";
import { eachAllowTrustStatement } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

interface Config {
  /** Audiences an IRSA trust may require. */
  audiences: string[];
  irsaIssuers: string[];
}

export const oidcTrustWithoutAudience: ResourceRule<Config> = {
  kind: "resource",
  name: "oidc-trust-without-audience",
  description: "An IRSA trust statement must require the aud claim with StringEquals sts.amazonaws.com (or a configured audience) for its own issuer.",
  enforcementLevel: "mandatory",
  defaults: { audiences: ["sts.amazonaws.com"], irsaIssuers: [] },
  configSchema: {
    properties: {
      audiences: { type: "array", items: { type: "string" }, default: ["sts.amazonaws.com"] },
      irsaIssuers: { type: "array", items: { type: "string" }, default: [] },
    },
  },
  check({ type, props }, config) {
    return eachAllowTrustStatement(type, props, (s, i) => {
      if (classify(s, config.irsaIssuers) !== "irsa") return [];
      const hosts = federatedOf(s).map(providerHost);
      const auds = claimConditions(s, "aud").filter((c) => hosts.some((h) => c.key.toLowerCase() === `${h}:aud`.toLowerCase()));
      const where = `trust statement ${i}`;
      if (auds.length === 0) return [`${where}: no aud condition for its issuer: tokens minted for any audience would be accepted`];
      return auds.flatMap((c) =>
        c.op !== "StringEquals"
          ? [`${where}: aud uses ${c.op}; it must be StringEquals`]
          : c.values.filter((v) => !config.audiences.includes(v)).map((v) => `${where}: aud ${JSON.stringify(v)} is not an allowed audience (${config.audiences.join(", ")})`),
      );
    });
  },
};

export const policy = toPolicy(oidcTrustWithoutAudience);
