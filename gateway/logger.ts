import { pino, type Logger } from 'pino';

export type { Logger };

/** For tests and library use where nothing should be printed. */
export const silentLogger: Logger = pino({ level: 'silent' });
