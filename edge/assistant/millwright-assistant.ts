import { randomUUID } from 'node:crypto';
import type { Logger } from '../../gateway/logger.js';
import type { Alert } from '../alerts/alert.js';
import type {
  ActionDecision,
  ActionOutcome,
  ChatRequest,
  ChatSink,
  ConsoleAssistant,
  ConversationSummary,
  ConversationTurn,
  Escalation,
  WorkOrder,
} from '../console/assistant-port.js';
import type { ChatCard } from '../console/ws-messages.js';
import type { AuditLog } from '../store/audit-log.js';
import type { WorkOrderStore } from '../store/work-orders.js';
import { ActionBook } from './actions/action-book.js';
import { actionCard, alertCard, citationCard, findingCard, manualCard, noticeCard } from './assistant-cards.js';
import type { AssistantSettings } from './assistant-config.js';
import { boundHistory } from './conversation/context-window.js';
import type { ConversationStore } from './conversation/conversation-store.js';
import { escalationTemplate } from './escalation/escalation-text.js';
import { alertOfConversation, EscalationService } from './escalation/escalation-service.js';
import type { ManualLanguage } from './knowledge/language-detection.js';
import { AnswerFailedError, runAnswerLoop } from './llm/answer-loop.js';
import { escalationRequest, systemPrompt } from './llm/system-prompt.js';
import { retrieveForAlert, retrieveForQuestion } from './manual-grounding.js';
import { offlineAnswer } from './offline/offline-answer.js';
import { analyseQuestion, type QuestionAnalysis } from './offline/question-analysis.js';
import type { ChatProvider, ContextItem } from './providers/chat-types.js';
import { stripHiddenCharacters } from './providers/data-channel.js';
import { CitationRegistry } from './safety/citation-registry.js';
import { explainAlert } from './tools/alert-explanation.js';
import type { AssistantTool, ToolContext } from './tools/assistant-tool.js';
import type { PlantAccess } from './tools/plant-access.js';
import { readSignal } from './tools/signal-status.js';
import { ASSISTANT_TOOLS, ToolRunner } from './tools/tool-set.js';

export interface MillwrightAssistantOptions {
  readonly plant: PlantAccess;
  /** Null: the offline assistant (no language model). */
  readonly chat: ChatProvider | null;
  readonly conversations: ConversationStore;
  readonly workOrders: WorkOrderStore;
  readonly audit: AuditLog;
  readonly settings: AssistantSettings;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Run by close(), e.g. closing the manuals index and the providers the factory opened. */
  readonly onClose?: () => Promise<void>;
}

const RETRIEVED_PER_QUESTION = 4;
const READ_ONLY_TOOLS = ASSISTANT_TOOLS.filter((tool) => tool.effect === 'none');

/**
 * The assistant behind the console's chat (ConsoleAssistant): answers questions with a language model and
 * the tools, or without one from the manuals and the live data; explains alerts unasked; keeps each user's
 * conversations; proposes actions that only the person's decision runs.
 */
export class MillwrightAssistant implements ConsoleAssistant {
  readonly actions: ActionBook;
  readonly escalations: EscalationService;
  private readonly runner: ToolRunner;
  private readonly now: () => number;
  private readonly logger: Logger;

  constructor(private readonly options: MillwrightAssistantOptions) {
    this.now = options.now ?? (() => Date.now());
    this.logger = options.logger;
    this.actions = new ActionBook({ alerts: options.plant.alerts, workOrders: options.workOrders, audit: options.audit, ttlMs: options.settings.proposalTtlMs, now: this.now });
    this.runner = new ToolRunner(options.audit, options.logger);
    this.escalations = new EscalationService({
      alerts: options.plant.alerts,
      store: options.conversations,
      enabled: options.settings.escalation.enabled,
      priority: options.settings.escalation.priority,
      explain: (alert) => this.explain(alert, options.settings.escalation.language),
      logger: options.logger,
      now: this.now,
    });
  }

  /** What the tools read: the assets, live values, alerts, manuals, history and detection. */
  get plant(): PlantAccess {
    return this.options.plant;
  }

  /** Null: offline. */
  get model(): string | null {
    return this.options.chat ? `${this.options.chat.id}:${this.options.chat.model}` : null;
  }

  start(): void {
    this.escalations.start();
  }

  async close(): Promise<void> {
    this.escalations.stop();
    await this.escalations.idle();
    await this.options.onClose?.();
  }

