import { presetStatementMatch } from "../../core/presets";
import { grantedOnEveryResource, patternHas } from "../lib/actions";
import { permissionStatements, isAllow, actionsOf, resourcesOf } from "../lib/documents";
import { typesReachedByAnyName } from "../lib/resourceScope";
import { toPolicy, type ResourceRule } from "../lib/rule";

interface Config {
  /** Services whose actions on `*` are always violations (the data plane workloads reach). */
  dataServices: string[];
}

/**
 * `Resource: "*"` is only acceptable for actions that accept nothing else (ListSecrets, ListAllMyBuckets,
 * ecr:GetAuthorizationToken...). For every other action it is a choice to grant everything: data actions
 * most of all. The same holds for any pattern that reaches every resource of a type whatever its name
 * (`arn:aws:s3:::*`, `...:table/*`, `...:secret:*`); a pattern scoped to a named bucket, table or secret is not
 * "any resource" (see policy/lib/resourceScope.ts). iam:PassRole has a rule of its own. An add-on preset's residual
 * statements are accepted while they are exactly what the preset registers, conditions included (their Sid names the
 * preset statement; preset-statement-altered flags one that is not).
 */
export const permissionsRestrictableActionOnAnyResource: ResourceRule<Config> = {
  kind: "resource",
  name: "permissions-restrictable-action-on-any-resource",
  description: 'No Allow on Resource "*", or on a pattern reaching every bucket, table, secret, key... whatever its name, for actions that accept resource ARNs (S3, DynamoDB, Secrets Manager, KMS and every other service); actions that only accept "*" are exempt.',
  enforcementLevel: "mandatory",
  defaults: { dataServices: ["s3", "dynamodb", "secretsmanager", "kms"] },
  configSchema: { properties: { dataServices: { type: "array", items: { type: "string" } } } },
  async check({ type, props }, config) {
    const statements = permissionStatements(type, props).filter(({ statement: s }) => isAllow(s) && s.NotAction === undefined);
    const out: string[] = [];
    for (const { statement: s, where } of statements) {
      const preset = presetStatementMatch(s);
      if (preset?.residual && !preset.mismatch) continue;
      const broad: { resource: string; reached: string[] }[] = [];
      for (const resource of resourcesOf(s)) {
        const reached = await typesReachedByAnyName(resource);
        if (reached.length > 0) broad.push({ resource, reached });
      }
      if (s.NotResource !== undefined) broad.push({ resource: "NotResource", reached: ["*"] });
      if (broad.length === 0) continue;
      const offending = new Set<string>();
      const on = new Set<string>();
      for (const pattern of actionsOf(s)) {
        if (pattern === "*" || pattern.toLowerCase() === "iam:passrole") continue;
        for (const { resource, reached } of broad) {
          if (await patternHas(pattern, async (a) => a !== "iam:passrole" && (await grantedOnEveryResource(a, reached)))) {
            offending.add(pattern);
            on.add(resource);
          }
        }
      }
      if (offending.size === 0) continue;
      const data = [...offending].filter((a) => config.dataServices.includes(a.split(":")[0].toLowerCase()));
      const what = data.length > 0 ? `data actions ${data.join(", ")}` : `actions ${[...offending].join(", ")}`;
      out.push(`${where}: ${what} on ${[...on].join(", ")}; name the resources (these actions accept ARNs)`);
    }
    return out;
  },
};

export const policy = toPolicy(permissionsRestrictableActionOnAnyResource);
