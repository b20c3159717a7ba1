/**
 * npm run bench:assistant — how well and how fast the manuals are searched.
 *
 * Quality: every question of simulators/manuals/questions.json (or, without it, the test fixture's) is searched
 * as asked; a hit is a chunk of the expected manual and section. Prints recall@1, recall@5 and MRR overall and
 * per language, with the language of the question preferred (what the assistant does) and without.
 * Speed: BM25 search latency (top 5) over the real manuals and over a synthetic corpus of 10,000 chunks (the
 * real chunks plus sentences of the manuals recombined under other machines' names and ids).
 * Hybrid search is measured too when MILLWRIGHT_BENCH_EMBEDDINGS="<base URL>|<model>" names an
 * OpenAI-compatible embeddings server (e.g. "http://127.0.0.1:11434/v1|nomic-embed-text").
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../gateway/logger.js';
import { detectLanguage } from '../../edge/assistant/knowledge/language-detection.js';
import { KnowledgeBase } from '../../edge/assistant/knowledge/knowledge-base.js';
import type { ManualChunk, ManualHit } from '../../edge/assistant/knowledge/manual-chunk.js';
import { ManualIndex } from '../../edge/assistant/knowledge/manual-index.js';
import { OpenAIEmbeddings } from '../../edge/assistant/providers/openai-embeddings.js';
import { PROVIDER_DEFAULTS } from '../../edge/assistant/providers/provider-config.js';
import { SeededRandom } from '../../simulators/machines/seeded-random.js';

interface Question {
  readonly id: string;
  readonly lang: string;
  readonly question: string;
  readonly manual: string;
  readonly section: string;
}

const SYNTHETIC_CHUNKS = 10_000;
const LATENCY_ROUNDS = 20;
const RECALL_GOAL = 0.95;
const P95_GOAL_MS = 5;

function manualsFolder(): { folder: string; label: string } {
  const real = fileURLToPath(new URL('../../simulators/manuals/', import.meta.url));
  if (existsSync(`${real}questions.json`)) return { folder: real, label: 'simulators/manuals' };
  return { folder: fileURLToPath(new URL('../../test/edge/assistant/fixtures/manuals/', import.meta.url)), label: 'test fixture (simulators/manuals/questions.json not found)' };
}

/** 1-based rank of the first chunk of the expected section, 0 when it is not in the list. */
function rankOf(question: Question, hits: readonly ManualHit[]): number {
  return hits.findIndex((hit) => hit.chunk.file === question.manual && hit.chunk.sectionId === question.section) + 1;
}

interface Quality {
  readonly questions: number;
  readonly recallAt1: number;
  readonly recallAt5: number;
  readonly mrr: number;
}

function quality(ranks: readonly number[]): Quality {
  const count = ranks.length;
  return {
    questions: count,
    recallAt1: ranks.filter((rank) => rank === 1).length / count,
    recallAt5: ranks.filter((rank) => rank >= 1 && rank <= 5).length / count,
    mrr: ranks.reduce((sum, rank) => sum + (rank > 0 ? 1 / rank : 0), 0) / count,
  };
}

function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))]!;
}

interface Latency {
  readonly runs: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

function summary(times: number[]): Latency {
  times.sort((a, b) => a - b);
  return { runs: times.length, p50: percentile(times, 0.5), p95: percentile(times, 0.95), max: times.at(-1)! };
}

/** First searches after indexing (each term's postings are scored and cached on first use), then repeated ones. */
function latency(search: (question: string) => unknown, questions: readonly Question[]): { cold: Latency; warm: Latency } {
  const cold: number[] = [];
  const warm: number[] = [];
  for (let round = 0; round <= LATENCY_ROUNDS; round++) {
    for (const question of questions) {
      const started = performance.now();
      search(question.question);
      (round === 0 ? cold : warm).push(performance.now() - started);
    }
  }
  return { cold: summary(cold), warm: summary(warm) };
}

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  const cells = [header, ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? (Number.isInteger(cell) ? cell.toLocaleString('en') : cell.toFixed(3)) : cell)))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => String(row[column]).length)));
  for (const [index, row] of cells.entries()) {
    console.log(row.map((cell, column) => (column === 0 ? String(cell).padEnd(widths[column]!) : String(cell).padStart(widths[column]!))).join('   '));
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('   '));
  }
  console.log();
}

