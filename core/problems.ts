/**
 * Problems with arguments as data: a field path and the rule it breaks. Components prefix them with their own
 * name, the config layer maps the path onto the config key it came from; nobody parses message text.
 */

/** A field path such as `["s3", 0, "bucket"]` (printed `s3[0].bucket`). */
export type FieldPath = readonly (string | number)[];

export interface Problem {
  path: FieldPath;
  message: string;
}

/** `["s3", 0, "bucket"]` -> `s3[0].bucket`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => (typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), "");
}

/** `path: message`, or the message alone for the whole. */
export function formatProblem(p: Problem): string {
  return p.path.length > 0 ? `${formatPath(p.path)}: ${p.message}` : p.message;
}

/** The problems without repeats (two checks may find one problem). */
export function uniqueProblems(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${formatPath(p.path)}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every problem of a component's arguments, thrown from its constructor before it registers anything. */
export class ArgsError extends Error {
  constructor(
    /** What was being built, e.g. `WorkloadIdentity "orders"`. */
    readonly subject: string,
    readonly problems: Problem[],
  ) {
    super(
      problems.length === 1
        ? `${subject}: ${formatProblem(problems[0])}`
        : `${subject}: ${problems.length} problems:\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`,
    );
    this.name = "ArgsError";
  }
}

/** A document over one of IAM's size quotas; `path` names the field it belongs to (empty: the identity as a whole). */
export class SizeLimitError extends Error {
  constructor(
    readonly path: FieldPath,
    readonly detail: string,
  ) {
    super(path.length > 0 ? `${formatPath(path)}: ${detail}` : detail);
    this.name = "SizeLimitError";
  }
}

/**
 * A value as messages echo it: JSON-quoted, control and invisible formatting characters (a right-to-left override
 * can make `logs/` read as another prefix) escaped as `\uXXXX`, and cut with its length when long: a 100 KB value
 * must not flood the terminal.
 */
export function quoted(value: unknown, max = 100): string {
  const text = (JSON.stringify(value) ?? String(value)).replace(/[\p{Cc}\p{Cf}]/gu, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (text.length <= max + 2) return text;
  const length = typeof value === "string" ? value.length : text.length;
  return `${text.slice(0, max + 1)}…" (${length} characters)`;
}
