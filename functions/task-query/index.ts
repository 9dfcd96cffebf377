/**
 * SCF entry of `task-query`: API Gateway `GET /tencent-vod/v1/query/{TaskId}` and
 * `GET /tencent-mps/v1/query/{TaskId}`, a task the caller created in Tencent's own answer shape
 * (VOD DescribeTaskDetail, MPS DescribeAigcVideoTask / DescribeAigcImageTask), and the API
 * description (`GET /openapi.json`, `GET /docs`), whose files the build puts next to this bundle;
 * and the native task API (`GET /v1/tasks`, `GET /v1/tasks/{TaskId}`).
 * The two sets of routes are composed here, so shared/tracking never depends on shared/openapi.
 */

import { httpRoutes } from "../../shared/http/function";
import { apiDescriptionRoutes } from "../../shared/openapi/serve";
import { queryRouteHandlers, TASK_QUERY_FUNCTION } from "../../shared/tracking/query";
import { tasksApiRouteHandlers } from "../../shared/tracking/tasks-api";

/** The function's handler, reading the API description's files from `assetsDir` (without it those routes answer 500). */
export function taskQueryFunction(options: { assetsDir?: string } = {}) {
  return httpRoutes(TASK_QUERY_FUNCTION, [...queryRouteHandlers(), ...tasksApiRouteHandlers(), ...apiDescriptionRoutes(options.assetsDir)]);
}

export const main_handler = taskQueryFunction({ assetsDir: __dirname });
