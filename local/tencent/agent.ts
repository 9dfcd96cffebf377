// Tencent SDK clients sign over the URL's host, so they must keep `vod.tencentcloudapi.com`
// in the URL; this agent only moves the TCP connection to the stand-in.
import { Agent, type ClientRequestArgs } from "node:http";
import { connect, type Socket } from "node:net";

/** Where the stand-in listens. */
export interface StandInAddress {
  port: number;
  host?: string;
}

class StandInAgent extends Agent {
  constructor(private readonly target: StandInAddress) {
    super({ keepAlive: true });
  }

  override createConnection(_options: ClientRequestArgs): Socket {
    return connect({ port: this.target.port, host: this.target.host ?? "127.0.0.1" });
  }
}

/** An http.Agent for SDK clients (httpProfile.agent, with protocol "http://") that connects to the stand-in. */
export function createStandInAgent(target: StandInAddress): Agent {
  return new StandInAgent(target);
}
