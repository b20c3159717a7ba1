import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** Element types the detection models are written in; ONNX calls them FLOAT and DOUBLE. */
export type ElementType = 'float32' | 'float64';

export const OPSET = 13;
export const IR_VERSION = 8;

/** Tensor names of a nearest-reference model, as the model card records them. */
export interface NearestReferenceNames {
  readonly features: string;
  readonly references: string;
  readonly score: string;
  readonly nearest: string;
  readonly contributions: string;
}

export const DEFAULT_TENSOR_NAMES: NearestReferenceNames = {
  features: 'x',
  references: 'references',
  score: 'score',
  nearest: 'nearest',
  contributions: 'contributions',
};

export interface NearestReferenceGraphSpec {
  /** F: features per row. */
  readonly features: number;
  /** The F×F weighting matrix P, row-major, symmetric positive definite (the inverse covariance in machine mode, the identity in stream mode). */
  readonly weights: ArrayLike<number>;
  /** K, the references per row: a fixed count (1 in machine mode), or undefined for any count (stream mode). */
  readonly references?: number;
  readonly elementType: ElementType;
  readonly names?: NearestReferenceNames;
  /** Written into the model's doc string, e.g. the card id and what it was fitted on. */
  readonly description?: string;
  /** Written as the model's producer version and metadata, so a model file names what made it. */
  readonly producerVersion?: string;
}

const ELEMENT = { float32: onnx.TensorProto.DataType.FLOAT, float64: onnx.TensorProto.DataType.DOUBLE } as const;

function floatTensor(name: string, dims: number[], values: ArrayLike<number>, elementType: ElementType): ITensorProto {
  const data = elementType === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
  // ONNX raw data is little-endian, as typed arrays are on every platform Node runs on.
  return { name, dims, dataType: ELEMENT[elementType], rawData: new Uint8Array(data.buffer) };
}

function isIdentity(weights: ArrayLike<number>, features: number): boolean {
  for (let i = 0; i < features; i++) for (let j = 0; j < features; j++) if (weights[i * features + j] !== (i === j ? 1 : 0)) return false;
  return true;
}

/** L with P = L·Lᵀ, row-major, so that dᵀPd = |d·L|²; undefined when P is not symmetric positive definite. */
function transpose(values: ArrayLike<number>, size: number): Float64Array {
  return Float64Array.from({ length: size * size }, (_, index) => values[(index % size) * size + Math.floor(index / size)] as number);
}

function choleskyFactor(weights: ArrayLike<number>, features: number): Float64Array | undefined {
  const matrix = new Matrix(Array.from({ length: features }, (_, i) => Array.from({ length: features }, (_, j) => weights[i * features + j] as number)));
  if (!matrix.isSymmetric()) return undefined;
  const cholesky = new CholeskyDecomposition(matrix);
  if (!cholesky.isPositiveDefinite()) return undefined;
  return Float64Array.from(cholesky.lowerTriangularMatrix.to1DArray());
}

function int64Tensor(name: string, values: readonly number[]): ITensorProto {
  const data = BigInt64Array.from(values.map((value) => BigInt(value)));
  return { name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, rawData: new Uint8Array(data.buffer) };
}

type Dim = number | string;

function valueInfo(name: string, elemType: number, dims: readonly Dim[]): IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) } } },
  };
}

function node(opType: string, inputs: string[], outputs: string[], attributes: Record<string, number | number[]> = {}): INodeProto {
  return {
    opType,
    name: outputs[0] ?? opType,
    input: inputs,
    output: outputs,
    attribute: Object.entries(attributes).map(([name, value]) =>
      typeof value === 'number' ? { name, type: onnx.AttributeProto.AttributeType.INT, i: value } : { name, type: onnx.AttributeProto.AttributeType.INTS, ints: value },
    ),
  };
}

