/** The small argument parser the command-line tools share: one positional stack and `--flag [value]` options. */
export interface ParsedArgs {
  stack?: string;
  flags: Map<string, string | true>;
}

/**
 * `--name=value` (split on the first `=`: the value may hold more) or `--name value`. A value taken from the next
 * argument must not look like an option (`--base --format json` is a missing value, not a base named `--format`);
 * `--name=--x` passes one on purpose.
 */
export function parseArgs(argv: string[], withValue: string[], booleans: string[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  let stack: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const inline = eq < 0 ? undefined : a.slice(eq + 1);
      if (withValue.includes(name)) {
        const next = argv[i + 1];
        if (inline === undefined && (next === undefined || next.startsWith("--"))) throw new Error(`--${name} needs a value`);
        const v = inline ?? argv[++i];
        flags.set(name, v);
      } else if (booleans.includes(name)) flags.set(name, true);
      else throw new Error(`unknown option --${name}`);
    } else if (stack === undefined) stack = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  return { stack, flags };
}
