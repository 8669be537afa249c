import { lineOf, lineOfPath, lineRange, locateProblems, parsePath, syntaxProblems } from './json-lines';

const text = JSON.stringify(
  {
    name: 'Orders',
    nodes: [
      { id: 'a', nodeType: 'approval', name: 'A', approverRole: 'manager' },
      { id: 'b', nodeType: 'service_task', name: 'B', serviceType: 'db_query', serviceConfig: { sql: 'DELETE FROM x' } },
    ],
    routes: [{ fromNodeId: 'a', toNodeId: 'b', condition: 'context.x >' }],
    triggers: [{ type: 'cron', cron: 'every day', 'odd key': 1 }],
  },
  null,
  2,
);
const lines = text.split('\n');
const lineContaining = (s: string) => lines.findIndex((l) => l.includes(s)) + 1;

describe('parsePath', () => {
  it('reads the paths the engine writes', () => {
    expect(parsePath('nodes[3].serviceConfig.sql')).toEqual(['nodes', 3, 'serviceConfig', 'sql']);
    expect(parsePath('routes[0]')).toEqual(['routes', 0]);
    expect(parsePath('values["a b"].c')).toEqual(['values', 'a b', 'c']);
    expect(parsePath('values["a \\"q\\" ]"]')).toEqual(['values', 'a "q" ]']);
    expect(parsePath('name')).toEqual(['name']);
    expect(parsePath('')).toEqual([]);
  });
});

describe('lineOf and lineRange', () => {
  it('counts lines from 1 and finds the offsets of one', () => {
    expect(lineOf('a\nb\nc', 0)).toBe(1);
    expect(lineOf('a\nb\nc', 2)).toBe(2);
    expect(lineOf('a\nb\nc', 99)).toBe(3);
    expect(lineRange('ab\ncd\nef', 2)).toEqual({ start: 3, end: 5 });
    expect(lineRange('ab\ncd', 2)).toEqual({ start: 3, end: 5 });
    expect(lineRange('ab', 5)).toEqual({ start: 2, end: 2 });
  });
});

describe('lineOfPath', () => {
  it('finds the line of a field deep in a node', () => {
    expect(lineOfPath(text, 'nodes[1].serviceConfig.sql')).toBe(lineContaining('"sql": "DELETE FROM x"'));
    expect(lineOfPath(text, 'routes[0].condition')).toBe(lineContaining('"condition": "context.x >"'));
    expect(lineOfPath(text, 'triggers[0]["odd key"]')).toBe(lineContaining('"odd key"'));
  });

  it('points at a whole node or the list it is in', () => {
    expect(lineOfPath(text, 'nodes[1]')).toBe(lineContaining('"id": "b"') - 1);
    expect(lineOfPath(text, 'nodes')).toBe(lineContaining('"nodes"'));
  });

  it('points at the nearest part that is there for a missing field, the first line for the whole', () => {
    expect(lineOfPath(text, 'nodes[0].approverExpression')).toBe(lineContaining('"id": "a"') - 1);
    expect(lineOfPath(text, 'nodes[7].id')).toBe(lineContaining('"nodes"'));
    expect(lineOfPath(text, undefined)).toBe(1);
    expect(lineOfPath(text, '')).toBe(1);
  });

  it('is null for text that is not JSON', () => {
    expect(lineOfPath('', 'nodes')).toBeNull();
  });
});

describe('syntaxProblems', () => {
  it('is empty for valid JSON', () => {
    expect(syntaxProblems(text)).toEqual([]);
  });

  it('gives the line and column of a syntax error', () => {
    const broken = '{\n  "name": "x",\n  "nodes": [\n    { "id": "a" }\n    { "id": "b" }\n  ]\n}';
    const [first] = syntaxProblems(broken);
    expect(first).toEqual({ line: 5, column: 5, message: 'a comma is expected' });
  });

  it('refuses trailing commas, comments and empty text', () => {
    expect(syntaxProblems('{\n  "a": 1,\n}')[0]).toMatchObject({ line: 3, message: 'a property name (in double quotes) is expected' });
    expect(syntaxProblems('{ // no\n "a": 1 }')[0]).toMatchObject({ line: 1, message: 'comments are not allowed in JSON' });
    expect(syntaxProblems('  ')).toEqual([{ line: 1, column: 1, message: 'the text is empty: write the definition as a JSON object' }]);
  });
});

describe('locateProblems', () => {
  it('gives each problem its line and sorts them by line', () => {
    const located = locateProblems(text, [
      { path: 'triggers[0].cron', message: 'not a cron' },
      { path: 'nodes[1].serviceConfig.sql', message: 'only SELECT' },
      { message: 'the definition has 2 problems' },
    ]);
    expect(located).toEqual([
      { path: null, message: 'the definition has 2 problems', line: 1 },
      { path: 'nodes[1].serviceConfig.sql', message: 'only SELECT', line: lineContaining('"sql"') },
      { path: 'triggers[0].cron', message: 'not a cron', line: lineContaining('"cron": "every day"') },
    ]);
  });
});
