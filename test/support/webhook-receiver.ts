/** A local webhook receiver that verifies Standard Webhooks signatures, as a client's would. */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export interface WebhookReceiver {
  url: string;
  /** Verified deliveries, in arrival order. */
  deliveries: Array<{ id: string; payload: any }>;
  /** Every request that arrived, verified or not. */
  attempts: number;
  /** The webhook-id header of every request that arrived, in arrival order (answered or not). */
  attemptIds: string[];
  /** While true, every request is answered 503 (the receiver is "down"). */
  down: boolean;
  /** While set, every request is answered with this status (410 Gone, say). */
  answerWith: number | undefined;
  server: Server;
  /** Forgets every delivery and attempt and answers 204 again (each test starts from this). */
  reset(): void;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 that verifies with `secret` (whsec_...) and answers 204, or 400 on a bad signature. */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const verifier = new Webhook(secret.slice("whsec_".length));
  const state = { deliveries: [] as WebhookReceiver["deliveries"], attempts: 0, attemptIds: [] as string[], down: false, answerWith: undefined as number | undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      state.attempts++;
      state.attemptIds.push(String(req.headers["webhook-id"]));
      if (state.down || state.answerWith !== undefined) {
        res.writeHead(state.answerWith ?? 503).end();
        return;
      }
      try {
        const payload = verifier.verify(Buffer.concat(chunks).toString("utf8"), req.headers as Record<string, string>);
        state.deliveries.push({ id: String(req.headers["webhook-id"]), payload });
        res.writeHead(204).end();
      } catch {
        res.writeHead(400).end("bad signature");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    server,
    reset: () => {
      state.deliveries.length = 0;
      state.attemptIds.length = 0;
      state.attempts = 0;
      state.down = false;
      state.answerWith = undefined;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