  async answer(request: ChatRequest, sink: ChatSink): Promise<void> {
    const { user } = request;
    const { conversations } = this.options;
    const question = stripHiddenCharacters(request.text).trim();
    const conversationId = request.conversationId ?? `c-${randomUUID()}`;
    const threadAlert = alertOfConversation(conversationId);
    if (!conversations.exists(user, conversationId)) await this.openConversation(user, conversationId, threadAlert, question);
    sink.conversation(conversationId);
    const previous = conversations.turns(user, conversationId);
    conversations.append(user, conversationId, { role: 'user', text: question, cards: [] });

    const analysis = analyseQuestion(question, this.options.plant.assets, { alertId: threadAlert });
    const cards: ChatCard[] = [];
    let reply = '';
    const emit = (card: ChatCard) => {
      cards.push(card);
      sink.card(card);
    };
    const show = (delta: string) => {
      reply += delta;
      sink.delta(delta);
    };
    try {
      if (this.options.chat === null) {
        const answer = await offlineAnswer(question, analysis, this.options.plant, this.now());
        for (const paragraph of answer.text.split(/(?<=\n\n)/)) show(paragraph);
        answer.cards.forEach(emit);
      } else {
        await this.answerWithModel(this.options.chat, request, question, analysis, previous, show, emit);
      }
    } catch (error) {
      const message = error instanceof AnswerFailedError ? error.message : `the assistant failed: ${(error as Error).message}`;
      emit(noticeCard(message, 'failed'));
      throw new Error(message, { cause: error });
    } finally {
      conversations.append(user, conversationId, { role: 'assistant', text: reply, cards });
    }
  }

  decide(decision: ActionDecision): Promise<ActionOutcome> {
    return this.actions.decide(decision);
  }

  onEscalation(listener: (escalation: Escalation) => void): () => void {
    return this.escalations.onEscalation(listener);
  }

  recentEscalations(limit: number): readonly Escalation[] {
    return this.escalations.recent(limit);
  }

  conversations(user: string): readonly ConversationSummary[] {
    return this.options.conversations.list(user).map((conversation) => ({ conversationId: conversation.id, title: conversation.title, updatedAt: new Date(conversation.updatedAt).toISOString(), turns: conversation.turns }));
  }

  hasConversation(user: string, conversationId: string): boolean {
    return this.options.conversations.exists(user, conversationId);
  }

  conversation(user: string, conversationId: string): readonly ConversationTurn[] | null {
    if (!this.hasConversation(user, conversationId)) return null;
    return this.options.conversations.turns(user, conversationId).map((turn) => ({ role: turn.role, text: turn.text, cards: turn.cards, at: new Date(turn.at).toISOString() }));
  }

  workOrders(): readonly WorkOrder[] {
    return this.options.workOrders.list();
  }

  workOrder(id: number): WorkOrder | null {
    return this.options.workOrders.get(id);
  }

  /** A new conversation; an alert's thread starts with the alert's explanation as its first turn. */
  private async openConversation(user: string, conversationId: string, threadAlert: number | null, question: string): Promise<void> {
    const { conversations } = this.options;
    if (threadAlert === null) {
      conversations.ensure(user, conversationId, question);
      return;
    }
    const alert = this.options.plant.alerts.get(threadAlert)?.alert;
    conversations.ensure(user, conversationId, alert ? `Alert ${alert.id}: ${alert.asset} — ${alert.message}` : `Alert ${threadAlert}`);
    const escalation = await this.escalations.forAlert(threadAlert);
    if (escalation) conversations.append(user, conversationId, { role: 'assistant', text: escalation.text, cards: escalation.cards });
  }

