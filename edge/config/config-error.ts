/** One thing wrong with a configuration, located as precisely as the source allows. */
export interface ConfigIssue {
  /** Dotted path into the document, e.g. "sources[0].nodes[3].samplingInterval"; "" for the whole file. */
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** Thrown when a configuration cannot be used; its message lists every issue, one per line. */
export class ConfigError extends Error {
  constructor(
    readonly origin: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(formatIssues(origin, issues));
    this.name = 'ConfigError';
  }
}

function formatIssues(origin: string, issues: readonly ConfigIssue[]): string {
  const heading = `${origin}: ${issues.length} problem${issues.length === 1 ? '' : 's'} in the configuration`;
  const lines = issues.map((issue) => {
    const where = issue.line === undefined ? origin : `${origin}:${issue.line}:${issue.column ?? 1}`;
    return `  ${where}  ${issue.path === '' ? '' : `${issue.path}: `}${issue.message}`;
  });
  return [heading, ...lines].join('\n');
}

/** "sources", 0, "nodes" -> "sources[0].nodes" */
export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? key : `${text}.${key}`;
  }, '');
}
