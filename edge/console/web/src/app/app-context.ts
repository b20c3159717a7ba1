import type { AlertList } from '../alerts/alert-list.js';
import type { ApiClient } from '../api/api-client.js';
import type { Asset, Role, User } from '../api-types.js';
import type { Emitter } from '../emitter.js';
import type { Formats } from '../format/formats.js';
import type { Translator } from '../i18n/translator.js';
import type { LiveConnection } from '../live/live-connection.js';
import type { LiveValues } from '../live/live-values.js';
import type { MachineStatus } from '../machines/machine-status.js';
import type { AssetCatalog } from './asset-catalog.js';
import type { Route } from './routes.js';

/** What every view of a logged-in page works with. */
export interface AppContext {
  readonly t: Translator;
  readonly formats: Formats;
  readonly user: User;
  readonly api: ApiClient;
  readonly alerts: AlertList;
  readonly values: LiveValues;
  readonly catalog: AssetCatalog;
  readonly connection: LiveConnection;
  /** Fires when the alert list changed (snapshot or event). */
  readonly alertsChanged: Emitter<void>;
  /** Once a second: freshness and "… ago" texts. */
  readonly tick: Emitter<void>;
  navigate(route: Route): void;
  /** The live signals the current view needs ("asset/signal" or "asset/*"). */
  watchSignals(keys: readonly string[]): void;
  /** Values of the asset may be shown as live: connected, and the asset is reporting. */
  isFresh(asset: string): boolean;
  /** Running, stopped, tripped… from the asset's running signal (machine-status.ts). */
  status(asset: Asset): MachineStatus;
  /** The server's clock. */
  now(): number;
  can(role: Role): boolean;
}

export interface View {
  readonly element: HTMLElement;
  destroy(): void;
}
