/** Human lines for trust and permission documents, as the plan prints them and the access report shows guardrails. */
import { asList, type PolicyDocument, type Statement } from "../core/document";
import { clusterNameOfArn, POD_IDENTITY_SERVICE, SESSION_TAGS } from "../core/podIdentity";

/** A `pods.eks.amazonaws.com` statement as a person reads it: which associations, on which clusters, in which account. */
function describePodIdentity(s: Statement): string {
  const values = (key: string) =>
    Object.values(s.Condition ?? {}).flatMap((kv) => Object.entries(kv).filter(([k]) => k.toLowerCase() === key.toLowerCase()).flatMap(([, v]) => asList(v)));
  const clusters = values(`aws:RequestTag/${SESSION_TAGS.clusterArn}`);
  const sources = values("aws:SourceArn");
  const namespaces = values(`aws:RequestTag/${SESSION_TAGS.namespace}`);
  const sas = values(`aws:RequestTag/${SESSION_TAGS.serviceAccount}`);
  const account = values("aws:SourceAccount");
  const on = (arns: string[]) => (arns.length ? `on cluster${arns.length > 1 ? "s" : ""} ${arns.map(clusterNameOfArn).join(", ")}` : "on ANY cluster");
  const where = `${account.length ? `, account ${account.join(", ")}` : ", ANY account (no aws:SourceAccount)"}`;
  if (namespaces.length && sas.length) {
    return `Pod Identity associations of ServiceAccount ${sas.join(", ")} in namespace${namespaces.length > 1 ? "s" : ""} ${namespaces.join(", ")} ${on(clusters.length ? clusters : sources)} (session tags)${where}`;
  }
  if (clusters.length || sources.length) return `Pod Identity: ANY association naming the role ${on(clusters.length ? clusters : sources)} (namespace and ServiceAccount not in the trust: the association alone names them)${where}`;
  return `Pod Identity: ANY association naming the role, in any namespace of any cluster (no cluster, namespace or ServiceAccount condition)${where}`;
}

/** Human lines for who may assume a role, read from its trust document. */
export function describeTrust(doc: PolicyDocument): string[] {
  return doc.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => {
    const principal = s.Principal;
    const conditions = s.Condition ?? {};
    if (principal && principal !== "*" && principal.Federated) {
      const provider = asList(principal.Federated)[0];
      const issuer = provider.slice(provider.indexOf("oidc-provider/") + "oidc-provider/".length);
      const find = (suffix: string) =>
        Object.entries(conditions).flatMap(([op, kv]) => Object.entries(kv).filter(([k]) => k.endsWith(suffix)).map(([, v]) => ({ op, values: asList(v) })));
      const aud = find(":aud").flatMap((c) => c.values).join(", ") || "ANY AUDIENCE";
      const subs = find(":sub");
      if (subs.length === 0) return [`ANY ServiceAccount of ${issuer} (no sub condition)`];
      return subs.flatMap((c) => c.values.map((v) => `${v}${c.op === "StringLike" ? " (pattern)" : ""}  via ${issuer}  aud ${aud}`));
    }
    if (principal && principal !== "*" && asList(principal.Service).includes(POD_IDENTITY_SERVICE)) return [describePodIdentity(s)];
    const who = principal === "*" ? ["ANYONE"] : asList(principal?.AWS ?? principal?.Service);
    // A statement that only tags sessions (beside a pinned AssumeRole) lets nobody in by itself.
    const tagsOnly = s.Action !== undefined && asList(s.Action).every((a) => /^sts:TagSession$/i.test(a)) ? "  (sts:TagSession only: may pass session tags on)" : "";
    return who.map((w) => `${w}${describeConditions(s.Condition)}${tagsOnly}`);
  });
}

/** `  when key Operator value | value and ...`, or nothing. */
export function describeConditions(condition: Statement["Condition"]): string {
  if (!condition) return "";
  return (
    "  when " +
    Object.entries(condition)
      .flatMap(([op, kv]) => Object.entries(kv).map(([k, v]) => `${k} ${op} ${asList(v).join(" | ")}`))
      .join(" and ")
  );
}

/** Human lines for what a permission document allows and denies. */
export function describePermissions(doc: PolicyDocument): string[] {
  return doc.Statement.map((s) => {
    const verb = s.Effect === "Allow" ? "allow" : "deny ";
    const actions = asList(s.Action).join(", ");
    const resources = asList(s.Resource).join(", ");
    return `${verb} ${actions}  on ${resources}${describeConditions(s.Condition)}`;
  });
}
