/**
 * Runs the real program with the real Pulumi SDK under its mock monitor, with a stack's config, and
 * returns every resource it registered. The plan, policy and access commands all read this.
 */
import * as path from "node:path";
import type * as Pulumi from "@pulumi/pulumi";
import type * as Mocks from "./mocks";
import { loadStackFile, SECRET_PLACEHOLDER } from "./stackFile";

export const PROJECT = "eks-irsa";
export const ROOT = path.resolve(__dirname, "..");

export interface RegisteredResource {
  type: string;
  name: string;
  id: string | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  /** False for component resources (logical grouping, nothing created in the cloud). */
  custom: boolean;
  /** The explicit provider's URN, when one was given. */
  provider?: string;
  /**
   * Resource options the program set that the engine acts on: the parent as `<type>::<name>` (and its type alone),
   * `dependsOn` as `<type>::<name>` of each resource waited for.
   */
  options: { protect: boolean; parentType?: string; parent?: string; dependsOn: string[] };
}

export interface OfflineRun {
  stack: string;
  region: string;
  accountId: string;
  resources: RegisteredResource[];
  /** The stack's outputs, resolved. */
  outputs: Record<string, unknown>;
  /** Config paths of the secure values, which ran as SECRET_PLACEHOLDER (`cluster.kubeconfig`). */
  secrets?: string[];
  /** What the program logged as warnings (`pulumi.log.warn`: quota pressure, risky grants), in order, each once. */
  warnings?: string[];
}

/** The `config:` map of a stack file; secure values cannot be decrypted offline and stand as SECRET_PLACEHOLDER. */
export function readStackFile(file: string): Record<string, unknown> {
  return loadStackFile(file).config;
}

/** Config paths holding SECRET_PLACEHOLDER, in the form config errors use (`cluster.kubeconfig`, `aws:secretKey`). */
function secretPaths(config: Record<string, unknown>): string[] {
  const found: string[] = [];
  const walk = (v: unknown, at: string) => {
    if (v === SECRET_PLACEHOLDER) found.push(at);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
  };
  for (const [key, v] of Object.entries(config)) walk(v, key.startsWith(`${PROJECT}:`) ? key.slice(PROJECT.length + 1) : key);
  return found;
}

export function stackFile(stack: string): string {
  return path.join(ROOT, `Pulumi.${stack}.yaml`);
}

/**
 * The Pulumi SDK and the mocks (with the components they reuse), loaded by the first run: loading them takes
 * seconds, and a command's `--help` and its usage and stack file errors do without them.
 */
function sdk(): { pulumi: typeof Pulumi; RealisticMocks: typeof Mocks.RealisticMocks } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return { pulumi: require("@pulumi/pulumi") as typeof Pulumi, RealisticMocks: (require("./mocks") as typeof Mocks).RealisticMocks };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Resolved values as plain JSON: secrets unwrapped, resource references as their URN. */
function plain(value: unknown, secretSig: string): unknown {
  if (Array.isArray(value)) return value.map((v) => plain(v, secretSig));
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (secretSig in o) return "value" in o ? plain(o.value, secretSig) : (o.urn ?? null);
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => [k, plain(v, secretSig)]));
  }
  return value;
}

/** Account id for the mocks: the stack's allowed account, else the adopted provider's, else AWS's documentation account. */
export function mockAccountId(config: Record<string, unknown>): string {
  const allowed = config["aws:allowedAccountIds"];
  if (Array.isArray(allowed) && /^\d{12}$/.test(String(allowed[0]))) return String(allowed[0]);
  const cluster = config[`${PROJECT}:cluster`] as { oidcProviderArn?: unknown } | undefined;
  const m = /^arn:[\w-]+:iam::(\d{12}):/.exec(String(cluster?.oidcProviderArn ?? ""));
  return m ? m[1] : "111122223333";
}

