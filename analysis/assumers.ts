/** Who may assume a role, read from its trust: one entry per ServiceAccount, role or other principal it allows. */
import { asList, type ConditionBlock } from "../core/document";
import { clusterNameOfArn, POD_IDENTITY_SERVICE, SESSION_TAGS } from "../core/podIdentity";
import type { Assumer } from "./model";
import type { RoleView } from "./roles";

const ROOT_PRINCIPAL = /^(?:arn:[\w-]+:iam::)?(\d{12})(?::root)?$/;

/**
 * The assumers of a role's Allow trust statements, in document order. `labels` names the stack's roles by ARN
 * (a source role of a chain is shown by its identity's label).
 */
export function assumersOf(role: Pick<RoleView, "trust" | "serviceAccounts"> & Partial<Pick<RoleView, "associations" | "arn">>, labels: ReadonlyMap<string, string>): Assumer[] {
  const out: Assumer[] = [];
  // A statement that only tags or names sessions (`sts:TagSession` beside a pinned AssumeRole) lets nobody assume the role.
  const assumes = (x: { Action?: string | string[] }) => x.Action === undefined || asList(x.Action).some((a) => !/^sts:(TagSession|SetSourceIdentity)$/i.test(a));
  for (const s of role.trust.Statement.filter((x) => x.Effect === "Allow" && assumes(x))) {
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
      const externalIds = pinnedValues(s.Condition ?? {}, "sts:ExternalId");
      for (const arn of pinned) out.push({ type: "role", arn, ...(labels.has(arn) ? { label: labels.get(arn) } : {}), ...(externalIds ? { externalIds } : {}) });
    }
    for (const service of asList(p.Service)) {
      if (service === POD_IDENTITY_SERVICE) out.push(...podIdentityAssumers(s.Condition ?? {}, role));
      else out.push({ type: "principal", principal: `service ${service}` });
    }
  }
  return out;
}

/** The values a statement requires for a key (case-insensitive), with positive string or ARN operators; undefined when it does not pin it. */
function pinnedValues(condition: ConditionBlock, key: string): string[] | undefined {
  const values = Object.entries(condition)
    .filter(([op]) => /^(StringEquals|StringLike|ArnEquals|ArnLike)$/.test(op))
    .flatMap(([, kv]) => Object.entries(kv).filter(([k]) => k.toLowerCase() === key.toLowerCase()).flatMap(([, v]) => asList(v)));
  return values.length > 0 ? values : undefined;
}

/**
 * Who a `pods.eks.amazonaws.com` statement admits: with cluster, namespace and ServiceAccount all pinned, the pods of
 * each such association (whether this stack registers it or not); pinned less, what it leaves open as a principal, and
 * the stack's own associations of the role, which it admits too.
 */
function podIdentityAssumers(condition: ConditionBlock, role: Partial<Pick<RoleView, "associations" | "arn">>): Assumer[] {
  const account = /^arn:[\w-]+:iam::(\d{12}):/.exec(role.arn ?? "")?.[1] ?? "?";
  const pinned = pinnedValues;
  const tagged = (tag: string) => pinned(condition, `aws:RequestTag/${tag}`);
  const byTags = tagged(SESSION_TAGS.clusterArn);
  const clusterArns = byTags ?? pinned(condition, "aws:SourceArn");
  const namespaces = tagged(SESSION_TAGS.namespace);
  const serviceAccounts = tagged(SESSION_TAGS.serviceAccount);
  const associations = role.associations ?? [];
  const exact = (values: string[] | undefined) => values !== undefined && !values.some((v) => /[*?]/.test(v));
  if (exact(clusterArns) && exact(namespaces) && exact(serviceAccounts)) {
    return clusterArns!.flatMap((clusterArn) =>
      namespaces!.flatMap((namespace) =>
        serviceAccounts!.map((serviceAccount) => {
          const cluster = clusterNameOfArn(clusterArn);
          const own = associations.find((a) => a.cluster === cluster && a.namespace === namespace && a.serviceAccount === serviceAccount);
          return { type: "pod-identity" as const, cluster, clusterArn, namespace, serviceAccount, sessionTags: own?.sessionTags ?? true, pinned: true, association: own !== undefined };
        }),
      ),
    );
  }
  const where = clusterArns ? `on cluster ${clusterArns.map(clusterNameOfArn).join(" or ")}` : `in account ${pinned(condition, "aws:SourceAccount")?.join(" or ") ?? `${account} (or any account: no aws:SourceAccount)`}`;
  const open = [!namespaces && "namespace", !serviceAccounts && "ServiceAccount", !clusterArns && "cluster"].filter(Boolean).join(", ");
  const own: Assumer[] = associations
    .filter((a) => !clusterArns || clusterArns.some((arn) => clusterNameOfArn(arn) === a.cluster))
    .map((a) => ({
      type: "pod-identity" as const,
      cluster: a.cluster,
      clusterArn: clusterArns?.find((arn) => clusterNameOfArn(arn) === a.cluster) ?? `arn:aws:eks:*:${account}:cluster/${a.cluster}`,
      namespace: a.namespace,
      serviceAccount: a.serviceAccount,
      sessionTags: a.sessionTags,
      pinned: false,
      association: true,
    }));
  return [{ type: "principal", principal: `any Pod Identity association ${where} (the trust pins no ${open})` }, ...own];
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
