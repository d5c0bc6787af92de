/**
 * The checked access matrix of a run: the model analysis/ reads from the registered documents, with every row
 * and assumer checked by an evaluator (./verify) and what disagreed as its errors.
 */
import { readAccess } from "../../analysis/access";
import type { AccessModel } from "../../analysis/model";
import type { OfflineRun } from "../offline";
import { presetProbes, PRESET_NAMES, type AddonPreset } from "../../core/presets";
import type { Partition } from "../../core/environment";
import { checkAnnotations, checkGrants, checkProbes, checkTrust, probeAgrees } from "./verify";

export type { AccessModel } from "../../analysis/model";

/** The preset inputs a workload was given, as the stack outputs them (`workloads.<name>.preset.input`). */
function presetOf(run: OfflineRun, label: string): AddonPreset | undefined {
  const input = ((run.outputs.workloads ?? {}) as Record<string, { preset?: { input?: AddonPreset } }>)[label]?.preset?.input;
  return input && (PRESET_NAMES as string[]).includes(input.name) ? input : undefined;
}

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
    // A preset's own requests and their variants (another cluster's, zone's, an untagged resource), with the inputs
    // the stack outputs say it was given.
    const preset = presetOf(run, identity.label);
    if (identity.preset && preset) {
      const env = { partition: role.arn.split(":")[1] as Partition, region: run.region, accountId: identity.accountId };
      const results = await checkProbes({ principal: role.arn, region: run.region, documents, boundary, rows, denies, trustOf: (arn) => trusts.get(arn) }, presetProbes({ preset, clusterName: String(run.outputs.clusterName ?? "") }, env));
      identity.presetChecks = results;
      for (const r of results.filter((x) => !probeAgrees(x))) errors.push(`${where}: preset ${identity.preset}: ${r.label} (${r.action} on ${r.resource}) should be ${r.expect}, iam-simulate says ${r.decision}`);
    }
  }
  return { ...model, errors };
}
