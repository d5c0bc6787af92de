/**
 * Troubleshooting offline: whether a ServiceAccount can make one AWS call, and why, read from what the stack registers.
 * Three steps, as in the cluster: which role its annotation names (and who sets that annotation), whether that role's
 * trust admits the ServiceAccount's token (namespace, name or pattern, audience, issuer), and whether the role's
 * documents allow the call (the statement that allows it, the guardrail that denies it, or the nearest grant).
 */
import { issuerHostPath } from "../core/arn";
import { asList, type PolicyDocument, type Statement } from "../core/document";
import { DEFAULT_AUDIENCE } from "../core/trust";
import { requestedRegion, type Partition } from "../core/environment";
import { eksClusterArn } from "../core/podIdentity";
import { conditionsHold, evaluateTrust, evaluateTrustAll, globMatch, podIdentityRequests, UnsupportedConditionError, webIdentityRequest } from "../core/trustEval";
import { resolvePrincipalTags } from "./abac";
import { describeConditions } from "./describe";
import type { RegisteredResource } from "./resource";
import { permissionDocumentsOf, rolesOf, type RoleView } from "./roles";

export interface ExplainRequest {
  namespace: string;
  serviceAccount: string;
  action: string;
  resource: string;
  /** The token's audience. @default the ServiceAccount's eks.amazonaws.com/audience annotation, else sts.amazonaws.com */
  audience?: string;
  /** The token's issuer URL. @default the stack's cluster */
  issuer?: string;
  /** Request context besides the defaults (TLS, the resource's region). */
  context?: Record<string, string>;
}

/** What the stack outputs of a workload say (its ServiceAccount's owner and the chart value holding its annotations). */
interface WorkloadOutput {
  namespace?: string;
  serviceAccount?: string;
  serviceAccountMode?: string;
  serviceAccountAnnotations?: Record<string, string>;
  preset?: { chart: string; annotationsValue: string };
}

export interface Explanation {
  /** The role the pod's credentials are for, when one is. */
  roleArn?: string;
  /** The token is admitted by that role's trust. */
  assumed: boolean;
  /** The call is allowed once assumed (undefined when nothing was assumed and no role was tried). */
  decision?: "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";
  /** The request as evaluated, for an IAM evaluator to confirm. */
  request?: { action: string; resource: string; context: Record<string, string | string[]> };
  /** The documents of the role, for the same. */
  documents: PolicyDocument[];
  /** Human lines, heading first. */
  lines: string[];
}


const subjectOf = (namespace: string, name: string) => `system:serviceaccount:${namespace}:${name}`;

function names(s: Statement, action: string, resource: string): boolean {
  const actionMatch = s.Action !== undefined ? asList(s.Action).some((a) => globMatch(a, action, true)) : !asList(s.NotAction).some((a) => globMatch(a, action, true));
  const resourceMatch = s.Resource !== undefined ? asList(s.Resource).some((r) => globMatch(r, resource)) : !asList(s.NotResource).some((r) => globMatch(r, resource));
  return actionMatch && resourceMatch;
}

function holds(s: Statement, context: Record<string, string | string[]>): boolean {
  try {
    return conditionsHold(s.Condition, context);
  } catch (e) {
    if (e instanceof UnsupportedConditionError) return false;
    throw e;
  }
}

const statementText = (s: Statement) => `${s.Effect.toLowerCase()} ${asList(s.Action).join(", ")} on ${asList(s.Resource).join(", ")}${describeConditions(s.Condition)}`;

/** Where each statement of a role stands: `<policy> statement <i>`. */
function located(role: RoleView): { where: string; statement: Statement }[] {
  return [
    ...role.inlinePolicies.flatMap((p) => p.document.Statement.map((statement, i) => ({ where: `${p.name} (inline) statement ${i}`, statement }))),
    ...role.policies.flatMap((p) => (p.document ? p.document.Statement.map((statement, i) => ({ where: `${p.name} (managed) statement ${i}`, statement })) : [])),
  ];
}

