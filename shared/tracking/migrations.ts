/**
 * Ledger migrations a tracker tick runs beside its due walk:
 *   - before it, shard 0 only: open markers written before the due index existed each get an
 *     entry, due now (once: until index/due.json says it is done);
 *   - after it, every shard: its tasks' entries in the layout of another shard count
 *     (AIGC_TRACKER_SHARDS changed) move into its own index at the same time, so changing K loses
 *     no task (../tasks/due-index).
 * Both stop starting work when the tick's time runs short; what is left waits for the next tick,
 * and doing a step twice is harmless.
 */

import { mapLimit } from "./concurrency";
import { STOP_MARGIN_MS } from "./deliveries";
import type { TickContext } from "./tick-context";

/** Every open marker without a due entry gets one, due now; then index/due.json records that it is done. */
export async function migrateOpenMarkers(tick: TickContext, concurrency: number): Promise<void> {
  const { ledger, now, timeLeft } = tick;
  if (await ledger.due.isComplete()) return;
  const scheduled = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await ledger.due.listTaskIds(marker);
    for (const taskId of page.taskIds) scheduled.add(taskId);
    marker = page.nextMarker;
  } while (marker && timeLeft() >= STOP_MARGIN_MS);
  let openMarker: string | undefined;
  do {
    const page = await ledger.listOpenTaskIds(openMarker);
    const missing = page.taskIds.filter((taskId) => !scheduled.has(taskId));
    await mapLimit(missing, concurrency, (taskId) => tick.schedule(taskId, now()));
    tick.report.migrated.openMarkers += missing.length;
    openMarker = page.nextMarker;
  } while (openMarker && timeLeft() >= STOP_MARGIN_MS);
  if (!marker && !openMarker) await ledger.due.markComplete(now());
}

/**
 * Moves this shard's entries out of every stale layout (another K's) into its own index, earliest
 * first, with the time the tick has left after its own due work. Every shard lists the stale
 * layouts (a request per 1,000 entries) and moves only the entries of its own tasks, so the shards
 * share the moving and each index keeps one writer.
 */
export async function moveStaleEntries(tick: TickContext, concurrency: number): Promise<void> {
  const { ledger, log, timeLeft } = tick;
  const inTime = () => timeLeft() >= STOP_MARGIN_MS;
  for (const layout of await ledger.due.staleLayouts()) {
    if (!inTime()) return;
    let marker: string | undefined;
    do {
      const page = await ledger.due.listStale(layout, marker);
      const mine = page.entries.filter((entry) => ledger.due.shardOf(entry.taskId) === tick.shard);
      await mapLimit(mine, concurrency, async (entry) => {
        if (!inTime()) return;
        await ledger.due.moveStale(entry);
        tick.report.migrated.staleEntries++;
      });
      marker = page.nextMarker;
    } while (marker && inTime());
    log.info("tracker.shards.migrated", { layout: layout.slice(ledger.prefix.length), moved: tick.report.migrated.staleEntries, done: marker === undefined && inTime() });
  }
}
