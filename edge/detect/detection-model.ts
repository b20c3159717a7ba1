import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { schemaProblems } from '../config/schema-problems.js';
import { CARD_SCHEMA_BY_KIND, cardProblems, featureCount, ModelCardSchema, type ModelCard } from './model-card.js';
import { ModelCardError, ModelMismatchError } from './model-errors.js';

/** A model card with its ONNX session, checked against each other. */
export interface DetectionModel {
  readonly card: ModelCard;
  readonly cardFile: string;
  readonly modelFile: string;
  /** F: features per row of the ONNX model. */
  readonly features: number;
  readonly session: InferenceSession;
  /** Frees the native session; the model cannot score afterwards. */
  release(): Promise<void>;
}

/** One session per model on one intra-op thread: the box has few cores and batches do the work. */
export const DEFAULT_SESSION_OPTIONS: InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};

/** The card file of a model: `pump.onnx` → `pump.json`, and a card file stays itself. */
export function modelFilesOf(file: string): { cardFile: string; modelFile: string } {
  const base = file.replace(/\.(json|onnx)$/i, '');
  return { cardFile: `${base}.json`, modelFile: `${base}.onnx` };
}

/** Validates a parsed card: the schema, then what depends on several fields. Throws ModelCardError. */
export function parseModelCard(value: unknown, cardFile: string): ModelCard {
  const kind = (value as { detector?: { kind?: unknown } } | null)?.detector?.kind;
  const schema = kind === 'machine' || kind === 'stream' ? CARD_SCHEMA_BY_KIND[kind] : ModelCardSchema;
  const problems = schemaProblems(schema, value);
  if (problems.length > 0) throw new ModelCardError(cardFile, problems);
  const card = value as ModelCard;
  const semantic = cardProblems(card);
  if (semantic.length > 0) throw new ModelCardError(cardFile, semantic);
  return card;
}

