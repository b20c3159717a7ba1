import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASSISTANT_TOOLS } from '../../edge/assistant/tools/tool-set.js';
import { PACKAGE_ROOT } from '../../edge/package-paths.js';

/**
 * The structural half of docs/threat-model.md's promises about the assistant and the PLC: what the code
 * cannot do at all. (That proposals only take effect after a person confirms is checked by
 * test/edge/console/assistant-protocol.test.ts and assistant-http.test.ts.)
 */
function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(PACKAGE_ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(folder, file));
}

function importsOf(file: string): string[] {
  const text = readFileSync(path.join(PACKAGE_ROOT, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => (match[1] ?? match[2])!);
}

describe('what the assistant can never do', () => {
  it('has read-only tools, and exactly two that only propose an action for a person to confirm', () => {
    const proposing = ASSISTANT_TOOLS.filter((tool) => tool.effect === 'proposal').map((tool) => tool.name);
    expect(proposing.sort()).toEqual(['acknowledge_alert', 'draft_work_order']);
    expect(ASSISTANT_TOOLS.filter((tool) => tool.effect !== 'none' && tool.effect !== 'proposal')).toEqual([]);
  });

  it('has no way to reach a PLC or a broker: no module of the assistant imports an OPC UA or MQTT client, the gateway or a process launcher', () => {
    const forbidden = [/^node-opcua/, /^mqtt$/, /^aedes/, /gateway\/(opcua|mqtt|uplink)\//, /^node:child_process$/, /^child_process$/];
    const files = sourceFiles('edge/assistant');
    expect(files.flatMap(importsOf)).toContain('../knowledge/knowledge-base.js'); // the scan sees imports at all
    const offending = files.flatMap((file) =>
      importsOf(file)
        .filter((specifier) => forbidden.some((pattern) => pattern.test(specifier)))
        .map((specifier) => `${file} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
  });
});

describe('what the gateway never does to a PLC', () => {
  it('only reads: no OPC UA write, method call or node management in the gateway', () => {
    const writing = /\.(write|writeSingleNode|call|addNodes|deleteNodes|addReferences|historyUpdate)\s*\(/;
    const files = sourceFiles('gateway/opcua');
    expect(files).toContain(path.join('gateway/opcua', 'opcua-link.ts'));
    const offending = files.filter((file) => writing.test(readFileSync(path.join(PACKAGE_ROOT, file), 'utf8')));
    expect(offending).toEqual([]);
  });
});
