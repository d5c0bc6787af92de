/**
 * Custom statements: what no typed grant covers, written by the user as actions, resources and conditions, and held
 * to the rules the policy pack applies to any role: every action in the AWS service catalog, no wildcard beyond a
 * spelled-out verb prefix, named resources in the stack's partition and account (`*` only for actions that accept
 * nothing else), condition keys the action evaluates, and no privilege escalation.
 */
import { actionResourceArns, catalogAction, conditionKeyValid, isWildcardOnly, resourceTypeArns, resourceTypesOf, serviceActions, serviceExists, type CatalogAction } from "./catalog";
import type { Checker } from "./check";
import type { ConditionBlock, Statement } from "./document";
import { GLOBAL_SERVICES, partitionOfRegion } from "./environment";
import type { FieldPath, Problem } from "./problems";
import { quoted } from "./problems";
import { globMatch, globsOverlap } from "./trustEval";

/** One condition of a custom statement: `operator` on `key`, true when the request's value matches one of `values`. */
export interface StatementCondition {
  /** StringEquals, StringNotEquals, StringLike, StringNotLike, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, Bool or Null, optionally `ForAnyValue:`/`ForAllValues:` and `IfExists`. */
  operator: string;
  /** A condition key the statement's actions evaluate (`sqs:...`), or a global one (`aws:SourceVpce`). */
  key: string;
  /** The values, ORed. */
  values: string[];
}

/** An Allow statement for what no typed grant covers, checked against the AWS service catalog. */
export interface CustomStatement {
  /** Actions as `service:Action`, or a verb prefix the name spells out (`sqs:Get*`); never `*` or `service:*`. */
  actions: string[];
  /** Resource ARNs in the stack's partition and account (or none, for S3 and Route 53); `*` only for actions that accept nothing else. */
  resources: string[];
  /** Conditions, all of which must hold. @default none */
  conditions?: StatementCondition[];
}

/** Actions that let a principal grant itself more (Rhino Security Labs' IAM escalation paths, and checkov's). */
export const ESCALATION_ACTIONS = [
  "iam:AddUserToGroup",
  "iam:AttachGroupPolicy",
  "iam:AttachRolePolicy",
  "iam:AttachUserPolicy",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:CreatePolicyVersion",
  "iam:DeleteRolePermissionsBoundary",
  "iam:DeleteUserPermissionsBoundary",
  "iam:PutGroupPolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:PutRolePolicy",
  "iam:PutUserPermissionsBoundary",
  "iam:PutUserPolicy",
  "iam:SetDefaultPolicyVersion",
  "iam:UpdateAssumeRolePolicy",
  "iam:UpdateLoginProfile",
  "lambda:UpdateFunctionCode",
  "glue:UpdateDevEndpoint",
  "cloudformation:UpdateStack",
];


const BASE_OPERATORS = [
  "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
  "ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike", "Bool", "Null",
];

/** An operator the access report can prove: a base operator, a set prefix, `IfExists` (never on Null). */
export function knownOperator(op: string): boolean {
  const m = /^(ForAnyValue:|ForAllValues:)?([A-Za-z]+?)(IfExists)?$/.exec(op);
  return m !== null && BASE_OPERATORS.includes(m[2]) && !(m[2] === "Null" && (m[1] || m[3]));
}

const ACTION = /^([a-z0-9-]+):([A-Za-z0-9*?]+)$/;

/** The catalog actions an action or verb prefix stands for, or why it is refused. */
export function expandCustomAction(action: string): { actions: CatalogAction[]; service: string } | { problem: string } {
  const m = ACTION.exec(action);
  if (!m) return { problem: `${quoted(action)} is not an action (service:Action, e.g. sqs:SendMessage)` };
  const [, service, name] = m;
  if (!serviceExists(service)) return { problem: `${quoted(action)}: ${service} is not a service of the AWS service catalog` };
  if (name === "*") return { problem: `${quoted(action)} grants every action of ${service}: list the actions, or a verb prefix such as ${service}:Get*` };
  if (name.includes("?") || name.indexOf("*") !== name.length - 1 && name.includes("*")) {
    return { problem: `${quoted(action)}: a wildcard may only end a verb prefix (${service}:Get*), once` };
  }
  if (!name.endsWith("*")) {
    const found = catalogAction(action);
    return found ? { actions: [found], service } : { problem: `${quoted(action)} is not an action of ${service} in the AWS service catalog` };
  }
  const prefix = name.slice(0, -1);
  const matched = serviceActions(service).filter((a) => a.toLowerCase().startsWith(prefix.toLowerCase()));
  if (matched.length === 0) return { problem: `${quoted(action)} matches no action of ${service} in the AWS service catalog` };
  // `Get*` ends where an action's name starts its next word (`GetQueueUrl`); `G*` or `Ge*` stop inside a word.
  if (prefix.length < 2 || !/^[A-Za-z]/.test(prefix) || !matched.some((a) => a.length === prefix.length || /[A-Z0-9]/.test(a[prefix.length]))) {
    return { problem: `${quoted(action)}: spell out the verb the prefix stands for (e.g. ${service}:${matched[0].replace(/^([A-Z][a-z0-9]*).*$/, "$1")}*)` };
  }
  return { actions: matched.map((a) => catalogAction(`${service}:${a}`)!), service };
}

