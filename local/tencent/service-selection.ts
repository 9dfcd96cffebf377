// Which service an API 3.0 request is for. Tencent routes by host (`vod.tencentcloudapi.com`), and
// SDK clients sent to the stand-in through a redirected connection keep that Host. A client given
// the stand-in's address as its endpoint (`127.0.0.1:9000`) sends that as Host instead; the
// official SDKs then name the service in the credential scope (Python: `.../vod/tc3_request`) or
// derive it from the endpoint too (Node: `.../127/tc3_request`), so X-TC-Version is the last word.
import type { IncomingHttpHeaders } from "node:http";
import { SERVICE_VERSIONS, isServiceName, type ServiceName } from "./actions";

/** Where the service came from; only a Host-named service must also be the one the scope names. */
export type ServiceSource = "host" | "credential-scope" | "version";

export type ServiceSelection = { service: ServiceName; source: ServiceSource } | { service: undefined; hostLabel: string };

const SCOPE_SERVICE = /Credential=[^/,\s]+\/\d{4}-\d{2}-\d{2}\/([a-z0-9-]+)\/tc3_request/;

/** The service named by the Host header, else by the TC3 credential scope, else by X-TC-Version. */
export function selectService(headers: IncomingHttpHeaders): ServiceSelection {
  const hostLabel = (headers.host ?? "").split(".")[0]?.toLowerCase() ?? "";
  if (isServiceName(hostLabel)) return { service: hostLabel, source: "host" };
  const authorization = headers.authorization;
  const scoped = SCOPE_SERVICE.exec(typeof authorization === "string" ? authorization : "")?.[1] ?? "";
  if (isServiceName(scoped)) return { service: scoped, source: "credential-scope" };
  const version = headers["x-tc-version"];
  const byVersion = (Object.keys(SERVICE_VERSIONS) as ServiceName[]).find((name) => SERVICE_VERSIONS[name] === version);
  if (byVersion) return { service: byVersion, source: "version" };
  return { service: undefined, hostLabel };
}
