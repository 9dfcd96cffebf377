import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { MAX_TRACKER_SHARDS as CONFIG_MAX_TRACKER_SHARDS } from "../../shared/config";
import { shardSlotSeconds, trackerTriggerName } from "../../shared/tasks/shards";
import { BUILD_TARGET, deterministicZip, FUNCTION_FILES, SCF_RUNTIME } from "../../scripts/build";
import { RESERVED_ENV_PREFIXES, runServerlessPackage, runServerlessPackageAsync, verifyPackage, type FunctionRoutes } from "../../scripts/package";
import * as trackerTimersModule from "../../deploy/tracker-timers.cjs";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const GUARD = path.join(REPO_ROOT, ".serverless_plugins", "tencent-telemetry-guard.js");

/** The HTTP contract, spelled out independently of scripts/package.ts. */
const ROUTES: FunctionRoutes = {
  "vod-aigc-video": [{ method: "POST", path: "/tencent-vod/v1/aigc-video" }],
  "vod-aigc-image": [{ method: "POST", path: "/tencent-vod/v1/aigc-image" }],
  "vod-aigc-redraw": [{ method: "POST", path: "/tencent-vod/v1/aigc-video-redraw" }],
  "mps-aigc-video": [{ method: "POST", path: "/tencent-mps/v1/aigc-video" }],
  "mps-aigc-image": [{ method: "POST", path: "/tencent-mps/v1/aigc-image" }],
  "task-query": [
    { method: "GET", path: "/tencent-vod/v1/query/{TaskId}" },
    { method: "GET", path: "/tencent-mps/v1/query/{TaskId}" },
    { method: "GET", path: "/v1/tasks" },
    { method: "GET", path: "/v1/tasks/{TaskId}" },
    { method: "GET", path: "/v1/models" },
    { method: "GET", path: "/openapi.json" },
    { method: "GET", path: "/docs" },
    { method: "GET", path: "/docs/assets/{File}" },
  ],
  "task-tracker": [],
};

const ENV_NAMES = [
  "AIGC_API_TOKENS",
  "AIGC_VOD_SUBAPPID",
  "AIGC_REGION",
  "AIGC_VOD_ENDPOINT",
  "AIGC_MPS_ENDPOINT",
  "AIGC_ALLOW_UNLISTED_MODELS",
  "AIGC_REFUSE_UNLISTED_VERSIONS",
  "AIGC_TARGET",
  "AIGC_REDRAW_BUCKET",
  "AIGC_REDRAW_REGION",
  "AIGC_REDRAW_INPUT_PREFIX",
  "AIGC_REDRAW_OUTPUT_PREFIX",
  "AIGC_REDRAW_STYLE",
  "AIGC_LEDGER_PREFIX",
  "AIGC_LEDGER_BUCKET",
  "AIGC_WEBHOOK_SECRET",
  "AIGC_KEEP_RESULTS",
  "AIGC_DAILY_CREATE_LIMIT",
  "AIGC_TRACKER_SHARDS",
];

const { MAX_TRACKER_SHARDS, trackerTimers } = trackerTimersModule;
const TRACKER_EVENTS = "${file(./deploy/tracker-timers.cjs):events}";

interface ApigwEvent {
  apigw?: { name?: string; parameters?: Record<string, unknown> };
}

interface FunctionConfig {
  handler?: string;
  package?: { artifact?: string };
  environment?: Record<string, unknown>;
  /** A list, or (the task-tracker) a ${file(...)} reference resolved by Serverless. */
  events?: ApigwEvent[] | string;
}

interface ServerlessConfig {
  service: string;
  plugins: string[] | { modules: string[] };
  provider: {
    name: string;
    runtime: string;
    region: string;
    credentials: string;
    memorySize: number;
    timeout: number;
    environment: Record<string, unknown>;
    apiGateway?: { serviceId?: unknown };
  };
  functions: Record<string, FunctionConfig>;
  custom?: Record<string, unknown>;
}

const rawYaml = readFileSync(path.join(REPO_ROOT, "serverless.yml"), "utf8");
const config = parse(rawYaml) as ServerlessConfig;

function pluginList(): string[] {
  return Array.isArray(config.plugins) ? config.plugins : config.plugins.modules;
}

function variables(): Record<string, unknown> {
  return (config.provider.environment["variables"] ?? {}) as Record<string, unknown>;
}

/** A function's events as listed in serverless.yml (none for a ${file(...)} reference). */
function listedEvents(fn: FunctionConfig): ApigwEvent[] {
  return Array.isArray(fn.events) ? fn.events : [];
}

