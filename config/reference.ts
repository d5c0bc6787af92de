/**
 * The configuration reference (docs/configuration.md) rendered from the zod schema itself: every key, its type and
 * rule, whether it is required, its default and meaning. Generated so it cannot drift; a test fails when the
 * committed page differs.
 */
import { z } from "zod";
import { docsOf, stackConfigSchema, type KeyDoc } from "./schema";

interface Row {
  key: string;
  type: string;
  requirement: string;
  meaning: string;
}

type Json = { type?: string; enum?: string[]; const?: unknown; minimum?: number; maximum?: number; minItems?: number; rule?: string; anyOf?: Json[]; items?: Json };

type Def = { type: string; innerType?: z.ZodType; element?: z.ZodType };
const defOf = (s: z.ZodType) => s.def as unknown as Def;

const unwrap = (s: z.ZodType): { inner: z.ZodType; optional: boolean } => {
  const def = defOf(s);
  return def.type === "optional" ? { inner: unwrap(def.innerType!).inner, optional: true } : { inner: s, optional: false };
};

/** The element schema of a list, else nothing. */
const elementOf = (s: z.ZodType): z.ZodType | undefined => (defOf(s).type === "array" ? defOf(s).element : undefined);

function typeOf(json: Json): string {
  if (json.anyOf) return json.anyOf.map(typeOf).join(" or ");
  if (json.const !== undefined) return `\`${JSON.stringify(json.const)}\``;
  if (json.enum) return json.enum.map((v) => `\`${v}\``).join(", ");
  if (json.type === "array") return `list of ${typeOf(json.items ?? {})}${json.minItems ? ` (at least ${json.minItems})` : ""}`;
  if (json.type === "integer" || json.type === "number") {
    const range = json.minimum !== undefined && json.maximum !== undefined ? ` ${json.minimum}-${json.maximum}` : json.minimum !== undefined ? ` >= ${json.minimum}` : "";
    return `integer${range}`;
  }
  if (json.type === "object") return "map";
  return json.rule ? `${json.type}: ${json.rule}` : (json.type ?? "any");
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** Rows for the keys of an object schema, nested objects and lists of objects below their key. */
function rows(schema: z.ZodObject, prefix: string): Row[] {
  const docs = docsOf(schema);
  if (!docs) throw new Error(`an object schema under ${prefix || "the root"} has no documented keys`);
  return Object.entries(schema.shape).flatMap(([key, field]) => {
    const doc: KeyDoc | undefined = docs[key];
    if (doc === undefined) throw new Error(`${prefix}${key} has no documentation`);
    const [meaning, defaultValue] = typeof doc === "string" ? [doc, undefined] : doc;
    const { inner, optional } = unwrap(field as z.ZodType);
    const path = `${prefix}${key}`;
    const listed = elementOf(inner);
    const element = listed ? unwrap(listed).inner : undefined;
    const object = inner instanceof z.ZodObject ? inner : element instanceof z.ZodObject ? element : undefined;
    const type = object ? (element ? "list of objects" : "object") : typeOf(z.toJSONSchema(inner, { unrepresentable: "any", io: "input" }) as Json);
    const requirement = optional ? (defaultValue ?? "optional") : "**required**";
    const own: Row = { key: path, type, requirement, meaning };
    return object ? [own, ...rows(object, `${path}${element ? "[]" : ""}.`)] : [own];
  });
}

export function renderConfigReference(): string {
  const out = [
    "<!-- Generated from config/schema.ts by `npm run docs`; test/docs.test.ts fails when this page is stale. Do not edit. -->",
    "# Configuration reference",
    "",
    "Every key of a stack's `eks-irsa:` config namespace (beside `aws:region`, which is required). Every key is validated",
    "before any resource is registered: an unknown key, a wrong type or a broken rule is an error naming its path, e.g.",
    "`workloads[2].s3[0].bucket`. Lists are written `key[]`; a key without a default is optional and absent unless given.",
  ];
  for (const [key, field] of Object.entries(stackConfigSchema.shape)) {
    const { inner, optional } = unwrap(field as z.ZodType);
    const doc = docsOf(stackConfigSchema)![key];
    const [meaning, defaultValue] = typeof doc === "string" ? [doc, undefined] : doc;
    out.push("", `## \`eks-irsa:${key}\``, "", `${meaning}${optional ? ` Optional${defaultValue && defaultValue !== "see below" ? `; default: ${defaultValue}` : ""}.` : " Required."}`, "");
    const element = elementOf(inner);
    const object = (element ?? inner) as z.ZodObject;
    out.push("| key | type | default | meaning |", "| --- | --- | --- | --- |");
    for (const r of rows(object, element ? `${key}[].` : `${key}.`)) out.push(`| \`${r.key}\` | ${cell(r.type)} | ${cell(r.requirement)} | ${cell(r.meaning)} |`);
  }
  return `${out.join("\n")}\n`;
}
