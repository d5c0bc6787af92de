/** What changed between two access models, as a reviewer reads it: who gains or loses what, new identities, trust. */
import { DEFAULT_AUDIENCE } from "../core/trust";
import { conditionsKey, sortConditions, type Condition } from "./condition";
import type { ExternalSecretView, SecretStoreView } from "./eso";
import { grantText } from "./grants";
import { podIdentityText, type AccessModel, type Assumer, type Grant, type Identity } from "./model";

export interface Change {
  /** `+` access or trust gained, widened (a guardrail removed) or a new identity; `-` lost or narrowed; `~` anything else. */
  sign: "+" | "-" | "~";
  /** `<kind> <label>` of the identity it concerns. */
  identity: string;
  text: string;
}

const keyOf = (i: Identity) => `${i.kind} ${i.label}`;
const grantKey = (g: Grant) => JSON.stringify([g.action, g.resource, conditionsKey(g.conditions), ...(g.via ? [g.via] : [])]);

function assumerKey(a: Assumer): string {
  if (a.type === "service-account") return JSON.stringify([a.type, a.subject, a.provider, a.audiences]);
  if (a.type === "pod-identity") return JSON.stringify([a.type, a.clusterArn, a.namespace, a.serviceAccount, a.sessionTags]);
  return JSON.stringify([a.type, a.type === "role" ? a.arn : a.principal]);
}

/** `namespace/name` (with a non-default audience, and the issuer when the models' issuers differ), or a role's label and ARN. */
function assumerText(a: Assumer, withIssuer: boolean): string {
  if (a.type === "service-account") {
    const aud = a.audiences.length === 1 && a.audiences[0] === DEFAULT_AUDIENCE ? "" : ` aud ${a.audiences.join(", ") || "any"}`;
    return `${a.serviceAccount}${aud}${withIssuer ? ` via ${a.issuer}` : ""}`;
  }
  if (a.type === "role") return a.label ? `${a.label} (${a.arn})` : a.arn;
  if (a.type === "pod-identity") return podIdentityText(a);
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
      if (a.type === "pod-identity") return [`${a.namespace}/${a.serviceAccount}`];
      const source = a.type === "role" ? byArn.get(a.arn) : undefined;
      if (!source || seen.has(source.roleArn)) return [];
      return serviceAccounts(source, new Set([...seen, source.roleArn]));
    });
  const unique = [...new Set(serviceAccounts(i, new Set([i.roleArn])))].join(", ");
  if (!unique) return keyOf(i);
  return i.kind === "workload" ? unique : `${unique} (as ${keyOf(i)})`;
}


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
  const gained = minus(head?.grants ?? [], base?.grants ?? [], grantKey);
  const lost = minus(base?.grants ?? [], head?.grants ?? [], grantKey);
  const who = head ? whoOf(head, models.head) : whoOf(base!, models.base);
  // A row whose conditions differ only in the values of one (compaction merges `s3:prefix` values of one
  // bucket): report the values, not the whole row as lost and gained.
  const narrowed = new Map<Grant, string[]>();
  for (const g of gained) {
    const before = lost.find((b) => !narrowed.has(b) && valuesChanged(b, g) !== undefined);
    if (!before) {
      line("+", `${who} gains ${grantText(g)}`);
      continue;
    }
    const { was, now, rest } = valuesChanged(before, g)!;
    const more = now.values.filter((v) => !was.values.includes(v));
    const fewer = was.values.filter((v) => !now.values.includes(v));
    const row = (values: string[]) => grantText({ ...g, conditions: sortConditions([{ ...now, values }, ...rest]) });
    if (more.length) line("+", `${who} gains ${row(more)}`);
    narrowed.set(before, fewer.length ? [`${who} loses ${row(fewer)}`] : []);
  }
  for (const g of lost) {
    const values = narrowed.get(g);
    if (values) values.forEach((text) => line("-", text));
    else line("-", `${who} loses ${grantText(g)}`);
  }
  if (base && head) {
    const same = (s: string) => s;
    // A guardrail or a boundary that goes away widens access; one that comes narrows it.
    for (const g of minus(head.guardrails, base.guardrails, same)) line("-", `${identity} guardrail added: ${g}`);
    for (const g of minus(base.guardrails, head.guardrails, same)) line("+", `${identity} guardrail removed: ${g}`);
    for (const n of minus(head.notEvaluated, base.notEvaluated, same)) line("-", `${identity} now has ${n}`);
    for (const n of minus(base.notEvaluated, head.notEvaluated, same)) line("+", `${identity} no longer has ${n}`);
  }
  return out;
}

/**
 * Same action and resource, the same conditions but one, which has the same key and operator and other values:
 * that condition before and after, and the others. Not for negated, `IfExists` or `Null` operators, where more
 * values are not simply more access.
 */
