/** The small argument parser the command-line tools share: one positional stack and `--flag [value]` options. */
export interface ParsedArgs {
  stack?: string;
  flags: Map<string, string | true>;
}

export function parseArgs(argv: string[], withValue: string[], booleans: string[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  let stack: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const [name, inline] = a.slice(2).split("=", 2);
      if (withValue.includes(name)) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new Error(`--${name} needs a value`);
        flags.set(name, v);
      } else if (booleans.includes(name)) flags.set(name, true);
      else throw new Error(`unknown option --${name}`);
    } else if (stack === undefined) stack = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  return { stack, flags };
}
