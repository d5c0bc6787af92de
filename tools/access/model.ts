/**
 * The checked access matrix of a run: the model analysis/ reads from the registered documents, with every row
 * and assumer checked by an evaluator (./verify) and what disagreed as its errors.
 */
import { readAccess } from "../../analysis/access";
import type { AccessModel } from "../../analysis/model";
import type { OfflineRun } from "../offline";
import { checkAnnotations, checkGrants, checkTrust } from "./verify";

export type { AccessModel } from "../../analysis/model";

/** The access matrix of a run, every row and assumer checked. */
export async function accessModel(run: OfflineRun): Promise<AccessModel> {
  const { model, identities } = readAccess(run);
  const trusts = new Map(identities.map(({ role }) => [role.arn, role.trust]));
  const errors: string[] = [];
  for (const { identity, role, documents, boundary, rows, denies } of identities) {
    const where = `${identity.kind} ${identity.label}`;
    errors.push(
      ...checkTrust(role.trust, identity.assumers, run.region).map((e) => `${where}: ${e}`),
      ...checkAnnotations(role).map((e) => `${where}: ${e}`),
      ...(await checkGrants({
        principal: role.arn,
        region: run.region,
        documents,
        boundary,
        rows,
        denies,
        trustOf: (arn) => trusts.get(arn),
        externalIdOf: (arn) => role.associations?.find((a) => a.targetRoleArn === arn)?.externalId,
      })).map((e) => `${where}: ${e}`),
    );
  }
  return { ...model, errors };
}
