/** The access matrix and its changes as text (terminals), Markdown (reviews, with a Mermaid graph) or JSON. */
import { conditionText, whenText } from "../../analysis/condition";
import type { Change } from "../../analysis/diff";
import { podIdentityText, type AccessModel, type Assumer, type Check, type Grant, type Identity } from "../../analysis/model";
import { mermaidGraph } from "./mermaid";

export const FORMATS = ["text", "md", "json"] as const;
export type Format = (typeof FORMATS)[number];

const HOW = "offline: the documents the stack registers under mocks; each row checked with iam-simulate, each assumer with core/trustEval";

function checkText(c: Check | undefined): string {
  if (!c) return "not checked";
  if (c.decision === "not simulated") return `not simulated: ${c.note ?? ""}`;
  const failed = c.notDenied?.length ? `; NOT DENIED: ${c.notDenied.join(", ")}` : "";
  const head = c.decision === "Allowed" ? "ok" : `ERROR: ${c.decision}`;
  return `${head}, ${c.denied.length} near miss${c.denied.length === 1 ? "" : "es"} denied${failed}${c.note ? ` (${c.note})` : ""}`;
}

function assumerText(a: Assumer, i: Identity): string {
  if (a.type === "service-account") {
    const provider = /::(\d{12}):/.exec(a.provider)?.[1];
    return [
      `ServiceAccount ${a.serviceAccount}${a.pattern ? " (pattern)" : ""}`,
      `via ${a.issuer}${provider && provider !== i.accountId ? ` (provider in account ${provider})` : ""}`,
      `aud ${a.audiences.join(", ") || "ANY"}`,
      a.created || a.pattern ? "" : "(not created by this stack)",
    ].filter(Boolean).join("  ");
  }
  if (a.type === "role") return `role ${a.label ? `${a.label} ` : ""}${a.arn}${a.externalIds ? " with the external id of its Pod Identity associations" : ""}`;
  if (a.type === "pod-identity") return podIdentityText(a);
  return a.principal;
}

const pad = (s: string, n: number) => s.padEnd(n);
const when = (g: Grant) => whenText(g.conditions);

export function renderText(model: AccessModel): string {
  const out = [`eks-irsa access report: stack ${model.stack}, region ${model.region}, account ${model.accountId}`, HOW];
  for (const i of model.identities) {
    out.push("", `${i.kind} ${i.label}  ${i.roleArn}${i.accountId !== model.accountId ? `  (account ${i.accountId})` : ""}`);
    const line = (heading: string, n: number, text: string) => out.push(`  ${pad(n === 0 ? heading : "", 13)} ${text}`.trimEnd());
    const who = i.assumers.map((a) => assumerText(a, i));
    const w = Math.max(0, ...who.map((x) => x.length));
    i.assumers.forEach((a, n) => line("assumed by", n, `${pad(who[n], w)}  ${checkText(a.check)}`));
    if (i.assumers.length === 0) line("assumed by", 0, "nobody");
    const [wa, wr, wc] = [(g: Grant) => g.action, (g: Grant) => g.resource, when].map((f) => Math.max(0, ...i.grants.map((g) => f(g).length)));
    const wv = Math.max(0, ...i.grants.map((g) => (g.via ? `for ${g.via}` : "").length));
    const via = (g: Grant) => (wv ? `${pad(g.via ? `for ${g.via}` : "", wv)}  ` : "");
    i.grants.forEach((g, n) => line("allows", n, `${pad(g.action, wa)}  ${pad(g.resource, wr)}  ${pad(when(g), wc)}  ${via(g)}${checkText(g.check)}`));
    if (i.grants.length === 0) line("allows", 0, "nothing");
    residualLines(i).forEach((r, n) => line("residual *", n, r));
    (i.presetChecks ?? []).forEach((p, n) => line(`preset`, n, `${p.expect === "Allowed" ? "allows" : "denies"} ${p.label}: ${p.decision === p.expect || (p.expect === "Denied" && /Denied$/.test(p.decision)) ? "ok" : `ERROR: ${p.decision}`}`));
    i.guardrails.forEach((g, n) => line("guardrails", n, g));
    i.notEvaluated.forEach((x, n) => line("not evaluated", n, x));
  }
  for (const line of esoLines(model)) out.push(line);
  out.push("", summary(model));
  return out.join("\n");
}

