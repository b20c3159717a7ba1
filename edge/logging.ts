import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from './config/config-schema.js';

export type LogFormat = 'pretty' | 'json';

/**
 * Human-readable lines on a terminal, JSON lines elsewhere (containers, log shippers);
 * MILLWRIGHT_LOG_FORMAT=json|pretty overrides the guess.
 */
export function createLogger(level: LogLevel, format: LogFormat = defaultLogFormat()): Logger {
  const options = { level, redact: { paths: ['*.password', '*.*.password', 'password'], censor: '[redacted]' } };
  if (format === 'json') return pino(options);
  return pino(options, pretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', sync: true }));
}

function defaultLogFormat(): LogFormat {
  const requested = process.env['MILLWRIGHT_LOG_FORMAT'];
  if (requested === 'json' || requested === 'pretty') return requested;
  return process.stdout.isTTY ? 'pretty' : 'json';
}
