/** "asset/signal" with "*" standing for any run of characters other than "/", e.g. "pump-01/*", "*\/vibration_*". */
export interface SignalPattern {
  readonly source: string;
  matches(asset: string, signal: string): boolean;
}

/** Throws an Error saying what is wrong with the pattern. */
export function compileSignalPattern(source: string): SignalPattern {
  const parts = source.split('/');
  if (parts.length !== 2 || parts.some((part) => part === '')) {
    throw new Error(`"${source}" is not of the form "asset/signal" (use "*" as a wildcard, e.g. "pump-01/*" or "*/vibration_*")`);
  }
  const [asset, signal] = parts.map(toRegExp) as [RegExp, RegExp];
  return { source, matches: (a, s) => asset.test(a) && signal.test(s) };
}

function toRegExp(glob: string): RegExp {
  const escaped = glob.split('*').map((piece) => piece.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^/]*')}$`);
}
