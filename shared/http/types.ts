/** Transport-neutral request and response shapes; the API Gateway adapter maps events to and from them. */

export interface HttpRequest {
  method: string;
  path: string;
  /** Header names lower-cased; a repeated header keeps its first value. */
  headers: Record<string, string>;
  query: Record<string, string | string[] | true>;
  /** Raw body bytes as received (base64-decoded when the gateway encoded them). */
  body: Buffer;
  requestId: string;
  sourceIp?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}
