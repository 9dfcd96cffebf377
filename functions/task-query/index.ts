/**
 * SCF entry of `task-query`: API Gateway `GET /tencent-vod/v1/query/{TaskId}` and
 * `GET /tencent-mps/v1/query/{TaskId}`, the status of a task the caller created (VOD
 * DescribeTaskDetail / MPS DescribeAigcVideoTask while it is live), and the API description
 * (`GET /openapi.json`, `GET /docs`), whose files the build puts next to this bundle.
 */

import { taskQueryFunction } from "../../shared/tracking/query";

export const main_handler = taskQueryFunction({ assetsDir: __dirname });
