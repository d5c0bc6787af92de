/**
 * The policy pack started the way the Pulumi CLI starts a Node.js pack for `pulumi preview --policy-pack policy`,
 * and driven over gRPC with the messages the engine sends.
 *
 * The CLI's `pulumi-analyzer-policy` shim resolves `@pulumi/pulumi/cmd/run-policy-pack` from the pack's directory
 * and runs `node <run-policy-pack> <engine-address> .` there. run-policy-pack registers ts-node (type checking on;
 * the SDK's vendored ts-node 7 with the project's TypeScript) and requires the pack's `main`; `new PolicyPack`
 * reads `package.json` from the working directory, serves the Analyzer service and prints its port as the first
 * line of stdout. The CLI then calls Handshake (unimplemented by @pulumi/policy, which the CLI tolerates),
 * ConfigureStack, GetAnalyzerInfo, GetPluginInfo and Configure (the pack config reconciled with the policies'
 * defaults: always sent, as every policy has an entry), then Analyze for each resource's inputs and AnalyzeStack
 * with the final state. This helper does the same (pulumi/pulumi: sdk/go/common/resource/plugin/analyzer_plugin.go,
 * and ReconcilePolicyPackConfig of the engine's analyzer package).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import {
  AnalyzeRequest,
  AnalyzerHandshakeRequest,
  AnalyzerProviderResource,
  AnalyzerResource,
  AnalyzerResourceOptions,
  AnalyzerStackConfigureRequest,
  AnalyzeStackRequest,
  ConfigureAnalyzerRequest,
  EnforcementLevel,
  PolicyConfig,
  type AnalyzeResponse,
  type AnalyzerInfo,
} from "@pulumi/pulumi/proto/analyzer_pb";
import { EngineService } from "@pulumi/pulumi/proto/engine_grpc_pb";
import type { LogRequest } from "@pulumi/pulumi/proto/engine_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { RegisteredResource } from "../../tools/offline";

export const POLICY_DIR = path.resolve(__dirname, "../../policy");
const TS_NODE_CACHE = path.resolve(__dirname, "../../node_modules/.cache/eks-irsa/ts-node");
const countFiles = (dir: string): number => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;

/** The engine's wire encodings (sdk/go/common/resource/plugin/rpc.go; @pulumi/pulumi runtime/rpc). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

export type Level = "advisory" | "mandatory" | "remediate" | "disabled";
const LEVELS: Record<Level, EnforcementLevel> = {
  advisory: EnforcementLevel.ADVISORY,
  mandatory: EnforcementLevel.MANDATORY,
  remediate: EnforcementLevel.REMEDIATE,
  disabled: EnforcementLevel.DISABLED,
};
export const levelName = (l: EnforcementLevel): Level => (Object.keys(LEVELS) as Level[]).find((k) => LEVELS[k] === l) ?? (`unknown ${l}` as Level);

/** A resource as the engine describes it to an analyzer. */
export interface AnalyzedResource {
  type: string;
  name: string;
  urn: string;
  /** Inputs for Analyze, the final state for AnalyzeStack; plain JSON with the engine's unknown/secret encodings. */
  props: Record<string, unknown>;
  protect?: boolean;
  parent?: string;
  provider?: { type: string; name: string; urn: string; props: Record<string, unknown> };
}

export interface Diagnostic {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  level: Level;
  message: string;
  urn: string;
}

export interface PolicyInfo {
  name: string;
  description: string;
  level: Level;
  /** JSON-schema properties of the policy's config, as the CLI reads them. */
  configProperties?: Record<string, Record<string, unknown>>;
}

export function urnOf(stack: string, project: string, type: string, name: string, parentType?: string): string {
  return `urn:pulumi:${stack}::${project}::${parentType ? `${parentType}$` : ""}${type}::${name}`;
}

const struct = (o: Record<string, unknown>) => Struct.fromJavaScript(JSON.parse(JSON.stringify(o)) as Record<string, never>);
const DEADLINE_MS = 60_000;
const callOptions = () => ({ deadline: Date.now() + DEADLINE_MS });

function unary<T>(invoke: (cb: (err: grpc.ServiceError | null, res: T) => void) => unknown): Promise<T> {
  return new Promise((resolve, reject) => invoke((err, res) => (err ? reject(err) : resolve(res))));
}

function options(r: AnalyzedResource): AnalyzerResourceOptions {
  const o = new AnalyzerResourceOptions();
  o.setProtect(r.protect ?? false);
  o.setCustomtimeouts(new AnalyzerResourceOptions.CustomTimeouts());
  if (r.parent) o.setParent(r.parent);
  return o;
}