/** The preset rows on every resource of a type, grouped by resource and reason: `actions on resource: reason`. */
function residualLines(i: Identity): string[] {
  const groups = new Map<string, { resource: string; reason: string; actions: string[]; when: string }>();
  for (const g of i.grants.filter((x) => x.residual)) {
    const key = JSON.stringify([g.resource, g.residual, when(g)]);
    const group = groups.get(key) ?? { resource: g.resource, reason: g.residual!, actions: [], when: when(g) };
    group.actions.push(g.action);
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => `${g.actions.join(", ")} on ${g.resource}${g.when ? ` ${g.when}` : ""}: ${g.reason}`);
}

/** ESO's stores (who may read through them, as which identity) and ExternalSecrets, for the text report. */
function esoLines(model: AccessModel): string[] {
  const stores = model.secretStores ?? [];
  const secrets = model.externalSecrets ?? [];
  if (stores.length === 0 && secrets.length === 0) return [];
  const out = ["", "eso"];
  for (const s of stores) out.push(`  store         ${s.kind} ${s.namespace ? `${s.namespace}/` : ""}${s.name}  reads as ${s.readsAs}  for namespaces ${s.namespaces.join(", ") || "none"}`);
  for (const e of secrets) out.push(`  secret        ${e.namespace}/${e.name} <- ${e.reads.join(", ")}  through ${e.store}`);
  return out;
}

function summary(model: AccessModel): string {
  const grants = model.identities.flatMap((i) => i.grants);
  const probes = [...grants, ...model.identities.flatMap((i) => i.assumers)].reduce((n, x) => n + (x.check?.denied.length ?? 0), 0);
  const residual = grants.filter((g) => g.residual).length;
  const presetChecks = model.identities.flatMap((i) => i.presetChecks ?? []).length;
  const extra = residual || presetChecks ? `, ${residual} preset rows on every resource (listed with their reasons), ${presetChecks} preset requests checked` : "";
  const head = `${model.identities.length} identities, ${grants.length} rows, ${probes} near misses denied${extra}`;
  if (model.errors.length === 0) return `${head}: every check agrees`;
  return [`${head}; ${model.errors.length} check(s) DISAGREE:`, ...model.errors.map((e) => `  ERROR ${e}`)].join("\n");
}

/** Inline code in a table cell: backticks kept out, `|` escaped (GFM tables split on it even in code). */
const code = (s: string) => (s ? `\`${s.replace(/`/g, "'").replace(/\|/g, "\\|")}\`` : "");
const cell = (s: string) => s.replace(/\|/g, "\\|");

function checkCell(c: Check | undefined): string {
  if (!c) return "not checked";
  const parts = [c.decision === "Allowed" ? "allowed" : `**${c.decision}**`];
  if (c.denied.length) parts.push(`denied: ${c.denied.map(code).join(", ")}`);
  if (c.notDenied?.length) parts.push(`**not denied: ${c.notDenied.map(code).join(", ")}**`);
  if (c.note) parts.push(cell(c.note));
  return parts.join("; ");
}

/** Who (code) and how, as two table cells. */
function assumerCells(a: Assumer, i: Identity): string {
  if (a.type === "service-account") {
    const provider = /::(\d{12}):/.exec(a.provider)?.[1];
    const how = [
      `ServiceAccount${a.pattern ? " pattern" : ""} via ${code(a.issuer)}`,
      provider && provider !== i.accountId ? ` (provider in account ${code(provider)})` : "",
      `, aud ${a.audiences.map(code).join(", ") || "ANY"}`,
      a.created || a.pattern ? "" : ", not created by this stack",
    ];
    return `${code(a.serviceAccount)} | ${how.join("")}`;
  }
  if (a.type === "role") return `${code(a.label ?? a.arn)} | role ${code(a.arn)}, \`sts:AssumeRole\``;
  if (a.type === "pod-identity") return `${code(`${a.namespace}/${a.serviceAccount}`)} | ${cell(podIdentityText(a))}`;
  return `${code(a.principal)} | principal`;
}

