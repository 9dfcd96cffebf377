'use strict';

/**
 * Local Serverless Framework 3 plugin that makes serverless-tencent-scf@0.1.36 safe to run in CI.
 * It MUST be listed first in serverless.yml `plugins:`.
 *
 * 1. Telemetry (the reason this file exists).
 *    serverless-tencent-scf/provider/tencentProvider.js does, at require time,
 *      const { DataReport } = serverlessTencentTools.Others.DataReport
 *    and its constructor (run for EVERY command, `package` and `print` included) calls
 *      new DataReport().report({ name, project: <service name>, action: <cli command> })
 *    serverless-tencent-tools/sdk/others/dataReport.js then fires `request()` at
 *    http://service-ocnymoks-1258344699.gz.apigw.tencentcs.com/release/dataReport with no callback
 *    and no 'error' listener. Offline, the DNS failure is emitted as an unhandled 'error' event, so
 *    the surrounding try/catch cannot catch it and Serverless dies with
 *      "Uncaught exception ... Error: getaddrinfo ENOTFOUND service-ocnymoks-1258344699.gz.apigw.tencentcs.com".
 *    Online, it posts the project name, pid and OS details on each run (and the account UIN on
 *    deploy). There is no option to turn it off, so we put a no-op module into require.cache under
 *    dataReport.js's resolved filename. This has to happen when THIS file is required (not in the
 *    constructor): Serverless requires plugins one by one in `plugins:` order, and the tencent
 *    plugin captures the DataReport class while being required.
 *
 * 2. Packaging (same plugin, other traps found while making `serverless package` usable):
 *    - For non-AWS providers Serverless writes nothing to .serverless/ on `package`, so there is
 *      nothing to check in CI. On package:finalize we write .serverless/tencent-service.json: the
 *      exact function/trigger description serverless-tencent-scf would deploy (its own
 *      getServiceResource()), with secret-looking environment values redacted.
 *    - `serverless deploy function -f <name>` uploads the hard-coded path .serverless/<name>.zip,
 *      ignoring functions.<name>.package.artifact, so we copy each prebuilt artifact there.
 *    - `serverless deploy` (whole service) uploads only the service-level package.artifact and
 *      points EVERY function at it, ignoring per-function artifacts: it would deploy the wrong code
 *      (or crash on fs.statSync(undefined) after creating a COS bucket). We stop it up front.
 *    - Without provider.apiGateway.serviceId every `deploy function` creates a new API Gateway
 *      service and URL; we print a warning before deploying.
 */

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { createRequire } = require('module');

const DATA_REPORT_MODULE = 'serverless-tencent-tools/sdk/others/dataReport.js';
const TENCENT_PROVIDER_MODULE = 'serverless-tencent-scf/provider/tencentProvider.js';

/** Same shape as the real module: `report()` is async and resolves to true, but sends nothing. */
const noopDataReport = {
  DataReport: class DataReport {
    async report() {
      return true;
    }
  },
};

/** Resolves `request` the way the tencent plugin would, from the service dir and from Serverless' own location. */
function resolveAll(request, bases) {
  const found = new Set();
  for (const base of bases) {
    try {
      found.add(createRequire(path.join(base, 'noop.js')).resolve(request));
    } catch (error) {
      // Not resolvable from this base; another base may still find it.
    }
  }
  return [...found];
}

/** Resolves dataReport.js relative to the serverless-tencent-scf install(s) that Serverless may load. */
function dataReportPaths(bases) {
  const paths = new Set();
  for (const pluginPkg of resolveAll('serverless-tencent-scf/package.json', bases)) {
    for (const p of resolveAll(DATA_REPORT_MODULE, [path.dirname(pluginPkg)])) paths.add(p);
  }
  // Also stub a copy hoisted next to the service, in case the plugin is resolved from elsewhere.
  for (const p of resolveAll(DATA_REPORT_MODULE, bases)) paths.add(p);
  return [...paths];
}

/** Puts the no-op module into require.cache under each filename; returns the filenames stubbed. */
function installTelemetryStub() {
  const bases = [__dirname, process.cwd()];
  try {
    bases.push(path.dirname(require.resolve('serverless/package.json')));
  } catch (error) {
    // Serverless not resolvable from here (e.g. a global install): the service dir is enough.
  }

  for (const providerPath of resolveAll(TENCENT_PROVIDER_MODULE, bases)) {
    if (require.cache[providerPath]) {
      throw new Error(
        'tencent-telemetry-guard was loaded after serverless-tencent-scf; list it FIRST in ' +
          'serverless.yml `plugins:` or the telemetry call is already wired to the real module.'
      );
    }
  }

  const stubbed = dataReportPaths(bases);
  for (const filename of stubbed) {
    const stub = new module.constructor(filename, module);
    stub.filename = filename;
    stub.loaded = true;
    stub.exports = noopDataReport;
    require.cache[filename] = stub;
  }
  return stubbed;
}

const STUBBED_PATHS = installTelemetryStub();

const SECRET_NAME = /TOKEN|SECRET|PASSWORD|KEY/i;

