/**
 * Approval mails: the notifier that mails a task's holders, and the service behind the mails'
 * approve and reject links. See docs/email-approvals.md.
 */

import type { EnginePorts, EngineEvent } from '@wf/engine';
import type { PgStore } from '@wf/db';
import type { HandlerRegistry } from '@wf/handlers';
import type { Config } from '../config/config';
import type { Logger } from '../logger';
import { TasksServiceImpl } from '../services/tasks.service';
import { EmailActionKeys } from './email-action-token';
import { EmailActionsServiceImpl, type EmailActionsService } from './email-actions.service';
import { TaskNotifier } from './task-notifier';

export { EmailActionKeys, type EmailActionClaims } from './email-action-token';
export { emailActionsOf, type EmailActionsService, type EmailActionRefusal, type EmailActionTaskView, type WithEmailActions } from './email-actions.service';

export interface TaskNotifications {
  /** the event bus listener (returns at once; the mail goes in the background) */
  onEvent(event: EngineEvent): void;
  /** what the mails' links do (the api role serves them at /email-actions) */
  readonly actions: EmailActionsService;
  /** waits for the mails under way */
  close(): Promise<void>;
}

export interface TaskNotificationsDeps {
  readonly config: Config;
  readonly log: Logger;
  readonly store: PgStore;
  readonly ports: EnginePorts;
  readonly handlers: HandlerRegistry;
}

export function createTaskNotifications(deps: TaskNotificationsDeps): TaskNotifications {
  const { config, store, ports } = deps;
  const log = deps.log.child({ component: 'notifications' });
  const keys = new EmailActionKeys(config.jwtSecret);
  const notifier = new TaskNotifier({
    store,
    clock: ports.clock,
    keys,
    mailer: deps.handlers.get('email_send'),
    log,
    publicUrl: config.publicUrl,
    addressTemplate: config.emailAddressTemplate,
    ttlHours: config.emailActionTtlHours,
    logLinks: config.smtpUrl === null && !config.isProduction,
  });
  const tasks = new TasksServiceImpl(store, ports, config.urgentThresholdHours);
  return {
    onEvent: (event) => notifier.onEvent(event),
    actions: new EmailActionsServiceImpl(store, tasks, keys, ports.clock, log),
    close: () => notifier.close(),
  };
}