const ARN = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/;

const VARIABLE = /\$\{[^}]+\}/g;
/** A catalog ARN format as an IAM pattern: each variable (`${TableName}`) one or more characters. */
const formatAsGlob = (format: string) => format.replace(VARIABLE, "?*");

/** A character the pattern does not contain, to build names only its wildcards can match. */
function freshCharacter(pattern: string): string {
  let code = 0xa7;
  while (pattern.includes(String.fromCharCode(code))) code++;
  return String.fromCharCode(code);
}

/**
 * The resource types of `service` whose every resource the ARN pattern reaches whatever its name, decided as the
 * policy pack decides it (policy/lib/resourceScope.ts): the pattern matches a resource of the type named with
 * characters it does not contain (3 and 64 of them), so only its wildcards can match the name. `...:tab*`,
 * `...:parameter*` reach every table and parameter as surely as `...:table/*` does.
 */
function typesReachedByAnyName(service: string, region: string, account: string, part: string, pattern: string): string[] {
  const fresh = freshCharacter(pattern);
  return resourceTypesOf(service).flatMap((t) => {
    const [, , owner, tRegion, tAccount, ...rest] = t.arn.split(":");
    const resource = rest.join(":");
    const first = resource.search(VARIABLE);
    if (owner !== service || first < 0) return [];
    if (!globsOverlap(region, formatAsGlob(tRegion)) || !globsOverlap(account, formatAsGlob(tAccount))) return [];
    const head = resource.slice(0, first);
    const tail = formatAsGlob(resource.slice(first).replace(/^\$\{[^}]+\}/, ""));
    const suffix = `${service}/${t.name.toLowerCase()}` === "secretsmanager/secret" ? `-${fresh.repeat(6)}` : "";
    return [3, 64].every((n) => globsOverlap(part, `${head}${fresh.repeat(n)}${suffix}${tail}`)) ? [t.name.toLowerCase()] : [];
  });
}

/** The ARN formats some actions take, for a message: at most three. */
function formatsOf(actions: { service: string; action: CatalogAction }[]): string {
  const all = [...new Set(actions.flatMap((a) => actionResourceArns(a.service, a.action)))];
  return `${all.slice(0, 3).join(" or ")}${all.length > 3 ? " or ..." : ""}`;
}

/** Whether a resource ARN (pattern) can name a resource an action acts on: one of its resource types' ARN formats. */
function actsOn(service: string, action: CatalogAction, resource: string): boolean {
  const fields = arnFieldsOf(resource);
  return actionResourceArns(service, action).some((format) => {
    const f = arnFieldsOf(formatAsGlob(format));
    return f.every((field, i) => globsOverlap(fields[i], field)) && !slashInBucketName(format, resource);
  });
}

/** An ARN's partition, service, region, account and resource part: IAM matches each on its own. */
function arnFieldsOf(arn: string): string[] {
  const parts = arn.split(":");
  return [...parts.slice(1, 5), parts.slice(5).join(":")];
}

/** A bucket name has no `/`: `arn:aws:s3:::reports/2026/*` names objects, never a bucket (`s3:ListBucket` on it grants nothing). */
function slashInBucketName(format: string, resource: string): boolean {
  return format.endsWith(":s3:::${BucketName}") && /^[^*?]*\//.test(resource.slice("arn:".length).split(":").slice(4).join(":"));
}

/** The services whose ARNs a service's actions take: its own, and those of its resource types (`sts`: IAM roles, `ssm`: EC2 instances). */
function resourceServicesOf(service: string): string[] {
  return [service, ...resourceTypeArns(service).map((arn) => arn.split(":")[2])];
}

/** A value with a policy variable (`${aws:PrincipalTag/...}`): refused, with `at` its field. */
function hasVariable(c: Checker, at: FieldPath, value: string): boolean {
  if (!value.includes("$")) return false;
  c.add(at, `${quoted(value)}: policy variables (\${...}) are not supported in custom statements`);
  return true;
}

