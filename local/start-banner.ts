/** What `npm start` prints once it listens: URLs, the development token and credentials, and examples. */

import { TASK_KINDS } from "../shared/tasks/kinds";
import { shardSlotSeconds } from "../shared/tasks/shards";
import { QUERY_ROUTES } from "../shared/tracking/query";
import { TASKS_API_ROUTES } from "../shared/tracking/tasks-api";
import { DEV_SECRET_ID, DEV_SECRET_KEY } from "./dev-credentials";
import { LOCAL_WEBHOOK_SECRET, RUN_TRACKER_PATH, type LocalStack } from "./stack";

/** The banner for a started stack; development secrets appear only when they are the built-in ones. */
export function startBanner(stack: LocalStack, target: string, env: NodeJS.ProcessEnv): string {
  const url = stack.gateway.url;
  const token = stack.token ?? "<one of your AIGC_API_TOKENS>";
  // The upload and download commands find the bucket from PORT, so a non-default one is repeated
  // (and with PORT=0, free ports, the bucket's own URL).
  const portPrefix =
    env.PORT === "0" && stack.cos ? `AIGC_COS_ENDPOINT=${stack.cos.url} AIGC_LOCAL_URL=${url} ` : env.PORT && env.PORT !== "3000" ? `PORT=${env.PORT} ` : "";
  const lines = [
    "",
    `AIGC API listening on ${url}  (target: ${target}${stack.standIn ? `, Tencent stand-in at ${stack.standIn.url}` : ", REAL Tencent: calls are billed"})`,
    `Development token: ${token}`,
    `Routes: POST ${Object.values(TASK_KINDS).map((info) => info.route.path).join(", ")};`,
    `        GET ${[...QUERY_ROUTES, ...TASKS_API_ROUTES].map((route) => route.path).join(", ")}`,
    `API description (no token): ${url}/docs  (${url}/openapi.json; the model catalog as data: ${url}/v1/models)`,
    "Try:",
    `  curl -s -X POST ${url}/tencent-vod/v1/aigc-video \\`,
    `    -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' \\`,
    `    -d '{"ModelName":"GV","ModelVersion":"3.1-fast","Prompt":"generate a car","OutputConfig":{"AspectRatio":"9:16"}}'`,
    stack.trackerShards > 1
      ? `Then follow it (the tracker runs every minute in ${stack.trackerShards} shards (AIGC_TRACKER_SHARDS), as deployed: at seconds ` +
        `${Array.from({ length: stack.trackerShards }, (_, shard) => shardSlotSeconds(shard, stack.trackerShards).startSecond).join(", ")}; ` +
        "run every shard's tick now, one after the other, with the second line):"
      : "Then follow it (the tracker runs every minute, as deployed; run a tick now with the second line):",
    `  curl -s ${url}/tencent-vod/v1/query/<TaskId> -H 'Authorization: Bearer ${token}'`,
    `  curl -s -X POST ${url}${RUN_TRACKER_PATH}`,
  ];
  if (stack.standIn && stack.cos) {
    const webhookSecret = env.AIGC_WEBHOOK_SECRET === LOCAL_WEBHOOK_SECRET ? LOCAL_WEBHOOK_SECRET : "(yours, from AIGC_WEBHOOK_SECRET)";
    lines.push(
      "Local development credentials (they open the stand-ins only; no Tencent Cloud account knows them):",
      `  SecretId                  ${DEV_SECRET_ID}`,
      `  SecretKey                 ${DEV_SECRET_KEY}`,
      `  Tencent API 3.0 endpoint  ${new URL(stack.standIn.url).host} (http; VOD and MPS on one port)`,
      `  COS endpoint              ${stack.cos.url} (path-style), bucket ${env.AIGC_REDRAW_BUCKET}, region ${env.AIGC_REDRAW_REGION}`,
      `  Webhook secret            ${webhookSecret}  (Standard Webhooks: verifies the webhooks this stack sends)`,
      `A video put under ${env.AIGC_REDRAW_INPUT_PREFIX || "in/"} of the bucket is redrawn; upload one, wait for its result, and download it:`,
      `  ${portPrefix}npm run upload -- local/assets/aigc-video.mp4 in/clip.mp4 --wait`,
      `  ${portPrefix}npm run download -- out/clip.mp4`,
    );
  }
  lines.push("Stop with Ctrl-C (or SIGTERM).", "");
  return lines.join("\n");
}