/**
 * A corpus of `size` chunks: the real ones, and synthetic manuals whose chunks recombine sentences of real
 * chunks in the same language, under other machine names and section ids, so words have realistic frequencies.
 */
function syntheticCorpus(real: readonly ManualChunk[], size: number): Map<string, ManualChunk[]> {
  const random = SeededRandom.forStream(7, 'bench-assistant', 'synthetic-corpus');
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random.uniform() * items.length)]!;
  const sentences = { en: [] as string[], zh: [] as string[] };
  for (const chunk of real) sentences[chunk.language].push(...chunk.text.split(/(?<=[.;:。；！？])\s*|\n+/).filter((sentence) => sentence.trim().length > 20));
  const files = new Map<string, ManualChunk[]>();
  for (const chunk of real) files.set(chunk.file, [...(files.get(chunk.file) ?? []), chunk]);
  let count = real.length;
  for (let copy = 1; count < size; copy++) {
    const machine = `line${copy}`;
    for (const template of real) {
      if (count >= size) break;
      const file = `synthetic/${machine}/${template.file}`;
      const text = Array.from({ length: 3 + Math.floor(random.uniform() * 6) }, () => pick(sentences[template.language])).join(template.language === 'zh' ? '' : ' ');
      const rename = (value: string) => value.replace(/\b([A-Z]-[A-Z]+)-(\d+)\b/g, `$1${copy}-$2`).replace(/\b([a-z]+)-0(\d)\b/g, `$1-${copy}$2`);
      const headingPath = template.headingPath.map(rename);
      const chunk: ManualChunk = { ...template, id: `${file}#${headingPath.join(' > ')}#p${template.part}`, file, headingPath, sectionId: template.sectionId && rename(template.sectionId), text: rename(text) };
      files.set(file, [...(files.get(file) ?? []), chunk]);
      count++;
    }
  }
  return files;
}

