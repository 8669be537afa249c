/**
 * The HTML pages of the approval mails' links: the confirmation (a form that POSTs), the result,
 * and a refusal page that says which refusal it is. No script at all; the one inline style sheet
 * is allowed by its hash, so the CSP allows nothing else. Every value is escaped.
 */

import { escapeHtml, htmlDocument } from './html-page';
import { createHash } from 'node:crypto';
import type { EmailActionRefusal, EmailActionTaskView, TaskDecisionDto } from '@wf/runtime';

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
label{display:block;margin:1rem 0 .25rem;font-weight:600}input,textarea{width:100%;box-sizing:border-box;font:inherit;padding:.4rem}
textarea{min-height:6rem}button{margin-top:1rem;font:inherit;padding:.5rem 1.5rem}.code{font-family:ui-monospace,monospace}.note{color:#555}`;

/** No script, no frames, no other origin; the form may post to this origin only. */
export const EMAIL_ACTION_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface Page {
  readonly status: number;
  /** for the access log: which refusal (or none) */
  readonly code: string | null;
  readonly html: string;
}

const esc = escapeHtml;

function layout(title: string, body: string): string {
  return htmlDocument(title, body, STYLE);
}


const VERB = { approve: 'Approve', reject: 'Reject' } as const;

function taskFacts(task: EmailActionTaskView): string {
  const rows: [string, string][] = [
    ['Workflow', task.workflowName],
    ['Task', task.taskName],
    ...(task.businessKey ? ([['Business key', task.businessKey]] as [string, string][]) : []),
    ['Started by', task.startedBy],
    ...(task.slaDeadline ? ([['Due', task.slaDeadline]] as [string, string][]) : []),
    ...task.keyContext,
  ];
  if (task.quorum) rows.push(['Votes so far', `${task.quorum.approvals} approve, ${task.quorum.rejections} reject (${task.quorum.required} needed)`]);
  return `<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

/** The GET: what the link would do, and a form that does it once confirmed. */
export function confirmationPage(p: { action: 'approve' | 'reject'; token: string; userId: string; expiresAt: Date; task: EmailActionTaskView }): Page {
  const verb = VERB[p.action];
  const body = `<h1>${verb} this request?</h1>
${taskFacts(p.task)}
<p>This link acts for <strong>${esc(p.userId)}</strong> only, works once, and expires at ${esc(p.expiresAt.toISOString())}. Nothing is decided until you confirm.</p>
<form method="post" action="${esc(p.action)}">
<input type="hidden" name="token" value="${esc(p.token)}">
<label for="address">The email address this link was sent to</label>
<input id="address" name="address" type="email" required autocomplete="email" maxlength="320">
<label for="comments">Comments (optional)</label>
<textarea id="comments" name="comments" maxlength="10000"></textarea>
<button type="submit">${verb}</button>
</form>
<p class="note">A link that was forwarded to you cannot decide: ask ${esc(p.userId)} to delegate the task to you instead.</p>`;
  return { status: 200, code: null, html: layout(`${verb}?`, body) };
}

/** The POST that decided. */
export function resultPage(action: 'approve' | 'reject', result: TaskDecisionDto): Page {
  let title: string;
  let text: string;
  if (result.status === 'waiting' && result.vote) {
    title = 'Vote recorded';
    text = `Your vote (${action}) is recorded: ${result.vote.approvals} approve and ${result.vote.rejections} reject so far, ${result.vote.required} needed. The task waits for the other voters.`;
  } else {
    const decision = result.decision ?? (action === 'approve' ? 'approved' : 'rejected');
    title = decision === 'approved' ? 'Approved' : decision === 'rejected' ? 'Rejected' : 'Decided';
    text = result.vote ? `Your vote decided the task: ${decision}. The workflow moves on.` : `The task is ${decision}. The workflow moves on.`;
  }
  return { status: 200, code: null, html: layout(title, `<h1>${esc(title)}</h1>\n<p>${esc(text)}</p>\n<p class="note">You can close this page.</p>`) };
}

const RULES: Record<string, string> = {
  notStarter: 'whoever started a request may not decide it themselves',
  notDeciderOf: 'whoever decided an earlier step this task must be independent of may not decide it',
  distinctDeciders: 'every step of this request needs a different person, and you already decided one',
};

/** What a refusal page says: its status, title and explanation. */
function refusalText(r: EmailActionRefusal): { status: number; title: string; text: string } {
  switch (r.reason) {
    case 'invalid':
      return { status: 400, title: 'This link is not valid', text: 'It was altered or cut short (some mail programs break long links). Open the link exactly as it is in the mail, or decide the task in the application.' };
    case 'wrong_action':
      return { status: 400, title: 'This link is for another action', text: 'The link was changed: an approve link only approves, a reject link only rejects. Use the link as it is in the mail.' };
    case 'expired':
      return { status: 410, title: 'This link has expired', text: 'Approval links work for a limited time. Decide the task in the application.' };
    case 'used': {
      const what = r.state === 'pending' ? 'a confirmation with it is under way' : r.state === 'decided' ? `its decision: ${r.outcome ?? 'taken'}` : `it was refused: ${r.outcome ?? 'refused'}`;
      return { status: 409, title: 'This link was already used', text: `Each link works once. It was used at ${r.usedAt.toISOString()} (${what}).` };
    }
    case 'not_recipient':
      return {
        status: 403,
        title: 'This link was sent to someone else',
        text: `It acts only for ${r.userId}, and the address given is not the one it was sent to. A forwarded link cannot decide: if the task should be yours, ask ${r.userId} to delegate it to you. Nothing was decided, and the link still works for ${r.userId}.`,
      };
    case 'unavailable':
      return { status: 404, title: 'This task is no longer available', text: 'It no longer exists or is no longer visible to you.' };
    case 'decided': {
      const how = r.decision ? ` (${r.decision}${r.decidedBy ? ` by ${r.decidedBy}` : ''})` : '';
      return { status: 409, title: 'This task was already decided', text: `It was decided${how} before this link was used; nothing changed.` };
    }
    case 'already_voted':
      return { status: 409, title: 'You already voted on this task', text: 'Each voter votes once.' };
    case 'not_holder':
      return { status: 403, title: 'This task is no longer assigned to you', text: 'It was delegated, reassigned or claimed by someone else since the mail was sent, so this link cannot decide it.' };
    case 'separation_of_duties':
      return {
        status: 403,
        title: 'Separation of duties: you may not decide this task',
        text: `Rule ${r.rule}: ${RULES[r.rule] ?? 'the workflow\'s separation of duties'}. ${r.message}. The attempt is recorded in the request's history.`,
      };
    case 'refused':
      return { status: r.code === 'VALIDATION_FAILED' ? 400 : 409, title: 'The decision was refused', text: r.message };
  }
}

