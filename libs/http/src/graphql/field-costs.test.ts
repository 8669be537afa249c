/** The work of fields that read or write on their own, added to armor's cost against the same limit. */

import { graphqlSchema } from './graphql-schema';
import { documentChecker } from './operation-limits';

const checker = documentChecker(graphqlSchema(), { introspection: true });
const refusal = (query: string) => {
  const checked = checker.check(query);
  return checked.ok ? null : checked.errors.map((e) => ({ code: e.extensions['code'], message: e.message, details: e.extensions['details'] }));
};
const ids = (n: number) => `[${Array.from({ length: n }, (_, i) => `"00000000-0000-4000-8000-${String(i).padStart(12, '0')}"`).join(', ')}]`;

it('counts an instance list\'s comments once per instance of the page', () => {
  expect(refusal('{ workflowInstances(limit: 500) { id comments { text } } }')).toBeNull();
  const twice = refusal('{ a: workflowInstances(limit: 500) { comments { text } } b: workflowInstancesPage(limit: 500) { items { comments { text } } } }');
  expect(twice).toEqual([
    { code: 'QUERY_TOO_COSTLY', message: expect.stringMatching(/^Query Cost limit of 1000 exceeded, found \d+(\.\d+)? \(1000 of it for the work/), details: expect.objectContaining({ fieldWork: 1000 }) },
  ]);
  // a page size given as a variable counts the largest page
  expect(refusal('query($n: Int) { a: workflowInstances(limit: $n) { comments { text } } b: myPendingTasks { instance { comments { text } } } }')).toBeNull();
  expect(refusal('query($n: Int) { a: workflowInstances(limit: $n) { comments { text } } b: myPendingTasks { instance { comments { text } } } c: workflowInstances(limit: $n) { comments { text } } }')).toEqual([
    expect.objectContaining({ code: 'QUERY_TOO_COSTLY', details: expect.objectContaining({ fieldWork: 1100 }) }),
  ]);
});

it('counts a bulk by its tasks, and every decision', () => {
  expect(refusal(`mutation { bulkDecideTasks(action: "approve", taskIds: ${ids(100)}) { succeeded results { taskId ok error { code } } } }`)).toBeNull();
  expect(refusal(`mutation { a: bulkDecideTasks(action: "approve", taskIds: ${ids(100)}) { succeeded } b: bulkDecideTasks(action: "reject", taskIds: ${ids(100)}) { succeeded } }`)).toEqual([
    expect.objectContaining({ code: 'QUERY_TOO_COSTLY', details: expect.objectContaining({ fieldWork: 1000 }) }),
  ]);
  // a bulk's task list given as a variable counts the most a bulk may name
  expect(refusal('mutation($ids: [ID!]!) { a: bulkDecideTasks(action: "claim", taskIds: $ids) { failed } b: bulkDecideTasks(action: "release", taskIds: $ids) { failed } }')).toEqual([
    expect.objectContaining({ code: 'QUERY_TOO_COSTLY' }),
  ]);
  const thirty = Array.from({ length: 30 }, (_, i) => `a${i}: approveTask(taskId: "00000000-0000-4000-8000-000000000001") { id status }`).join(' ');
  expect(refusal(`mutation { ${thirty} }`)).toBeNull();
});

it('follows fragments where they are spread, costing each once however often it is spread', () => {
  const fragments = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join('\n');
  const started = Date.now();
  expect(refusal(`{ ...F0 }\n${fragments}\nfragment F30 on Query { task(id: "00000000-0000-4000-8000-000000000001") { id } }`)).not.toBeNull();
  expect(Date.now() - started).toBeLessThan(1000);
  expect(refusal('{ workflowInstances(limit: 500) { ...C } } fragment C on WorkflowInstance { comments { text } }')).toBeNull();
  expect(refusal('{ a: workflowInstances(limit: 500) { ...C } b: workflowInstances(limit: 500) { ...C } } fragment C on WorkflowInstance { comments { text } }')).toEqual([
    expect.objectContaining({ code: 'QUERY_TOO_COSTLY', details: expect.objectContaining({ fieldWork: 1000 }) }),
  ]);
});

it('leaves documents without such fields to armor alone', () => {
  expect(refusal('{ myPendingTasks { taskId nodeId candidateUsers claimedAt startedBy onBehalfOf } openTasks(limit: 500) { taskId } }')).toBeNull();
});

it('counts the waits\' writes, and a calendar by the recount a replacement may start', () => {
  const put = (alias: string) => `${alias}: putCalendar(input: { name: "${alias}", timeZone: "UTC", workingHours: { mon: [{ start: "09:00", end: "17:00" }] } }) { version recountedDeadlines }`;
  expect(refusal(`mutation { ${Array.from({ length: 9 }, (_, i) => put(`c${i}`)).join(' ')} }`)).toBeNull();
  expect(refusal(`mutation { ${Array.from({ length: 10 }, (_, i) => put(`c${i}`)).join(' ')} }`)).toEqual([
    expect.objectContaining({ code: 'QUERY_TOO_COSTLY', details: expect.objectContaining({ fieldWork: 1000 }) }),
  ]);
  const sends = Array.from({ length: 30 }, (_, i) => `m${i}: sendMessage(input: { name: "paid", correlationKey: "SO-${i}" }) { status resumed }`).join(' ');
  expect(refusal(`mutation { ${sends} }`)).toBeNull();
  const moves = Array.from({ length: 30 }, (_, i) => `d${i}: moveTaskDeadline(taskId: "00000000-0000-4000-8000-000000000001", slaDeadline: "2026-12-01", reason: "r${i}") { slaDeadline }`).join(' ');
  expect(refusal(`mutation { ${moves} }`)).toBeNull();
  // queries of calendars and waits read nothing beyond their own statement
  expect(refusal('{ calendars { name version definition } calendar(name: "x") { name } workflowInstances(limit: 500) { nodes { wait { waitingFor wakeAt callbackUrl } } } }')).toBeNull();
});
