/**
 * The policy pack run offline: every rule against what a stack registered, as CrossGuard would run them
 * (resource rules see inputs, stack rules see the final state), with enforcement levels from a pack config.
 */
import { readFileSync } from "node:fs";
import type { EnforcementLevel } from "@pulumi/policy";
import { ruleSettings, type CheckedResource, type Rule } from "../policy/lib/rule";
import { RULES } from "../policy/rules";
import type { RegisteredResource } from "./offline";

export interface Finding {
  rule: string;
  level: EnforcementLevel;
  resource: string;
  message: string;
}

export function readPackConfig(file: string | undefined): Record<string, unknown> {
  return file ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {};
}

const label = (r: { type: string; name: string }) => `${r.type}::${r.name}`;

export async function checkResources(
  resources: RegisteredResource[],
  packConfig: Record<string, unknown> = {},
  rules: Rule[] = RULES,
): Promise<Finding[]> {
  const custom = resources.filter((r) => r.custom);
  const asInputs: CheckedResource[] = custom.map((r) => ({ type: r.type, name: r.name, props: r.inputs }));
  const asState: CheckedResource[] = custom.map((r) => ({ type: r.type, name: r.name, props: { ...r.inputs, ...r.outputs } }));
  const findings: Finding[] = [];
  for (const rule of rules) {
    const { level, config } = ruleSettings(rule, packConfig);
    if (level === "disabled") continue;
    if (rule.kind === "resource") {
      for (const r of asInputs) for (const message of await rule.check(r, config)) findings.push({ rule: rule.name, level, resource: label(r), message });
    } else {
      for (const v of await rule.check(asState, config)) findings.push({ rule: rule.name, level, resource: v.resource ? label(v.resource) : "stack", message: v.message });
    }
  }
  return findings;
}

export function renderFindings(findings: Finding[], ruleCount = RULES.length): string {
  if (findings.length === 0) return `policy    ${ruleCount} rules checked: no violation`;
  return [
    `policy    ${findings.length} violation${findings.length === 1 ? "" : "s"} (${findings.filter((f) => f.level === "mandatory").length} mandatory):`,
    ...findings.map((f) => `  [${f.level}] ${f.rule}  ${f.resource}\n      ${f.message}`),
  ].join("\n");
}
