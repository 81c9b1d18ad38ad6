import type { ColumnType } from 'kysely';

/** Schema step 0012 (platform/db/schema-steps/0012-live-exam.ts), added to the database's tables. */
export interface ExamLiveTicketsTable {
  token_hash: string;
  tenant_id: string;
  exam_id: string;
  user_id: string;
  purpose: 'exam-live' | 'alerts';
  auth_method: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  expires_at: Date;
}

export interface AlertAcknowledgementsTable {
  alert_id: string;
  tenant_id: string;
  exam_id: string;
  user_id: string;
  acknowledged_at: ColumnType<Date, Date | string | undefined, never>;
}

declare module '../../platform/db/tables' {
  interface DB {
    exam_live_tickets: ExamLiveTicketsTable;
    alert_acknowledgements: AlertAcknowledgementsTable;
  }
}
