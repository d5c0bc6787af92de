/** Config problems: a config key (`workloads[2].s3[0].bucket`) and the rule it breaks. */

export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `invalid eks-irsa config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  ${p.path ? `${p.path}: ` : ""}${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Problems in config order, each once (stack-wide settings reach every identity and would be reported by each). */
export function unique(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