async function main(): Promise<void> {
  const { folder, label } = manualsFolder();
  const questions = (JSON.parse(readFileSync(`${folder}questions.json`, 'utf8')) as { questions: Question[] }).questions;
  const started = performance.now();
  const base = await KnowledgeBase.open({ folder, logger: silentLogger, exclude: ['README.md'] });
  const indexMs = performance.now() - started;
  const languages = [...new Set(questions.map((question) => question.lang))];
  console.log(`\nManuals: ${label}: ${base.manuals().length} manuals, ${base.chunkCount} chunks, indexed in ${(indexMs / 1000).toFixed(2)} s`);
  console.log(`Questions: ${questions.length} (${languages.map((language) => `${questions.filter((question) => question.lang === language).length} ${language}`).join(', ')})\n`);

  const preferred = questions.map((question) => rankOf(question, base.searchKeywords(question.question, { limit: 10, preferLanguage: detectLanguage(question.question) })));
  const plain = questions.map((question) => rankOf(question, base.searchKeywords(question.question, { limit: 10 })));
  const rows: (string | number)[][] = [];
  const row = (name: string, ranks: readonly number[]) => {
    const measured = quality(ranks);
    rows.push([name, measured.questions, measured.recallAt1, measured.recallAt5, measured.mrr]);
  };
  row('all (question\'s language preferred)', preferred);
  for (const language of languages) row(`  ${language}`, preferred.filter((_, index) => questions[index]!.lang === language));
  row('all (no language hint)', plain);

  const embeddingsSetting = process.env['MILLWRIGHT_BENCH_EMBEDDINGS'];
  if (embeddingsSetting !== undefined && embeddingsSetting.includes('|')) {
    const [baseURL, model] = embeddingsSetting.split('|') as [string, string];
    const embeddings = new OpenAIEmbeddings({ baseURL, model, apiKey: process.env['MILLWRIGHT_BENCH_EMBEDDINGS_KEY'] ?? null, batchSize: 32, timeouts: PROVIDER_DEFAULTS.timeouts, retry: { maxRetries: 2, initialDelayMs: 500, maxDelayMs: 8000 } });
    const hybrid = await KnowledgeBase.open({ folder, logger: silentLogger, exclude: ['README.md'], embeddings });
    const ranks: number[] = [];
    for (const question of questions) ranks.push(rankOf(question, await hybrid.search(question.question, { limit: 10, preferLanguage: detectLanguage(question.question) })));
    row(`all, hybrid with ${model}`, ranks);
    await hybrid.close();
  }
  console.log('Retrieval quality (a hit: a chunk of the expected manual and section)');
  table(['questions', 'n', 'recall@1', 'recall@5', 'MRR'], rows);

  const misses = questions.flatMap((question, index) => (preferred[index] === 1 ? [] : [{ question, rank: preferred[index]! }]));
  if (misses.length > 0) {
    console.log('Not first:');
    for (const { question, rank } of misses) {
      const got = base.searchKeywords(question.question, { limit: 3, preferLanguage: detectLanguage(question.question) }).map((hit) => `${hit.chunk.file.split('/')[0]}:${hit.chunk.sectionId}`);
      console.log(`  ${question.id} rank ${rank === 0 ? '>10' : rank}: ${question.section} expected, got ${got.join(' ')} — ${question.question}`);
    }
    console.log();
  }

  const realChunks = base.allChunks();
  const buildStarted = performance.now();
  const synthetic = new ManualIndex();
  for (const [file, chunks] of syntheticCorpus(realChunks, SYNTHETIC_CHUNKS)) synthetic.replaceFile(file, chunks);
  const buildMs = performance.now() - buildStarted;

  const onSynthetic = latency((question) => synthetic.search(question, { limit: 5, preferLanguage: detectLanguage(question) }), questions);
  const onReal = latency((question) => base.searchKeywords(question, { limit: 5, preferLanguage: detectLanguage(question) }), questions);
  const syntheticRanks = questions.map((question) => rankOf(question, synthetic.search(question.question, { limit: 10, preferLanguage: detectLanguage(question.question) })));
  console.log('BM25 search latency, top 5 (ms); "first": the first search of each question after indexing');
  const latencyRow = (corpus: string, chunks: number, measured: Latency) => [corpus, chunks, measured.runs, measured.p50, measured.p95, measured.max];
  table(
    ['corpus', 'chunks', 'searches', 'p50', 'p95', 'max'],
    [
      latencyRow('real manuals', base.chunkCount, onReal.warm),
      latencyRow('synthetic, first', synthetic.size, onSynthetic.cold),
      latencyRow('synthetic', synthetic.size, onSynthetic.warm),
    ],
  );
  const syntheticQuality = quality(syntheticRanks);
  console.log(`Synthetic corpus built in ${(buildMs / 1000).toFixed(1)} s; the questions against it: recall@5 ${syntheticQuality.recallAt5.toFixed(3)}, MRR ${syntheticQuality.mrr.toFixed(3)}`);
  const recall = quality(preferred).recallAt5;
  console.log(`Goals: recall@5 >= ${RECALL_GOAL}: ${recall.toFixed(3)} ${recall >= RECALL_GOAL ? 'met' : 'MISSED'}; p95 <= ${P95_GOAL_MS} ms on ${SYNTHETIC_CHUNKS.toLocaleString('en')} chunks: ${onSynthetic.warm.p95.toFixed(2)} ms ${onSynthetic.warm.p95 <= P95_GOAL_MS ? 'met' : 'MISSED'} (first searches ${onSynthetic.cold.p95.toFixed(2)} ms)\n`);
  await base.close();
}

await main();
