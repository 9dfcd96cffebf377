// The SCF COS trigger as the stand-in plays it: which triggers an object creation fires, and the
// event each one receives, in the shape of Tencent's published sample
// (SCF docs, "COS trigger", event message structure):
//   {"Records":[{"cos":{"cosSchemaVersion":"1.0","cosObject":{"url":"http://testpic-1253970026.cos.ap-chengdu.myqcloud.com/testfile",
//     "meta":{"x-cos-request-id":"NWMx...","Content-Type":"","x-cos-meta-mykey":"myvalue"},"vid":"",
//     "key":"/1253970026/testpic/testfile","size":1029},"cosBucket":{"region":"cd","name":"testpic","appid":"1253970026"},
//     "cosNotificationId":"unkown"},"event":{"eventName":"cos:ObjectCreated:*","eventVersion":"1.0","eventTime":1545205770,
//     "eventSource":"qcs::cos","requestParameters":{"requestSourceIP":"192.168.15.101","requestHeaders":{"Authorization":"q-sign-algorithm=sha1&..."}},
//     "eventQueue":"qcs:0:scf:cd:appid/1253970026:default.printevent.$LATEST","reservedInfo":"","reqid":179398952}}]}
import { randomInt } from "node:crypto";
import { cosObjectUrl } from "../../shared/signing/cos";
import { BUCKET_NAME } from "./store";

/** A COS trigger of one function: bucket (full name, or its `<bucket>.cos.<region>.myqcloud.com` host), events, filter. */
export interface CosTrigger {
  functionName: string;
  bucket: string;
  /** E.g. `cos:ObjectCreated:*`, `cos:ObjectCreated:Put`, `cos:ObjectCreated:Copy`. */
  events: string[];
  /** Key prefix filter, e.g. `in/`. */
  prefix?: string;
  /** Key suffix filter, e.g. `.mp4`. */
  suffix?: string;
}

export type ObjectCreatedEventName = "cos:ObjectCreated:Put" | "cos:ObjectCreated:Copy" | "cos:ObjectCreated:CompleteMultipartUpload";

/** One record of an SCF COS event. */
export interface CosEventRecord {
  cos: {
    cosSchemaVersion: "1.0";
    cosObject: {
      /** Percent-encoded object URL on the bucket's public host. */
      url: string;
      meta: Record<string, string>;
      vid: string;
      /** `/<appid>/<bucket short name>/<object key>`, NOT percent-encoded. */
      key: string;
      size: number;
    };
    cosBucket: { region: string; name: string; appid: string };
    cosNotificationId: string;
  };
  event: {
    eventName: string;
    eventVersion: "1.0";
    /** Unix seconds. */
    eventTime: number;
    eventSource: "qcs::cos";
    requestParameters: { requestSourceIP: string; requestHeaders: { Authorization: string } };
    eventQueue: string;
    reservedInfo: "";
    reqid: number;
  };
}

/** The event an SCF function receives from a COS trigger. */
export interface CosEvent {
  Records: CosEventRecord[];
}

/**
 * Tencent's short region codes. The published samples carry them in `cosBucket.region` and
 * `eventQueue` ("cd" for ap-chengdu, "gz" for ap-guangzhou), while `url` has the full region; a
 * region without a known code is passed through whole.
 */
const SHORT_REGIONS: Readonly<Record<string, string>> = {
  "ap-guangzhou": "gz",
  "ap-shanghai": "sh",
  "ap-beijing": "bj",
  "ap-chengdu": "cd",
  "ap-chongqing": "cq",
  "ap-hongkong": "hk",
  "ap-singapore": "sg",
};

/** Placeholder for the uploader's Authorization header, which real events carry verbatim. */
export const REDACTED_AUTHORIZATION = "[redacted by the local COS stand-in]";

/** Whether a trigger fires for this object creation. */
export function triggerMatches(trigger: CosTrigger, bucket: string, eventName: string, key: string): boolean {
  if (triggerBucket(trigger.bucket) !== bucket) return false;
  if (trigger.prefix !== undefined && !key.startsWith(trigger.prefix)) return false;
  if (trigger.suffix !== undefined && !key.endsWith(trigger.suffix)) return false;
  return trigger.events.some((pattern) => (pattern.endsWith(":*") ? eventName.startsWith(pattern.slice(0, -1)) : pattern === eventName));
}

/** The full bucket name of a trigger's `bucket`, which serverless.yml writes as the bucket's host. */
export function triggerBucket(bucket: string): string {
  return bucket.replace(/^https?:\/\//, "").replace(/\.cos\.[a-z0-9-]+\.myqcloud\.com\/?$/, "");
}

export interface ObjectCreation {
  bucket: string;
  region: string;
  key: string;
  size: number;
  eventName: ObjectCreatedEventName;
  /** x-cos-request-id of the creating request. */
  requestId: string;
  /** The creating request's Content-Type header ("" when it had none, as in the sample); a multipart upload's, the object's. */
  contentType: string;
  metadata: Record<string, string>;
  sourceIp: string;
  /** Unix seconds. */
  eventTime: number;
}

/** Builds the event one function receives for one object creation. */
export function buildCosEvent(creation: ObjectCreation, functionName: string, regionFormat: "short" | "full"): CosEvent {
  const match = BUCKET_NAME.exec(creation.bucket);
  const shortName = match?.[1] ?? creation.bucket;
  const appid = match?.[2] ?? "";
  const region = regionFormat === "short" ? (SHORT_REGIONS[creation.region] ?? creation.region) : creation.region;
  const meta: Record<string, string> = { "x-cos-request-id": creation.requestId, "Content-Type": creation.contentType };
  for (const [name, value] of Object.entries(creation.metadata)) meta[`x-cos-meta-${name}`] = value;
  return {
    Records: [
      {
        cos: {
          cosSchemaVersion: "1.0",
          cosObject: {
            url: cosObjectUrl(`http://${creation.bucket}.cos.${creation.region}.myqcloud.com`, creation.key),
            meta,
            vid: "",
            key: `/${appid}/${shortName}/${creation.key}`,
            size: creation.size,
          },
          cosBucket: { region, name: shortName, appid },
          // Sic: the published events spell it this way.
          cosNotificationId: "unkown",
        },
        event: {
          eventName: creation.eventName,
          eventVersion: "1.0",
          eventTime: creation.eventTime,
          eventSource: "qcs::cos",
          requestParameters: { requestSourceIP: creation.sourceIp, requestHeaders: { Authorization: REDACTED_AUTHORIZATION } },
          eventQueue: `qcs:0:scf:${region}:appid/${appid}:default.${functionName}.$LATEST`,
          reservedInfo: "",
          reqid: randomInt(1, 2 ** 31 - 1),
        },
      },
    ],
  };
}
