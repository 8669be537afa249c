/**
 * The approval mails' links that were used: one row per link (its jti), a tenant's own rows under
 * RLS. A link is claimed ('pending') before its decision is taken and settled after it, so two
 * confirmations of one link cannot both reach the decision.
 */

import type { PgTx } from '../store/pg-store';
import { columns } from '../store/column-table';

export type EmailActionState = 'pending' | 'decided' | 'refused';

export interface EmailActionUse {
  readonly jti: string;
  readonly taskId: string;
  readonly userId: string;
  readonly action: 'approve' | 'reject';
  readonly state: EmailActionState;
  /** 'decided': the decision ('approved', 'rejected', 'voted'); 'refused': the refusal's code */
  readonly outcome: string | null;
  readonly usedAt: Date;
  readonly expiresAt: Date;
}

const USE = columns<EmailActionUse>({
  jti: ['jti', 'uuid'],
  taskId: ['task_id', 'uuid'],
  userId: ['user_id', 'text'],
  action: ['action', 'text'],
  state: ['state', 'text'],
  outcome: ['outcome', 'text'],
  usedAt: ['used_at', 'timestamptz'],
  expiresAt: ['expires_at', 'timestamptz'],
});

/** Expired rows one claim deletes at most: the table stays about as large as the links in use. */
const PURGE_PER_CLAIM = 100;

export async function findEmailActionUse(tx: PgTx, jti: string): Promise<EmailActionUse | null> {
  const r = await tx.query<EmailActionUse>(`SELECT ${USE.select} FROM workflow_email_actions WHERE jti = $1`, [jti]);
  return r.rows[0] ?? null;
}

/**
 * Claim a link for one confirmation: true when this call holds it. A 'pending' claim older than
 * `staleBefore` (its process died between claim and settle) is taken over: the decision use case
 * itself refuses a second decision, so retrying it is safe. Also deletes a few expired rows.
 */
export async function claimEmailAction(tx: PgTx, use: Omit<EmailActionUse, 'state' | 'outcome'>, staleBefore: Date): Promise<boolean> {
  await tx.query(
    `DELETE FROM workflow_email_actions WHERE ctid IN (SELECT ctid FROM workflow_email_actions WHERE expires_at < $1 LIMIT ${PURGE_PER_CLAIM})`,
    [use.usedAt],
  );
  const r = await tx.query(
    `INSERT INTO workflow_email_actions (tenant_id, jti, task_id, user_id, action, state, used_at, expires_at)
     VALUES (current_setting('app.current_tenant')::uuid, $1, $2, $3, $4, 'pending', $5, $6)
     ON CONFLICT (tenant_id, jti) DO UPDATE SET used_at = EXCLUDED.used_at
       WHERE workflow_email_actions.state = 'pending' AND workflow_email_actions.used_at < $7
     RETURNING jti`,
    [use.jti, use.taskId, use.userId, use.action, use.usedAt, use.expiresAt, staleBefore],
  );
  return r.rowCount === 1;
}

/** The claimed link's decision was taken or refused for good: it stays used. */
export async function settleEmailAction(tx: PgTx, jti: string, state: Exclude<EmailActionState, 'pending'>, outcome: string): Promise<void> {
  await tx.query(`UPDATE workflow_email_actions SET state = $2, outcome = $3 WHERE jti = $1`, [jti, state, outcome]);
}

/** The claimed link's decision could not be tried (a fault, a form to correct): it may be used again. */
export async function releaseEmailAction(tx: PgTx, jti: string): Promise<void> {
  await tx.query(`DELETE FROM workflow_email_actions WHERE jti = $1 AND state = 'pending'`, [jti]);
}