function provider(r: AnalyzedResource): AnalyzerProviderResource | undefined {
  if (!r.provider) return undefined;
  const p = new AnalyzerProviderResource();
  p.setType(r.provider.type);
  p.setName(r.provider.name);
  p.setUrn(r.provider.urn);
  p.setProperties(struct(r.provider.props));
  return p;
}

function diagnostics(res: AnalyzeResponse): Diagnostic[] {
  return res.getDiagnosticsList().map((d) => ({
    policyName: d.getPolicyname(),
    policyPackName: d.getPolicypackname(),
    policyPackVersion: d.getPolicypackversion(),
    level: levelName(d.getEnforcementlevel()),
    message: d.getMessage(),
    urn: d.getUrn(),
  }));
}

/**
 * The CLI's reconciliation of a `--policy-pack-config` object with the pack's policies
 * (pkg/resource/analyzer/config.go: ReconcilePolicyPackConfig): every policy gets its default level and its
 * schema's default values; "all" sets the level of every policy; then each named entry sets its level and merges
 * its properties. Entries for names that are not policies ("all" included) are passed through.
 */
export function reconcilePackConfig(policies: PolicyInfo[], given: Record<string, unknown>): Map<string, { level: Level; properties: Record<string, unknown> }> {
  const parsed = new Map<string, { level?: Level; properties: Record<string, unknown> }>();
  for (const [k, v] of Object.entries(given)) {
    if (typeof v === "string") parsed.set(k, { level: v as Level, properties: {} });
    else if (v && typeof v === "object") {
      const { enforcementLevel, ...properties } = v as { enforcementLevel?: Level };
      parsed.set(k, { level: enforcementLevel, properties });
    } else throw new Error(`pack config ${k}: must be a string or an object`);
  }
  const result = new Map<string, { level: Level; properties: Record<string, unknown> }>();
  for (const p of policies) {
    const defaults = Object.entries(p.configProperties ?? {}).filter(([, s]) => "default" in s).map(([k, s]) => [k, s.default]);
    result.set(p.name, { level: p.level, properties: Object.fromEntries(defaults) });
  }
  const all = parsed.get("all")?.level;
  if (all) for (const [k, v] of result) result.set(k, { ...v, level: all });
  for (const [k, v] of parsed) {
    const current = result.get(k);
    result.set(k, { level: v.level ?? current?.level ?? ("" as Level), properties: { ...current?.properties, ...v.properties } });
  }
  return result;
}

export interface StartOptions {
  stack: string;
  project: string;
  /** `pulumi preview` (true) or `pulumi up` (false). */
  dryRun: boolean;
  /** The stack's config (`project:key` → value), as the CLI passes it in PULUMI_CONFIG and ConfigureStack. */
  stackConfig?: Record<string, unknown>;
  /** `--policy-pack-config`, reconciled and sent with Configure as the CLI does. */
  packConfig?: Record<string, unknown>;
  /** Time allowed for the pack to print its port. */
  startupTimeoutMs?: number;
  /** ts-node's cache directory (default: node_modules/.cache/eks-irsa/ts-node). */
  tsNodeCache?: string;
}

export class PolicyPackProcess {
  /** Spawn to port on stdout: ts-node compiling and type-checking the pack (what its cache does not hold). */
  startupMs = 0;
  port = 0;
  /** Whether the pack answered Handshake (@pulumi/policy does not implement it; the CLI falls back). */
  handshake: "ok" | "unimplemented" = "unimplemented";
  info!: AnalyzerInfo;
  policies: PolicyInfo[] = [];
  pluginVersion = "";
  readonly engineLogs: string[] = [];
  private stdout = "";
  private stderrText = "";
  private child?: ChildProcess;
  private client?: AnalyzerClient;
  private engine?: grpc.Server;
  /** Files in the ts-node cache when the pack started (0: it compiled and type-checked every file). */
  cacheFiles = 0;
  private exitHook = () => this.child?.kill("SIGKILL");

  private constructor(private readonly opts: StartOptions) {}

  /** What the pack wrote to stderr (the CLI shows a plugin's stderr to the user). */
  get stderr(): string {
    return this.stderrText;
  }

  /** What the pack wrote to stdout after its port (the CLI shows it to the user too). */
  get stdoutAfterPort(): string {
    return this.stdout.slice(this.stdout.indexOf("\n") + 1);
  }

