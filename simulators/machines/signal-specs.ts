import type { SignalSpec } from '../machine.js';

/** A signal spec whose id is one of a machine kind's known signal ids. */
export type SignalDefinition<S extends string> = SignalSpec & { readonly id: S };

export function analogSignal<S extends string>(id: S, displayName: string, unit: string, range: readonly [number, number]): SignalDefinition<S> {
  return { id, displayName, unit, range, kind: 'analog' };
}

export function booleanSignal<S extends string>(id: S, displayName: string): SignalDefinition<S> {
  return { id, displayName, unit: '', range: [0, 1], kind: 'boolean' };
}
