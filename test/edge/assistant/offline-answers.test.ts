import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantFixture, MANUALS_FOLDER, type AssistantFixture, type RecordedAnswer } from './assistant-fixture.js';

interface Question {
  readonly id: string;
  readonly lang: 'en' | 'zh';
  readonly question: string;
  readonly manual: string;
  readonly section: string;
}

const QUESTIONS = (JSON.parse(readFileSync(`${MANUALS_FOLDER}questions.json`, 'utf8')) as { questions: Question[] }).questions;
const question = (id: string) => QUESTIONS.find((candidate) => candidate.id === id)!;

function citedSections(answer: RecordedAnswer): string[] {
  return answer.cards.filter((card) => card.kind === 'manual').map((card) => (card.data as { sectionId: string }).sectionId);
}

let fixture: AssistantFixture;

beforeAll(async () => {
  fixture = await createAssistantFixture();
});

afterAll(async () => {
  await fixture.close();
});

describe('the offline assistant', () => {
  it.each(['q001', 'q009', 'q012', 'q013', 'q023', 'q044'])('cites the section that answers English question %s', async (id) => {
    const { question: text, section } = question(id);
    const answer = await fixture.ask('operator', 'operator', text);
    expect(citedSections(answer)).toContain(section);
    const label = (answer.cards.find((card) => card.kind === 'manual' && (card.data as { sectionId: string }).sectionId === section)!.data as { label: string }).label;
    expect(answer.text).toContain(`[${label}]`);
    expect(answer.text).toContain('No language model is attached');
  });

  it.each(['q048', 'q053', 'q055', 'q064', 'q075', 'q084'])('answers Chinese question %s in Chinese from the Chinese manual', async (id) => {
    const { question: text, section } = question(id);
    const answer = await fixture.ask('operator', 'operator', text);
    expect(citedSections(answer)).toContain(section);
    const manualCards = answer.cards.filter((card) => card.kind === 'manual').map((card) => card.data as { file: string; language: string });
    expect(manualCards[0]!.file.startsWith('zh/')).toBe(true);
    expect(answer.text).toContain('本设备未接入语言模型');
  });

  it('finds the answering section among its cited ones for at least 90 % of the question set', async () => {
    let hits = 0;
    for (const { question: text, section } of QUESTIONS) {
      const answer = await fixture.ask('bench', 'viewer', text);
      if (citedSections(answer).includes(section)) hits += 1;
    }
    expect(hits / QUESTIONS.length).toBeGreaterThanOrEqual(0.9);
  });

  it('names the live values of the asset and signals the question mentions', async () => {
    fixture.publish('pump-01', { vibration_de: 5.3, vibration_nde: 1.3, bearing_temp_de: 82, flow: 128, state: 2 });
    const answer = await fixture.ask('operator', 'operator', 'Why is the drive end vibration on pump-01 so high?');
    expect(answer.text).toMatch(/vibration_de 5\.3 mm\/s \(above its high limit; normal 0\.5–2\.8 mm\/s\)/);
    expect(answer.text).toMatch(/bearing_temp_de 82 °C/);
    const values = answer.cards.find((card) => card.kind === 'values')!;
    expect((values.data as { asset: string }).asset).toBe('pump-01');
  });

  it('explains the alert a question names, with its troubleshooting row', async () => {
    const alert = await fixture.raise({
      conditionId: 'pump-01/limit/suction_pressure.low',
      asset: 'pump-01',
      message: 'suction_pressure 0.5 bar below low limit 0.7',
      details: { signal: 'suction_pressure', value: 0.5, limit: 0.7, deadband: 0.1 },
    });
    fixture.publish('pump-01', { suction_pressure: 0.5 });
    const answer = await fixture.ask('operator', 'operator', `What should I do about alert ${alert.id}?`);
    expect(answer.text).toContain(`**Alert ${alert.id}** (pump-01, high, active-unacked)`);
    expect(citedSections(answer)[0]).toBe('T-PUMP-02');
    expect(answer.cards.map((card) => card.kind)).toEqual(expect.arrayContaining(['alert', 'finding', 'manual']));
  });

  it('takes "alert 0" and an alert thread of no alert as no alert', async () => {
    expect((await fixture.ask('operator', 'operator', 'what about alert 0?')).text).not.toContain('**Alert 0**');
    const answer = await fixture.ask('operator', 'operator', 'and this one?', 'alert:0');
    expect(answer.conversationId).toBe('alert:0');
  });

  it('says so when the manuals have nothing that matches', async () => {
    const answer = await fixture.ask('operator', 'operator', 'xyzzy plugh');
    expect(answer.text).toContain('The manuals have no section that matches this question');
    expect(answer.cards.filter((card) => card.kind === 'manual')).toEqual([]);
  });
});
