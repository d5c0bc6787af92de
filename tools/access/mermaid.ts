/**
 * The identity graph as a Mermaid flowchart: cluster issuers -> roles (grouped by account) -> ServiceAccounts,
 * and role -> role edges for cross-account chaining. Plus a line-grammar check of the subset it emits.
 */
import { podIdentityText, type AccessModel, type Identity } from "../../analysis/model";

const ID = /^[A-Za-z][A-Za-z0-9_]*$/;
const RESERVED = new Set(["end", "graph", "flowchart", "subgraph", "class", "classDef", "style", "linkStyle", "click", "default", "direction"]);

/** Safe, unique node ids: a prefix and the text's letters and digits. */
class Ids {
  private readonly byKey = new Map<string, string>();
  private readonly used = new Set<string>();

  /** The id of `text` (made from `hint` when given: a shorter, still readable part of it). */
  get(prefix: string, text: string, hint = text): string {
    const key = `${prefix}\u0000${text}`;
    const known = this.byKey.get(key);
    if (known) return known;
    const base = `${prefix}_${hint.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "")}`.slice(0, 48).replace(/_+$/, "");
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}_${n}`;
    this.used.add(id);
    this.byKey.set(key, id);
    return id;
  }
}

/** Label text inside `"..."`: a double quote is Mermaid's `#quot;` entity. */
const label = (text: string) => `"${text.replace(/"/g, "#quot;")}"`;

export function mermaidGraph(model: AccessModel): string {
  const ids = new Ids();
  const nodes: string[] = [];
  const edges = new Set<string>();
  const classes = new Map<string, string[]>();
  const classify = (cls: string, id: string) => classes.set(cls, [...(classes.get(cls) ?? []), id]);
  const byAccount = new Map<string, string[]>();
  const inAccount = (account: string, line: string) => byAccount.set(account, [...(byAccount.get(account) ?? []), line]);
  // Keyed by ARN (two identities may share a label), named after the label.
  const roleIds = new Map(model.identities.map((i) => [i.roleArn, ids.get("role", i.roleArn, i.label)]));
  const kindClass = (i: Identity) => `role_${i.kind.replace(/[^A-Za-z0-9]+/g, "_")}`;

  for (const i of model.identities) {
    const roleId = roleIds.get(i.roleArn)!;
    inAccount(i.accountId, `${roleId}[${label(`${i.kind} ${i.label}<br/>role ${i.roleName}`)}]`);
    classify(kindClass(i), roleId);
    for (const a of i.assumers) {
      if (a.type === "service-account") {
        const issuerId = ids.get("issuer", a.issuer, a.issuer.split("/").pop()!.slice(0, 8));
        const saId = ids.get("sa", a.serviceAccount);
        if (!classes.get("issuer")?.includes(issuerId)) {
          nodes.push(`${issuerId}[${label(`OIDC issuer ${a.issuer}`)}]`);
          classify("issuer", issuerId);
        }
        if (!classes.get("sa")?.includes(saId)) {
          nodes.push(`${saId}([${label(a.serviceAccount)}])`);
          classify("sa", saId);
        }
        edges.add(`${issuerId} --> ${roleId}`);
        edges.add(`${roleId} --> ${saId}`);
      } else if (a.type === "role") {
        let sourceId = roleIds.get(a.arn);
        if (!sourceId) {
          sourceId = ids.get("role", a.arn);
          roleIds.set(a.arn, sourceId);
          inAccount(/::(\d{12}):/.exec(a.arn)?.[1] ?? "unknown", `${sourceId}[${label(`role ${a.arn.split("/").pop()}<br/>not in this stack`)}]`);
          classify("external", sourceId);
        }
        edges.add(`${sourceId} -. "sts:AssumeRole" .-> ${roleId}`);
      } else {
        const name = a.type === "pod-identity" ? podIdentityText(a) : a.principal;
        const principalId = ids.get("principal", name);
        if (!classes.get("principal")?.includes(principalId)) {
          nodes.push(`${principalId}[${label(name)}]`);
          classify("principal", principalId);
        }
        edges.add(`${principalId} --> ${roleId}`);
      }
    }
  }
  const lines = ["flowchart LR", ...nodes.map((n) => `  ${n}`)];
  for (const [account, roles] of byAccount) {
    lines.push(`  subgraph ${ids.get("account", account)}[${label(`account ${account}${account === model.accountId ? " (stack)" : ""}`)}]`);
    lines.push(...roles.map((r) => `    ${r}`), "  end");
  }
  lines.push(...[...edges].map((e) => `  ${e}`));
  const styles: Record<string, string> = {
    role_workload: "fill:#e6f4ea,stroke:#188038",
    role_eso_controller: "fill:#f3e8fd,stroke:#8430ce",
    role_cross_account: "fill:#feefe3,stroke:#e8710a",
    issuer: "fill:#fff4dd,stroke:#b8860b",
    sa: "fill:#e8f0fe,stroke:#3367d6",
    external: "fill:#eeeeee,stroke:#777777,stroke-dasharray:4 2",
    principal: "fill:#fde8e8,stroke:#c5221f",
  };
  for (const [cls, members] of classes) {
    lines.push(`  classDef ${cls} ${styles[cls] ?? "fill:#ffffff,stroke:#188038"}`, `  class ${members.join(",")} ${cls}`);
  }
  return lines.join("\n");
}

const LABEL = String.raw`"[^"]*"`;
const NODE = new RegExp(String.raw`^(\w+)(?:\[${LABEL}\]|\(\[${LABEL}\]\))$`);
const EDGES = [
  /^(\w+) --> (\w+)$/,
  /^(\w+) -\.-> (\w+)$/,
  new RegExp(String.raw`^(\w+) -->\|(?:[^|"]+|${LABEL})\| (\w+)$`),
  new RegExp(String.raw`^(\w+) -\. ${LABEL} \.-> (\w+)$`),
];

/**
 * Problems with a flowchart, line by line, for the subset `mermaidGraph` writes: the header, node definitions
 * `id["label"]` and `id(["label"])`, edges `a --> b`, `a -.-> b`, `a -->|label| b`, `a -. "label" .-> b`,
 * `subgraph id["label"]` ... `end`, `classDef`, `class`. Ids are letters, digits and `_`, not keywords;
 * every edge endpoint and class member must be a defined node. Empty when the text is well formed.
 */
export function checkMermaid(text: string): string[] {
  const problems: string[] = [];
  const defined = new Set<string>();
  const used: { id: string; line: number }[] = [];
  const classesDefined = new Set<string>();
  let depth = 0;
  const lines = text.split("\n");
  if (lines[0] !== "flowchart LR") problems.push(`line 1: expected "flowchart LR", got ${JSON.stringify(lines[0])}`);
  const checkId = (id: string, n: number) => {
    if (!ID.test(id) || RESERVED.has(id)) problems.push(`line ${n}: ${JSON.stringify(id)} is not a safe node id`);
  };
  lines.slice(1).forEach((raw, index) => {
    const n = index + 2;
    const line = raw.trim();
    if (line === "") return;
    let m: RegExpExecArray | null;
    if ((m = new RegExp(String.raw`^subgraph (\w+)\[${LABEL}\]$`).exec(line))) {
      checkId(m[1], n);
      depth++;
    } else if (line === "end") {
      if (depth-- === 0) problems.push(`line ${n}: "end" without a subgraph`);
    } else if ((m = NODE.exec(line))) {
      checkId(m[1], n);
      if (defined.has(m[1])) problems.push(`line ${n}: node ${m[1]} is defined twice`);
      defined.add(m[1]);
    } else if ((m = /^classDef (\w+) [\w-]+:[^\s;]+(,[\w-]+:[^,;]+)*$/.exec(line))) {
      classesDefined.add(m[1]);
    } else if ((m = /^class ([\w,]+) (\w+)$/.exec(line))) {
      if (!classesDefined.has(m[2])) problems.push(`line ${n}: class ${m[2]} is not defined before use`);
      for (const id of m[1].split(",")) used.push({ id, line: n });
    } else {
      const edge = EDGES.map((re) => re.exec(line)).find((x) => x);
      if (!edge) problems.push(`line ${n}: not a flowchart line: ${line}`);
      else for (const id of [edge[1], edge[2]]) {
        checkId(id, n);
        used.push({ id, line: n });
      }
    }
  });
  if (depth > 0) problems.push(`${depth} subgraph(s) not closed with "end"`);
  for (const u of used) if (!defined.has(u.id)) problems.push(`line ${u.line}: ${u.id} is used but never defined`);
  return problems;
}
