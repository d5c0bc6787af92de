/** What changed between two access models, as a reviewer reads it: who gains or loses what, new identities, trust. */
import { DEFAULT_AUDIENCE } from "../../core/trust";
import type { AccessModel, Assumer, Grant, Identity } from "./model";

export interface Change {
  /** `+` access or trust gained (or a new identity), `-` lost, `~` anything else that changed. */
  sign: "+" | "-" | "~";
  /** `<kind> <label>` of the identity it concerns. */
  identity: string;
  text: string;
}

const keyOf = (i: Identity) => `${i.kind} ${i.label}`;
const grantKey = (g: Grant) => JSON.stringify([g.action, g.resource, g.conditions]);

function assumerKey(a: Assumer): string {
  if (a.type === "service-account") return JSON.stringify([a.type, a.subject, a.provider, a.audiences]);
  return JSON.stringify([a.type, a.type === "role" ? a.arn : a.principal]);
}

/** `namespace/name` (with a non-default audience, and the issuer when the models' issuers differ), or a role's label and ARN. */
function assumerText(a: Assumer, withIssuer: boolean): string {
  if (a.type === "service-account") {
    const aud = a.audiences.length === 1 && a.audiences[0] === DEFAULT_AUDIENCE ? "" : ` aud ${a.audiences.join(", ") || "any"}`;
    return `${a.serviceAccount}${aud}${withIssuer ? ` via ${a.issuer}` : ""}`;
  }
  if (a.type === "role") return a.label ? `${a.label} (${a.arn})` : a.arn;
  return a.principal;
}

/**
 * The ServiceAccounts that act with the identity's access (through a chain of roles too: a cross-account target
 * is used by the ServiceAccounts of its source roles), or its label when none does.
 */
function whoOf(i: Identity, model: AccessModel): string {
  const byArn = new Map(model.identities.map((x) => [x.roleArn, x]));
  const serviceAccounts = (x: Identity, seen: Set<string>): string[] =>
    x.assumers.flatMap((a) => {
      if (a.type === "service-account") return [a.serviceAccount];
      const source = a.type === "role" ? byArn.get(a.arn) : undefined;
      if (!source || seen.has(source.roleArn)) return [];
      return serviceAccounts(source, new Set([...seen, source.roleArn]));
    });
  const unique = [...new Set(serviceAccounts(i, new Set([i.roleArn])))].join(", ");
  if (!unique) return keyOf(i);
  return i.kind === "workload" ? unique : `${unique} (as ${keyOf(i)})`;
}

const when = (g: Grant) => (g.conditions.length ? ` when ${g.conditions.join(" and ")}` : "");
const grantText = (g: Grant) => `${g.action} on ${g.resource}${when(g)}`;

function minus<T>(a: T[], b: T[], key: (x: T) => string): T[] {
  const keys = new Set(b.map(key));
  return a.filter((x) => !keys.has(key(x)));
}

function identityChanges(base: Identity | undefined, head: Identity | undefined, withIssuer: boolean, models: { base: AccessModel; head: AccessModel }): Change[] {
  const id = (head ?? base)!;
  const identity = keyOf(id);
  const out: Change[] = [];
  const line = (sign: Change["sign"], text: string) => out.push({ sign, identity, text });
  const assumers = (i: Identity) => i.assumers.map((a) => assumerText(a, withIssuer)).join(", ") || "nobody";
  if (!base && head) line("+", `new ${identity}: ${head.roleArn}, assumed by ${assumers(head)}`);
  if (base && !head) line("-", `removed ${identity}: ${base.roleArn}, was assumed by ${assumers(base)}`);
  if (base && head) {
    if (base.roleArn !== head.roleArn) line("~", `${identity}: role ${base.roleArn} is replaced by ${head.roleArn}`);
    for (const a of minus(head.assumers, base.assumers, assumerKey)) line("+", `${identity} now assumable by ${assumerText(a, withIssuer)}`);
    for (const a of minus(base.assumers, head.assumers, assumerKey)) line("-", `${identity} no longer assumable by ${assumerText(a, withIssuer)}`);
  }
  for (const g of minus(head?.grants ?? [], base?.grants ?? [], grantKey)) line("+", `${whoOf(head!, models.head)} gains ${grantText(g)}`);
  for (const g of minus(base?.grants ?? [], head?.grants ?? [], grantKey)) line("-", `${head ? whoOf(head, models.head) : whoOf(base!, models.base)} loses ${grantText(g)}`);
  if (base && head) {
    const same = (s: string) => s;
    for (const g of minus(head.guardrails, base.guardrails, same)) line("~", `${identity} guardrail added: ${g}`);
    for (const g of minus(base.guardrails, head.guardrails, same)) line("~", `${identity} guardrail removed: ${g}`);
    for (const n of minus(head.notEvaluated, base.notEvaluated, same)) line("~", `${identity} now has ${n}`);
    for (const n of minus(base.notEvaluated, head.notEvaluated, same)) line("~", `${identity} no longer has ${n}`);
  }
  return out;
}

/** Every change from `base` to `head`: identities in head's order, then the removed ones. */
export function diffModels(base: AccessModel, head: AccessModel): Change[] {
  const issuers = (m: AccessModel) => [...new Set(m.identities.flatMap((i) => i.assumers.flatMap((a) => (a.type === "service-account" ? [a.issuer] : []))))].sort().join(" ");
  const withIssuer = issuers(base) !== issuers(head);
  const before = new Map(base.identities.map((i) => [keyOf(i), i]));
  const after = new Set(head.identities.map(keyOf));
  return [
    ...head.identities.flatMap((i) => identityChanges(before.get(keyOf(i)), i, withIssuer, { base, head })),
    ...base.identities.filter((i) => !after.has(keyOf(i))).flatMap((i) => identityChanges(i, undefined, withIssuer, { base, head })),
  ];
}
