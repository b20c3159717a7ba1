import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../edge/config/load-config.js';
import { loadDetectionModel } from '../../../edge/detect/detection-model.js';
import { DEMO_CONFIG_FILE, SHIPPED_MODELS_FOLDER } from '../../../edge/package-paths.js';

/** The models committed in models/ (npm run models:train makes them; this does not retrain). */
describe('the shipped models', () => {
  it('cover the simulated machine kinds, each fitting its card, small, and saying how it was made and what it scores', async () => {
    const cards = (await readdir(SHIPPED_MODELS_FOLDER)).filter((name) => name.endsWith('.json')).sort();
    expect(cards).toEqual(['air-compressor.json', 'centrifugal-pump.json', 'cnc-spindle.json', 'conveyor-motor.json']);
    const config = await loadConfigFile(DEMO_CONFIG_FILE);
    for (const name of cards) {
      const model = await loadDetectionModel(path.join(SHIPPED_MODELS_FOLDER, name));
      try {
        const { card } = model;
        expect(card.id).toBe(card.assetKind);
        expect(card.asset).toBeUndefined();
        expect((await stat(model.modelFile)).size).toBeLessThan(4096);
        expect(card.training.rows).toBeGreaterThan(10_000);
        expect(card.training.data).toMatch(/simulated hours of healthy operation/);
        expect(card.training.settings).toMatchObject({ longRunInflation: false });
        expect(card.detector).toMatchObject({ kind: 'machine', settleRows: 5400, settleCalmRows: 120 });
        expect(card.evaluation?.figures['normalAlerts']).toBe(0);
        // Every input is a signal of each demo asset of the kind.
        for (const asset of Object.values(config.assets).filter((candidate) => candidate.kind === card.assetKind)) {
          expect(card.inputs.map((input) => input.signal).filter((signal) => !Object.hasOwn(asset.signals, signal))).toEqual([]);
        }
      } finally {
        await model.release();
      }
    }
  });
});