/** Why a trust does not admit the token: per federated statement, the first claim that differs. */
function trustMismatches(role: RoleView, token: { issuer: string; sub: string; aud: string }, namespace: string, name: string): string[] {
  const out: string[] = [];
  for (const s of role.trust.Statement.filter((x) => x.Effect === "Allow")) {
    const provider = s.Principal && s.Principal !== "*" ? asList(s.Principal.Federated)[0] : undefined;
    if (!provider) continue;
    const issuer = provider.slice(provider.indexOf(":oidc-provider/") + ":oidc-provider/".length);
    if (issuer !== token.issuer) {
      out.push(`it trusts tokens of ${issuer} (IAM OIDC provider ${provider}), not of ${token.issuer}: another cluster's issuer`);
      continue;
    }
    const claim = (suffix: string) => Object.entries(s.Condition ?? {}).flatMap(([op, kv]) => Object.entries(kv).filter(([k]) => k.toLowerCase() === `${issuer}:${suffix}`.toLowerCase()).map(([, v]) => ({ op, values: asList(v) })));
    const subs = claim("sub");
    const auds = claim("aud");
    const subOk = subs.every((c) => c.values.some((v) => (c.op.includes("Like") ? globMatch(v, token.sub) : v === token.sub)));
    if (!subOk) {
      for (const c of subs) {
        for (const v of c.values) {
          const m = /^system:serviceaccount:([^:]+):(.+)$/.exec(v);
          if (!m) out.push(`it trusts sub ${v}, not ${token.sub}`);
          else if (m[1] !== namespace) out.push(`it trusts ${m[1]}/${m[2]}: wrong namespace (${namespace}, not ${m[1]})`);
          else if (c.op.includes("Like") && m[2].includes("*")) out.push(`it trusts the pattern ${m[1]}/${m[2]}, which ${name} does not match`);
          else out.push(`it trusts ${m[1]}/${m[2]}, another ServiceAccount of the namespace (not ${name})`);
        }
      }
    }
    const audOk = auds.every((c) => c.values.some((v) => v === token.aud));
    if (!audOk) out.push(`it requires aud ${auds.flatMap((c) => c.values).join(" or ")}, and the token's is ${token.aud} (the ServiceAccount's eks.amazonaws.com/audience)`);
  }
  return out;
}

/**
 * Explains one call offline. `resources` and `outputs` are what a run of the stack registered and exported (the
 * outputs name the cluster's issuer and provider, and who owns each workload's ServiceAccount); `region` is the stack's.
 */
