/** Types of ./tracker-timers.cjs (the task-tracker's SCF timer triggers, one per tracker shard). */

/** One timer event as serverless.yml declares it. */
export interface TrackerTimerEvent {
  timer: { name: string; parameters: { cronExpression: string; enable: true } };
}

export declare const MAX_TRACKER_SHARDS: number;
export declare class TrackerTimersError extends Error {}
/** K from custom.trackerShards; throws TrackerTimersError unless a whole number from 1 to MAX_TRACKER_SHARDS. */
export declare function parseTrackerShards(value: unknown): number;
export declare function trackerTriggerName(shard: number, shards: number): string;
export declare function shardStartSecond(shard: number, shards: number): number;
/** The timer events for K shards and the configured 7-field cron; throws TrackerTimersError on a bad K or cron. */
export declare function trackerTimers(shards: number | string, cron: string): TrackerTimerEvent[];
/** The Serverless 3 variable resolver. */
export declare function events(context: { resolveConfigurationProperty(address: string[]): Promise<unknown> }): Promise<TrackerTimerEvent[]>;
