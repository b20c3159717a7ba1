import { describe, expect, it } from 'vitest';
import { ToolCallAssembler, type ToolCallFragment } from '../../../edge/assistant/providers/tool-call-assembler.js';

function assemble(fragments: ToolCallFragment[]) {
  let next = 0;
  const assembler = new ToolCallAssembler(() => `generated_${++next}`);
  for (const fragment of fragments) assembler.add(fragment);
  return assembler.finish();
}

describe('ToolCallAssembler', () => {
  it('joins argument fragments per index, interleaved between parallel calls', () => {
    const calls = assemble([
      { index: 0, id: 'call_a', function: { name: 'live_values', arguments: '' } },
      { index: 1, id: 'call_b', function: { name: 'list_alerts', arguments: '' } },
      { index: 0, function: { arguments: '{"asset":' } },
      { index: 1, function: { arguments: '{"state":"active"}' } },
      { index: 0, function: { arguments: '"pump-01"}' } },
    ]);
    expect(calls).toEqual([
      { ok: true, id: 'call_a', name: 'live_values', args: { asset: 'pump-01' } },
      { ok: true, id: 'call_b', name: 'list_alerts', args: { state: 'active' } },
    ]);
  });

  it('keeps one call when a server repeats its id and name on every fragment', () => {
    const calls = assemble([
      { index: 0, id: 'call_a', function: { name: 'live_values', arguments: '{"asset"' } },
      { index: 0, id: 'call_a', function: { name: 'live_values', arguments: ':"pump-01"}' } },
    ]);
    expect(calls).toEqual([{ ok: true, id: 'call_a', name: 'live_values', args: { asset: 'pump-01' } }]);
  });

  it('starts a new call when index 0 comes back with another id (Ollama)', () => {
    const calls = assemble([
      { index: 0, id: 'call_1', function: { name: 'live_values', arguments: '{"asset":"pump-01"}' } },
      { index: 0, id: 'call_2', function: { name: 'live_values', arguments: '{"asset":"conveyor-02"}' } },
    ]);
    expect(calls.map((call) => call.id)).toEqual(['call_1', 'call_2']);
  });

  it('copes with fragments without an index (continuing the last one) and calls without an id', () => {
    const calls = assemble([{ function: { name: 'search_manuals', arguments: '{"query":' } }, { function: { arguments: '"seal leak"}' } }]);
    expect(calls).toEqual([{ ok: true, id: 'generated_1', name: 'search_manuals', args: { query: 'seal leak' } }]);
  });

  it('accepts arguments sent as an object instead of a JSON string', () => {
    expect(assemble([{ index: 0, id: 'c', function: { name: 'live_values', arguments: { asset: 'pump-01' } } }])).toEqual([
      { ok: true, id: 'c', name: 'live_values', args: { asset: 'pump-01' } },
    ]);
  });

  it('reports arguments that are not JSON, and a call without a name', () => {
    const calls = assemble([
      { index: 0, id: 'a', function: { name: 'live_values', arguments: '{"asset": pump-01}' } },
      { index: 1, id: 'b', function: { arguments: '{}' } },
    ]);
    expect(calls[0]).toMatchObject({ ok: false, id: 'a', rawArguments: '{"asset": pump-01}', problem: expect.stringMatching(/JSON/) });
    expect(calls[1]).toMatchObject({ ok: false, id: 'b', problem: 'the call has no function name' });
  });
});
