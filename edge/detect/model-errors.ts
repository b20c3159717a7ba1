import { formatPath } from '../config/config-error.js';

/** A model card that cannot be used: every problem with its JSON path, one per line. */
export class ModelCardError extends Error {
  constructor(
    readonly cardFile: string,
    readonly problems: readonly { readonly path: readonly (string | number)[]; readonly message: string }[],
  ) {
    const heading = `${cardFile}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the model card`;
    super([heading, ...problems.map((problem) => `  ${problem.path.length === 0 ? '' : `${formatPath([...problem.path])}: `}${problem.message}`)].join('\n'));
    this.name = 'ModelCardError';
  }
}

/** An ONNX model that does not fit its card: what differs, naming both files. */
export class ModelMismatchError extends Error {
  constructor(
    readonly modelFile: string,
    readonly cardFile: string,
    readonly differences: readonly string[],
    advice = 'Fix the card to describe the model (or re-export the model to match the card).',
  ) {
    super([`${modelFile} does not fit its card ${cardFile}:`, ...differences.map((difference) => `  ${difference}`), `  ${advice}`].join('\n'));
    this.name = 'ModelMismatchError';
  }
}
