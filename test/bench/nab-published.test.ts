import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNabDataCsv, readNabWindows } from '../../bench/detect/nab-csv.js';
import { NAB_PROFILES, scoreFile, windowRows, type NabProfile } from '../../bench/detect/nab-scoring.js';
import { SHARED_DATASETS, hasDatasets } from './shared-datasets.js';
import { windowedGaussianScores } from './windowed-gaussian.js';

const [STANDARD, , LOW_FN] = NAB_PROFILES as [NabProfile, NabProfile, NabProfile];

/**
 * NAB's published per-file scores of its windowedGaussian detector at threshold 1.0
 * (numenta/NAB results/windowedGaussian/windowedGaussian_standard_scores.csv and
 * ..._reward_low_FN_rate_scores.csv), for the files of the shared NAB folder.
 */
const PUBLISHED: Record<string, { standard: number; lowFn: number }> = {
  'artificialNoAnomaly/art_daily_no_noise.csv': { standard: 0, lowFn: 0 },
  'artificialNoAnomaly/art_daily_perfect_square_wave.csv': { standard: 0, lowFn: 0 },
  'artificialNoAnomaly/art_daily_small_noise.csv': { standard: 0, lowFn: 0 },
  'artificialNoAnomaly/art_flatline.csv': { standard: 0, lowFn: 0 },
  'artificialNoAnomaly/art_noisy.csv': { standard: 0, lowFn: 0 },
  'artificialWithAnomaly/art_daily_flatmiddle.csv': { standard: -1, lowFn: -2 },
  'artificialWithAnomaly/art_daily_jumpsdown.csv': { standard: -1, lowFn: -2 },
  'artificialWithAnomaly/art_daily_jumpsup.csv': { standard: -1, lowFn: -2 },
  'artificialWithAnomaly/art_daily_nojump.csv': { standard: -1, lowFn: -2 },
  'artificialWithAnomaly/art_increase_spike_density.csv': { standard: -1, lowFn: -2 },
  'artificialWithAnomaly/art_load_balancer_spikes.csv': { standard: -0.6924446095227346, lowFn: -0.692444609523 },
  'realKnownCause/ambient_temperature_system_failure.csv': { standard: -2, lowFn: -4 },
  'realKnownCause/cpu_utilization_asg_misconfiguration.csv': { standard: -1.11, lowFn: -2.11 },
  'realKnownCause/ec2_request_latency_system_failure.csv': { standard: -0.06591011872780705, lowFn: -1.06591011873 },
  'realKnownCause/machine_temperature_system_failure.csv': { standard: -4, lowFn: -8 },
  'realKnownCause/nyc_taxi.csv': { standard: -5, lowFn: -10 },
  'realKnownCause/rogue_agent_key_hold.csv': { standard: -2.44, lowFn: -4.44 },
  'realKnownCause/rogue_agent_key_updown.csv': { standard: -1.3964908955014117, lowFn: -2.3964908955 },
};

const NAB = path.join(SHARED_DATASETS, 'nab');

describe.skipIf(!hasDatasets('nab', 'labels', 'combined_windows.json'))('NAB scorer against NAB\'s published results', () => {
  it('reproduces the published per-file windowedGaussian scores of every file in the shared NAB folder', async () => {
    const windows = await readNabWindows(path.join(NAB, 'labels', 'combined_windows.json'));
    let checked = 0;
    for (const [name, limits] of windows) {
      const published = PUBLISHED[name];
      if (!published) continue;
      const series = await readNabDataCsv(path.join(NAB, 'data', name));
      const scored = { name, scores: windowedGaussianScores(series.values), windows: windowRows(series.times, limits, name) };
      expect(scoreFile(scored, STANDARD, 1).score, name).toBeCloseTo(published.standard, 9);
      expect(scoreFile(scored, LOW_FN, 1).score, name).toBeCloseTo(published.lowFn, 9);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