const CODE: Record<EmailActionRefusal['reason'], string> = {
  invalid: 'LINK_INVALID',
  wrong_action: 'LINK_WRONG_ACTION',
  expired: 'LINK_EXPIRED',
  used: 'LINK_USED',
  not_recipient: 'LINK_NOT_RECIPIENT',
  unavailable: 'NOT_FOUND',
  decided: 'TASK_NOT_WAITING',
  already_voted: 'ALREADY_VOTED',
  not_holder: 'NOT_TASK_ASSIGNEE',
  separation_of_duties: 'SEPARATION_OF_DUTIES',
  refused: 'REFUSED',
};

export function refusalPage(refusal: EmailActionRefusal): Page {
  const { status, title, text } = refusalText(refusal);
  const code = refusal.reason === 'refused' ? refusal.code : CODE[refusal.reason];
  const body = `<h1>${esc(title)}</h1>\n<p>${esc(text)}</p>\n<p class="note">Code: <span class="code" data-code="${esc(code)}">${esc(code)}</span></p>`;
  return { status, code, html: layout(title, body) };
}

/** A fault (the database away): nothing is known to be decided, and the link was not used up. */
export function faultPage(): Page {
  const title = 'Something went wrong';
  return {
    status: 503,
    code: 'UNAVAILABLE',
    html: layout(title, `<h1>${title}</h1>\n<p>The engine could not complete this now. The link was not used up: try again in a few minutes.</p>`),
  };
}
