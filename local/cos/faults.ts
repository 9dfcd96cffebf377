// Failures the COS stand-in can be told to produce, so the ledger's and the tracker's handling of a
// COS outage (an error answer, or a connection dropped in the middle of an upload) is tested
// against the same wire behaviour COS shows in production.

/** Which requests a fault hits. */
interface CosFaultMatch {
  /** Only requests with this method (GET, HEAD, PUT, DELETE); any when absent. */
  method?: string;
  /** Only requests whose object key starts with this (a list request has the key ""); any when absent. */
  keyPrefix?: string;
  /** How many matching requests the fault consumes; 1 when absent. */
  times?: number;
}

/**
 * A COS fault: `status` answers COS's error XML with that status (500 InternalError, 503
 * ServiceUnavailable, ...); `reset` drops the connection, after the first body bytes when the
 * request has a body, so a client sees it fail mid-upload.
 */
export type CosFault = CosFaultMatch & ({ kind: "status"; status: number } | { kind: "reset" });

/** COS's error code for an injected status. */
export function faultCode(status: number): string {
  if (status === 503) return "ServiceUnavailable";
  if (status === 429) return "SlowDown";
  return status >= 500 ? "InternalError" : "InvalidRequest";
}

/** Pending faults, consumed in injection order by the first request each matches. */
export class CosFaultQueue {
  private pending: Array<{ fault: CosFault; remaining: number }> = [];

  /** Queues a fault for the next `times` matching requests. */
  inject(fault: CosFault): void {
    if (fault.kind === "status" && (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599)) {
      throw new RangeError(`a COS status fault needs a 4xx or 5xx status, got ${fault.status}`);
    }
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times <= 0) throw new RangeError(`times must be a positive integer, got ${times}`);
    this.pending.push({ fault, remaining: times });
  }

  /** Removes and returns the first fault matching this request, if any. */
  take(method: string, key: string): CosFault | undefined {
    const entry = this.pending.find(
      ({ fault }) => (fault.method === undefined || fault.method.toUpperCase() === method) && (fault.keyPrefix === undefined || key.startsWith(fault.keyPrefix)),
    );
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.pending = this.pending.filter((candidate) => candidate !== entry);
    return entry.fault;
  }

  /** Faults still waiting, with how many requests each will still hit. */
  list(): Array<CosFault & { remaining: number }> {
    return this.pending.map(({ fault, remaining }) => ({ ...fault, remaining }));
  }

  /** Drops every pending fault. */
  clear(): void {
    this.pending = [];
  }
}
