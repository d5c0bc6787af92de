/**
 * URNs as the Pulumi engine forms them (type chain of the parents, the stack left out), and every URN a resource
 * answers to through its own aliases and its parents' (what the engine matches against a stack's old state).
 */
import * as pulumi from "@pulumi/pulumi";
import { program } from "../../stacks";
import { PROJECT, runOffline, type OfflineRun } from "../../tools/offline";

interface Node {
  type: string;
  name: string;
  parent?: Node;
  aliases: { name?: string; type?: string; parent?: Node | "root" | string }[];
}

const root = (stack: string) => `urn:pulumi:${stack}::${PROJECT}::`;

function urnOf(stack: string, parentUrn: string | undefined, type: string, name: string): string {
  if (!parentUrn) return `${root(stack)}${type}::${name}`;
  const chain = parentUrn.slice(root(stack).length, parentUrn.lastIndexOf("::"));
  return `${root(stack)}${chain}$${type}::${name}`;
}

/** The current URN and the alias URNs of a resource (its own aliases, combined with its parents' candidates). */
function candidates(stack: string, node: Node | undefined, seen = new Map<Node, string[]>()): string[] {
  if (!node) return [];
  const cached = seen.get(node);
  if (cached) return cached;
  const specs = [{}, ...node.aliases] as Node["aliases"];
  const out = new Set<string>();
  for (const spec of specs) {
    const type = spec.type ?? node.type;
    const name = spec.name ?? node.name;
    const parents =
      spec.parent === undefined ? (node.parent ? candidates(stack, node.parent, seen) : [undefined])
      : spec.parent === "root" ? [undefined]
      : typeof spec.parent === "string" ? [spec.parent]
      : candidates(stack, spec.parent, seen);
    for (const p of parents) out.add(urnOf(stack, p, type, name));
  }
  const list = [...out];
  seen.set(node, list);
  return list;
}

export interface UrnRun {
  run: OfflineRun;
  /** By `<type>::<name>`: the resource's URN, then its alias URNs. */
  urns: Map<string, string[]>;
}

/** Runs a stack's config through the program, recording each resource's parent and aliases. */
export async function runWithUrns(stack: string, config: Record<string, unknown>): Promise<UrnRun> {
  const nodes = new Map<string, Node>();
  const byResource = new Map<unknown, Node>();
  const pending: Promise<void>[] = [];
  const run = await runOffline(stack, config, () => {
    pulumi.runtime.registerStackTransformation((t) => {
      const parent = t.opts.parent && (t.opts.parent as unknown as { __pulumiType?: string }).__pulumiType !== "pulumi:pulumi:Stack" ? byResource.get(t.opts.parent) : undefined;
      const node: Node = { type: t.type, name: t.name, parent, aliases: [] };
      for (const a of (t.opts.aliases ?? []) as (pulumi.Alias | string)[]) {
        if (typeof a === "string") throw new Error("URN aliases are not used by eks-irsa");
        const alias: Node["aliases"][number] = { name: a.name as string | undefined, type: a.type as string | undefined };
        // `{ parent: pulumi.rootStackResource }` (undefined, but present) names the stack itself as the old parent.
        if ("parent" in a && a.parent === pulumi.rootStackResource) alias.parent = "root";
        else if (a.parent !== undefined && pulumi.Resource.isInstance(a.parent)) alias.parent = byResource.get(a.parent);
        else if (a.parent !== undefined) pending.push(new Promise((resolve) => pulumi.output(a.parent as pulumi.Input<string>).apply((u) => resolve(void (alias.parent = u)))));
        node.aliases.push(alias);
      }
      nodes.set(`${t.type}::${t.name}`, node);
      byResource.set(t.resource, node);
      return undefined;
    });
    return program();
  });
  await Promise.all(pending);
  const urns = new Map([...nodes].map(([key, node]) => [key, candidates(stack, node)]));
  return { run, urns };
}