export async function readModelCard(cardFile: string): Promise<ModelCard> {
  let text: string;
  try {
    text = await readFile(cardFile, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found (every .onnx model needs a card with the same name and .json)' : (error as Error).message;
    throw new ModelCardError(cardFile, [{ path: [], message: `cannot read the model card: ${reason}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelCardError(cardFile, [{ path: [], message: `not JSON: ${(error as Error).message}` }]);
  }
  return parseModelCard(json, cardFile);
}

type ValueMetadata = InferenceSession.ValueMetadata;

function describeShape(shape: readonly (number | string)[]): string {
  return `[${shape.map((dim) => (typeof dim === 'number' ? String(dim) : dim)).join(', ')}]`;
}

/**
 * What differs between a card and the ONNX model's declared inputs and outputs: names, element types,
 * ranks, the feature count, and dimensions that must stay open (the batch; K in stream mode).
 */
export function modelMismatches(card: ModelCard, inputs: readonly ValueMetadata[], outputs: readonly ValueMetadata[]): string[] {
  const differences: string[] = [];
  const features = featureCount(card);
  const featureSource =
    card.detector.kind === 'stream'
      ? `stream mode with ${card.detector.blocks} blocks gives ${features} features (a max and a min per block)`
      : `the card lists ${features} input(s) (${card.inputs.map((input) => input.signal).join(', ')})`;
  const elementType = card.onnx.elementType;

  const check = (
    list: readonly ValueMetadata[],
    role: 'input' | 'output',
    name: string,
    type: string,
    dims: readonly (number | 'batch' | 'any' | 'open')[],
    cardPath: string,
  ) => {
    const value = list.find((entry) => entry.name === name);
    if (!value) {
      differences.push(`${role} "${name}" (card ${cardPath}) is not in the model; its ${role}s are ${list.map((entry) => `"${entry.name}"`).join(', ') || 'none'}`);
      return;
    }
    if (!value.isTensor) {
      differences.push(`${role} "${name}" is not a tensor`);
      return;
    }
    if (value.type !== type) differences.push(`${role} "${name}" holds ${value.type}; the card needs ${type}`);
    const shape = value.shape;
    if (shape.length === 0) {
      differences.push(`${role} "${name}" declares no shape; the card needs rank ${dims.length}`);
      return;
    }
    if (shape.length !== dims.length) {
      differences.push(`${role} "${name}" has rank ${shape.length} ${describeShape(shape)}; the card needs rank ${dims.length}`);
      return;
    }
    dims.forEach((want, axis) => {
      const got = shape[axis] as number | string;
      if (want === 'any') return;
      if (want === 'batch' || want === 'open') {
        if (typeof got === 'number' && got !== -1) {
          const why = want === 'batch' ? 'the engine batches rows, so the batch dimension must be open' : 'stream mode passes a growing number of references, so this dimension must be open';
          differences.push(`${role} "${name}" fixes dimension ${axis} to ${got} ${describeShape(shape)}; ${why}`);
        }
        return;
      }
      if (got !== want) {
        const what = want === features ? featureSource : `the card needs ${want}`;
        differences.push(`${role} "${name}" has ${typeof got === 'number' ? got : `"${got}"`} in dimension ${axis} ${describeShape(shape)}; ${what}`);
      }
    });
  };

  const { features: featuresName, references } = card.onnx;
  check(inputs, 'input', featuresName, elementType, ['batch', features], 'onnx.features');
  check(inputs, 'input', references, elementType, ['batch', features, card.mode === 'machine' ? 'any' : 'open'], 'onnx.references');
  const referencesInput = inputs.find((entry) => entry.name === references);
  if (card.mode === 'machine' && referencesInput?.isTensor) {
    const k = referencesInput.shape[2];
    if (typeof k === 'number' && k !== 1 && k !== -1) differences.push(`input "${references}" fixes ${k} references per row; machine mode passes exactly 1 (the drifting reference)`);
  }
  for (const extra of inputs.filter((entry) => entry.name !== featuresName && entry.name !== references)) {
    differences.push(`the model has an input "${extra.name}" that the card does not name; the engine feeds only "${featuresName}" and "${references}"`);
  }
  check(outputs, 'output', card.output.score, elementType, ['batch'], 'output.score');
  check(outputs, 'output', card.output.nearest, 'int64', ['batch'], 'output.nearest');
  check(outputs, 'output', card.output.contributions, elementType, ['batch', features], 'output.contributions');
  return differences;
}

/**
 * Loads a model from its card file or its .onnx file (the other sits beside it with the same name):
 * validates the card, opens the ONNX session and checks the model against the card.
 * Throws ModelCardError or ModelMismatchError with the files named and what to change.
 */
export async function loadDetectionModel(file: string, sessionOptions: InferenceSession.SessionOptions = DEFAULT_SESSION_OPTIONS): Promise<DetectionModel> {
  const { cardFile, modelFile } = modelFilesOf(path.resolve(file));
  const card = await readModelCard(cardFile);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(modelFile);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ModelMismatchError(modelFile, cardFile, [`cannot read the ONNX model: ${reason}`], 'Put the model beside its card, with the same name and .onnx.');
  }
  return openDetectionModel(card, bytes, { cardFile, modelFile }, sessionOptions);
}

/** As loadDetectionModel, for a card and model bytes already in memory; the file names are for messages. */
export async function openDetectionModel(
  card: ModelCard,
  bytes: Uint8Array,
  files: { cardFile: string; modelFile: string },
  sessionOptions: InferenceSession.SessionOptions = DEFAULT_SESSION_OPTIONS,
): Promise<DetectionModel> {
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes, sessionOptions);
  } catch (error) {
    throw new ModelMismatchError(files.modelFile, files.cardFile, [`onnxruntime cannot load it: ${(error as Error).message.split('\n')[0]}`], 'Export the model as ONNX (opset 13 or later).');
  }
  const differences = modelMismatches(card, session.inputMetadata, session.outputMetadata);
  if (differences.length > 0) {
    await session.release();
    throw new ModelMismatchError(files.modelFile, files.cardFile, differences);
  }
  return { card, ...files, features: featureCount(card), session, release: () => session.release() };
}