export function renderMarkdown(model: AccessModel): string {
  const out = [
    `# Access report: stack \`${model.stack}\``,
    "",
    `Region \`${model.region}\`, account \`${model.accountId}\`. Read offline from the documents the stack registers (under mocks). ` +
      "Each row is a request iam-simulate must allow, next to near misses it must deny; each assumer is checked the same way with core/trustEval.",
    "",
    "```mermaid",
    mermaidGraph(model),
    "```",
  ];
  for (const i of model.identities) {
    out.push("", `## ${i.kind} \`${i.label}\``, "", `Role \`${i.roleArn}\`${i.accountId !== model.accountId ? ` (account \`${i.accountId}\`)` : ""}.`, "");
    out.push("| assumed by | how | checked |", "| --- | --- | --- |");
    for (const a of i.assumers) out.push(`| ${assumerCells(a, i)} | ${checkCell(a.check)} |`);
    out.push("", "| action | resource | condition | checked |", "| --- | --- | --- | --- |");
    for (const g of i.grants) out.push(`| ${code(g.action)} | ${code(g.resource)} | ${code(g.conditions.map(conditionText).join(" and "))}${g.via ? ` (for ${cell(g.via)})` : ""} | ${checkCell(g.check)}${g.residual ? `; residual: ${cell(g.residual)}` : ""} |`);
    if (i.presetChecks?.length) {
      out.push("", `Preset \`${i.preset}\`: the add-on's requests and their variants, each decided by iam-simulate.`, "", "| request | expected | iam-simulate |", "| --- | --- | --- |");
      for (const p of i.presetChecks) out.push(`| ${cell(p.label)} (${code(p.action)} on ${code(p.resource)}) | ${p.expect} | ${p.decision} |`);
    }
    if (i.guardrails.length) out.push("", `Guardrails: ${i.guardrails.map(code).join("; ")}.`);
    if (i.notEvaluated.length) out.push("", `Not evaluated: ${i.notEvaluated.map(cell).join("; ")}.`);
  }
  const stores = model.secretStores ?? [];
  if (stores.length || (model.externalSecrets ?? []).length) {
    out.push("", "## External Secrets Operator", "", "| store | reads as | for namespaces |", "| --- | --- | --- |");
    for (const st of stores) out.push(`| ${code(`${st.kind} ${st.namespace ? `${st.namespace}/` : ""}${st.name}`)} | ${cell(st.readsAs)} | ${st.namespaces.map(code).join(", ")} |`);
    out.push("", "| ExternalSecret | copies | through |", "| --- | --- | --- |");
    for (const e of model.externalSecrets ?? []) out.push(`| ${code(`${e.namespace}/${e.name}`)} | ${e.reads.map(code).join(", ")} | ${code(e.store)} |`);
  }
  out.push("", summary(model).replace(/\n {2}ERROR /g, "\n- ERROR "));
  return out.join("\n");
}

export function renderModel(model: AccessModel, format: Format): string {
  if (format === "json") return JSON.stringify(model, null, 2);
  return format === "md" ? renderMarkdown(model) : renderText(model);
}

/** The changes from a base; `errors` are the checks of the current access that disagree (shown after them). */
export function renderChanges(changes: Change[], format: Format, context: { stack: string; base: string; head: string }, errors: string[] = []): string {
  const none = `no access changes between ${context.base} and ${context.head}`;
  if (format === "json") return JSON.stringify({ ...context, changes, errors }, null, 2);
  const disagree = errors.length ? ["", `${errors.length} check(s) of the current access DISAGREE:`, ...errors.map((e) => `  ERROR ${e}`)] : [];
  if (format === "md") {
    const body = changes.length ? ["```diff", ...changes.map((c) => `${c.sign === "~" ? "!" : c.sign} ${c.text}`), "```"] : [none];
    return [`## Access changes: stack \`${context.stack}\`, \`${context.base}\` -> ${context.head}`, "", ...body, ...disagree].join("\n");
  }
  return [`eks-irsa access changes: stack ${context.stack}, ${context.base} -> ${context.head}`, ...(changes.length ? changes.map((c) => c.text) : [none]), ...disagree].join("\n");
}
