import type { Logger } from '../../gateway/logger.js';
import { withDemoOverrides } from '../../edge/cli/demo-command.js';
import { loadConfigFile } from '../../edge/config/load-config.js';
import { EdgeRuntime } from '../../edge/edge-runtime.js';
import { DEMO_CONFIG_FILE } from '../../edge/package-paths.js';
import { startSimulators, type SimulatorsHandle } from '../../simulators/run-simulators.js';
import { freePort } from '../../test/support/free-port.js';

/** A sensor fault the soak switches on and off, so alerts go through their lifecycle all along the run. */
const CYCLED_FAULT = { machine: 'meter-01', fault: 'sensor-dropout', signal: 'voltage_l1', severity: 1, rampSeconds: 0 } as const;

export interface DemoUnderLoad {
  readonly edge: EdgeRuntime;
  readonly simulators: SimulatorsHandle;
  /** Every configured signal as "asset/signal", for console subscriptions. */
  readonly signalKeys: readonly string[];
  /** Samples the telemetry bus delivered since the last call. */
  takeSampleCount(): number;
  /** Alert events (activations, returns, …) since the last call. */
  takeAlertEventCount(): number;
  /** Injects the cycled fault when it is clear, clears it when it is injected. */
  toggleFault(): void;
  stop(): Promise<void>;
}

/**
 * `millwright demo` in this process, as `npm start` runs it (shipped configuration, embedded broker,
 * simulated PLC and sensors, detection, alerts, console), on free loopback ports and in `dataDir`.
 */
export async function startDemoUnderLoad(options: { readonly dataDir: string; readonly seed: number; readonly logger: Logger }): Promise<DemoUnderLoad> {
  const plcPort = await freePort();
  const demoConfig = withDemoOverrides(await loadConfigFile(DEMO_CONFIG_FILE), { seed: options.seed, speed: 1, plcPort, mqttPort: 0, consolePort: 0, dataDir: options.dataDir });
  const config = { ...demoConfig, statusIntervalSeconds: 0 };
  const edge = await EdgeRuntime.create(config, options.logger);
  const simulators = await startSimulators({
    plcPort,
    host: '127.0.0.1',
    mqttUrl: edge.brokerUrl ?? undefined,
    seed: options.seed,
    speed: 1,
    pkiFolder: `${options.dataDir}/pki/simulator`,
    logger: options.logger.child({ in: 'simulators' }),
  });
  await edge.startSources();
  let samples = 0;
  let alertEvents = 0;
  edge.bus.subscribe((batch) => (samples += batch.length));
  edge.alerts.subscribe(() => (alertEvents += 1));
  let faultActive = false;
  return {
    edge,
    simulators,
    signalKeys: Object.entries(config.assets).flatMap(([asset, { signals }]) => Object.keys(signals).map((signal) => `${asset}/${signal}`)),
    takeSampleCount() {
      const count = samples;
      samples = 0;
      return count;
    },
    takeAlertEventCount() {
      const count = alertEvents;
      alertEvents = 0;
      return count;
    },
    toggleFault() {
      if (faultActive) simulators.controls.clearFaults(CYCLED_FAULT.machine, 'all');
      else simulators.controls.inject(CYCLED_FAULT);
      faultActive = !faultActive;
    },
    async stop() {
      await edge.stop();
      await simulators.stop();
    },
  };
}
