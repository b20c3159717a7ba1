import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDetectionModel, parseModelCard } from '../../../edge/detect/detection-model.js';
import { fitMachine } from '../../../edge/detect/machine-calibration.js';
import { machineModelArtifacts, writeModelArtifacts, type ModelArtifacts } from '../../../edge/detect/model-artifacts.js';
import { ModelCardError, ModelMismatchError } from '../../../edge/detect/model-errors.js';
import { buildNearestReferenceModel } from '../../../edge/detect/onnx/nearest-reference-graph.js';
import { tempFolder } from '../../support/temp-folder.js';
import { GRID_1S, normalRows, SIGNALS } from './detect-fixtures.js';

const folder = tempFolder('detection-model');
let good: ModelArtifacts;

beforeAll(() => {
  good = machineModelArtifacts(fitMachine(normalRows(300)), {
    id: 'pump',
    assetKind: 'centrifugal-pump',
    description: 'test pump',
    inputs: SIGNALS.map((signal) => ({ signal, unit: 'x' })),
    grid: GRID_1S,
    training: { data: 'synthetic' },
  });
});
afterAll(() => folder.remove());

/** Writes a card (as given, possibly broken) and model bytes under `name` and returns the card file. */
function write(name: string, card: unknown, onnx: Uint8Array = good.onnx): string {
  writeFileSync(path.join(folder.path, `${name}.onnx`), onnx);
  const cardFile = path.join(folder.path, `${name}.json`);
  writeFileSync(cardFile, typeof card === 'string' ? card : JSON.stringify(card));
  return cardFile;
}

/** The good card as plain JSON, edited to break it in ways its type forbids. */
function withCard(change: (card: Record<string, any>) => void): Record<string, any> {
  const card = structuredClone(good.card) as Record<string, any>;
  change(card);
  return card;
}

async function loadError(file: string): Promise<Error> {
  const error = await loadDetectionModel(file).then(
    () => undefined,
    (thrown: unknown) => thrown as Error,
  );
  if (!error) throw new Error(`${file} loaded, but a failure was expected`);
  return error;
}

