/**
 * The upstream of section 2's headline figure: Tencent "answering instantly". A loopback server in
 * the bench's own process that answers each signed create the way Tencent does (HTTP 200,
 * `{"Response":{"TaskId","RequestId"}}`, TaskIds in Tencent's formats) as soon as its body has
 * arrived, and keeps nothing.
 *
 * Why not the stand-in itself: local/tencent verifies every TC3 signature and keeps every task, its
 * params and its output files, as Tencent does. In the bench's process that is Tencent's CPU and
 * Tencent's memory counted as ours: its retained state (about 2-3 KB per create) is copied by the
 * young-generation GCs and makes each one longer. The bench therefore has the stand-in check every
 * route's requests first (the warm-up), times them against this, and times them against the
 * stand-in too, reported beside.
 *
 * Why by hand over node:net rather than node:http's server: what this upstream allocates lands in the
 * measured heap, and node:http's server side (IncomingMessage, ServerResponse, header objects) was
 * about 10 KB per request, a tenth of the whole invocation. Only what the function bundles send is
 * understood: HTTP/1.1 keep-alive requests with a Content-Length (the node-fetch shim always sets
 * one). Anything else is answered with a 4xx and the connection closed.
 *
 * A request that is not a TC3-signed create of a known action and version is refused with Tencent's
 * error shape, so a handler sending the wrong thing shows up in the statuses, not as a fast figure.
 */

import { createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { findAction, isServiceName, mpsTaskIdSequence, SERVICE_VERSIONS } from "../../local/tencent/actions";

export interface InstantUpstream {
  url: string;
  /** Creates answered with a TaskId, and requests refused, since start. */
  counts(): { answered: number; refused: number };
  close(): Promise<void>;
}

const TC3_PREFIX = "TC3-HMAC-SHA256 Credential=";
const HEADER_END = Buffer.from("\r\n\r\n");
/** Larger heads than any create sends are refused rather than buffered. */
const MAX_HEAD_BYTES = 16 * 1024;

/** A request head (latin1 text), with a lower-cased copy to find header names in. */
interface Head {
  text: string;
  lower: string;
}

/** One header's value (`name` in lower case), or undefined. */
function header(head: Head, name: string): string | undefined {
  const at = head.lower.indexOf(`\r\n${name}:`);
  if (at < 0) return undefined;
  const start = at + name.length + 3;
  const end = head.text.indexOf("\r\n", start);
  return head.text.slice(start, end < 0 ? head.text.length : end).trim();
}

export async function startInstantUpstream(options: { vodSubAppId: number }): Promise<InstantUpstream> {
  let answered = 0;
  let refused = 0;
  let sequence = 0;
  const nextMpsTaskId = mpsTaskIdSequence();
  const sockets = new Set<Socket>();

  const respond = (socket: Socket, status: string, body: string, close = false) => {
    socket.write(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: ${close ? "close" : "keep-alive"}\r\n\r\n${body}`,
    );
    if (close) socket.end();
  };

  const answer = (socket: Socket, head: Head) => {
    const requestId = `instant-${++sequence}`;
    const refuse = (code: string, message: string) => {
      refused++;
      respond(socket, "200 OK", JSON.stringify({ Response: { Error: { Code: code, Message: message }, RequestId: requestId } }));
    };
    const host = header(head, "host") ?? "";
    const service = host.slice(0, host.indexOf("."));
    const action = header(head, "x-tc-action");
    const spec = isServiceName(service) && action !== undefined ? findAction(service, action) : undefined;
    if (!spec || spec.kind !== "create" || (spec.service === "vod" && !spec.taskType)) return refuse("InvalidAction", `${String(action)} is not a create this upstream answers.`);
    if (!head.text.startsWith("POST ") || header(head, "x-tc-version") !== SERVICE_VERSIONS[spec.service]) return refuse("NoSuchVersion", "Wrong method or X-TC-Version.");
    if (!header(head, "authorization")?.startsWith(TC3_PREFIX) || !header(head, "x-tc-timestamp")) return refuse("AuthFailure.SignatureFailure", "The request is not TC3-signed.");
    answered++;
    const taskId = spec.service === "vod" ? `${options.vodSubAppId}-${spec.taskType}-${sequence.toString(16).padStart(32, "0")}t` : nextMpsTaskId();
    respond(socket, "200 OK", `{"Response":{"TaskId":"${taskId}","RequestId":"${requestId}"}}`);
  };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let pending: Buffer | undefined;
    socket.on("data", (chunk: Buffer) => {
      pending = pending ? Buffer.concat([pending, chunk]) : chunk;
      while (pending) {
        const end: number = pending.indexOf(HEADER_END);
        if (end < 0) {
          if (pending.length > MAX_HEAD_BYTES) respond(socket, "431 Request Header Fields Too Large", "{}", true);
          return;
        }
        const text = pending.toString("latin1", 0, end);
        const head: Head = { text, lower: text.toLowerCase() };
        const length = Number(header(head, "content-length"));
        if (!Number.isSafeInteger(length) || length < 0) {
          respond(socket, "411 Length Required", "{}", true);
          pending = undefined;
          return;
        }
        const total: number = end + HEADER_END.length + length;
        if (pending.length < total) return;
        answer(socket, head);
        pending = pending.length === total ? undefined : pending.subarray(total);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ answered, refused }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
