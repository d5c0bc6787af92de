/**
 * Checking plain arguments field by field, with the rules of core/rules.ts and ARN shapes of core/arn.ts. Typed
 * callers rarely trip the type checks; JSON from another language (a multi-language `construct`) does.
 */
import { ARN_KINDS, parseArn, type ArnKindName } from "./arn";
import { partitionOfRegion } from "./environment";
import type { FieldPath, Problem } from "./problems";
import { quoted } from "./problems";
import { RULES, type NameRule } from "./rules";

export class Checker {
  readonly problems: Problem[] = [];
  /** The partition ARNs must be in, from the region when it is known. */
  private readonly partition?: string;

  constructor(private readonly region?: string) {
    this.partition = partitionOf(region);
  }

  add(path: FieldPath, message: string): void {
    this.problems.push({ path, message });
  }

  private typed(path: FieldPath, value: unknown, type: "string" | "number" | "boolean", what: string): boolean {
    if (typeof value === type && (type !== "number" || Number.isFinite(value))) return true;
    this.add(path, `expected ${what}, got ${describeValue(value)}`);
    return false;
  }

  /** A string the rule accepts; `undefined` passes unless required. */
  name(path: FieldPath, value: unknown, rule: NameRule, required = false): value is string {
    if (value === undefined) {
      if (required) this.add(path, "is required");
      return false;
    }
    if (!this.typed(path, value, "string", "string")) return false;
    if (rule.test(value as string)) return true;
    this.add(path, `${quoted(value)} is not a valid ${rule.what}`);
    return false;
  }

  arn(path: FieldPath, value: unknown, kind: ArnKindName): value is string {
    if (value === undefined) return false;
    if (!this.typed(path, value, "string", "string")) return false;
    if (!ARN_KINDS[kind].pattern.test(value as string)) {
      this.add(path, `${quoted(value)} is not a valid ${ARN_KINDS[kind].what}`);
      return false;
    }
    const p = parseArn(value as string)?.partition;
    if (this.partition && p && p !== this.partition) this.add(path, `${quoted(value)} is in partition ${p}, but region ${this.region} is in ${this.partition}`);
    return true;
  }

  int(path: FieldPath, value: unknown, min: number, max: number): value is number {
    if (value === undefined) return false;
    if (!this.typed(path, value, "number", "an integer")) return false;
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      this.add(path, `${quoted(value)}: expected an integer from ${min} to ${max}`);
      return false;
    }
    return true;
  }

  bool(path: FieldPath, value: unknown): value is boolean {
    return value !== undefined && this.typed(path, value, "boolean", "true or false");
  }

  oneOf<T extends string>(path: FieldPath, value: unknown, values: readonly T[], what: string): value is T {
    if (typeof value === "string" && (values as readonly string[]).includes(value)) return true;
    const choices = `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`;
    this.add(path, value === undefined ? `is required (${what}: ${choices})` : `${quoted(value)} is not a known ${what} (${choices})`);
    return false;
  }

  /** A list (or nothing); each item visited with its path. */
  list<T>(path: FieldPath, value: unknown, visit?: (item: T, at: FieldPath) => void): value is T[] {
    if (value === undefined) return false;
    if (!Array.isArray(value)) {
      this.add(path, `expected a list, got ${describeValue(value)}`);
      return false;
    }
    if (visit) value.forEach((item, i) => visit(item as T, [...path, i]));
    return true;
  }

  /** An object (or nothing). */
  object(path: FieldPath, value: unknown): value is Record<string, unknown> {
    if (value === undefined) return false;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      this.add(path, `expected an object, got ${describeValue(value)}`);
      return false;
    }
    return true;
  }

  /** Keys a plain-data argument may not carry (a typo in JSON from another language would otherwise be ignored). */
  known(path: FieldPath, value: Record<string, unknown>, keys: readonly string[]): void {
    for (const k of Object.keys(value)) if (!keys.includes(k) && value[k] !== undefined) this.add([...path, k], "unknown argument");
  }
}

export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${quoted(value)}`;
}

/** The partition of a region, when the region is given. */
export function partitionOf(region: string | undefined): string | undefined {
  return region ? partitionOfRegion(region) : undefined;
}

/** A region argument that is a valid region name, else nothing (its own check reports it). */
export function validRegion(region: unknown): string | undefined {
  return typeof region === "string" && RULES.region.test(region) ? region : undefined;
}
