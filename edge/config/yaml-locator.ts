import { isMap, isScalar, LineCounter, type Document, type Node } from 'yaml';

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Finds where a value (or one of a mapping's keys) sits in the YAML text, to point errors at lines. */
export class YamlLocator {
  constructor(
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  /** The value at `path`; with `key`, that key of the mapping at `path`. Falls back to the nearest parent found. */
  locate(path: readonly (string | number)[], key?: string): Position | undefined {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.document.getIn(path.slice(0, depth), true) as Node | undefined;
      if (!node) continue;
      if (key !== undefined && depth === path.length && isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
        const keyNode = pair?.key as Node | undefined;
        if (keyNode?.range) return this.position(keyNode.range[0]);
      }
      if (node.range) return this.position(node.range[0]);
    }
    return undefined;
  }

  private position(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }
}
