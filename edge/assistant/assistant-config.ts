import { Type, type Static } from 'typebox';
import { ALERT_PRIORITIES, type AlertPriority } from '../alerts/condition-report.js';
import { literalUnion } from '../console/literal-union.js';
import type { ManualLanguage } from './knowledge/language-detection.js';
import { AssistantProviderConfigSchema, providerConfigProblems, resolveProviderConfig, type AssistantProviderSettings } from './providers/provider-config.js';

/**
 * The configuration's `assistant:` section: the language model (provider keys, see provider-config.ts)
 * plus escalation, proposals and conversation bounds. The manuals are the `knowledge:` section.
 */
export const AssistantConfigSchema = Type.Object(
  {
    ...AssistantProviderConfigSchema.properties,
    escalation: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean({ description: 'post an explanation unasked when an alert reaches `priority` (default true)' })),
          /** This priority and more urgent ones are explained (default high). */
          priority: Type.Optional(literalUnion(ALERT_PRIORITIES)),
          language: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('zh')], { description: 'language of the explanations (default en)' })),
        },
        { additionalProperties: false },
      ),
    ),
    proposalMinutes: Type.Optional(Type.Number({ minimum: 1, maximum: 1440, description: 'how long a proposed action can be confirmed (default 10)' })),
    maxToolRounds: Type.Optional(Type.Integer({ minimum: 0, maximum: 10, description: 'model requests with tools per answer before the final one (default 4)' })),
    historyChars: Type.Optional(Type.Integer({ minimum: 500, maximum: 200_000, description: 'characters of earlier turns sent with a question; older turns are summarised (default 12000)' })),
  },
  { additionalProperties: false },
);

export type AssistantConfig = Static<typeof AssistantConfigSchema>;

export interface AssistantSettings {
  readonly providers: AssistantProviderSettings;
  readonly escalation: { readonly enabled: boolean; readonly priority: AlertPriority; readonly language: ManualLanguage };
  readonly proposalTtlMs: number;
  readonly maxToolRounds: number;
  readonly historyChars: number;
}

export const ASSISTANT_DEFAULTS = { escalationPriority: 'high', proposalMinutes: 10, maxToolRounds: 4, historyChars: 12_000 } as const;

export function assistantConfigProblems(config: AssistantConfig): { path: (string | number)[]; message: string }[] {
  return providerConfigProblems(providerPart(config));
}

/** `baseDir`: the configuration file's folder (for apiKeyFile and modelPath). No section: offline, default escalation. */
export function resolveAssistantConfig(config: AssistantConfig | undefined, baseDir: string): AssistantSettings {
  return {
    providers: resolveProviderConfig(config === undefined ? undefined : providerPart(config), baseDir),
    escalation: {
      enabled: config?.escalation?.enabled ?? true,
      priority: config?.escalation?.priority ?? ASSISTANT_DEFAULTS.escalationPriority,
      language: config?.escalation?.language ?? 'en',
    },
    proposalTtlMs: (config?.proposalMinutes ?? ASSISTANT_DEFAULTS.proposalMinutes) * 60_000,
    maxToolRounds: config?.maxToolRounds ?? ASSISTANT_DEFAULTS.maxToolRounds,
    historyChars: config?.historyChars ?? ASSISTANT_DEFAULTS.historyChars,
  };
}

function providerPart(config: AssistantConfig) {
  const { escalation: _escalation, proposalMinutes: _minutes, maxToolRounds: _rounds, historyChars: _chars, ...provider } = config;
  return provider;
}