function valuesChanged(a: Grant, b: Grant): { was: Condition; now: Condition; rest: Condition[] } | undefined {
  if (a.action !== b.action || a.resource !== b.resource || a.conditions.length !== b.conditions.length) return undefined;
  const keyOfCondition = (c: Condition) => conditionsKey([c]);
  const onlyA = minus(a.conditions, b.conditions, keyOfCondition);
  const onlyB = minus(b.conditions, a.conditions, keyOfCondition);
  if (onlyA.length !== 1 || onlyB.length !== 1) return undefined;
  const [was, now] = [onlyA[0], onlyB[0]];
  if (was.key !== now.key || was.operator !== now.operator || /Not|IfExists|Null/.test(was.operator)) return undefined;
  return { was, now, rest: minus(b.conditions, [now], keyOfCondition) };
}

/** What ESO changes: namespaces a store serves (they read as its identity), stores, and ExternalSecrets. */
function esoChanges(base: AccessModel, head: AccessModel): Change[] {
  const out: Change[] = [];
  // A report from an older access tool (a base ref's own) has no ESO part: nothing to compare it with.
  if (base.secretStores === undefined || head.secretStores === undefined) return out;
  const storeKey = (s: SecretStoreView) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ""}${s.name}`;
  const before = new Map((base.secretStores ?? []).map((s) => [storeKey(s), s]));
  const after = new Map((head.secretStores ?? []).map((s) => [storeKey(s), s]));
  for (const [key, s] of after) {
    const identity = `eso ${key}`;
    const was = before.get(key);
    if (!was) {
      out.push({ sign: "+", identity, text: `new ${key} reads as ${s.readsAs}, for namespaces ${s.namespaces.join(", ") || "none"}` });
      continue;
    }
    if (was.readsAs !== s.readsAs) out.push({ sign: "~", identity, text: `${key} now reads as ${s.readsAs} (was ${was.readsAs})` });
    for (const ns of s.namespaces.filter((n) => !was.namespaces.includes(n))) out.push({ sign: "+", identity, text: `namespace ${ns} may now read through ${key} (as ${s.readsAs})` });
    for (const ns of was.namespaces.filter((n) => !s.namespaces.includes(n))) out.push({ sign: "-", identity, text: `namespace ${ns} may no longer read through ${key} (as ${s.readsAs})` });
  }
  for (const [key, s] of before) if (!after.has(key)) out.push({ sign: "-", identity: `eso ${key}`, text: `removed ${key}, which read as ${s.readsAs}` });
  const esKey = (e: ExternalSecretView) => `${e.namespace}/${e.name}`;
  const oldEs = new Map((base.externalSecrets ?? []).map((e) => [esKey(e), e]));
  const newEs = new Map((head.externalSecrets ?? []).map((e) => [esKey(e), e]));
  for (const [key, e] of newEs) {
    const identity = `eso ExternalSecret ${key}`;
    const was = oldEs.get(key);
    if (!was) {
      out.push({ sign: "+", identity, text: `new ExternalSecret ${key} copies ${e.reads.join(", ")} into Secret ${e.namespace}/${e.target} through ${e.store}` });
      continue;
    }
    for (const k of e.reads.filter((x) => !was.reads.includes(x))) out.push({ sign: "+", identity, text: `ExternalSecret ${key} now also copies ${k}` });
    for (const k of was.reads.filter((x) => !e.reads.includes(x))) out.push({ sign: "-", identity, text: `ExternalSecret ${key} no longer copies ${k}` });
    if (was.store !== e.store) out.push({ sign: "~", identity, text: `ExternalSecret ${key} now reads through ${e.store} (was ${was.store})` });
  }
  for (const [key, e] of oldEs) if (!newEs.has(key)) out.push({ sign: "-", identity: `eso ExternalSecret ${key}`, text: `removed ExternalSecret ${key} (copied ${e.reads.join(", ")})` });
  return out;
}

/** Every change from `base` to `head`: identities in head's order, then the removed ones. */
export function diffModels(base: AccessModel, head: AccessModel): Change[] {
  const issuerList = (m: AccessModel) => [...new Set(m.identities.flatMap((i) => i.assumers.flatMap((a) => (a.type === "service-account" ? [a.issuer] : []))))].sort();
  const issuers = (m: AccessModel) => issuerList(m).join(" ");
  // Issuers are named when both sides have some and they differ (not for a stack new at the base), and whenever a
  // side has several (clusters of one stack): `api/orders` alone would not say which cluster's trust changed.
  const withIssuer = (issuers(base) !== "" && issuers(head) !== "" && issuers(base) !== issuers(head)) || issuerList(base).length > 1 || issuerList(head).length > 1;
  const before = new Map(base.identities.map((i) => [keyOf(i), i]));
  const after = new Set(head.identities.map(keyOf));
  return [
    ...head.identities.flatMap((i) => identityChanges(before.get(keyOf(i)), i, withIssuer, { base, head })),
    ...base.identities.filter((i) => !after.has(keyOf(i))).flatMap((i) => identityChanges(i, undefined, withIssuer, { base, head })),
    ...esoChanges(base, head),
  ];
}