export function explain(resources: readonly RegisteredResource[], outputs: Record<string, unknown>, region: string, req: ExplainRequest): Explanation {
  const roles = rolesOf(resources);
  const lines: string[] = [`explain   can ${req.namespace}/${req.serviceAccount} do ${req.action} on ${req.resource}? (offline: the documents the stack registers)`];
  const stackIssuer = issuerHostPath(String(outputs.oidcIssuerUrl ?? ""));
  const stackProvider = String(outputs.oidcProviderArn ?? "");
  const tokenIssuer = req.issuer ? issuerHostPath(req.issuer) : stackIssuer;
  const sub = subjectOf(req.namespace, req.serviceAccount);
  const workloads = (outputs.workloads ?? {}) as Record<string, WorkloadOutput>;
  const trustOnly = req.action.toLowerCase() === "sts:assumerolewithwebidentity";
  // Pod Identity's counterpart: EKS calls sts:AssumeRole (and TagSession) on the association's role for the pod.
  const podRole = req.action.toLowerCase() === "sts:assumerole" ? roles.find((r) => r.arn === req.resource && (r.associations ?? []).length > 0) : undefined;
  if (podRole) return podIdentityTrust(podRole, req, region, lines);

  // 1. The annotation: registered by the stack (created, patched, a Helm release), or left to a chart (external).
  //    An EKS Pod Identity association gives the role without one (and loses to an annotation in mode both).
  const association = roles.flatMap((role) => (role.associations ?? []).filter((a) => a.namespace === req.namespace && a.serviceAccount === req.serviceAccount).map((a) => ({ role, a })))[0];
  const annotated = roles.flatMap((role) => role.serviceAccounts.filter((sa) => sa.namespace === req.namespace && sa.name === req.serviceAccount).map((sa) => ({ role, sa })));
  const external = Object.entries(workloads).find(([, w]) => w.namespace === req.namespace && w.serviceAccount === req.serviceAccount && w.serviceAccountMode === "external");
  let role: RoleView | undefined;
  let audience = req.audience ?? DEFAULT_AUDIENCE;
  if (trustOnly) {
    role = roles.find((r) => r.arn === req.resource);
    lines.push(`  role        ${role ? role.arn : `${req.resource}: not a role of this stack`}`);
  } else if (annotated.length > 0) {
    const { role: r, sa } = annotated[0];
    role = r;
    audience = req.audience ?? sa.annotations["eks.amazonaws.com/audience"] ?? DEFAULT_AUDIENCE;
    const by = sa.patch ? "patched into the chart's ServiceAccount by this stack (annotated)" : sa.helmRelease ? `set by Helm release ${sa.helmRelease}` : "on the ServiceAccount this stack creates";
    lines.push(`  annotation  eks.amazonaws.com/role-arn: ${r.arn} (${by})`);
  } else if (association && !trustOnly) {
    return viaPodIdentity(association.role, association.a, roles, req, region, lines);
  } else if (external) {
    const [name, w] = external;
    const arn = w.serviceAccountAnnotations?.["eks.amazonaws.com/role-arn"];
    role = roles.find((r) => r.arn === arn);
    const where = w.preset ? `the chart value ${w.preset.annotationsValue} of ${w.preset.chart}` : "its owner";
    lines.push(`  annotation  eks.amazonaws.com/role-arn: ${arn} must be set by ${where}: workload ${name} is external (this stack puts nothing in Kubernetes); if it is missing, the pod gets no web identity at all (check with the verification recipe: stack output workloads.${name}.verification)`);
  } else {
    const trusting = roles.filter((r) => evaluateTrust(r.trust, webIdentityRequest(stackProvider, stackIssuer, { sub, aud: audience })) === "Allowed");
    if (trusting.length > 0) {
      role = trusting[0];
      lines.push(`  annotation  NONE: no ServiceAccount ${req.namespace}/${req.serviceAccount} annotated with a role is registered by this stack; role ${trusting[0].arn} trusts it (a pattern binding): annotate the ServiceAccount with eks.amazonaws.com/role-arn: ${trusting[0].arn}, else the EKS pod identity webhook injects nothing and the pod falls back to the node's role`);
      lines.push("  (the rest assumes the annotation is set)");
    } else {
      lines.push(`  annotation  NONE: no role of this stack is annotated on or trusts ${req.namespace}/${req.serviceAccount}: the webhook injects no credentials and the pod falls back to the node's role (or gets none)`);
      const near = roles.flatMap((r) => trustMismatches(r, { issuer: stackIssuer, sub, aud: audience }, req.namespace, req.serviceAccount).filter((m) => !m.includes("another cluster")).map((m) => `role ${r.roleName}: ${m}`));
      const relevant = near.filter((m) => m.includes(`/${req.serviceAccount}:`) || m.includes(`/${req.serviceAccount} `) || m.includes(`${req.namespace}/`) || m.includes("pattern"));
      for (const m of (relevant.length > 0 ? relevant : []).slice(0, 5)) lines.push(`  nearest     ${m}`);
      lines.push("answer    NO: it cannot assume any role of this stack");
      return { assumed: false, documents: [], lines };
    }
  }
  if (!role) {
    lines.push("answer    NO: the annotation names a role this stack does not define");
    return { assumed: false, documents: [], lines };
  }

  // 2. The trust: the token the webhook projects (sub, aud, issuer) against the role's trust policy.
  const provider = tokenIssuer === stackIssuer ? stackProvider : stackProvider.replace(/:oidc-provider\/.*$/, `:oidc-provider/${tokenIssuer}`);
  lines.push(`  token       sub ${sub}, aud ${audience}, issuer ${tokenIssuer}${tokenIssuer === stackIssuer ? " (the stack's cluster)" : ""}`);
  const providerKnown = tokenIssuer === stackIssuer || roles.some((r) => r.trust.Statement.some((s) => s.Principal && s.Principal !== "*" && asList(s.Principal.Federated).includes(provider)));
  const trust = evaluateTrust(role.trust, webIdentityRequest(provider, tokenIssuer, { sub, aud: audience }));
  if (trust !== "Allowed") {
    lines.push(`  assume      DENIED by the trust of ${role.roleName} (AccessDenied on AssumeRoleWithWebIdentity, "not authorized to perform: sts:AssumeRoleWithWebIdentity"):`);
    for (const m of trustMismatches(role, { issuer: tokenIssuer, sub, aud: audience }, req.namespace, req.serviceAccount)) lines.push(`              ${m}`);
    if (!providerKnown) lines.push(`              and no IAM OIDC provider of this stack is for ${tokenIssuer}: STS answers InvalidIdentityToken ("No OpenIDConnect provider found in your account for https://${tokenIssuer}")`);
    lines.push(`answer    NO: ${req.namespace}/${req.serviceAccount} cannot assume ${role.roleName}`);
    return { roleArn: role.arn, assumed: false, documents: [], lines };
  }
  lines.push(`  assume      ALLOWED: the trust of ${role.roleName} admits the token`);
  if (trustOnly) {
    lines.push(`answer    YES: ${req.namespace}/${req.serviceAccount} can assume ${role.roleName}`);
    return { roleArn: role.arn, assumed: true, decision: "Allowed", documents: [], lines };
  }

  return decideCall(role, req, region, lines);
}