describe("serverless.yml", () => {
  it("targets Tencent SCF on Nodejs24.11, a supported Node, with 256 MB / 30 s and region defaulting to ap-guangzhou", () => {
    expect(config.provider.name).toBe("tencent");
    expect(config.provider.runtime).toBe("Nodejs24.11");
    expect(config.provider.runtime).toBe(SCF_RUNTIME);
    // The bundles are built for the Node the runtime runs.
    expect(BUILD_TARGET).toBe(`node${SCF_RUNTIME.match(/^Nodejs(\d+)\./)?.[1]}`);
    expect(config.provider.memorySize).toBe(256);
    expect(config.provider.timeout).toBe(30);
    expect(config.provider.region).toMatch(/^\$\{param:region, *'ap-guangzhou'\}$/);
    expect(config.provider.credentials).toContain("~/credentials");
  });

  it("declares exactly the functions of the contract, each with its routes on the release stage", () => {
    expect(Object.keys(config.functions).sort()).toEqual(Object.keys(ROUTES).sort());
    const routes = new Set<string>();
    for (const [name, fn] of Object.entries(config.functions)) {
      expect(fn.handler, name).toBe("index.main_handler");
      const apigw = listedEvents(fn).flatMap((e) => (e.apigw ? [e.apigw] : []));
      const declared = apigw.map((event) => ({ method: event.parameters?.["httpMethod"], path: event.parameters?.["path"] }));
      expect(declared, name).toEqual(ROUTES[name]);
      for (const [index, event] of apigw.entries()) {
        const params = event.parameters ?? {};
        expect(params["stageName"], name).toBe("release");
        expect(params["integratedResponse"], name).toBe(true);
        // serverless-tencent-scf creates the trigger CLOSED unless enable is truthy.
        expect(params["enable"], name).toBe(true);
        // The plugin applies provider.apiGateway.serviceId to a function's first apigw event only;
        // later ones must repeat exactly that value, and no event may name another service.
        if (index === 0) expect(params["serviceId"], name).toBeUndefined();
        else expect(params["serviceId"], name).toBe(config.provider.apiGateway?.serviceId);
        routes.add(`${String(params["httpMethod"])} ${String(params["path"])}`);
      }
    }
    expect(routes.size).toBe(Object.values(ROUTES).flat().length);
  });

  it("deploys each function from its own prebuilt esbuild zip, never the repository", () => {
    for (const [name, fn] of Object.entries(config.functions)) {
      expect(fn.package?.artifact, name).toBe(`dist/${name}.zip`);
    }
  });

  it("nests the environment under environment.variables (a flat map is silently dropped by the plugin)", () => {
    expect(Object.keys(config.provider.environment)).toEqual(["variables"]);
    expect(Object.keys(variables()).sort()).toEqual([...ENV_NAMES].sort());
    expect(variables()["AIGC_TARGET"]).toBe("tencent");
    for (const [name, fn] of Object.entries(config.functions)) {
      if (fn.environment) expect(Object.keys(fn.environment), name).toEqual(["variables"]);
    }
  });

  it("fills every variable from a param or env with a default, so packaging works with nothing set", () => {
    for (const [name, value] of Object.entries(variables())) {
      if (name === "AIGC_TARGET") continue;
      // K is also read by the task-tracker's timers (deploy/tracker-timers.cjs), so it lives in custom:.
      if (name === "AIGC_TRACKER_SHARDS") {
        expect(value).toBe("${self:custom.trackerShards}");
        continue;
      }
      expect(value, name).toMatch(/^\$\{(param|env):[^,}]+(, *[^,}]+)+\}$/);
    }
    expect(config.custom?.["trackerShards"]).toBe("${param:trackerShards, '1'}");
    // Serverless fails on any unresolvable ${param:}/${env:} without a fallback.
    const references = rawYaml
      .split("\n")
      .filter((line) => !line.trimStart().startsWith("#"))
      .join("\n")
      .match(/\$\{(?:param|env):[^}]*\}/g);
    for (const ref of references ?? []) expect(ref, ref).toContain(",");
  });

  it("sets no SCF-reserved variable names (TENCENTCLOUD_, SCF_, QCLOUD_)", () => {
    const names = [
      ...Object.keys(variables()),
      ...Object.values(config.functions).flatMap((fn) => Object.keys((fn.environment?.["variables"] ?? {}) as object)),
    ];
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      for (const prefix of RESERVED_ENV_PREFIXES) expect(name.startsWith(prefix), name).toBe(false);
    }
  });

  it("lists the telemetry guard first, before serverless-tencent-scf, and ships it in .serverless_plugins", () => {
    const plugins = pluginList();
    expect(plugins[0]).toBe("tencent-telemetry-guard");
    expect(plugins.indexOf("serverless-tencent-scf")).toBeGreaterThan(0);
    expect(existsSync(GUARD)).toBe(true);
  });
});

