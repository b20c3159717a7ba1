/**
 * The states a signal's description enumerates, e.g. "0 stopped, 1 starting, 2 running, 3 stopping,
 * 4 tripped" (the demo's state signals): value → word. Empty when the description is no such list.
 */
export function parseEnumeration(description: string | null): ReadonlyMap<number, string> {
  const states = new Map<number, string>();
  if (description === null) return states;
  const items = description.split(',').map((item) => item.trim());
  for (const item of items) {
    const match = /^(-?\d+)\s+([A-Za-z][\w -]*)$/.exec(item);
    if (!match) return new Map();
    states.set(Number(match[1]), match[2]!.trim().toLowerCase());
  }
  return items.length >= 2 ? states : new Map();
}
