import { threadOf } from './thread';
import type { CommentItem, HistoryItem } from './task-types';

const comment = (id: string, at: string, text: string, author = 'rita'): CommentItem => ({ id, instanceId: 'i', authorUserId: author, text, createdAt: at });
const event = (id: string, at: string, eventType: string, details: unknown, actor: string | null = 'mo'): HistoryItem => ({
  id,
  eventType,
  nodeExecutionId: null,
  actorUserId: actor,
  details,
  createdAt: at,
});

describe('the conversation on a task page', () => {
  it("merges the comments with the decisions' comments, oldest first", () => {
    const thread = threadOf(
      [comment('c1', '2026-01-01T10:00:00Z', 'Please hurry'), comment('c2', '2026-01-01T12:00:00Z', 'Thanks')],
      [
        event('h0', '2026-01-01T09:00:00Z', 'instance_started', { comments: 'not a decision' }),
        event('h1', '2026-01-01T11:00:00Z', 'task_approved', { nodeId: 'a', comments: 'Within budget' }),
        event('h2', '2026-01-01T11:30:00Z', 'task_rejected', { nodeId: 'b', comments: null }),
        event('h3', '2026-01-01T11:40:00Z', 'comment_added', { text: 'Please hurry' }),
      ],
    );
    expect(thread.map((e) => [e.author, e.action, e.text])).toEqual([
      ['rita', 'commented', 'Please hurry'],
      ['mo', 'approved', 'Within budget'],
      ['rita', 'commented', 'Thanks'],
    ]);
  });

  it('says whom a task went to and how a vote went', () => {
    const thread = threadOf(
      [],
      [
        event('h1', '2026-01-01T11:00:00Z', 'task_delegated', { toUserId: 'ann', comments: 'You know the supplier' }),
        event('h2', '2026-01-01T11:10:00Z', 'task_voted', { decision: 'rejected', comments: 'Lease instead' }),
        event('h3', '2026-01-01T11:20:00Z', 'task_returned', { comments: 'Book economy' }, null),
        event('h4', '2026-01-01T11:30:00Z', 'task_approved', 'not an object'),
      ],
    );
    expect(thread.map((e) => [e.author, e.action])).toEqual([
      ['mo', 'delegated to ann'],
      ['mo', 'voted: rejected'],
      ['system', 'sent back for revision'],
    ]);
  });
});
