/**
 * analysis/ is a floor beside core/: it reads plain data and imports only core/ and itself, never Pulumi, an
 * evaluator, git or the tools that do I/O. And the access modules import each other without a cycle.
 */
import { strict as assert } from "node:assert";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");

/**
 * Import specifiers of a file: `import ... from`, `export ... from`, side-effect imports, `import()` and `require()`.
 * Type-only imports are left out: the compiler erases them, so they load nothing (core/podIdentity.ts takes the
 * type of a workload's arguments from core/workload.ts, whose checks read the AWS service catalog).
 */
function specifiers(file: string): string[] {
  const text = readFileSync(file, "utf8").replace(/^(import|export) type [^;]*;$/gm, "");
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)].map((m) => m[1]);
}

/** The file a relative specifier names, or undefined for a package. */
function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  const file = [`${base}.ts`, path.join(base, "index.ts"), base].find((f) => existsSync(f) && f.endsWith(".ts"));
  assert.ok(file, `${rel(from)}: ${spec} resolves to no .ts file`);
  return file;
}

const tsFiles = (dir: string): string[] =>
  readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(`${dir}/${e.name}`) : e.name.endsWith(".ts") ? [path.join(ROOT, dir, e.name)] : []));

describe("analysis/: a pure floor beside core/", () => {
  const files = tsFiles("analysis");

  it("each module imports only analysis/ and core/ modules", () => {
    assert.ok(files.length >= 5, "the analysis modules are found");
    for (const file of files) {
      for (const spec of specifiers(file)) {
        const target = resolve(file, spec);
        assert.ok(target, `${rel(file)} imports the package ${spec}`);
        assert.match(rel(target), /^(analysis|core)\//, `${rel(file)} imports ${rel(target)}`);
      }
    }
  });

  it("nothing it reaches through core/ imports Pulumi, an evaluator, git or a child process", () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of specifiers(file)) {
        const target = resolve(file, spec);
        if (target) visit(target);
        else packages.add(spec);
      }
    };
    files.forEach(visit);
    for (const p of packages) assert.doesNotMatch(p, /^@pulumi\/|^@cloud-copilot\/|child_process|simple-git|isomorphic-git/, `reached: ${p}`);
    for (const f of seen) assert.match(rel(f), /^(analysis|core)\//);
  });
});

describe("the access modules import each other without a cycle", () => {
  it("analysis/, tools/access/ and tools/access.ts", () => {
    const files = [...tsFiles("analysis"), ...tsFiles("tools/access"), path.join(ROOT, "tools/access.ts")];
    const state = new Map<string, "visiting" | "done">();
    const walk = (file: string, trail: string[]) => {
      if (state.get(file) === "done") return;
      assert.notEqual(state.get(file), "visiting", `import cycle: ${[...trail, file].map(rel).join(" -> ")}`);
      state.set(file, "visiting");
      for (const spec of specifiers(file)) {
        const target = resolve(file, spec);
        if (target && files.includes(target)) walk(target, [...trail, file]);
      }
      state.set(file, "done");
    };
    for (const file of files) walk(file, []);
  });
});
