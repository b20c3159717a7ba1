import { ProgressLine } from '../../bench/detect/progress-line.js';
import { runDetectBench } from '../../bench/detect/detect-bench.js';

export interface BenchDetectOptions {
  readonly data: string;
  readonly out: string;
  readonly skabPeriod: number;
  readonly margin: number;
  readonly calibrateMargin?: boolean;
}

/** `millwright bench detect`: detection quality on public recordings (SKAB, NAB layouts), progress on the terminal. */
export async function runBenchDetect(options: BenchDetectOptions): Promise<void> {
  const started = performance.now();
  await runDetectBench({
    data: options.data,
    out: options.out,
    skabPeriodMs: options.skabPeriod,
    margin: options.margin,
    calibrateMargin: options.calibrateMargin === true,
    print: (text) => console.log(text),
    progress: new ProgressLine(),
  });
  console.log(`bench detect: ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
}
