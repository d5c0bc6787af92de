import { asList } from "../../core/document";
import { acceptsResourceArns, expandAction } from "../lib/actions";
import { coversEverything, eachPermissionStatement, isAllow, actionsOf, resourcesOf } from "../lib/documents";
import { toPolicy, type ResourceRule } from "../lib/rule";

interface Config {
  /** Services whose actions on `*` are always violations (the data plane workloads reach). */
  dataServices: string[];
}

/**
 * `Resource: "*"` is only acceptable for actions that accept nothing else (ListSecrets, ListAllMyBuckets,
 * ecr:GetAuthorizationToken...). For every other action it is a choice to grant everything: data actions
 * most of all. iam:PassRole has a rule of its own.
 */
export const permissionsRestrictableActionOnAnyResource: ResourceRule<Config> = {
  kind: "resource",
  name: "permissions-restrictable-action-on-any-resource",
  description: 'No Allow on Resource "*" for actions that accept resource ARNs (S3, DynamoDB, Secrets Manager, KMS and every other service); actions that only accept "*" are exempt.',
  enforcementLevel: "mandatory",
  defaults: { dataServices: ["s3", "dynamodb", "secretsmanager", "kms"] },
  configSchema: { properties: { dataServices: { type: "array", items: { type: "string" } } } },
  async check({ type, props }, config) {
    const pending: Promise<string[]>[] = [];
    eachPermissionStatement(type, props, (s, where) => {
      if (!isAllow(s) || s.NotAction !== undefined) return [];
      const anyResource = resourcesOf(s).some(coversEverything) || s.NotResource !== undefined;
      if (!anyResource) return [];
      pending.push(
        (async () => {
          const offending: string[] = [];
          for (const pattern of actionsOf(s)) {
            if (pattern === "*" || pattern.toLowerCase() === "iam:passrole") continue;
            const expanded = (await expandAction(pattern)).filter((a) => a.toLowerCase() !== "iam:passrole");
            const restrictable: string[] = [];
            for (const a of expanded) if (await acceptsResourceArns(a)) restrictable.push(a);
            if (restrictable.length > 0) offending.push(pattern);
          }
          if (offending.length === 0) return [];
          const data = offending.filter((a) => config.dataServices.includes(a.split(":")[0].toLowerCase()));
          const what = data.length > 0 ? `data actions ${data.join(", ")}` : `actions ${offending.join(", ")}`;
          return [`${where}: ${what} on ${asList(s.Resource).filter(coversEverything).join(", ") || "NotResource"}; name the resources (these actions accept ARNs)`];
        })(),
      );
      return [];
    });
    return (await Promise.all(pending)).flat();
  },
};

export const policy = toPolicy(permissionsRestrictableActionOnAnyResource);
