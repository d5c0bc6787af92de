/**
 * A stack file (`Pulumi.<stack>.yaml`) read for an offline run: its `config:` map, the line of every value, and
 * which values are secure. Anything that is not a readable stack file is a StackFileError naming the file and,
 * where there is one, the line: nothing here ends in a stack trace.
 */
import { readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from "yaml";
import { UsageError } from "./usage";

/**
 * Stands for a secure value (`{ secure: v1:... }`), which cannot be decrypted without the stack's secrets
 * provider. It passes the config checks of any free-text field (a kubeconfig, an external id).
 */
export const SECRET_PLACEHOLDER = "secret-not-decrypted-offline";

/** YAML aliases may repeat at most this many nodes in all: a stack file needs few, an alias bomb needs billions. */
export const MAX_ALIAS_NODES = 10_000;

export class StackFileError extends UsageError {}

export interface StackFile {
  /** The file as messages name it: relative to the working directory when inside it. */
  shown: string;
  /** The `config:` map, secure values replaced by SECRET_PLACEHOLDER. */
  config: Record<string, unknown>;
  /** Config paths of the secure values (`cluster.kubeconfig` for `eks-irsa:cluster`, `aws:secretKey` for others). */
  secrets: string[];
  /** The line of a config path as config errors name it (`workloads[0].namespace`), or of its nearest parent. */
  lineOf(configPath: string): number | undefined;
}

/** The project's own config namespace: its keys are named without it in config errors. */
const NAMESPACE = "eks-irsa";

export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : path.resolve(file);
}

/** `workloads[0].namespace` -> `["eks-irsa:workloads", 0, "namespace"]`; a key with a colon names its namespace. */
export function configKeyPath(configPath: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const m of configPath.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) parts.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  if (typeof parts[0] === "string" && !parts[0].includes(":")) parts[0] = `${NAMESPACE}:${parts[0]}`;
  return parts;
}

function configPathOf(keys: (string | number)[]): string {
  return keys.reduce<string>((out, k, i) => {
    if (typeof k === "number") return `${out}[${k}]`;
    if (i === 0) return k.startsWith(`${NAMESPACE}:`) ? k.slice(NAMESPACE.length + 1) : k;
    return `${out}.${k}`;
  }, "");
}

const kindOf = (v: unknown) => (v === null || v === undefined ? "empty" : Array.isArray(v) ? "a list" : typeof v === "object" ? "a map" : `a ${typeof v}`);

