/**
 * The tracker's due index in the ledger: empty objects whose keys say when a task is next due, one
 * index per tracker shard (./shards), so a tick lists exactly the due tasks of its shard and reads
 * only their records.
 *
 * Layout under the ledger prefix (K = AIGC_TRACKER_SHARDS):
 *   due/<epoch ms, 13 digits>~<taskId>                   K = 1 (the layout before shards existed)
 *   due/shards-<K>/<shard>/<epoch ms, 13 digits>~<taskId>   K > 1
 *   ...~<taskId>~<eventId>                               a VOD completion event handed to the
 *                                                        task's shard by the one event puller; the
 *                                                        object's body is the event
 *   index/due.json                                       every open marker older than the index
 *                                                        has an entry (a one-time migration)
 * COS lists keys in order, so a listing that stops at "now" finds the due entries and no others.
 * "shards-" sorts after every digit, so the K = 1 listing ends where the sharded layouts begin.
 *
 * Changing K leaves entries in a layout no tick lists (stale). Each shard moves its own tasks'
 * entries, page by page and earliest first, into its index at the same due time: the new entry is
 * written before the stale one is deleted, so a crash leaves an extra entry, never a task without one. A task record's dueAt names
 * the time of its entry only, which holds in any layout.
 */

import type { CosBucketRef, CosClient } from "../cos/client";
import { shardOf } from "./shards";

/** One entry of the due index: a task, when it is due (epoch ms), and the event it carries, if any. */
export interface DueEntry {
  taskId: string;
  at: number;
  /** Set on an event entry: the id of the handed-off VOD event whose body the entry holds. */
  event?: string;
}

/** An entry of a layout no tick lists any more, with its key. */
export interface StaleEntry extends DueEntry {
  key: string;
}

/** Zero-padded epoch ms: keys sort by time until the year 2286. */
const DUE_TIME_DIGITS = 13;
/** How many due entries one listing request returns. */
const DUE_PAGE_SIZE = 1000;
const SEPARATOR = "~";
const ENTRY_NAME = /^(\d{13})~([^~/]+)(?:~([A-Za-z0-9_-]{1,64}))?$/;
const SHARDED = "shards-";

/** A task id in a key: URI-encoded, and "~" too, since it separates the parts of an entry's name. */
function encodeId(taskId: string): string {
  return encodeURIComponent(taskId).replace(/~/g, "%7E");
}

function entryName(entry: DueEntry): string {
  const time = String(Math.max(0, Math.floor(entry.at))).padStart(DUE_TIME_DIGITS, "0");
  return `${time}${SEPARATOR}${encodeId(entry.taskId)}${entry.event ? `${SEPARATOR}${entry.event}` : ""}`;
}

function parseName(name: string): DueEntry | undefined {
  const match = ENTRY_NAME.exec(name);
  if (!match) return undefined;
  let taskId: string;
  try {
    taskId = decodeURIComponent(match[2] as string);
  } catch {
    return undefined;
  }
  return { taskId, at: Number(match[1]), ...(match[3] ? { event: match[3] } : {}) };
}

/** The key of an entry in the current layout of K = `shards` under the ledger `prefix`. */
export function dueKey(prefix: string, shards: number, entry: DueEntry): string {
  const root = `${prefix}due/`;
  const shardPrefix = shards <= 1 ? root : `${root}${SHARDED}${shards}/${shardOf(entry.taskId, shards)}/`;
  return `${shardPrefix}${entryName(entry)}`;
}

export class DueIndex {
  constructor(
    private readonly cos: CosClient,
    private readonly ref: CosBucketRef,
    /** The ledger prefix (ends with "/" or is empty). */
    private readonly prefix: string,
    /** K, the number of tracker shards. */
    readonly shards: number,
  ) {}

  private root(): string {
    return `${this.prefix}due/`;
  }

  /** Where shard `shard`'s entries are in the current layout. */
  private shardPrefix(shard: number): string {
    return this.shards <= 1 ? this.root() : `${this.root()}${SHARDED}${this.shards}/${shard}/`;
  }

  private keyOf(entry: DueEntry): string {
    return dueKey(this.prefix, this.shards, entry);
  }

  /** The shard a task's entries go to. */
  shardOf(taskId: string): number {
    return shardOf(taskId, this.shards);
  }

  /** Adds an entry: the tracker needs the task at `at` (epoch ms). */
  async schedule(taskId: string, at: number): Promise<void> {
    await this.cos.putObject(this.ref, this.keyOf({ taskId, at }), "", { contentType: "text/plain" });
  }

  /** Hands a VOD event to the task's shard: an entry due at `at` holding the event. */
  async handOffEvent(taskId: string, at: number, eventId: string, event: Record<string, unknown>): Promise<void> {
    await this.cos.putObject(this.ref, this.keyOf({ taskId, at, event: eventId }), JSON.stringify(event), { contentType: "application/json" });
  }

  /** The event an event entry holds; undefined when it is gone (already handled). */
  async readEvent(entry: DueEntry): Promise<Record<string, unknown> | undefined> {
    const object = await this.cos.getObject(this.ref, this.keyOf(entry));
    if (!object) return undefined;
    const value = JSON.parse(object.body.toString("utf8")) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  }