function asConfigValue(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

let running = false;


/**
 * Runs `program` as stack `stack` with `config` (a stack file's `config:` map). One run at a time per
 * process: the SDK keeps one mock monitor.
 */
export async function runOffline<T>(stack: string, config: Record<string, unknown>, program: () => T, mode: { preview?: boolean } = {}): Promise<OfflineRun> {
  if (running) throw new Error("runOffline: one offline run at a time per process");
  running = true;
  // The SDK captures a stack trace per resource for its source position; mapping each through source maps
  // (which tsx turns on) costs more than registering the resource. The engine is mocked, so positions are unused.
  const sourceMaps = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  // The SDK also reads `new Error().stack` for every promise it tracks (leak diagnostics it prints when the process
  // exits, which an offline run never reaches): formatting those stacks costs more than the program. Their text is
  // left empty; every other error keeps its stack (a defect prints one), formatted as V8 does.
  const prepareStackTrace = Error.prepareStackTrace;
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) =>
    frames[0]?.getFunctionName() === "debuggablePromise"
      ? ""
      : prepareStackTrace
        ? prepareStackTrace(error, frames)
        : `${Error.prototype.toString.call(error)}${frames.map((f) => `\n    at ${String(f)}`).join("")}`;
  // A value that fails while the engine registers a resource (an error thrown in an `apply`) fails `pulumi up`; the
  // SDK leaves it to the process's unhandled-rejection handler, which here must fail the run the same way.
  const failures: unknown[] = [];
  const onFailure = (e: unknown) => void failures.push(e);
  process.on("unhandledRejection", onFailure);
  // Without an engine the SDK prints `pulumi.log.warn` to the console; the run keeps them for its reader instead.
  const logged: string[] = [];
  const consoleWarn = console.warn;
  console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(" ");
    if (text.startsWith("warning: [runtime] ")) logged.push(text.slice("warning: [runtime] ".length));
    else consoleWarn(...args);
  };
  try {
    const { pulumi, RealisticMocks } = sdk();
    const secretSig = pulumi.runtime.specialSigKey;
    const region = typeof config["aws:region"] === "string" ? config["aws:region"] : "us-east-1";
    const accountId = mockAccountId(config);
    const cluster = config[`${PROJECT}:cluster`] as { oidcIssuerUrl?: string } | undefined;
    const resources: RegisteredResource[] = [];
    const options = new Map<string, RegisteredResource["options"]>();
    // The engine refuses two resources of one URN (type chain and name); the mock monitor does not notice.
    const urns = new Set<string>();
    const constructed = new Map<string, number>();
    const duplicates: string[] = [];
    const mocks = new RealisticMocks({ region, accountId, issuerUrl: typeof cluster?.oidcIssuerUrl === "string" ? cluster.oidcIssuerUrl : undefined });
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          const result = mocks.newResource(args);
          resources.push({
            type: args.type,
            name: args.name,
            id: result.id ?? null,
            inputs: plain(args.inputs, secretSig) as Record<string, unknown>,
            outputs: plain(result.state, secretSig) as Record<string, unknown>,
            custom: args.custom ?? true,
            ...(args.provider ? { provider: args.provider } : {}),
            options: options.get(`${args.type}::${args.name}`) ?? { protect: false, dependsOn: [] },
          });
          return { id: result.id, state: result.state };
        },
        call: (args) => mocks.call(args),
      },
      PROJECT,
      stack,
      mode.preview === true,
    );
    const secrets = secretPaths(config);
    const secretKeys = Object.keys(config).filter((k) => secretPaths({ [k]: config[k] }).length > 0);
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [k, asConfigValue(v)])), secretKeys);
    let failure: { error: unknown } | undefined;
    const outputs = await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation((t) => {
        const urn = `${typeChain(t.opts.parent)}${t.type}::${t.name}`;
        if (urns.has(urn)) duplicates.push(urn);
        urns.add(urn);
        constructed.set(`${t.type}::${t.name}`, constructed.size);
        const dependsOn = t.opts.dependsOn;
        const parent = t.opts.parent as unknown as { __pulumiType?: string; __name?: string } | undefined;
        options.set(`${t.type}::${t.name}`, {
          protect: t.opts.protect === true,
          parentType: parent?.__pulumiType,
          ...(parent ? { parent: `${parent.__pulumiType ?? "?"}::${parent.__name ?? ""}` } : {}),
          dependsOn: (Array.isArray(dependsOn) ? dependsOn : dependsOn ? [dependsOn] : []).map((d) => {
            const r = d as { __name?: string; __pulumiType?: string };
            return `${r.__pulumiType ?? "?"}::${r.__name ?? ""}`;
          }),
        });
        return undefined;
      });
      // A program that throws (a config error) returns nothing instead: the SDK would also reject promises derived
      // from the stack's outputs that nobody awaits, and an unhandled rejection ends the process (or the test run).
      try {
        return await program();
      } catch (e) {
        failure = { error: e };
        return undefined;
      }
    });
    await waitForRegistrations();
    if (failure) throw failure.error;
    // Rejections are reported a turn after they happen.
    await new Promise((resolve) => setImmediate(resolve));
    if (failures.length > 0) throw failures[0] instanceof Error ? failures[0] : new Error(String(failures[0]));
    if (duplicates.length > 0) throw new Error(`two resources share a URN (pulumi up would refuse them): ${duplicates.join(", ")}`);
    // In the order the program constructed them (the config's order), not the order their inputs happened to resolve.
    const rank = (r: RegisteredResource) => (r.type === "pulumi:pulumi:Stack" ? -1 : (constructed.get(`${r.type}::${r.name}`) ?? constructed.size));
    resources.sort((a, b) => rank(a) - rank(b));
    return { stack, region, accountId, resources, outputs: plain(outputs ?? {}, secretSig) as Record<string, unknown>, secrets, warnings: [...new Set(logged)] };
  } finally {
    process.off("unhandledRejection", onFailure);
    console.warn = consoleWarn;
    process.setSourceMapsEnabled(sourceMaps);
    Error.prepareStackTrace = prepareStackTrace;
    running = false;
  }
}

/** The URN's type part from a parent: `parentType$...$` (the stack itself is not part of it). */
function typeChain(parent: Pulumi.Resource | undefined): string {
  const types: string[] = [];
  for (let p = parent as unknown as { __pulumiType?: string; __parentResource?: unknown } | undefined; p; p = p.__parentResource as typeof p) {
    if (p.__pulumiType && p.__pulumiType !== "pulumi:pulumi:Stack") types.unshift(p.__pulumiType);
  }
  return types.map((t) => `${t}$`).join("");
}

/** Waits until the SDK has no registration in flight (its own drain, as `pulumi up` does at exit). */
async function waitForRegistrations(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };
  await settings.waitForRPCs();
}
