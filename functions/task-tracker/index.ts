/**
 * SCF entry of `task-tracker`: a timer (every minute) that follows every task the bundle created to
 * its end and delivers the result (VOD PullEvents/ConfirmEvents, DescribeTaskDetail, MPS
 * DescribeAigcVideoTask; webhooks; results into the bucket).
 */

import { trackerFunction } from "../../shared/tracking/timer-function";

export const main_handler = trackerFunction("task-tracker");
