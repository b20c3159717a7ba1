import { format } from 'node:util';
import { setErrorLogger, setWarningLogger } from 'node-opcua';
import type { Logger } from '../logger.js';

interface CallerContext {
  readonly filename?: string;
  readonly callerline?: number;
}

/** node-opcua's own notices that are not worth a warning on this product's log. */
const ROUTINE = [/NODE-OPCUA-W27|security-revert/, /Creating default certificate/];

/**
 * node-opcua prints its warnings and errors with console.log (to stdout, in colour), which would mix
 * with command output such as `browse --snippet` and break JSON log lines. Send them to our logger.
 */
export function routeNodeOpcuaLogs(logger: Logger): void {
  const route = (level: 'warn' | 'error') => (context: CallerContext, ...args: unknown[]) => {
    const message = format(...args);
    const origin = { component: 'node-opcua', at: `${context.filename ?? '?'}:${context.callerline ?? '?'}` };
    if (ROUTINE.some((pattern) => pattern.test(message))) logger.debug(origin, message);
    else logger[level](origin, message);
  };
  setWarningLogger(route('warn') as Parameters<typeof setWarningLogger>[0]);
  setErrorLogger(route('error') as Parameters<typeof setErrorLogger>[0]);
}
