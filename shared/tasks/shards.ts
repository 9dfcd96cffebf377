/**
 * Tracker shards: the task space split into K shards by task id (AIGC_TRACKER_SHARDS), each with
 * its own due index, lease and SCF timer trigger.
 *
 * Tencent's rate limits are per account, so K ticks spending them at the same moment would each
 * get 1/K of them and take as long as one tick. Instead each shard has its own slot of the minute:
 * shard s's timer fires at second floor(60·s/K), and its Tencent calls are made inside its slot,
 * at the tracker's whole share of every limit, ending SLOT_GAP_MS before the next shard's slot
 * begins. Any one-second window of Tencent's then holds the calls of one shard only. Work left at
 * the end of a slot stays due for the shard's next one. K = 1 is one slot of the whole minute.
 *
 * Nothing here reads or writes: pure functions of the task id, the shard and K.
 */

/** The quiet time at the end of a slot (K > 1): Tencent's one-second window, plus half a second for clock skew between instances. */
export const SLOT_GAP_MS = 1_500;
const MINUTE_MS = 60_000;

/**
 * The shard of a task: FNV-1a (32 bits) of its id, modulo K. Written out instead of a hash from
 * node:crypto because it must never change (a task's shard is where its due entries live) and is
 * called for every due entry written; it needs to spread ids evenly, not resist attacks.
 */
export function shardOf(taskId: string, shards: number): number {
  if (shards <= 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < taskId.length; i++) {
    hash ^= taskId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** Where in each minute shard `shard` of `shards` may call Tencent: [startSecond, endSecond) less the gap. */
export function shardSlotSeconds(shard: number, shards: number): { startSecond: number; endSecond: number } {
  return { startSecond: Math.floor((60 * shard) / shards), endSecond: Math.floor((60 * (shard + 1)) / shards) };
}

/** The SCF timer trigger of a shard: K = 1 keeps the single trigger's name, so a deployment that never shards keeps its trigger. */
export function trackerTriggerName(shard: number, shards: number): string {
  return shards <= 1 ? "task-tracker-schedule" : `task-tracker-shard-${shard}`;
}

/**
 * The time a tick of `shard` may spend Tencent's rate budget in, given when its slot began (the
 * timer's scheduled time): the slot's length, less the gap when other shards follow.
 */
export function spendingWindow(shard: number, shards: number, slotStart: number): { opensAt: number; closesAt: number } {
  if (shards <= 1) return { opensAt: slotStart, closesAt: Number.POSITIVE_INFINITY };
  const { startSecond, endSecond } = shardSlotSeconds(shard, shards);
  return { opensAt: slotStart, closesAt: slotStart + (endSecond - startSecond) * 1_000 - SLOT_GAP_MS };
}

/** The start of shard `shard`'s slot in the minute of `at` (epoch ms), for a tick whose timer time is unknown. */
export function slotStartIn(shard: number, shards: number, at: number): number {
  return Math.floor(at / MINUTE_MS) * MINUTE_MS + shardSlotSeconds(shard, shards).startSecond * 1_000;
}
