/**
 * The access matrix of a run, read from the documents its program registers: every role an identity (./roles),
 * its assumers (./assumers), its rows (./grants), its Deny statements as guardrails, and ESO's stores and
 * ExternalSecrets (./eso). Unchecked: an evaluator fills in the checks from what each identity was read from.
 */
import { parsePolicy, policyDocument, type PolicyDocument, type Statement } from "../core/document";
import { PRESET_TAG } from "../core/plan";
import { presetStatementMatch } from "../core/presets";
import { assumersOf } from "./assumers";
import { describePermissions } from "./describe";
import { esoViews } from "./eso";
import { grantRows, type GrantRow } from "./grants";
import { resolveAbacRows } from "./abac";
import { partitionOfRegion } from "../core/environment";
import { accountOf, kindOf, labelOf, type AccessModel, type Identity } from "./model";
import type { RegisteredRun } from "./resource";
import { rolesOf, type RoleView } from "./roles";

/** One identity and what it was read from, for an evaluator to check it. */
export interface IdentityReading {
  /** The model's identity (the same object). */
  identity: Identity;
  role: RoleView;
  /** The permission documents the stack defines for the role (managed and inline). */
  documents: PolicyDocument[];
  /** The role's permissions boundary, when the stack defines it. */
  boundary?: PolicyDocument[];
  /** The identity's grants (the same objects), each with the statement it comes from. */
  rows: GrantRow[];
  /** The Deny statements of `documents`. */
  denies: Statement[];
}

export interface AccessReading {
  /** No `check` set, no errors. */
  model: AccessModel;
  /** In the order of `model.identities`. */
  identities: IdentityReading[];
}

const str = (v: unknown) => (typeof v === "string" ? v : "");

export function readAccess(run: RegisteredRun): AccessReading {
  const roles = rolesOf(run.resources);
  const labels = new Map(roles.map((r) => [r.arn, labelOf(r)]));
  const policies = new Map(run.resources.filter((r) => r.type === "aws:iam/policy:Policy").map((r) => [str(r.outputs.arn), r.outputs.policy] as const));
  const readings = roles.map((role): IdentityReading => {
    const documents = [...role.policies.flatMap((p) => (p.document ? [p.document] : [])), ...role.inlinePolicies.map((p) => p.document)];
    const notEvaluated = role.policies.filter((p) => !p.document).map((p) => `managed policy ${p.arn} (not defined by this stack)`);
    const boundaryArn = str(run.resources.find((r) => r.type === "aws:iam/role:Role" && r.name === role.resourceName)?.inputs.permissionsBoundary);
    const boundary = boundaryArn && policies.has(boundaryArn) ? [parsePolicy(policies.get(boundaryArn))] : undefined;
    if (boundaryArn && !boundary) notEvaluated.push(`permissions boundary ${boundaryArn} (not defined by this stack)`);
    const denies = documents.flatMap((d) => d.Statement).filter((s) => s.Effect === "Deny");
    // A shared (ABAC) role: what each association reaches, its session tags resolved.
    const rows = resolveAbacRows(grantRows(documents), role.associations ?? [], { partition: partitionOfRegion(run.region), region: run.region, accountId: accountOf(role.arn) });
    for (const row of rows) {
      const preset = presetStatementMatch(row.statement);
      if (preset?.residual && !preset.mismatch) row.grant.residual = preset.residual;
    }
    const identity: Identity = {
      kind: kindOf(role.tags),
      label: labelOf(role),
      roleName: role.roleName,
      roleArn: role.arn,
      accountId: accountOf(role.arn),
      assumers: assumersOf(role, labels),
      grants: rows.map((r) => r.grant),
      guardrails: [...new Set(describePermissions(policyDocument(denies)).map((l) => l.replace(/\s+/g, " ")))],
      notEvaluated,
      ...(role.tags[PRESET_TAG] ? { preset: role.tags[PRESET_TAG] } : {}),
    };
    return { identity, role, documents, ...(boundary ? { boundary } : {}), rows, denies };
  });
  const identities = readings.map((r) => r.identity);
  const byArn = new Map(identities.map((i) => [i.roleArn, `${i.kind} ${i.label}`]));
  const model: AccessModel = { stack: run.stack, region: run.region, accountId: run.accountId, identities, ...esoViews(run.resources, roles, (arn) => byArn.get(arn)), errors: [] };
  return { model, identities: readings };
}