/**
 * The nearest-reference distance model as ONNX (opset 13, standard operators only):
 *
 *   x [batch, F], references [batch, F, K], weights P [F, F] (an initializer, symmetric positive definite)
 *   d_k           = x − references[:, :, k]
 *   nearest       = argmin_k d_kᵀ P d_k                   [batch] int64 (the first of equal ones)
 *   contributions = d ⊙ (d P) for d = d_nearest           [batch, F]
 *   score         = Σ_i contributions_i = min_k d_kᵀ P d_k  [batch]
 *
 * References are feature-major ([batch, F, K], not [batch, K, F]) so that the subtraction broadcasts
 * x along the contiguous K axis and the sum runs over whole rows of K: three times faster in
 * onnxruntime than the other layout when K is in the thousands (stream mode). The distances to all K
 * references are |Lᵀ d_k|² with P = L·Lᵀ (|d_k|² when P is the identity); only the nearest one's
 * contributions are formed, and the score is summed from them, so they add up to it exactly.
 */
export function buildNearestReferenceModel(spec: NearestReferenceGraphSpec): Uint8Array {
  const names = spec.names ?? DEFAULT_TENSOR_NAMES;
  const { features, elementType, weights } = spec;
  if (!Number.isInteger(features) || features < 1) throw new Error(`a model needs at least one feature (got ${features})`);
  if (weights.length !== features * features) {
    throw new Error(`the weighting matrix has ${weights.length} entries; a ${features}×${features} matrix needs ${features * features}`);
  }
  if (spec.references !== undefined && (!Number.isInteger(spec.references) || spec.references < 1)) {
    throw new Error(`the reference count must be a positive whole number or left open (got ${spec.references})`);
  }
  const euclidean = isIdentity(weights, features);
  const factor = euclidean ? undefined : choleskyFactor(weights, features);
  if (!euclidean && !factor) throw new Error('the weighting matrix must be symmetric positive definite (an inverse covariance is)');
  const elem = ELEMENT[elementType];
  const k: Dim = spec.references ?? 'references';
  const initializer = [floatTensor('weights', [features, features], weights, elementType), int64Tensor('axis_1', [1]), int64Tensor('axis_2', [2])];
  if (factor) initializer.push(floatTensor('weights_factor_transposed', [features, features], transpose(factor, features), elementType));
  const distances = factor
    ? [
        node('MatMul', ['weights_factor_transposed', 'difference'], ['whitened_difference']),
        node('ReduceSumSquare', ['whitened_difference'], ['distance'], { axes: [1], keepdims: 0 }),
      ]
    : [node('ReduceSumSquare', ['difference'], ['distance'], { axes: [1], keepdims: 0 })];
  const graph = {
    name: 'nearest_reference_distance',
    initializer,
    input: [valueInfo(names.features, elem, ['batch', features]), valueInfo(names.references, elem, ['batch', features, k])],
    output: [
      valueInfo(names.score, elem, ['batch']),
      valueInfo(names.nearest, onnx.TensorProto.DataType.INT64, ['batch']),
      valueInfo(names.contributions, elem, ['batch', features]),
    ],
    node: [
      node('Unsqueeze', [names.features, 'axis_2'], ['x_column']),
      node('Sub', ['x_column', names.references], ['difference']),
      ...distances,
      node('ArgMin', ['distance'], ['nearest_column'], { axis: 1, keepdims: 1 }),
      node('Unsqueeze', ['nearest_column', 'axis_1'], ['nearest_index']),
      node('Shape', ['x_column'], ['column_shape']),
      node('Expand', ['nearest_index', 'column_shape'], ['nearest_indices']),
      node('GatherElements', ['difference', 'nearest_indices'], ['nearest_difference_column'], { axis: 2 }),
      node('Squeeze', ['nearest_difference_column', 'axis_2'], ['nearest_difference']),
      node('MatMul', ['nearest_difference', 'weights'], ['weighted_nearest_difference']),
      node('Mul', ['nearest_difference', 'weighted_nearest_difference'], [names.contributions]),
      node('ReduceSum', [names.contributions, 'axis_1'], [names.score], { keepdims: 0 }),
      node('Squeeze', ['nearest_column', 'axis_1'], [names.nearest]),
    ],
  };
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'millwright',
    producerVersion: spec.producerVersion ?? '',
    docString: spec.description ?? '',
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
