'use strict';

/**
 * The task-tracker's SCF timer triggers, one per tracker shard (issue 16), for serverless.yml:
 *   functions.task-tracker.events: ${file(./deploy/tracker-timers.cjs):events}
 *
 * K = custom.trackerShards (--param=trackerShards, 1 to MAX_TRACKER_SHARDS, default 1) and
 * cron = custom.trackerCron (--param=trackerCron, SCF's 7 fields: sec min hour day month weekday
 * year). K = 1 is the single trigger the service always had, `task-tracker-schedule` with the cron
 * unchanged, so a deployment that never shards keeps its trigger. K > 1 is K triggers
 * `task-tracker-shard-<s>`, shard s's firing at second floor(60·s/K) of the same minutes: the
 * start of its slot of the minute (shared/tasks/shards.ts, which must agree with this file; a unit
 * test checks every K).
 *
 * The shard is in the trigger NAME because serverless-tencent-scf's getTimerEvent passes only
 * cronExpression and enable to SCF: a message (CreateTrigger's CustomArgument, the event's
 * Message) is silently dropped. The tracker reads the shard from the event's TriggerName.
 *
 * CommonJS and dependency-free: Serverless requires it while resolving variables, before any of
 * the TypeScript is built. Serverless 3 calls the exported `events` function with
 * { options, resolveConfigurationProperty, resolveVariable } (serverless/lib/configuration/
 * variables/sources/file.js); an error thrown here fails every command with its message.
 */

/** The most tracker shards; equal to shared/config.ts MAX_TRACKER_SHARDS (a unit test checks). */
const MAX_TRACKER_SHARDS = 12;

/** A configuration mistake: thrown with a stack of just its message, which Serverless prints whole. */
class TrackerTimersError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TrackerTimersError';
    this.stack = `${this.name}: ${message}`;
  }
}

/** K from custom.trackerShards: a whole number from 1 to MAX_TRACKER_SHARDS (a number, or its digits). */
function parseTrackerShards(value) {
  const raw = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const shards = Number(raw);
  if (!/^\d+$/.test(raw) || shards < 1 || shards > MAX_TRACKER_SHARDS) {
    throw new TrackerTimersError(
      `custom.trackerShards (--param=trackerShards) must be a whole number of tracker shards from 1 to ${MAX_TRACKER_SHARDS}; got ${JSON.stringify(value)}`
    );
  }
  return shards;
}

/** The SCF trigger name of shard `shard` of `shards` (shared/tasks/shards.ts trackerTriggerName). */
function trackerTriggerName(shard, shards) {
  return shards <= 1 ? 'task-tracker-schedule' : `task-tracker-shard-${shard}`;
}

/** The second of the minute shard `shard`'s slot begins at (shared/tasks/shards.ts shardSlotSeconds). */
function shardStartSecond(shard, shards) {
  return Math.floor((60 * shard) / shards);
}

/**
 * The task-tracker's timer events for K = `shards` and the configured `cron`, in serverless.yml's
 * shape: [{ timer: { name, parameters: { cronExpression, enable: true } } }, ...]. `enable: true`
 * is required: the plugin creates a trigger without it CLOSED.
 */
function trackerTimers(shards, cron) {
  const k = parseTrackerShards(shards);
  const expression = typeof cron === 'string' ? cron : '';
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 7) {
    throw new TrackerTimersError(
      `custom.trackerCron (--param=trackerCron) must be an SCF cron expression of 7 fields (sec min hour day month weekday year), e.g. "0 */1 * * * * *"; got ${JSON.stringify(cron)}`
    );
  }
  const timer = (shard, cronExpression) => ({
    timer: { name: trackerTriggerName(shard, k), parameters: { cronExpression, enable: true } },
  });
  // Unchanged, so the trigger of a deployment that never shards is the one it always had.
  if (k === 1) return [timer(0, expression)];
  if (fields[0] !== '0') {
    const seconds = Array.from({ length: k }, (_, shard) => shardStartSecond(shard, k)).join(', ');
    throw new TrackerTimersError(
      `with ${k} tracker shards, custom.trackerCron (--param=trackerCron) must fire at second 0 (its first field "0"), ` +
        `because each shard's trigger fires at its own second of the minute (${seconds}); got ${JSON.stringify(cron)}`
    );
  }
  return Array.from({ length: k }, (_, shard) => timer(shard, [String(shardStartSecond(shard, k)), ...fields.slice(1)].join(' ')));
}

/** The Serverless variable resolver: ${file(./deploy/tracker-timers.cjs):events}. */
async function events({ resolveConfigurationProperty }) {
  const shards = await resolveConfigurationProperty(['custom', 'trackerShards']);
  const cron = await resolveConfigurationProperty(['custom', 'trackerCron']);
  return trackerTimers(shards, cron);
}

module.exports = { MAX_TRACKER_SHARDS, TrackerTimersError, parseTrackerShards, trackerTriggerName, shardStartSecond, trackerTimers, events };
