/**
 * Rules as plain objects (testable without a PolicyPack), and their CrossGuard form. A rule returns its
 * violations; the pack reports them, and the offline checker prints them.
 */
import type { EnforcementLevel, PolicyConfigSchema, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

export interface CheckedResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
  urn?: string;
}

export interface Violation {
  message: string;
  /** For stack rules: the resource at fault. */
  resource?: CheckedResource;
}

interface RuleBase<C> {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  /** Defaults of the rule's settings; the pack config may override each. */
  defaults: C;
  configSchema?: PolicyConfigSchema;
}

export interface ResourceRule<C = Record<string, never>> extends RuleBase<C> {
  kind: "resource";
  check(resource: CheckedResource, config: C): string[] | Promise<string[]>;
}

export interface StackRule<C = Record<string, never>> extends RuleBase<C> {
  kind: "stack";
  check(resources: CheckedResource[], config: C): Violation[] | Promise<Violation[]>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Rule = ResourceRule<any> | StackRule<any>;

function settings<C>(rule: RuleBase<C>, given: Record<string, unknown>): C {
  return { ...rule.defaults, ...Object.fromEntries(Object.entries(given).filter(([k]) => k !== "enforcementLevel")) } as C;
}

/** The CrossGuard policy for a rule. */
export function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
  const base = { name: rule.name, description: rule.description, enforcementLevel: rule.enforcementLevel, configSchema: rule.configSchema };
  if (rule.kind === "resource") {
    return {
      ...base,
      validateResource: async (args, reportViolation) => {
        const found = await rule.check({ type: args.type, name: args.name, props: args.props, urn: args.urn }, settings(rule, args.getConfig()));
        for (const message of found) reportViolation(message);
      },
    };
  }
  return {
    ...base,
    validateStack: async (args, reportViolation) => {
      const resources = args.resources.map((r) => ({ type: r.type, name: r.name, props: r.props, urn: r.urn }));
      for (const v of await rule.check(resources, settings(rule, args.getConfig()))) reportViolation(v.message, v.resource?.urn);
    },
  };
}

/** Settings for a rule from a pack config object (`--policy-pack-config` format). */
export function ruleSettings<C>(rule: RuleBase<C>, packConfig: Record<string, unknown>): { level: EnforcementLevel; config: C } {
  const entry = packConfig[rule.name];
  const all = packConfig.all;
  const level =
    typeof entry === "string"
      ? (entry as EnforcementLevel)
      : ((entry as { enforcementLevel?: EnforcementLevel } | undefined)?.enforcementLevel ??
        (typeof all === "string" ? (all as EnforcementLevel) : (all as { enforcementLevel?: EnforcementLevel } | undefined)?.enforcementLevel) ??
        rule.enforcementLevel);
  return { level, config: settings(rule, typeof entry === "object" && entry ? (entry as Record<string, unknown>) : {}) };
}