/** Reads and checks a stack file; throws a StackFileError for anything that is not one. */
export function loadStackFile(file: string): StackFile {
  const shown = shownPath(file);
  const fail = (message: string, line?: number, col?: number): never => {
    throw new StackFileError(`${shown}${line ? `:${line}${col ? `:${col}` : ""}` : ""}: ${message}`);
  };
  let text: string;
  try {
    if (statSync(file).isDirectory()) fail("is a directory, not a stack config file");
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof StackFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === "ENOENT" ? "no such file" : code === "EACCES" ? "cannot be read (permission denied)" : `cannot be read (${code ?? (e as Error).message})`);
  }
  const lines = new LineCounter();
  // Merge keys (`<<: *defaults`) as the Pulumi CLI's YAML reader takes them.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true, merge: true });
  const at = (offset: number) => lines.linePos(offset);
  const problem = doc.errors[0];
  if (problem) {
    const pos = problem.linePos?.[0] ?? at(problem.pos[0]);
    const message = problem.code === "MULTIPLE_DOCS" ? "a second YAML document (---): a stack config file is one document" : problem.message.split("\n")[0];
    fail(`not valid YAML: ${message}`, pos.line, pos.col);
  }
  const failAt = (message: string, offset?: number): never => fail(message, ...(offset === undefined ? [] : (({ line, col }) => [line, col])(at(offset))));
  checkAliases(doc, failAt);
  checkTags(doc, failAt);
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ""))) {
    fail("is empty: a stack config file is a map with a `config:` map of the stack's settings");
  }
  if (!isMap(doc.contents)) {
    fail(`is ${kindOf(doc.toJS())}, not a map: a stack config file is a map with a \`config:\` map of the stack's settings`, at(doc.contents!.range?.[0] ?? 0).line);
  }
  let top: Record<string, unknown>;
  try {
    top = doc.toJS({ maxAliasCount: -1 }) as Record<string, unknown>;
  } catch (e) {
    return fail(`not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const raw = top.config;
  if (raw !== undefined && raw !== null && (typeof raw !== "object" || Array.isArray(raw))) {
    const offset = offsetOf(doc, ["config"]);
    fail("`config:` is not a map", offset === undefined ? undefined : at(offset).line);
  }
  const secrets: (string | number)[][] = [];
  const config = masked((raw ?? {}) as Record<string, unknown>, [], secrets) as Record<string, unknown>;
  return {
    shown,
    config,
    secrets: secrets.map(configPathOf),
    lineOf: (configPath) => {
      const offset = offsetOf(doc, ["config", ...configKeyPath(configPath)]);
      return offset === undefined ? undefined : at(offset).line;
    },
  };
}

/** Replaces each `{ secure: ... }` with the placeholder, recording its path. */
function masked(value: unknown, at: (string | number)[], secrets: (string | number)[][]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => masked(v, [...at, i], secrets));
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (Object.keys(o).length === 1 && typeof o.secure === "string") {
      secrets.push(at);
      return SECRET_PLACEHOLDER;
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, masked(v, [...at, k], secrets)]));
  }
  return value;
}

/** The offset of the deepest node on `keys` (a map entry's key, so the line reads `name: value`). */
function offsetOf(doc: Document, keys: (string | number)[]): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const key of keys) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number" && key < node.items.length) {
      node = node.items[key];
      offset = (node as Node | null)?.range?.[0] ?? offset;
    } else break;
  }
  return offset;
}

/** The YAML tags a stack config value may carry: JSON's types (what `pulumi config` stores). */
const JSON_TAGS = ["str", "int", "float", "bool", "null", "map", "seq", "merge"].map((t) => `tag:yaml.org,2002:${t}`);

/** Refuses a value tagged as anything but a JSON type (`!!set`, `!!omap`, `!!binary`, `!custom`) or a collection as a key: neither has a JSON form. */
function checkTags(doc: Document, fail: (message: string, offset?: number) => never): void {
  const tagged = (node: Node) => {
    if (node.tag !== undefined && !JSON_TAGS.includes(node.tag)) {
      const shown = node.tag.replace(/^tag:yaml\.org,2002:/, "!!");
      fail(`the YAML tag ${shown} has no JSON form: a stack config value is a string, number, boolean, null, list or map`, node.range?.[0]);
    }
  };
  visit(doc, {
    Pair(_, pair) {
      // `? [a, b]: x`: JSON keys are strings (the YAML library would stringify it and warn on the process's stderr).
      if (isCollection(pair.key)) fail("a map key that is a list or a map has no JSON form: keys are strings", pair.key.range?.[0]);
    },
    Scalar(_, node) {
      tagged(node);
      // YAML 1.1's implicit types (`%YAML 1.1`: timestamps) resolve without a tag to values JSON has not (a merge key `<<` is a symbol).
      const v = node.value;
      if (v !== null && !["string", "number", "boolean", "symbol"].includes(typeof v)) {
        fail(`${JSON.stringify(node.source ?? String(v))} reads as a YAML ${v instanceof Date ? "timestamp" : typeof v}, which has no JSON form: quote it`, node.range?.[0]);
      }
    },
    Map: (_, node) => void tagged(node),
    Seq: (_, node) => void tagged(node),
  });
}

/**
 * Counts the nodes the aliases repeat (an alias of an alias counts what it expands to), failing at the alias that
 * crosses MAX_ALIAS_NODES, and refuses an alias inside its own anchor (a cycle that has no JSON form).
 */
function checkAliases(doc: Document, fail: (message: string, offset?: number) => never): void {
  const sizes = new Map<unknown, number>();
  const open = new Set<unknown>();
  const sizeOf = (node: unknown): number => {
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) fail(`not valid YAML: alias *${node.source} has no anchor &${node.source} before it`, node.range?.[0]);
      if (open.has(target)) fail(`alias *${node.source} is inside its own anchor &${node.source} (a cycle)`, node.range?.[0]);
      return sizeOf(target);
    }
    const known = sizes.get(node);
    if (known !== undefined) return known;
    open.add(node);
    let size = 1;
    if (isCollection(node)) for (const item of node.items) size += isPair(item) ? sizeOf(item.key) + sizeOf(item.value) : sizeOf(item);
    open.delete(node);
    sizes.set(node, size);
    return size;
  };
  let repeated = 0;
  visit(doc, {
    Alias(_, node) {
      repeated += sizeOf(node);
      if (repeated > MAX_ALIAS_NODES) fail(`YAML aliases repeat more than ${MAX_ALIAS_NODES} nodes (an alias bomb?): write the values out`, node.range?.[0]);
    },
  });
}