describe("tencent-telemetry-guard", () => {
  let scratch: string;

  beforeAll(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), "scf-guard-test-"));
    // Simulates being offline: every socket fails asynchronously with ENOTFOUND, exactly like a
    // DNS failure, and each attempt is reported on stderr.
    writeFileSync(
      path.join(scratch, "offline.cjs"),
      `const net = require("net");
net.Socket.prototype.connect = function () {
  process.stderr.write("[offline] connection attempted\\n");
  const error = Object.assign(new Error("getaddrinfo ENOTFOUND (simulated offline)"), { code: "ENOTFOUND" });
  process.nextTick(() => this.destroy(error));
  return this;
};
`,
    );
  });

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  function runNode(code: string, extraEnv: Record<string, string> = {}) {
    return spawnSync(process.execPath, ["--require", path.join(scratch, "offline.cjs"), "-e", code], {
      cwd: REPO_ROOT,
      env: { ...process.env, HOME: scratch, USERPROFILE: scratch, ...extraEnv },
      encoding: "utf8",
      timeout: 15_000,
    });
  }

  const constructProvider = `
const TencentProvider = require("serverless-tencent-scf/provider/tencentProvider.js");
new TencentProvider({
  pluginManager: { cliCommands: ["package"] },
  service: { service: "guard-test", provider: {} },
  setProvider() {},
}, {});
setTimeout(() => console.log("survived"), 500);
`;

  it("the trap is real: the plugin's constructor phones home and crashes the process when offline", () => {
    const result = runNode(constructProvider);
    expect(result.stderr).toContain("[offline] connection attempted");
    expect(result.stderr).toContain("ENOTFOUND");
    expect(result.stdout).not.toContain("survived");
    expect(result.status).not.toBe(0);
  });

  it("with the guard required first, the constructor makes no connection and the process survives", () => {
    const result = runNode(`require(${JSON.stringify(GUARD)});\n${constructProvider}`);
    expect(result.stderr).not.toContain("[offline]");
    expect(result.stdout).toContain("survived");
    expect(result.status).toBe(0);
  });

  it("refuses to load after serverless-tencent-scf, when it could no longer help", () => {
    const result = runNode(`require("serverless-tencent-scf/provider/tencentProvider.js");\nrequire(${JSON.stringify(GUARD)});`);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("list it FIRST");
  });

  /** A copy of the service (serverless.yml and the files it reads) with stub bundles. */
  function copyService(dir: string): string {
    const service = path.join(scratch, dir);
    mkdirSync(path.join(service, "dist"), { recursive: true });
    cpSync(path.join(REPO_ROOT, "serverless.yml"), path.join(service, "serverless.yml"));
    cpSync(path.join(REPO_ROOT, ".serverless_plugins"), path.join(service, ".serverless_plugins"), { recursive: true });
    cpSync(path.join(REPO_ROOT, "deploy"), path.join(service, "deploy"), { recursive: true });
    symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(service, "node_modules"), "dir");
    const bundle = new TextEncoder().encode("exports.main_handler=async()=>({statusCode:200});\n");
    for (const name of Object.keys(ROUTES)) {
      const files = Object.fromEntries((FUNCTION_FILES[name]?.files ?? []).map((file) => [file, new TextEncoder().encode("{}\n")]));
      writeFileSync(path.join(service, "dist", `${name}.zip`), deterministicZip({ ...files, "index.js": bundle }));
    }
    return service;
  }

  /** The environment of an offline packaging without credentials. */
  function packageEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      HOME: scratch, // no ~/credentials, fresh ~/.serverlessrc
      USERPROFILE: scratch,
      NODE_OPTIONS: `--require ${path.join(scratch, "offline.cjs")}`,
      AIGC_API_TOKENS: "sha256:" + "ab".repeat(32),
    };
  }

  /** A copy of the service packaged offline with `args`. */
  function packageService(dir: string, args: string[] = []) {
    const service = copyService(dir);
    return { service, ...runServerlessPackage(service, { args, capture: true, env: packageEnv() }) };
  }

  /** Like packageService, without blocking, so that several run at once. */
  async function packageServiceAsync(dir: string, args: string[] = []) {
    const service = copyService(dir);
    return { service, ...(await runServerlessPackageAsync(service, { args, env: packageEnv() })) };
  }

  interface PackagedTriggers {
    functions: Record<
      string,
      {
        properties: {
          Environment: { Variables: Record<string, string> };
          Events?: Array<Record<string, { Type: string; Properties: { CronExpression?: string; Enable?: boolean } }>>;
        };
      }
    >;
  }

  function packagedState(service: string): PackagedTriggers {
    return JSON.parse(readFileSync(path.join(service, ".serverless", "tencent-service.json"), "utf8")) as PackagedTriggers;
  }

  /** The task-tracker's packaged timer triggers, and its K. */
  function trackerTriggers(service: string) {
    const tracker = packagedState(service).functions["task-tracker"];
    const timers = (tracker?.properties.Events ?? [])
      .flatMap((event) => Object.entries(event))
      .filter(([, trigger]) => trigger.Type === "Timer")
      .map(([name, trigger]) => ({ name, cron: trigger.Properties.CronExpression, enable: trigger.Properties.Enable }));
    return { shards: tracker?.properties.Environment.Variables["AIGC_TRACKER_SHARDS"], timers };
  }

  it("`serverless package` runs offline without credentials and yields the seven functions as the plugin would deploy them", () => {
    const { service, status, output } = packageService("service");
    expect(output).not.toContain("[offline]");
    expect(status, output).toBe(0);
    expect(verifyPackage(service, ROUTES)).toEqual([]);

    const state = JSON.parse(readFileSync(path.join(service, ".serverless", "tencent-service.json"), "utf8")) as {
      functions: Record<string, { properties: { Environment: { Variables: Record<string, string> } } }>;
    };
    const env = state.functions["vod-aigc-video"]?.properties.Environment.Variables ?? {};
    expect(env["AIGC_API_TOKENS"]).toBe("<redacted>"); // secrets never land in .serverless/
    expect(env["AIGC_REGION"]).toBe("ap-guangzhou");
    expect(env["AIGC_TARGET"]).toBe("tencent");
    expect(env["AIGC_TRACKER_SHARDS"]).toBe("1");
    // The one trigger every deployment had, unchanged.
    expect(trackerTriggers(service)).toEqual({ shards: "1", timers: [{ name: "task-tracker-schedule", cron: "0 */1 * * * * *", enable: true }] });
  });

  it("puts every API Gateway trigger, a function's second one too, on the service given by apigwServiceId", () => {
    const { service, status, output } = packageService("service-with-id", ["--param=apigwServiceId=service-test0001"]);
    expect(status, output).toBe(0);
    expect(verifyPackage(service, ROUTES)).toEqual([]);
    const state = JSON.parse(readFileSync(path.join(service, ".serverless", "tencent-service.json"), "utf8")) as {
      functions: Record<string, { properties: { Events?: Array<Record<string, { Type: string; Properties: { ServiceId?: string } }>> } }>;
    };
    const serviceIds = Object.values(state.functions).flatMap((fn) =>
      (fn.properties.Events ?? []).flatMap((event) => Object.values(event)).filter((t) => t.Type === "APIGW").map((t) => t.Properties.ServiceId),
    );
    expect(serviceIds).toHaveLength(Object.values(ROUTES).flat().length);
    expect(new Set(serviceIds)).toEqual(new Set(["service-test0001"]));
  });

  describe("with --param=trackerShards", () => {
    // Each packaging is a Serverless process of about 4 s of CPU, so one bad K is packaged for real
    // (the two run at once; the tests below read the results), and every bad K goes through the
    // resolver function Serverless calls, which gives the message the packaging prints.
    const BAD_SHARDS = ["0", "13", "x"];
    const PACKAGED_BAD_SHARDS = "x";
    const badShardsMessage = (shards: string) => `custom.trackerShards (--param=trackerShards) must be a whole number of tracker shards from 1 to 12; got "${shards}"`;
    let four: Awaited<ReturnType<typeof packageServiceAsync>>;
    let bad: Awaited<ReturnType<typeof packageServiceAsync>>;
    beforeAll(async () => {
      [four, bad] = await Promise.all([
        packageServiceAsync("service-4-shards", ["--param=trackerShards=4"]),
        packageServiceAsync("service-bad-shards", [`--param=trackerShards=${PACKAGED_BAD_SHARDS}`]),
      ]);
    }, 60_000);

    it("4 packages four enabled timers task-tracker-shard-0..3 at seconds 0, 15, 30 and 45, and AIGC_TRACKER_SHARDS 4 in every function", () => {
      expect(four.status, four.output).toBe(0);
      expect(verifyPackage(four.service, ROUTES)).toEqual([]);
      expect(trackerTriggers(four.service)).toEqual({
        shards: "4",
        timers: [
          { name: "task-tracker-shard-0", cron: "0 */1 * * * * *", enable: true },
          { name: "task-tracker-shard-1", cron: "15 */1 * * * * *", enable: true },
          { name: "task-tracker-shard-2", cron: "30 */1 * * * * *", enable: true },
          { name: "task-tracker-shard-3", cron: "45 */1 * * * * *", enable: true },
        ],
      });
      const shards = Object.values(packagedState(four.service).functions).map((fn) => fn.properties.Environment.Variables["AIGC_TRACKER_SHARDS"]);
      expect(new Set(shards)).toEqual(new Set(["4"]));
    });

    it("verifyPackage finds a missing, retimed or disabled shard timer, and a K that differs between functions", () => {
      const file = path.join(four.service, ".serverless", "tencent-service.json");
      const original = readFileSync(file, "utf8");
      const tamper = (change: (state: PackagedTriggers) => void) => {
        const state = JSON.parse(original) as PackagedTriggers;
        change(state);
        writeFileSync(file, JSON.stringify(state));
        return verifyPackage(four.service, ROUTES);
      };
      const trackerEvents = (state: PackagedTriggers) => state.functions["task-tracker"]?.properties.Events ?? [];
      const trigger = (state: PackagedTriggers, name: string) => trackerEvents(state).find((event) => event[name])?.[name];
      try {
        expect(tamper((state) => trackerEvents(state).pop()).join("\n")).toContain("timers are [task-tracker-shard-0");
        expect(tamper((state) => Object.assign(trigger(state, "task-tracker-shard-2")?.Properties ?? {}, { CronExpression: "20 */1 * * * * *" })).join("\n")).toContain(
          'expected [task-tracker-shard-0 "0 */1 * * * * *", task-tracker-shard-1 "15 */1 * * * * *", task-tracker-shard-2 "30 */1 * * * * *"',
        );
        expect(tamper((state) => Object.assign(trigger(state, "task-tracker-shard-1")?.Properties ?? {}, { Enable: false })).join("\n")).toContain("(disabled)");
        expect(
          tamper((state) => Object.assign(state.functions["task-tracker"]?.properties.Environment.Variables ?? {}, { AIGC_TRACKER_SHARDS: "2" })).join("\n"),
        ).toContain("functions have different AIGC_TRACKER_SHARDS");
      } finally {
        writeFileSync(file, original);
      }
    });

    it(`${PACKAGED_BAD_SHARDS} fails packaging with the resolver's message`, () => {
      expect(bad.status, bad.output).not.toBe(0);
      expect(bad.output).toContain(`Cannot resolve variable at "functions.task-tracker.events"`);
      expect(bad.output).toContain(badShardsMessage(PACKAGED_BAD_SHARDS));
      expect(existsSync(path.join(bad.service, ".serverless", "tencent-service.json"))).toBe(false);
    });

    it.each(BAD_SHARDS)("%s is refused by the resolver with that message", async (shards) => {
      const custom: Record<string, string> = { trackerShards: shards, trackerCron: "0 */1 * * * * *" };
      await expect(trackerTimersModule.events({ resolveConfigurationProperty: async ([, key]) => custom[key ?? ""] })).rejects.toThrow(badShardsMessage(shards));
    });
  });
});

