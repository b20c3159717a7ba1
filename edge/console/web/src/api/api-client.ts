import type { Alert, AlertEvent, Asset, ConversationSummary, ConversationTurn, History, Model, User } from '../api-types.js';
import { Emitter } from '../emitter.js';

/** A refused request: the HTTP status, the server's error code and message (PROTOCOL.md, "Errors"). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

export interface SessionInfo {
  readonly user: User;
  readonly expiresAt: number;
}

export type AlertAction = 'acknowledge' | 'shelve' | 'unshelve' | 'comment' | 'remove-from-service' | 'return-to-service';

export interface AuditEntry {
  readonly id: number;
  readonly ts: number;
  readonly user: string;
  readonly action: string;
  readonly target: string;
  readonly outcome: string;
  readonly detail: string | null;
}

/** The console's HTTP API, same origin, session cookie. A 401 on any call but login tells `unauthenticated`. */
export class ApiClient {
  readonly unauthenticated = new Emitter<void>();

  async session(): Promise<SessionInfo | null> {
    try {
      return await this.request<SessionInfo>('GET', '/api/session', undefined, false);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  }

  login(name: string, password: string): Promise<SessionInfo> {
    return this.request('POST', '/api/session', { name, password }, false);
  }

  async logout(): Promise<void> {
    await this.request('DELETE', '/api/session', undefined, false);
  }

  async assets(): Promise<Asset[]> {
    return (await this.request<{ assets: Asset[] }>('GET', '/api/assets')).assets;
  }

  history(asset: string, signal: string, range: { from: number; to?: number; points: number }): Promise<History> {
    const query = new URLSearchParams({ from: String(Math.max(0, Math.round(range.from))), points: String(range.points) });
    if (range.to !== undefined) query.set('to', String(Math.round(range.to)));
    return this.request('GET', `/api/assets/${encodeURIComponent(asset)}/signals/${encodeURIComponent(signal)}/history?${query}`);
  }

  alert(id: number): Promise<{ alert: Alert; events: AlertEvent[] }> {
    return this.request('GET', `/api/alerts/${id}`);
  }

  act(id: number, action: AlertAction, body: Record<string, unknown>): Promise<{ alert: Alert; event: AlertEvent }> {
    return this.request('POST', `/api/alerts/${id}/${action}`, body);
  }

  async audit(limit = 100): Promise<AuditEntry[]> {
    return (await this.request<{ entries: AuditEntry[] }>('GET', `/api/audit?limit=${limit}`)).entries;
  }

  /** Only what the page shows of GET /api/health. */
  health(): Promise<{ site: string; status: 'ok' | 'degraded'; problems?: string[] }> {
    return this.request('GET', '/api/health');
  }

  async models(): Promise<Model[]> {
    return (await this.request<{ models: Model[] }>('GET', '/api/models')).models;
  }

  /** The user's own conversations with the assistant; none while no assistant is attached (503). */
  async conversations(): Promise<ConversationSummary[]> {
    try {
      return (await this.request<{ conversations: ConversationSummary[] }>('GET', '/api/conversations')).conversations;
    } catch (error) {
      if (error instanceof ApiError && error.status === 503) return [];
      throw error;
    }
  }

  async conversation(id: string): Promise<ConversationTurn[]> {
    return (await this.request<{ turns: ConversationTurn[] }>('GET', `/api/conversations/${encodeURIComponent(id)}`)).turns;
  }

  private async request<T>(method: string, path: string, body?: unknown, reportUnauthenticated = true): Promise<T> {
    const response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status === 204) return undefined as T;
    const payload: unknown = await response.json().catch(() => null);
    if (response.ok) return payload as T;
    const error = (payload ?? {}) as { code?: string; message?: string };
    const retryAfter = Number(response.headers.get('retry-after'));
    if (response.status === 401 && reportUnauthenticated) this.unauthenticated.emit();
    throw new ApiError(response.status, error.code ?? 'http-error', error.message ?? `${method} ${path}: HTTP ${response.status}`, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
  }
}
