/**
 * Hears, at commit, that workflow definitions changed: a statement trigger on
 * workflow_definitions (migration 0005) runs `pg_notify('workflow_definitions_changed', '')`, and
 * Postgres delivers it to every session that LISTENs once the writing transaction commits. The
 * scheduler re-syncs its cron triggers on it, so a saved trigger fires on its next tick instead of
 * after the next periodic sync (which stays, as the fallback for a notification missed while the
 * listening connection was down).
 *
 * The listener holds one dedicated connection, outside the pools (a pooled client cannot stay in
 * LISTEN), logged in as the runtime login: LISTEN needs no table rights.
 */

import { Client } from 'pg';
import type { Logger } from '../logger';

const DEFINITIONS_CHANGED_CHANNEL = 'workflow_definitions_changed';
/** Notifications within this window after the first one make one sync (a burst of saves). */
const DEFINITION_CHANGE_DEBOUNCE_MS = 200;
/** First wait before reconnecting a lost listening connection; doubled per failed attempt. */
const LISTEN_RETRY_BASE_MS = 500;
/** Longest wait between reconnect attempts. */
const LISTEN_RETRY_MAX_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;

export interface DefinitionChangeListenerOptions {
  /** the runtime login's URL (config.runtimeUrl) */
  readonly url: string;
  readonly applicationName: string;
  readonly log: Logger;
  /**
   * What a change triggers: called once per debounce window after notifications, and once after
   * every (re)connect, since a change committed while nobody listened was not heard.
   */
  readonly onChange: () => Promise<void>;
  /** default DEFINITION_CHANGE_DEBOUNCE_MS */
  readonly debounceMs?: number;
}

export class DefinitionChangeListener {
  private client: Client | null = null;
  /** the current client has connected and LISTENs */
  private connected = false;
  private stopped = false;
  /** failed connection attempts since the last good one */
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private debounceTimer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  /** a connection came up since the last sync began: the next sync is its catch-up */
  private catchUpPending = false;
  private catchUps = 0;

  constructor(private readonly opts: DefinitionChangeListenerOptions) {}

  start(): void {
    void this.connect();
  }

  /** true while the connection LISTENs */
  get listening(): boolean {
    return this.connected;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.opts.url,
      application_name: this.opts.applicationName,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    this.client = client;
    this.connected = false;
    client.on('notification', (msg) => {
      if (msg.channel === DEFINITIONS_CHANGED_CHANNEL) this.changed();
    });
    client.on('error', (err: Error) => this.lost(client, err));
    client.on('end', () => this.lost(client, undefined));
    try {
      await client.connect();
      await client.query(`LISTEN ${DEFINITIONS_CHANGED_CHANNEL}`);
    } catch (err) {
      this.lost(client, err as Error);
      return;
    }
    if (this.stopped || this.client !== client) {
      await client.end().catch(() => undefined);
      return;
    }
    this.connected = true;
    if (this.failures > 0) this.opts.log.info({ channel: DEFINITIONS_CHANGED_CHANNEL, attempts: this.failures }, 'definition change listener reconnected');
    else this.opts.log.debug({ channel: DEFINITIONS_CHANGED_CHANNEL }, 'listening for definition changes');
    this.failures = 0;
    // anything committed before LISTEN took effect was not heard: sync once now
    this.catchUpPending = true;
    this.changed();
  }

  /**
   * How many connections have had their catch-up sync completed: once it has, every later change
   * reaches the scheduler by notification alone.
   */
  connectionsSynced(): number {
    return this.catchUps;
  }

  /** The connection failed or ended: drop it, and try again after a backoff (one log line each). */
  private lost(client: Client, err: Error | undefined): void {
    if (client !== this.client) return; // already handled (pg reports a loss as 'error' then 'end')
    this.client = null;
    this.connected = false;
    client.removeAllListeners('notification');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.failures += 1;
    const delayMs = Math.min(LISTEN_RETRY_BASE_MS * 2 ** (this.failures - 1), LISTEN_RETRY_MAX_MS);
    this.opts.log.warn(
      { channel: DEFINITIONS_CHANGED_CHANNEL, attempt: this.failures, retryInMs: delayMs, err: err?.message },
      'definition change listener lost its connection; reconnecting (cron triggers still sync periodically)',
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delayMs);
  }

  private changed(): void {
    if (this.stopped || this.debounceTimer) return;
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      if (this.stopped) return;
      const catchUp = this.catchUpPending;
      this.catchUpPending = false;
      const run: Promise<void> = this.opts
        .onChange()
        .then(() => {
          if (catchUp) this.catchUps += 1;
        })
        .catch((err: Error) => this.opts.log.warn({ err: err.message }, 'sync after a definition change failed; the periodic sync will retry'))
        .finally(() => this.inFlight.delete(run));
      this.inFlight.add(run);
    }, this.opts.debounceMs ?? DEFINITION_CHANGE_DEBOUNCE_MS);
  }

  /** Stop listening and wait for a sync in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.retryTimer = null;
    this.debounceTimer = null;
    const client = this.client;
    this.client = null;
    this.connected = false;
    if (client) {
      client.removeAllListeners('notification');
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
    await Promise.allSettled([...this.inFlight]);
  }
}
