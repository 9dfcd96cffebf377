/**
 * Stands in for `debug` inside function bundles, where only https-proxy-agent and agent-base use
 * it, to print their traces when the DEBUG variable names them. SCF logs are our JSON lines; the
 * real package brings ms and supports-color with it.
 */
interface Debugger {
  (...args: unknown[]): void;
  enabled: boolean;
  namespace: string;
  extend(namespace: string): Debugger;
}

/** A debug logger that is never enabled. */
export default function createDebug(namespace: string): Debugger {
  const log = (() => undefined) as unknown as Debugger;
  log.enabled = false;
  log.namespace = namespace;
  log.extend = (sub: string) => createDebug(`${namespace}:${sub}`);
  return log;
}