  private async answerWithModel(
    chat: ChatProvider,
    request: ChatRequest,
    question: string,
    analysis: QuestionAnalysis,
    previous: Parameters<typeof boundHistory>[0],
    show: (delta: string) => void,
    emit: (card: ChatCard) => void,
  ): Promise<void> {
    const { plant, settings } = this.options;
    const { language } = analysis;
    const citations = new CitationRegistry();
    const context: ContextItem[] = [];
    const found = analysis.alertId !== null ? plant.alerts.get(analysis.alertId) : undefined;
    const asset = analysis.asset ?? found?.alert.asset ?? null;
    if (found) {
      const explanation = explainAlert(found.alert, plant.assets[found.alert.asset], plant.bus);
      context.push({ kind: 'alert', label: 'A1', source: `alert ${found.alert.id} and its finding`, text: JSON.stringify(explanation) });
      const grounding = await retrieveForAlert(plant.manuals, explanation, language);
      for (const chunk of [grounding.faultCode, ...grounding.troubleshooting, ...grounding.procedures]) if (chunk) citations.add(chunk);
    }
    if (asset !== null && plant.assets[asset]) {
      const now = this.now();
      const readings = Object.entries(plant.assets[asset].signals).map(([signal, config]) => readSignal(plant.bus, asset, signal, config, now));
      context.push({ kind: 'telemetry', label: 'V1', source: `live values of ${asset}`, text: JSON.stringify(readings) });
    }
    const kind = asset !== null ? (plant.assets[asset]?.kind ?? null) : null;
    for (const chunk of await retrieveForQuestion(plant.manuals, question, analysis, kind, RETRIEVED_PER_QUESTION)) citations.add(chunk);
    const history = boundHistory(previous, settings.historyChars);
    if (history.summary) context.push(history.summary);
    const result = await runAnswerLoop({
      provider: chat,
      system: systemPrompt(plant.site, plant.assets, language),
      history: history.messages,
      context: [...citations.all().map(({ label, chunk }): ContextItem => ({ kind: 'manual', label, source: chunk.citation, text: chunk.text })), ...context],
      request: question,
      tools: ASSISTANT_TOOLS,
      runner: this.runner,
      toolContext: this.toolContext(request, language, citations, emit),
      citations,
      maxToolRounds: settings.maxToolRounds,
      signal: request.signal,
      onText: show,
    }).catch((error: unknown) => {
      throw error instanceof AnswerFailedError ? error : new AnswerFailedError((error as Error).message, '');
    });
    for (const label of result.citedLabels) {
      const cited = citations.get(label);
      if (cited) emit(manualCard(cited));
    }
    if (result.citationProblems.some((problem) => problem.fix === 'unverified')) emit(citationCard(result.citationProblems, language));
    if (result.status === 'cut-off') emit(noticeCard(language === 'zh' ? '回答因长度限制被截断。' : 'The reply was cut off at the length limit (assistant.maxTokens).', 'cut-off'));
  }

  private toolContext(request: Pick<ChatRequest, 'user' | 'role'>, language: ManualLanguage, citations: CitationRegistry, emit: (card: ChatCard) => void): ToolContext {
    return {
      plant: this.options.plant,
      user: request.user,
      role: request.role,
      language,
      citations,
      now: this.now,
      propose: (action) => {
        const proposal = this.actions.propose(request.user, action);
        emit(actionCard(proposal));
        return proposal;
      },
    };
  }

  /** An alert's explanation: by the model when one is attached (falling back to the template), else the template. */
  private async explain(alert: Alert, language: ManualLanguage): Promise<{ text: string; cards: ChatCard[] }> {
    const { plant } = this.options;
    const explanation = explainAlert(alert, plant.assets[alert.asset], plant.bus);
    const grounding = await retrieveForAlert(plant.manuals, explanation, language);
    const chat = this.options.chat;
    if (chat === null) return escalationTemplate(alert, explanation, grounding, new CitationRegistry(), language, true);
    const citations = new CitationRegistry();
    for (const chunk of [grounding.faultCode, ...grounding.troubleshooting, ...grounding.procedures]) if (chunk) citations.add(chunk);
    try {
      const result = await runAnswerLoop({
        provider: chat,
        system: systemPrompt(plant.site, plant.assets, language),
        history: [],
        context: [
          ...citations.all().map(({ label, chunk }): ContextItem => ({ kind: 'manual', label, source: chunk.citation, text: chunk.text })),
          { kind: 'alert', label: 'A1', source: `alert ${alert.id} and its finding`, text: JSON.stringify(explanation) },
        ],
        request: escalationRequest(alert.id, language),
        tools: READ_ONLY_TOOLS as readonly AssistantTool[],
        runner: this.runner,
        toolContext: {
          ...this.toolContext({ user: 'assistant', role: 'viewer' }, language, citations, () => undefined),
          propose: () => {
            throw new Error('escalations propose no actions');
          },
        },
        citations,
        maxToolRounds: this.options.settings.maxToolRounds,
        signal: AbortSignal.timeout(5 * 60_000),
        onText: () => undefined,
      });
      const cards: ChatCard[] = [...result.citedLabels.flatMap((label) => citations.get(label) ?? []).map(manualCard)];
      if (result.citationProblems.some((problem) => problem.fix === 'unverified')) cards.push(citationCard(result.citationProblems, language));
      return { text: result.text, cards: [alertCard(alert, language), findingCard(explanation, language), ...cards] };
    } catch (error) {
      this.logger.warn({ err: error, alertId: alert.id }, `assistant: the model could not explain alert ${alert.id} (${(error as Error).message}); the explanation is the offline template`);
      const fallback = escalationTemplate(alert, explanation, grounding, new CitationRegistry(), language, false);
      const note = language === 'zh' ? `语言模型未能生成解释（${(error as Error).message}）：以下内容直接取自手册和实时数据。` : `The language model could not write this explanation (${(error as Error).message}): it is put together from the manuals and the live data.`;
      return { text: `${note}\n\n${fallback.text}`, cards: [...fallback.cards, noticeCard(note, 'model-failed')] };
    }
  }
}
