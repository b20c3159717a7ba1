import type { BoxDatabase } from './box-database.js';
import { systemClock, type Clock } from './clock.js';
import type { ModuleSchema } from './schema-migrations.js';

export const WORK_ORDER_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type WorkOrderPriority = (typeof WORK_ORDER_PRIORITIES)[number];

export interface NewWorkOrder {
  readonly asset: string;
  readonly title: string;
  readonly description: string;
  readonly priority: WorkOrderPriority;
  readonly alertId: number | null;
  /** Manual sections the steps come from, e.g. "P-PUMP-03 Centrifugal pump … bearing replacement". */
  readonly references: readonly string[];
  readonly createdBy: string;
}

/** A draft work order: written by a person's confirmed decision, for the maintenance system to take over. */
export interface WorkOrderRecord extends NewWorkOrder {
  readonly id: number;
  readonly createdAt: string;
  readonly status: 'draft';
}

export const workOrdersSchema: ModuleSchema = {
  module: 'work-orders',
  migrations: [
    (db) =>
      db.exec(`
        CREATE TABLE work_orders (
          id INTEGER PRIMARY KEY,
          asset TEXT NOT NULL,
          title TEXT NOT NULL,
          description TEXT NOT NULL,
          priority TEXT NOT NULL,
          alert_id INTEGER,
          refs TEXT NOT NULL,
          created_by TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          status TEXT NOT NULL
        ) STRICT;
        CREATE INDEX work_orders_by_asset ON work_orders (asset, id);
      `),
  ],
};

interface WorkOrderRow {
  id: number;
  asset: string;
  title: string;
  description: string;
  priority: string;
  alert_id: number | null;
  refs: string;
  created_by: string;
  created_at: number;
  status: string;
}

const CSV_COLUMNS = ['id', 'asset', 'title', 'description', 'priority', 'alertId', 'references', 'createdBy', 'createdAt', 'status'] as const;

/**
 * Draft work orders in the box's database. Written synchronously (a person waits for the id); a failed
 * write throws a StorageError naming the file, so the decision that asked for it is reported as failed.
 */
export class WorkOrderStore {
  private readonly clock: Pick<Clock, 'now'>;

  constructor(
    private readonly database: BoxDatabase,
    options: { readonly clock?: Pick<Clock, 'now'> } = {},
  ) {
    if (database.schemaVersion(workOrdersSchema.module) === 0) {
      throw new Error(`${database.file}: the work order table is missing; pass workOrdersSchema to openBoxDatabase`);
    }
    this.clock = options.clock ?? systemClock;
  }

  create(input: NewWorkOrder): WorkOrderRecord {
    const createdAt = this.clock.now();
    let id = 0;
    const written = this.database.write('write a work order', () => {
      const result = this.database.connection
        .prepare('INSERT INTO work_orders (asset, title, description, priority, alert_id, refs, created_by, created_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(input.asset, input.title, input.description, input.priority, input.alertId, JSON.stringify(input.references), input.createdBy, createdAt, 'draft');
      id = Number(result.lastInsertRowid);
    });
    if (!written) throw new Error(`${this.database.file}: the work order could not be written (see the storage health and log); nothing was saved`);
    return this.get(id) as WorkOrderRecord;
  }

  /** Newest first. */
  list(limit = 500): WorkOrderRecord[] {
    return this.database
      .read('list work orders', (db) => db.prepare<[number], WorkOrderRow>('SELECT * FROM work_orders ORDER BY id DESC LIMIT ?').all(limit))
      .map(fromRow);
  }

  get(id: number): WorkOrderRecord | null {
    const row = this.database.read('read a work order', (db) => db.prepare<[number], WorkOrderRow>('SELECT * FROM work_orders WHERE id = ?').get(id));
    return row === undefined ? null : fromRow(row);
  }

  /** Every work order, oldest first, as a JSON array. */
  exportJson(): string {
    return JSON.stringify(this.list(Number.MAX_SAFE_INTEGER).reverse(), null, 2);
  }

  /** Every work order, oldest first, as RFC 4180 CSV with a header row; references joined with "; ". */
  exportCsv(): string {
    const rows = this.list(Number.MAX_SAFE_INTEGER).reverse();
    const lines = [CSV_COLUMNS.join(',')];
    for (const order of rows) {
      const cells = CSV_COLUMNS.map((column) => {
        const value = order[column];
        return csvCell(Array.isArray(value) ? value.join('; ') : value === null ? '' : String(value));
      });
      lines.push(cells.join(','));
    }
    return `${lines.join('\r\n')}\r\n`;
  }
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function fromRow(row: WorkOrderRow): WorkOrderRecord {
  return {
    id: row.id,
    asset: row.asset,
    title: row.title,
    description: row.description,
    priority: row.priority as WorkOrderPriority,
    alertId: row.alert_id,
    references: JSON.parse(row.refs) as string[],
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    status: 'draft',
  };
}