describe("deploy/tracker-timers.cjs", () => {
  it("agrees with shared/tasks/shards.ts on every K: names, and each shard's cron firing at its slot's start second", () => {
    expect(MAX_TRACKER_SHARDS).toBe(CONFIG_MAX_TRACKER_SHARDS);
    for (let shards = 1; shards <= MAX_TRACKER_SHARDS; shards++) {
      const timers = trackerTimers(shards, "0 */1 * * * * *");
      expect(timers.map(({ timer }) => timer.name), `K=${shards}`).toEqual(Array.from({ length: shards }, (_, s) => trackerTriggerName(s, shards)));
      expect(
        timers.map(({ timer }) => Number(timer.parameters.cronExpression.split(" ")[0])),
        `K=${shards}`,
      ).toEqual(Array.from({ length: shards }, (_, s) => shardSlotSeconds(s, shards).startSecond));
      for (const { timer } of timers) {
        expect(timer.parameters.cronExpression.split(" ").slice(1).join(" ")).toBe("*/1 * * * * *");
        expect(timer.parameters.enable).toBe(true);
      }
    }
  });

  it("keeps the cron as configured for K = 1, and rewrites only the seconds field for K > 1", () => {
    expect(trackerTimers(1, "30 */2 * * * * *")).toEqual([{ timer: { name: "task-tracker-schedule", parameters: { cronExpression: "30 */2 * * * * *", enable: true } } }]);
    expect(trackerTimers("3", "0 */5 8-20 * * MON-FRI *").map(({ timer }) => timer.parameters.cronExpression)).toEqual([
      "0 */5 8-20 * * MON-FRI *",
      "20 */5 8-20 * * MON-FRI *",
      "40 */5 8-20 * * MON-FRI *",
    ]);
  });

  it.each([
    [0, "0 */1 * * * * *", /whole number of tracker shards from 1 to 12; got 0$/],
    [13, "0 */1 * * * * *", /from 1 to 12; got 13$/],
    ["2.5", "0 */1 * * * * *", /from 1 to 12; got "2.5"$/],
    ["", "0 */1 * * * * *", /from 1 to 12; got ""$/],
    [undefined, "0 */1 * * * * *", /from 1 to 12; got undefined$/],
    [2, "30 */1 * * * * *", /with 2 tracker shards, custom.trackerCron \(--param=trackerCron\) must fire at second 0 .*\(0, 30\); got "30 \*\/1 \* \* \* \* \*"$/],
    [1, "0 */1 * * * *", /must be an SCF cron expression of 7 fields/],
    [4, "0 0 */1 * * * * *", /must be an SCF cron expression of 7 fields/],
  ])("refuses K = %j with cron %j", (shards, cron, message) => {
    expect(() => trackerTimers(shards as number, cron)).toThrow(message);
  });

  it("the Serverless resolver reads custom.trackerShards and custom.trackerCron", async () => {
    const custom: Record<string, string> = { trackerShards: "2", trackerCron: "0 */1 * * * * *" };
    const events = await trackerTimersModule.events({ resolveConfigurationProperty: async ([, key]) => custom[key ?? ""] });
    expect(events.map(({ timer }) => `${timer.name} ${timer.parameters.cronExpression}`)).toEqual(["task-tracker-shard-0 0 */1 * * * * *", "task-tracker-shard-1 30 */1 * * * * *"]);
  });
});

