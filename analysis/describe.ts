/** Human lines for trust and permission documents, as the plan prints them and the access report shows guardrails. */
import { asList, type PolicyDocument, type Statement } from "../core/document";

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
    const who = principal === "*" ? ["ANYONE"] : asList(principal?.AWS ?? principal?.Service);
    return who.map((w) => `${w}${describeConditions(s.Condition)}`);
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