  /** Removes an entry (absent is fine: deleting twice changes nothing). */
  async unschedule(entry: DueEntry): Promise<void> {
    await this.cos.deleteObject(this.ref, this.keyOf(entry));
  }

  /**
   * One page of shard `shard`'s entries up to `now`, earliest first, without reading records.
   * `after` is the previous page's `last`; `more` is false once the listing passed `now`.
   */
  async list(shard: number, now: number, after?: string): Promise<{ entries: DueEntry[]; last?: string; more: boolean }> {
    const prefix = this.shardPrefix(shard);
    const page = await this.cos.listObjects(this.ref, { prefix, maxKeys: DUE_PAGE_SIZE, ...(after ? { marker: after } : {}) });
    const entries: DueEntry[] = [];
    let pastNow = false;
    for (const object of page.objects) {
      const name = object.key.slice(prefix.length);
      // K = 1: the sharded layouts sort after every entry of this one.
      if (name.startsWith(SHARDED)) {
        pastNow = true;
        break;
      }
      const entry = parseName(name);
      if (!entry) continue;
      if (entry.at > now) {
        pastNow = true;
        break;
      }
      entries.push(entry);
    }
    const last = entries.at(-1);
    return { entries, ...(last ? { last: `${prefix}${entryName(last)}` } : {}), more: page.truncated && !pastNow };
  }

  /** Every task id with an entry in any layout, page by page (the open-marker migration compares them). */
  async listTaskIds(after?: string): Promise<{ taskIds: string[]; nextMarker?: string }> {
    const root = this.root();
    const page = await this.cos.listObjects(this.ref, { prefix: root, maxKeys: DUE_PAGE_SIZE, ...(after ? { marker: after } : {}) });
    const taskIds: string[] = [];
    for (const object of page.objects) {
      const entry = parseName(object.key.slice(object.key.lastIndexOf("/") + 1));
      if (entry) taskIds.push(entry.taskId);
    }
    const lastKey = page.objects.at(-1)?.key;
    return { taskIds, ...(page.truncated && lastKey ? { nextMarker: lastKey } : {}) };
  }

  /** The prefixes of layouts that hold entries but are not the current one (K changed). */
  async staleLayouts(): Promise<string[]> {
    const root = this.root();
    const stale: string[] = [];
    if (this.shards > 1) {
      const first = await this.cos.listObjects(this.ref, { prefix: root, maxKeys: 1 });
      const name = first.objects[0]?.key.slice(root.length);
      if (name !== undefined && !name.startsWith(SHARDED)) stale.push(root);
    }
    const current = this.shards > 1 ? `${root}${SHARDED}${this.shards}/` : undefined;
    let marker: string | undefined;
    do {
      const page = await this.cos.listObjects(this.ref, { prefix: `${root}${SHARDED}`, delimiter: "/", maxKeys: DUE_PAGE_SIZE, ...(marker ? { marker } : {}) });
      for (const layout of page.commonPrefixes) if (layout !== current) stale.push(layout);
      marker = page.truncated ? page.nextMarker : undefined;
    } while (marker);
    return stale;
  }

  /** One page of a stale layout's entries (any time), with their keys. */
  async listStale(layout: string, after?: string): Promise<{ entries: StaleEntry[]; nextMarker?: string }> {
    const page = await this.cos.listObjects(this.ref, { prefix: layout, maxKeys: DUE_PAGE_SIZE, ...(after ? { marker: after } : {}) });
    const entries: StaleEntry[] = [];
    let ended = false;
    for (const object of page.objects) {
      const rest = object.key.slice(layout.length);
      // The K = 1 layout is the root: it ends where the sharded layouts begin.
      if (layout === this.root() && rest.startsWith(SHARDED)) {
        ended = true;
        break;
      }
      const entry = parseName(rest.slice(rest.indexOf("/") + 1));
      if (entry) entries.push({ ...entry, key: object.key });
    }
    const lastKey = page.objects.at(-1)?.key;
    return { entries, ...(page.truncated && !ended && lastKey ? { nextMarker: lastKey } : {}) };
  }

  /** Moves a stale entry (and the event it holds) into the current layout, at the same time. */
  async moveStale(entry: StaleEntry): Promise<void> {
    if (entry.event) {
      const object = await this.cos.getObject(this.ref, entry.key);
      if (object) await this.cos.putObject(this.ref, this.keyOf(entry), object.body, { contentType: "application/json" });
    } else {
      await this.schedule(entry.taskId, entry.at);
    }
    await this.cos.deleteObject(this.ref, entry.key);
  }

  /** Whether every open marker has been given an entry (see index/due.json). */
  async isComplete(): Promise<boolean> {
    return (await this.cos.getObject(this.ref, `${this.prefix}index/due.json`)) !== undefined;
  }

  /** Records that every open marker has an entry, so ticks stop comparing them. */
  async markComplete(at: number): Promise<void> {
    await this.cos.putObject(this.ref, `${this.prefix}index/due.json`, JSON.stringify({ completedAt: new Date(at).toISOString() }), { contentType: "application/json" });
  }
}