/** Checks one resource ARN; true when it has no problem (so that whether the actions act on it can be asked). */
function checkResource(c: Checker, at: FieldPath, resource: string, services: string[], partition: string | undefined): boolean {
  if (hasVariable(c, at, resource)) return false;
  const m = ARN.exec(resource);
  if (!m) {
    c.add(at, `${quoted(resource)} is not an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)`);
    return false;
  }
  const before = c.problems.length;
  const [, p, service, region, account, part] = m;
  if (!["aws", "aws-cn", "aws-us-gov"].includes(p)) c.add(at, `${quoted(resource)}: ${quoted(p)} is not a partition (aws, aws-cn or aws-us-gov)`);
  else if (partition && p !== partition) c.add(at, `${quoted(resource)} is in partition ${p}, but the stack's region is in ${partition}`);
  if (services.length > 0 && !services.some((s) => resourceServicesOf(s).includes(service))) c.add(at, `${quoted(resource)} is a ${service} resource, but the statement's actions are ${services.join(", ")} actions`);
  if (region !== "" && region !== "*" && !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) c.add(at, `${quoted(resource)}: ${quoted(region)} is not a region`);
  if (account !== "" && !/^\d{12}$/.test(account)) c.add(at, `${quoted(resource)}: name the account (12 digits): ${quoted(account)} could reach resources of other accounts`);
  const reached = typesReachedByAnyName(service, region, account, part, resource);
  if (reached.length > 0) {
    c.add(at, `${quoted(resource)} reaches every ${reached.join(", ")} whatever its name: name the resources (a literal name or prefix before any wildcard)`);
  }
  return c.problems.length === before;
}

/**
 * Checks custom statements. `region` decides the partition ARNs must be in; `allowedRegions` is the role's region
 * guardrail, which must let global services (IAM, Route 53...) through us-east-1.
 */