/** Step 3: the call against the role's statements, Deny first; the nearest grant when nothing allows it. */
function decideCall(role: RoleView, req: ExplainRequest, region: string, lines: string[]): Explanation {
  const arnRegion = req.resource.split(":")[3];
  const context: Record<string, string | string[]> = { "aws:SecureTransport": "true", "aws:RequestedRegion": requestedRegion(req.action, arnRegion || region), "aws:PrincipalArn": role.arn, ...req.context };
  const shown = Object.entries(context).filter(([k]) => k !== "aws:PrincipalArn").map(([k, v]) => `${k}=${asList(v).join(",")}`).join(", ");
  lines.push(`  request     ${req.action} on ${req.resource} (${shown})`);
  // A shared (ABAC) role's resources and conditions (`s3:prefix`) name the session's tags (`${aws:PrincipalTag/kubernetes-namespace}`): resolved from the request.
  const tags = Object.fromEntries(Object.entries(context).flatMap(([k, v]) => (/^aws:PrincipalTag\//i.test(k) ? [[k.slice("aws:PrincipalTag/".length), asList(v)[0]]] : [])));
  const resolve = (v: string) => resolvePrincipalTags(v, tags);
  const resolved = (s: Statement): Statement => ({
    ...s,
    ...(s.Resource !== undefined ? { Resource: asList(s.Resource).map(resolve) } : {}),
    ...(s.Condition ? { Condition: Object.fromEntries(Object.entries(s.Condition).map(([op, kv]) => [op, Object.fromEntries(Object.entries(kv).map(([k, v]) => [k, asList(v).map(resolve)]))])) } : {}),
  });
  const statements = located(role).map(({ where, statement }) => ({ where, statement: resolved(statement) }));
  const documents = permissionDocumentsOf(role);
  const deny = statements.find(({ statement: s }) => s.Effect === "Deny" && names(s, req.action, req.resource) && holds(s, context));
  const allow = statements.find(({ statement: s }) => s.Effect === "Allow" && names(s, req.action, req.resource) && holds(s, context));
  let decision: Explanation["decision"];
  if (deny) {
    decision = "ExplicitlyDenied";
    lines.push(`  decision    DENIED by the guardrail ${deny.where}: ${statementText(deny.statement)}`);
    if (allow) lines.push(`              (${allow.where} would allow it otherwise: ${statementText(allow.statement)})`);
  } else if (allow) {
    decision = "Allowed";
    lines.push(`  decision    ALLOWED by ${allow.where}${allow.statement.Sid ? ` (${allow.statement.Sid})` : ""}: ${statementText(allow.statement)}`);
  } else {
    decision = "ImplicitlyDenied";
    lines.push("  decision    DENIED: no statement of the role allows it (implicit deny: AccessDenied on the call itself)");
    for (const n of nearest(statements.map((x) => x.statement).filter((s) => s.Effect === "Allow"), req.action, req.resource, context)) lines.push(`  nearest     ${n}`);
  }
  lines.push(`answer    ${decision === "Allowed" ? "YES" : "NO"}: ${req.namespace}/${req.serviceAccount} ${decision === "Allowed" ? "can" : "cannot"} ${req.action} on ${req.resource}`);
  return { roleArn: role.arn, assumed: true, decision, request: { action: req.action, resource: req.resource, context }, documents, lines };
}

/**
 * A role an EKS Pod Identity association gives: no token to check against a trust (EKS assumes the role for the pod,
 * with the session tags of the association), then the call as for IRSA, the tags in the request. With a target role,
 * EKS chains to it and the pod's calls are that role's (its session carries the same tags: they are transitive).
 */
function viaPodIdentity(role: RoleView, a: NonNullable<RoleView["associations"]>[number], roles: RoleView[], req: ExplainRequest, region: string, lines: string[]): Explanation {
  lines.push(`  association ${a.cluster}/${a.namespace}/${a.serviceAccount} names ${role.arn} (EKS Pod Identity: no annotation, no web identity token; EKS assumes the role for the pod${a.sessionTags ? ", with session tags" : ", without session tags"})`);
  const target = a.targetRoleArn ? roles.find((r) => r.arn === a.targetRoleArn) : undefined;
  if (a.targetRoleArn) lines.push(`              and chains to ${a.targetRoleArn}: the pod's calls are that role's${target ? "" : ", which this stack does not define here"}`);
  const tags: Record<string, string> = a.sessionTags
    ? { "aws:PrincipalTag/kubernetes-namespace": a.namespace, "aws:PrincipalTag/kubernetes-service-account": a.serviceAccount, "aws:PrincipalTag/eks-cluster-name": a.cluster }
    : {};
  return decideCall(target ?? role, { ...req, context: { ...tags, ...req.context } }, region, lines);
}

/**
 * Whether the pods of a ServiceAccount get a Pod Identity role: an association of that ServiceAccount names it, and
 * the role's trust admits the requests EKS makes for it on each cluster (AssumeRole, and TagSession with the session
 * tags it sets).
 */
function podIdentityTrust(role: RoleView, req: ExplainRequest, region: string, lines: string[]): Explanation {
  lines.push(`  role        ${role.arn}`);
  const mine = (role.associations ?? []).filter((a) => a.namespace === req.namespace && a.serviceAccount === req.serviceAccount);
  const no = (why: string): Explanation => {
    lines.push(`answer    NO: ${req.namespace}/${req.serviceAccount} cannot assume ${role.roleName}${why}`);
    return { roleArn: role.arn, assumed: false, documents: [], lines };
  };
  if (mine.length === 0) {
    const others = (role.associations ?? []).map((a) => `${a.cluster}/${a.namespace}/${a.serviceAccount}`);
    lines.push(`  association NONE: no Pod Identity association of ${req.namespace}/${req.serviceAccount} names ${role.roleName} (its associations: ${others.join(", ")}); EKS gives a pod only the role of its own ServiceAccount's association`);
    return no("");
  }
  const [, partition, accountId] = /^arn:([\w-]+):iam::(\d{12}):/.exec(role.arn) ?? ["", "aws", ""];
  const denied = mine.filter((a) => {
    const clusterArn = eksClusterArn({ partition: partition as Partition, region, accountId }, a.cluster);
    const decision = evaluateTrustAll(role.trust, podIdentityRequests({ accountId, clusterArn, namespace: a.namespace, serviceAccount: a.serviceAccount, sessionTags: a.sessionTags }));
    const what = a.sessionTags ? "sts:AssumeRole and sts:TagSession with the session tags it sets" : "sts:AssumeRole (session tags disabled)";
    lines.push(`  association ${a.cluster}/${a.namespace}/${a.serviceAccount}: the trust of ${role.roleName} ${decision === "Allowed" ? "admits" : "DENIES"} EKS's ${what}`);
    return decision !== "Allowed";
  });
  if (denied.length > 0) return no(` on cluster ${denied.map((a) => a.cluster).join(", ")}`);
  lines.push(`answer    YES: ${req.namespace}/${req.serviceAccount} can assume ${role.roleName} (EKS Pod Identity)`);
  return { roleArn: role.arn, assumed: true, decision: "Allowed", documents: [], lines };
}

/** The grants closest to a denied call: the action on other resources, other actions on the resource, or under conditions. */
function nearest(allows: Statement[], action: string, resource: string, context: Record<string, string | string[]>): string[] {
  const sameAction = allows.filter((s) => asList(s.Action).some((a) => globMatch(a, action, true)));
  const conditioned = sameAction.filter((s) => names(s, action, resource) && !holds(s, context));
  if (conditioned.length > 0) return conditioned.map((s) => `${action} is granted on ${resource} only${describeConditions(s.Condition)}: the request does not meet that`);
  if (sameAction.length > 0) {
    const patterns = [...new Set(sameAction.flatMap((s) => asList(s.Resource)))];
    const score = (p: string) => commonPrefix(p, resource);
    patterns.sort((a, b) => score(b) - score(a));
    return [`${action} is granted on ${patterns.slice(0, 3).map((p) => `\`${p}\``).join(", ")}, not on \`${resource}\``];
  }
  const onResource = allows.filter((s) => asList(s.Resource).some((r) => globMatch(r, resource)));
  if (onResource.length > 0) return [`on ${resource} the role may ${[...new Set(onResource.flatMap((s) => asList(s.Action)))].join(", ")}, not ${action}`];
  const service = action.split(":")[0].toLowerCase();
  const sameService = allows.filter((s) => asList(s.Action).some((a) => a.toLowerCase().startsWith(`${service}:`)));
  if (sameService.length > 0) return [`the role's ${service} grants: ${sameService.map(statementText).join("; ")}`];
  return [`the role grants nothing of ${service}`];
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