// Keeps the resolution the guard relies on honest: the tencent plugin must load the very
// serverless-tencent-tools copy whose dataReport.js the guard stubs.
describe("dependency layout", () => {
  it("serverless-tencent-scf resolves serverless-tencent-tools/sdk/others/dataReport.js", () => {
    const fromPlugin = createRequire(createRequire(path.join(REPO_ROOT, "package.json")).resolve("serverless-tencent-scf/provider/tencentProvider.js"));
    expect(fromPlugin.resolve("serverless-tencent-tools/sdk/others/dataReport.js")).toMatch(/dataReport\.js$/);
  });
  it("triggers vod-aigc-redraw on object creation under the input prefix of the redraw bucket", () => {
    const events = (config.functions["vod-aigc-redraw"]?.events ?? []) as Array<Record<string, any>>;
    const cos = events.filter((event) => event.cos).map((event) => event.cos.parameters);
    expect(cos).toHaveLength(1);
    expect(cos[0]).toMatchObject({ events: "cos:ObjectCreated:*", enable: true });
    expect(String(cos[0].bucket)).toContain("param:redrawBucket");
    expect(String(cos[0].filter.prefix)).toContain("param:redrawInputPrefix");
  });

  it("runs task-tracker on timers generated from custom.trackerShards and custom.trackerCron, every minute by default (a 7-field SCF cron)", () => {
    expect(config.functions["task-tracker"]?.events).toBe(TRACKER_EVENTS);
    expect(config.custom?.["trackerCron"]).toBe("${param:trackerCron, '0 */1 * * * * *'}");
    expect(config.custom?.["trackerShards"]).toBe("${param:trackerShards, '1'}");
    expect(trackerTimers(1, "0 */1 * * * * *")).toEqual([{ timer: { name: "task-tracker-schedule", parameters: { cronExpression: "0 */1 * * * * *", enable: true } } }]);
  });
});
