import { join } from 'node:path';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { terminalProgress } from '../../../edge/assistant/knowledge/indexing-progress.js';
import { KnowledgeConfigSchema, knowledgeConfigProblems, resolveKnowledgeConfig } from '../../../edge/assistant/knowledge/knowledge-config.js';

describe('manuals configuration', () => {
  it('resolves the folder against the configuration file and keeps the cache in the data folder', () => {
    expect(Value.Check(KnowledgeConfigSchema, { folder: 'manuals', exclude: ['README.md'], chunkChars: 1500 })).toBe(true);
    expect(Value.Check(KnowledgeConfigSchema, { folder: 'manuals', chunkSize: 1500 })).toBe(false);
    expect(resolveKnowledgeConfig({ folder: 'manuals', exclude: ['README.md'] }, '/etc/millwright', '/var/lib/millwright')).toEqual({
      folder: '/etc/millwright/manuals',
      exclude: ['README.md'],
      watch: true,
      cacheFile: join('/var/lib/millwright', 'knowledge', 'manual-index.json'),
      chunking: { maxChars: 2000, overlapChars: 250 },
      hybrid: true,
    });
    expect(resolveKnowledgeConfig({ folder: '/srv/manuals', cache: false }, '/etc', '/var').cacheFile).toBeNull();
  });

  it('refuses an overlap of half a chunk or more', () => {
    expect(knowledgeConfigProblems({ folder: 'm', chunkChars: 800, overlapChars: 400 })).toEqual([{ path: ['overlapChars'], message: 'overlapChars (400) must be less than half of chunkChars (800)' }]);
    expect(knowledgeConfigProblems({ folder: 'm' })).toEqual([]);
  });
});

describe('terminalProgress', () => {
  function stream(isTTY: boolean) {
    const written: string[] = [];
    return { written, stream: { isTTY, columns: 80, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream };
  }

  it('draws a bar on a terminal for a large folder and clears it when done', () => {
    const terminal = stream(true);
    const progress = terminalProgress(terminal.stream, 20);
    progress({ phase: 'parsing', done: 0, total: 40, file: 'en/pump.pdf' });
    progress({ phase: 'parsing', done: 40, total: 40 });
    expect(terminal.written[0]).toMatch(/^\rindexing manuals \[-{24}\] 0\/40 en\/pump\.pdf/);
    expect(terminal.written.at(-2)).toContain(`[${'#'.repeat(24)}] 40/40`);
    expect(terminal.written.at(-1)).toBe('\r\u001b[K');
  });

  it('stays silent in logs and pipes, and for small folders', () => {
    const pipe = stream(false);
    terminalProgress(pipe.stream)({ phase: 'parsing', done: 0, total: 500 });
    const small = stream(true);
    terminalProgress(small.stream, 20)({ phase: 'parsing', done: 0, total: 5 });
    expect([...pipe.written, ...small.written]).toEqual([]);
  });
});