  static async start(opts: StartOptions): Promise<PolicyPackProcess> {
    const pack = new PolicyPackProcess(opts);
    try {
      await pack.boot();
      return pack;
    } catch (e) {
      await pack.stop();
      throw e;
    }
  }

  private async boot(): Promise<void> {
    const engineAddress = await this.startEngine();
    // The CLI's shim: `node -e "require.resolve('@pulumi/pulumi/cmd/run-policy-pack')"` in the pack's directory.
    const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [POLICY_DIR] });
    const cacheDir = this.opts.tsNodeCache ?? TS_NODE_CACHE;
    mkdirSync(cacheDir, { recursive: true });
    this.cacheFiles = countFiles(cacheDir);
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TS_NODE_") && k !== "NODE_OPTIONS"));
    const { stack, project, dryRun } = this.opts;
    Object.assign(env, {
      // ts-node 7 keeps what it compiled per file content (and compiler version and options) in a cache: the CLI's is
      // in os.tmpdir(), ours under node_modules/.cache, so a fresh clone (CI) compiles and type-checks every file of
      // the pack, as a first `pulumi preview` does, and a second run only the files that changed. A file whose text is
      // unchanged is not checked again even when a module it imports changed: `npm test`'s tsc step checks every file
      // of policy/ (strict) on every run, so that is covered there.
      TS_NODE_CACHE_DIRECTORY: cacheDir,
      PULUMI_NODEJS_PROJECT: project,
      PULUMI_NODEJS_STACK: stack,
      PULUMI_NODEJS_DRY_RUN: String(dryRun),
      PULUMI_PROJECT: project,
      PULUMI_STACK: stack,
      PULUMI_DRY_RUN: String(dryRun),
      ...(this.opts.stackConfig ? { PULUMI_CONFIG: JSON.stringify(this.configStrings()) } : {}),
    });
    const started = Date.now();
    const child = spawn(process.execPath, [runPolicyPack, engineAddress, "."], { cwd: POLICY_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    process.once("exit", this.exitHook);
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (this.stderrText += d));
    this.port = await new Promise<number>((resolve, reject) => {
      const timeout = this.opts.startupTimeoutMs ?? 90_000;
      const timer = setTimeout(() => reject(new Error(`run-policy-pack printed no port within ${timeout} ms; stderr:\n${this.stderrText}`)), timeout);
      child.stdout!.setEncoding("utf8").on("data", (d: string) => {
        this.stdout += d;
        const nl = this.stdout.indexOf("\n");
        if (nl < 0) return;
        clearTimeout(timer);
        const line = this.stdout.slice(0, nl).trim();
        // The CLI parses the first line of stdout as the port: anything else printed first breaks the pack.
        if (/^\d+$/.test(line)) resolve(Number(line));
        else reject(new Error(`run-policy-pack's first stdout line is not a port: ${JSON.stringify(line)}; stderr:\n${this.stderrText}`));
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`run-policy-pack exited (code ${code}, signal ${signal}) before printing its port; stderr:\n${this.stderrText}`));
      });
      child.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    this.startupMs = Date.now() - started;
    this.client = new AnalyzerClient(`127.0.0.1:${this.port}`, grpc.credentials.createInsecure());

    const hs = new AnalyzerHandshakeRequest();
    hs.setEngineAddress(engineAddress);
    hs.setRootDirectory(POLICY_DIR);
    hs.setProgramDirectory(POLICY_DIR);
    try {
      await unary((cb) => this.client!.handshake(hs, new grpc.Metadata(), callOptions(), cb));
      this.handshake = "ok";
    } catch (e) {
      if ((e as grpc.ServiceError).code !== grpc.status.UNIMPLEMENTED) throw e;
    }

    const cs = new AnalyzerStackConfigureRequest();
    cs.setStack(stack);
    cs.setProject(project);
    cs.setDryRun(dryRun);
    for (const [k, v] of Object.entries(this.configStrings())) cs.getConfigMap().set(k, v);
    await unary((cb) => this.client!.configureStack(cs, new grpc.Metadata(), callOptions(), cb));

    this.info = await unary<AnalyzerInfo>((cb) => this.client!.getAnalyzerInfo(new Empty(), new grpc.Metadata(), callOptions(), cb));
    this.policies = this.info.getPoliciesList().map((p) => {
      const props = p.getConfigschema()?.getProperties()?.toJavaScript() as PolicyInfo["configProperties"] | undefined;
      return { name: p.getName(), description: p.getDescription(), level: levelName(p.getEnforcementlevel()), ...(props ? { configProperties: props } : {}) };
    });
    this.pluginVersion = (await unary<{ getVersion(): string }>((cb) => this.client!.getPluginInfo(new Empty(), new grpc.Metadata(), callOptions(), cb))).getVersion();
    await this.configure(this.opts.packConfig ?? {});
  }

  private configStrings(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.opts.stackConfig ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
  }

  /** A reachable Engine service at the address the CLI passes (run-policy-pack drops the argument; nothing logs to it). */
  private async startEngine(): Promise<string> {
    const server = new grpc.Server();
    server.addService(EngineService, {
      log: (call: grpc.ServerUnaryCall<LogRequest, Empty>, cb: grpc.sendUnaryData<Empty>) => {
        this.engineLogs.push(call.request.getMessage());
        cb(null, new Empty());
      },
    });
    this.engine = server;
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    return `127.0.0.1:${port}`;
  }

  /** Configure, as the CLI sends it for a `--policy-pack-config` object (`{}` for none). */
  async configure(packConfig: Record<string, unknown>): Promise<void> {
    const req = new ConfigureAnalyzerRequest();
    for (const [name, c] of reconcilePackConfig(this.policies, packConfig)) {
      // The CLI refuses an entry without a valid level (e.g. settings for a name that is no policy).
      if (!(c.level in LEVELS)) throw new Error(`invalid enforcement level ${JSON.stringify(c.level)} for ${name}`);
      const pc = new PolicyConfig();
      pc.setEnforcementlevel(LEVELS[c.level]);
      pc.setProperties(struct(c.properties));
      req.getPolicyconfigMap().set(name, pc);
    }
    await unary((cb) => this.client!.configure(req, new grpc.Metadata(), callOptions(), cb));
  }

  /** Analyze one resource's inputs, as the engine does before creating or updating it. */
  async analyze(r: AnalyzedResource, opts: { withoutOptions?: boolean } = {}): Promise<Diagnostic[]> {
    const req = new AnalyzeRequest();
    req.setType(r.type);
    req.setName(r.name);
    req.setUrn(r.urn);
    req.setProperties(struct(r.props));
    if (!opts.withoutOptions) req.setOptions(options(r));
    const p = provider(r);
    if (p) req.setProvider(p);
    return diagnostics(await unary<AnalyzeResponse>((cb) => this.client!.analyze(req, new grpc.Metadata(), callOptions(), cb)));
  }

  /** AnalyzeStack with every resource's final state, as the engine does at the end of a preview or update. */
  async analyzeStack(resources: AnalyzedResource[]): Promise<Diagnostic[]> {
    const req = new AnalyzeStackRequest();
    req.setResourcesList(
      resources.map((r) => {
        const ar = new AnalyzerResource();
        ar.setType(r.type);
        ar.setName(r.name);
        ar.setUrn(r.urn);
        ar.setProperties(struct(r.props));
        ar.setOptions(options(r));
        if (r.parent) ar.setParent(r.parent);
        const p = provider(r);
        if (p) ar.setProvider(p);
        return ar;
      }),
    );
    return diagnostics(await unary<AnalyzeResponse>((cb) => this.client!.analyzeStack(req, new grpc.Metadata(), callOptions(), cb)));
  }

  /** Ends the pack as the CLI does when the operation ends (kills the plugin), and cleans up. */
  async stop(): Promise<void> {
    this.client?.close();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener("exit", this.exitHook);
    this.engine?.forceShutdown();
  }
}

/** A registered resource (offline run or fixture) as the engine sends it: inputs to Analyze, state to AnalyzeStack. */
export function fromRegistered(r: RegisteredResource, stage: "inputs" | "state", stack: string, project: string, all: RegisteredResource[] = []): AnalyzedResource {
  const out: AnalyzedResource = {
    type: r.type,
    name: r.name,
    urn: urnOf(stack, project, r.type, r.name, r.options.parentType),
    props: stage === "inputs" ? r.inputs : { ...r.inputs, ...r.outputs },
    protect: r.options.protect,
  };
  if (r.provider) {
    // `<provider urn>::<provider id>`; the provider's type and name are the URN's last two parts.
    const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
    const name = urn.slice(urn.lastIndexOf("::") + 2);
    const qualifiedType = urn.slice(0, urn.lastIndexOf("::"));
    const type = qualifiedType.slice(qualifiedType.lastIndexOf("::") + 2).split("$").pop()!;
    const registered = all.find((p) => p.type === type && p.name === name);
    out.provider = { type, name, urn, props: registered ? registered.inputs : {} };
  }
  return out;
}

export const packVersion = (): string => (JSON.parse(readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { version: string }).version;
