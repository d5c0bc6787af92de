/** Who may assume a role, read from its trust: one entry per ServiceAccount, role or other principal it allows. */
import { asList, type ConditionBlock } from "../core/document";
import type { Assumer } from "./model";
import type { RoleView } from "./roles";

const ROOT_PRINCIPAL = /^(?:arn:[\w-]+:iam::)?(\d{12})(?::root)?$/;

/**
 * The assumers of a role's Allow trust statements, in document order. `labels` names the stack's roles by ARN
 * (a source role of a chain is shown by its identity's label).
 */
export function assumersOf(role: Pick<RoleView, "trust" | "serviceAccounts">, labels: ReadonlyMap<string, string>): Assumer[] {
  const out: Assumer[] = [];
  for (const s of role.trust.Statement.filter((x) => x.Effect === "Allow")) {
    const p = s.Principal;
    if (p === undefined || p === "*") {
      out.push({ type: "principal", principal: p === "*" ? "anyone (*)" : "no principal" });
      continue;
    }
    for (const provider of asList(p.Federated)) out.push(...federatedAssumers(provider, s.Condition ?? {}, role));
    for (const aws of asList(p.AWS)) {
      const root = ROOT_PRINCIPAL.exec(aws);
      // An account root pinned to roles by `aws:PrincipalArn` is assumed by those roles only.
      const pinned = root ? principalArnValues(s.Condition ?? {}) : [aws];
      if (pinned.length === 0) out.push({ type: "principal", principal: `any principal of account ${root![1]}` });
      for (const arn of pinned) out.push({ type: "role", arn, ...(labels.has(arn) ? { label: labels.get(arn) } : {}) });
    }
    for (const service of asList(p.Service)) out.push({ type: "principal", principal: `service ${service}` });
  }
  return out;
}

function principalArnValues(condition: ConditionBlock): string[] {
  return Object.entries(condition)
    .filter(([op]) => /^(ArnEquals|ArnLike|StringEquals|StringLike)$/.test(op))
    .flatMap(([, kv]) => Object.entries(kv).filter(([k]) => k.toLowerCase() === "aws:principalarn").flatMap(([, v]) => asList(v)));
}

function federatedAssumers(provider: string, condition: ConditionBlock, role: Pick<RoleView, "serviceAccounts">): Assumer[] {
  const at = provider.indexOf(":oidc-provider/");
  const issuer = at >= 0 ? provider.slice(at + ":oidc-provider/".length) : provider;
  const claim = (name: string) =>
    Object.entries(condition).flatMap(([op, kv]) =>
      Object.entries(kv).filter(([k]) => k.toLowerCase() === `${issuer}:${name}`.toLowerCase()).flatMap(([, v]) => asList(v).map((value) => ({ op, value }))),
    );
  const subs = claim("sub");
  if (subs.length === 0) return [{ type: "principal", principal: `any token of ${issuer} (no sub condition)` }];
  const audiences = claim("aud").map((a) => a.value);
  return subs.map(({ op, value }) => {
    const sa = /^system:serviceaccount:([^:]+):(.+)$/.exec(value);
    const serviceAccount = sa ? `${sa[1]}/${sa[2]}` : value;
    return {
      type: "service-account" as const,
      serviceAccount,
      pattern: op.includes("Like") && /[*?]/.test(value),
      subject: value,
      issuer,
      provider,
      audiences,
      created: role.serviceAccounts.some((x) => `${x.namespace}/${x.name}` === serviceAccount),
    };
  });
}