export function checkStatements(c: Checker, at: FieldPath, value: unknown, context: { region?: string; allowedRegions?: unknown }): void {
  const partition = context.region ? partitionOfRegion(context.region) : undefined;
  c.list<Record<string, unknown>>(at, value, (s, p) => {
    if (!c.object(p, s)) return;
    c.known(p, s, ["actions", "resources", "conditions"]);
    const expanded: { id: string; service: string; action: CatalogAction }[] = [];
    /** Each listed action (or verb prefix) with its field and the catalog actions it stands for. */
    const listed: { at: FieldPath; name: string; actions: { service: string; action: CatalogAction }[] }[] = [];
    const services = new Set<string>();
    if (s.actions === undefined) c.add([...p, "actions"], "is required");
    else if (c.list<unknown>([...p, "actions"], s.actions, (a, q) => {
      if (typeof a !== "string") return void c.add(q, "expected a string");
      const found = expandCustomAction(a);
      if ("problem" in found) return void c.add(q, found.problem);
      services.add(found.service);
      expanded.push(...found.actions.map((action) => ({ id: `${found.service}:${action.name}`, service: found.service, action })));
      listed.push({ at: q, name: a, actions: found.actions.map((action) => ({ service: found.service, action })) });
      const escalating = ESCALATION_ACTIONS.filter((e) => globMatch(a, e, true));
      if (escalating.length > 0) c.add(q, `${quoted(a)} lets the role grant itself more (${escalating.join(", ")}): privilege escalation is refused`);
    }) && (s.actions as unknown[]).length === 0) c.add([...p, "actions"], "must list at least one action");
    const beforeResources = c.problems.length;
    if (s.resources === undefined) c.add([...p, "resources"], "is required");
    else if (c.list<unknown>([...p, "resources"], s.resources, (r, q) => {
      if (typeof r !== "string") return void c.add(q, "expected a string");
      if (r === "*") {
        const scoped = [...new Set(expanded.filter((a) => !isWildcardOnly(a.action)).map((a) => a.id))];
        if (scoped.length > 0) c.add(q, `"*" for actions that accept resource ARNs (${scoped.slice(0, 5).join(", ")}${scoped.length > 5 ? ", ..." : ""}): name the resources`);
        return;
      }
      if (checkResource(c, q, r, [...services], partition) && expanded.length > 0 && !expanded.some((a) => actsOn(a.service, a.action, r))) {
        const scoped = expanded.filter((a) => !isWildcardOnly(a.action));
        c.add(q, scoped.length === 0
          ? `${quoted(r)}: ${[...new Set(expanded.map((a) => a.id))].slice(0, 3).join(", ")} accept only "*" as a resource: a resource ARN grants nothing`
          : `${quoted(r)} is no resource ${scoped.slice(0, 3).map((a) => a.id).join(", ")}${scoped.length > 3 ? ", ..." : ""} can act on (${formatsOf(scoped)}): the statement would grant nothing on it`);
      }
    }) && (s.resources as unknown[]).length === 0) c.add([...p, "resources"], "must list at least one resource");
    // An action none of the resources names is granted nothing: a silent no-op the role's owner would find in a pod.
    if (c.problems.length === beforeResources && Array.isArray(s.resources) && s.resources.length > 0) {
      const resources = s.resources as string[];
      for (const l of listed) {
        const granted = l.actions.some((a) => (isWildcardOnly(a.action) ? resources.includes("*") : resources.some((r) => r !== "*" && actsOn(a.service, a.action, r))));
        if (granted) continue;
        const scoped = l.actions.filter((a) => !isWildcardOnly(a.action));
        c.add(l.at, scoped.length === 0
          ? `${quoted(l.name)} accepts only "*" as a resource (it acts on no resource type): give it its own statement with resources: ["*"]`
          : `${quoted(l.name)} acts on none of the statement's resources (it takes ${formatsOf(scoped)}): it would be granted nothing`);
      }
    }
    const seen = new Set<string>();
    c.list<Record<string, unknown>>([...p, "conditions"], s.conditions, (cond, q) => {
      if (!c.object(q, cond)) return;
      c.known(q, cond, ["operator", "key", "values"]);
      if (typeof cond.operator !== "string" || !knownOperator(cond.operator)) {
        c.add([...q, "operator"], `${quoted(cond.operator)} is not a condition operator eks-irsa checks (String*, Arn*, Bool or Null, with ForAnyValue:/ForAllValues: or IfExists)`);
      }
      if (typeof cond.key !== "string" || cond.key === "") c.add([...q, "key"], "expected a condition key");
      else {
        const key = cond.key;
        const not = [...new Set(expanded.filter((a) => !conditionKeyValid(a.action, key)).map((a) => a.id))];
        if (not.length > 0) c.add([...q, "key"], `${quoted(key)} is not a condition key of ${not.slice(0, 3).join(", ")}${not.length > 3 ? ", ..." : ""} (nor a global key): the condition would never hold for it`);
        const id = `${String(cond.operator)}\u0000${key.toLowerCase()}`;
        if (seen.has(id)) c.add([...q, "key"], `${quoted(key)} is given twice with ${String(cond.operator)}: list its values once`);
        seen.add(id);
      }
      const boolean = typeof cond.operator === "string" && /^(?:ForAnyValue:|ForAllValues:)?(Bool|Null)(?:IfExists)?$/.exec(cond.operator)?.[1];
      const value = (v: unknown, r: FieldPath) => {
        if (typeof v !== "string") return c.add(r, "expected a string");
        // IAM compares Bool and Null values with "true" and "false": any other value never matches.
        if (boolean && !/^(true|false)$/i.test(v)) return c.add(r, `${quoted(v)} is not a value of ${boolean} ("true" or "false"): the condition would never hold`);
        hasVariable(c, r, v);
      };
      if (c.list<unknown>([...q, "values"], cond.values, value) && (cond.values as unknown[]).length === 0) {
        c.add([...q, "values"], "must list at least one value");
      } else if (cond.values === undefined) c.add([...q, "values"], "is required");
    });
    const regions = Array.isArray(context.allowedRegions) ? context.allowedRegions : undefined;
    const global = [...services].filter((svc) => GLOBAL_SERVICES.includes(svc));
    if (regions && global.length > 0 && !regions.includes("us-east-1")) {
      c.add([...p, "actions"], `${global.join(", ")} requests count as us-east-1 (a global endpoint): allowedRegions must include us-east-1 or the region guardrail denies them`);
    }
  });
}

/** Resources of custom statements in an account the stack does not allow (`accounts`: the stack's own and allowed). */
export function statementAccountProblems(statements: CustomStatement[] | undefined, accounts: string[]): Problem[] {
  const out: Problem[] = [];
  (statements ?? []).forEach((s, i) =>
    s.resources.forEach((r, j) => {
      const account = ARN.exec(r)?.[4];
      if (account && !accounts.includes(account)) {
        out.push({ path: ["statements", i, "resources", j], message: `${quoted(r)} is in account ${account}, which the stack does not allow (${accounts.join(", ")}): grant it through a cross-account role` });
      }
    }),
  );
  return out;
}

/** A custom statement as an IAM statement: actions sorted, conditions grouped by operator. */
export function customStatement(s: CustomStatement): Statement {
  const one = (v: string[]) => (v.length === 1 ? v[0] : v);
  const condition: ConditionBlock = {};
  for (const c of s.conditions ?? []) condition[c.operator] = { ...condition[c.operator], [c.key]: one(c.values) };
  return {
    Effect: "Allow",
    Action: one([...new Set(s.actions)].sort()),
    Resource: one([...new Set(s.resources)]),
    ...(s.conditions && s.conditions.length > 0 ? { Condition: condition } : {}),
  };
}
