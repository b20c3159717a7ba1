import type { Logger } from '../../gateway/logger.js';

const STOP_TIMEOUT_MS = 10_000;

/**
 * Runs `stop` on the first SIGINT or SIGTERM and exits when it is done; a second signal, or a stop that
 * hangs past 10 s, exits at once. Errors nobody caught are logged, not allowed to end a running box
 * silently.
 */
export function stopOnSignals(stop: () => Promise<void>, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal} received: shutting down`);
    const forced = setTimeout(() => {
      logger.error(`shutdown took longer than ${STOP_TIMEOUT_MS / 1000} s: exiting anyway`);
      process.exit(1);
    }, STOP_TIMEOUT_MS);
    forced.unref();
    stop().then(
      () => {
        logger.info('stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection (kept running)'));
}