function redactEnvironment(properties) {
  const variables = properties.Environment && properties.Environment.Variables;
  if (!variables) return properties;
  const redacted = {};
  for (const [name, value] of Object.entries(variables)) {
    redacted[name] = SECRET_NAME.test(name) && value ? '<redacted>' : value;
  }
  return { ...properties, Environment: { ...properties.Environment, Variables: redacted } };
}

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Placeholder bucket of a COS trigger whose bucket parameter was not given (see serverless.yml). */
const DISABLED_BUCKET_PREFIX = 'redraw-disabled-';

class TencentTelemetryGuard {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options || {};
    this.stubbedPaths = STUBBED_PATHS;

    this.hooks = {
      initialize: () => this.dropDisabledCosTriggers(),
      'package:finalize': () => this.writePackageState(),
      'after:package:function:package': () => this.copyArtifact(this.options.function),
      'before:deploy:deploy': () => this.refuseServiceDeploy(),
      'before:deploy:function:deploy': () => this.warnWithoutServiceId(),
    };
  }

  /**
   * serverless.yml cannot make an event conditional, so a COS trigger whose bucket parameter was
   * not given points at the placeholder bucket `redraw-disabled-0`; it is dropped here rather
   * than deployed as a trigger on a bucket that does not exist.
   */
  dropDisabledCosTriggers() {
    const functions = this.serverless.service.functions || {};
    for (const [name, fn] of Object.entries(functions)) {
      if (!Array.isArray(fn.events)) continue;
      const kept = fn.events.filter((event) => {
        const bucket = event && event.cos && event.cos.parameters && String(event.cos.parameters.bucket || '');
        return !(bucket && bucket.startsWith(DISABLED_BUCKET_PREFIX));
      });
      if (kept.length !== fn.events.length) {
        this.serverless.cli.log(`${name}: no redrawBucket param, so its COS trigger (redraw on upload) is left out`);
        fn.events = kept;
      }
    }
  }

  serviceDir() {
    return this.serverless.serviceDir || this.serverless.config.servicePath || process.cwd();
  }

  /** Absolute path of a function's prebuilt artifact, as configured in serverless.yml. */
  artifactOf(name) {
    const fn = this.serverless.service.getFunction(name);
    const artifact = fn.package && fn.package.artifact;
    return artifact ? path.resolve(this.serviceDir(), artifact) : null;
  }

  /** Copies the prebuilt artifact to .serverless/<name>.zip, the only path `deploy function` uploads. */
  copyArtifact(name) {
    if (!name) return null;
    const source = this.artifactOf(name);
    if (!source) return null;
    const target = path.join(this.serviceDir(), '.serverless', `${name}.zip`);
    if (path.resolve(source) !== path.resolve(target)) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(source, target);
    }
    return { source, target };
  }

  writePackageState() {
    const provider = this.serverless.getProvider('tencent');
    if (!provider || typeof provider.getServiceResource !== 'function') {
      throw new Error('serverless-tencent-scf is not loaded: list it in `plugins:` after tencent-telemetry-guard');
    }
    const resource = provider.getServiceResource();
    const serviceDir = this.serviceDir();
    const functions = {};
    for (const [name, fn] of Object.entries(resource.Resources.default)) {
      if (name === 'Type') continue;
      const copied = this.copyArtifact(name);
      // CodeUri holds a random COS key per run; drop it so the state file is stable.
      const { CodeUri, ...properties } = fn.Properties;
      functions[name] = {
        functionName: provider.getFunctionName(name),
        artifact: copied ? path.relative(serviceDir, copied.target) : null,
        sourceArtifact: copied ? path.relative(serviceDir, copied.source) : null,
        sha256: copied ? sha256(copied.target) : null,
        properties: redactEnvironment(properties),
      };
    }
    const state = {
      generatedBy: 'tencent-telemetry-guard (from serverless-tencent-scf getServiceResource)',
      service: resource.Service,
      stage: resource.Stage,
      region: provider.getRegion(),
      functions,
    };
    const file = path.join(serviceDir, '.serverless', 'tencent-service.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(state, null, 2) + '\n');
    this.serverless.cli.log(`Wrote ${path.relative(serviceDir, file)} (${Object.keys(functions).length} functions)`);
  }

  /**
   * Without a serviceId the plugin names no service, so SCF creates a new API Gateway service for
   * the trigger; and because its change check needs a serviceId, every deploy deletes and
   * recreates the trigger, i.e. the public URL changes on every deploy.
   */
  warnWithoutServiceId() {
    const apiGateway = this.serverless.service.provider.apiGateway;
    if (apiGateway && apiGateway.serviceId) return;
    this.serverless.cli.log(
      'WARNING: provider.apiGateway.serviceId is empty: this deploy creates a NEW API Gateway ' +
        'service (and URL) for the function. Pass --param="apigwServiceId=service-xxxxxxxx" to share one.'
    );
  }

  refuseServiceDeploy() {
    const withOwnArtifact = this.serverless.service
      .getAllFunctions()
      .filter((name) => this.artifactOf(name) !== null);
    if (withOwnArtifact.length === 0) return;
    throw new Error(
      'serverless-tencent-scf `deploy` ships the single service-level package.artifact to every ' +
        'function and ignores functions.*.package.artifact, so it would not deploy the esbuild ' +
        `bundles of ${withOwnArtifact.join(', ')}. Deploy each function instead: ` +
        withOwnArtifact.map((name) => `serverless deploy function -f ${name}`).join(' && ')
    );
  }
}

module.exports = TencentTelemetryGuard;
