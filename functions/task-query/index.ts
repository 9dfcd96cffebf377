/**
 * SCF entry of `task-query`: API Gateway `GET /tencent-vod/v1/query/{TaskId}` and
 * `GET /tencent-mps/v1/query/{TaskId}`, the status of a task the caller created (VOD
 * DescribeTaskDetail / MPS DescribeAigcVideoTask while it is live).
 */

import { taskQueryFunction } from "../../shared/tracking/query";

export const main_handler = taskQueryFunction();