describe('model card validation', () => {
  it('loads a fitted model by its card or its .onnx file, and checks it against the card', async () => {
    const { cardFile, modelFile } = await writeModelArtifacts(folder.path, good);
    for (const file of [cardFile, modelFile]) {
      const model = await loadDetectionModel(file);
      expect(model.card.id).toBe('pump');
      expect(model.features).toBe(3);
      expect(model.modelFile).toBe(modelFile);
      await model.release();
    }
    expect(JSON.parse(readFileSync(cardFile, 'utf8'))).toMatchObject({ mode: 'machine', inputs: [{ signal: 'flow' }, { signal: 'pressure' }, { signal: 'current' }] });
  });

  it('names the card file and the JSON path of each problem', async () => {
    const broken = withCard((card) => {
      delete card['threshold'];
      card['grid']['periodMs'] = 'fast';
      card['persistance'] = { raiseAfter: 2 };
      card['detector']['ewmaSpan'] = -3;
    });
    const error = await loadError(write('broken', broken));
    expect(error).toBeInstanceOf(ModelCardError);
    expect(error.message).toMatch(/broken\.json: \d+ problems in the model card/);
    expect(error.message).toMatch(/missing required key "threshold"/);
    expect(error.message).toMatch(/grid\.periodMs: must be a number \(got "fast"\)/);
    expect(error.message).toMatch(/unknown key "persistance" — did you mean "persistence"\?/);
    expect(error.message).toMatch(/detector/);
  });

  it('checks what the schema cannot: lengths that follow the inputs, and mode against detector', () => {
    const card = withCard((c) => {
      c['normalisation']['std'] = [1, 1];
      c['detector']['initialReference'] = [0];
      c['inputs'][2]['signal'] = 'flow';
    });
    expect(() => parseModelCard(card, 'pump.json')).toThrow(ModelCardError);
    expect(() => parseModelCard(card, 'pump.json')).toThrow(/normalisation\.std: has 2 value\(s\); the card lists 3 input\(s\)/);
    expect(() => parseModelCard(card, 'pump.json')).toThrow(/detector\.initialReference: has 1 value/);
    expect(() => parseModelCard(card, 'pump.json')).toThrow(/inputs\[2\]\.signal: "flow" is listed twice/);
    expect(() => parseModelCard(withCard((c) => (c['mode'] = 'stream')), 'pump.json')).toThrow(/detector\.kind: is "machine" but the mode is "stream"/);
  });

  it('says when the card is missing or is not JSON', async () => {
    writeFileSync(path.join(folder.path, 'orphan.onnx'), good.onnx);
    expect((await loadError(path.join(folder.path, 'orphan.onnx'))).message).toMatch(/orphan\.json: [\s\S]*file not found \(every \.onnx model needs a card/);
    expect((await loadError(write('garbled', '{"id": '))).message).toMatch(/garbled\.json: [\s\S]*not JSON/);
  });
});

describe('card against model (bring your own model)', () => {
  const F = SIGNALS.length;
  const identity = Array.from({ length: F * F }, (_, i) => (i % (F + 1) === 0 ? 1 : 0));

  it('refuses a model whose input is named differently, naming both files and the model\'s inputs', async () => {
    const onnx = buildNearestReferenceModel({ features: F, weights: identity, elementType: 'float32', references: 1, names: { features: 'rows', references: 'references', score: 'score', nearest: 'nearest', contributions: 'contributions' } });
    const error = await loadError(write('renamed', good.card, onnx));
    expect(error).toBeInstanceOf(ModelMismatchError);
    expect(error.message).toMatch(/renamed\.onnx does not fit its card .*renamed\.json:/);
    expect(error.message).toMatch(/input "x" \(card onnx\.features\) is not in the model; its inputs are "rows", "references"/);
    expect(error.message).toMatch(/the model has an input "rows" that the card does not name/);
  });

  it('refuses a model with another feature count than the card has inputs', async () => {
    const onnx = buildNearestReferenceModel({ features: 4, weights: Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 1 : 0)), elementType: 'float32', references: 1 });
    const error = await loadError(write('wider', good.card, onnx));
    expect(error.message).toMatch(/input "x" has 4 in dimension 1 \[batch, 4\]; the card lists 3 input\(s\) \(flow, pressure, current\)/);
    expect(error.message).toMatch(/output "contributions" has 4 in dimension 1/);
  });

  it('refuses a model whose element type differs from the card\'s', async () => {
    const onnx = buildNearestReferenceModel({ features: F, weights: identity, elementType: 'float64', references: 1 });
    const error = await loadError(write('doubles', good.card, onnx));
    expect(error.message).toMatch(/input "x" holds float64; the card needs float32/);
    expect(error.message).toMatch(/output "score" holds float64; the card needs float32/);
  });

  it('refuses a stream-mode card on a model with a fixed number of references', async () => {
    const card = withCard((c) => {
      c['mode'] = 'stream';
      c['inputs'] = [{ signal: 'level', unit: 'm' }];
      c['normalisation'] = { mean: [0], std: [1] };
      c['threshold'] = 0.5;
      c['detector'] = { kind: 'stream', windowRows: 3, blocks: 3, blockRows: 1, tailQuantile: 0.98, tailMinHistory: 30, refitEvery: 10, maskRows: 10, reraiseFactor: 0.9, memoryCap: 100, quietRows: 10, outputScale: 5 };
    });
    const onnx = buildNearestReferenceModel({ features: 6, weights: Array.from({ length: 36 }, (_, i) => (i % 7 === 0 ? 1 : 0)), elementType: 'float32', references: 1 });
    const error = await loadError(write('stream-fixed', card, onnx));
    expect(error.message).toMatch(/input "references" fixes dimension 2 to 1 \[batch, 6, 1\]; stream mode passes a growing number of references/);
  });

  it('refuses a file that is not an ONNX model', async () => {
    const error = await loadError(write('junk', good.card, new TextEncoder().encode('not a model')));
    expect(error).toBeInstanceOf(ModelMismatchError);
    expect(error.message).toMatch(/junk\.onnx does not fit its card [\s\S]*onnxruntime cannot load it: [\s\S]*Export the model as ONNX/);
  });
});

