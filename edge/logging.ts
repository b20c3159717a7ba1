import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from './config/config-schema.js';

export type LogFormat = 'pretty' | 'json';

/** On a terminal these fields only repeat what the message says (the status table, the endpoint lines). */
const PRETTY_HIDDEN_KEYS = 'pid,hostname,part,sources,silent,outOfNormal,listening,alertEvent,alertId,conditionId';

export interface LoggerOptions {
  readonly format?: LogFormat;
  /** Default stdout; commands whose stdout is their result (browse, sim inject) log to stderr. */
  readonly destination?: 'stdout' | 'stderr';
}

/** Fields whose values never reach a log line, at any of the depths our log calls use. */
const SECRET_FIELDS = ['password', 'apiKey', 'token', 'passwordHash'];

/**
 * Human-readable lines on a terminal, JSON lines elsewhere (containers, log shippers);
 * MILLWRIGHT_LOG_FORMAT=json|pretty overrides the guess.
 */
export function createLogger(level: LogLevel, options: LoggerOptions = {}): Logger {
  const fd = options.destination === 'stderr' ? 2 : 1;
  const terminal = fd === 2 ? process.stderr.isTTY : process.stdout.isTTY;
  const format = options.format ?? defaultLogFormat(terminal);
  const settings = { level, redact: { paths: SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]), censor: '[redacted]' } };
  const stream: DestinationStream =
    format === 'json'
      ? pino.destination({ fd, sync: true })
      : pretty({ colorize: terminal, translateTime: 'SYS:HH:MM:ss', ignore: PRETTY_HIDDEN_KEYS, singleLine: true, sync: true, destination: fd });
  return pino(settings, stream);
}

function defaultLogFormat(terminal: boolean): LogFormat {
  const requested = process.env['MILLWRIGHT_LOG_FORMAT'];
  if (requested === 'json' || requested === 'pretty') return requested;
  return terminal ? 'pretty' : 'json';
}
