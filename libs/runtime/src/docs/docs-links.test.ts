/**
 * The documentation's relative links: every `[text](path#anchor)` in README.md and docs/*.md
 * names a file that exists and, with an anchor, a heading of that file, slugged as GitHub slugs
 * them (lowercase, punctuation but `-` and `_` dropped, each space a `-`, repeats numbered).
 * Links inside code blocks and code spans are not links; links with a scheme (`https:`) are not
 * checked.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '../../../..');

function documents(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => join(ROOT, 'docs', f));
  return [join(ROOT, 'README.md'), ...docs];
}

/** The lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | null = null;
  markdown.split('\n').forEach((text, i) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(text)?.[1];
    if (fence !== null) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && text.trim() === marker) fence = null;
      return;
    }
    if (marker) {
      fence = marker;
      return;
    }
    out.push({ line: i + 1, text });
  });
  return out;
}

/** GitHub's heading anchor (github-slugger): lowercase, punctuation dropped, spaces to `-`. */
function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every heading anchor of a document; a repeated heading gets `-1`, `-2`, … as on GitHub. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The links of a document outside code, inline (`[x](target)`) and reference-style (`[x]: target`). */
function links(markdown: string): { line: number; text: string; target: string }[] {
  const out: { line: number; text: string; target: string }[] = [];
  for (const { line, text } of proseLines(markdown)) {
    const prose = text.replace(/(`+)[\s\S]*?\1/g, '');
    for (const m of prose.matchAll(/\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ line, text: m[1] ?? '', target: m[2] ?? '' });
    const ref = /^ {0,3}\[([^\]]+)\]:\s+<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(prose);
    if (ref) out.push({ line, text: ref[1] ?? '', target: ref[2] ?? '' });
  }
  return out;
}

/** What is wrong with each relative link of `file`, one line each; empty when every link resolves. */
function brokenLinks(file: string, markdown: string = readFileSync(file, 'utf8')): string[] {
  const problems: string[] = [];
  for (const link of links(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link.target) || link.target.startsWith('//')) continue;
    const where = `${relative(ROOT, file)}:${link.line}: [${link.text}](${link.target})`;
    const hash = link.target.indexOf('#');
    const path = decodeURIComponent(hash === -1 ? link.target : link.target.slice(0, hash));
    const anchor = hash === -1 ? null : decodeURIComponent(link.target.slice(hash + 1));
    const target = path === '' ? file : path.startsWith('/') ? join(ROOT, path) : join(dirname(file), path);
    if (!existsSync(target)) {
      problems.push(`${where}: ${relative(ROOT, target)} does not exist`);
      continue;
    }
    if (anchor === null) continue;
    if (statSync(target).isDirectory() || !target.endsWith('.md')) {
      problems.push(`${where}: an anchor into ${relative(ROOT, target)}, which is not a markdown file`);
      continue;
    }
    const known = target === file ? anchors(markdown) : anchors(readFileSync(target, 'utf8'));
    if (!known.has(anchor)) problems.push(`${where}: ${relative(ROOT, target)} has no heading with the anchor #${anchor}`);
  }
  return problems;
}

describe('documentation links', () => {
  it('checks README.md and every file in docs/', () => {
    const names = documents().map((f) => relative(ROOT, f));
    expect(names).toEqual(expect.arrayContaining(['README.md', 'docs/guide.md', 'docs/reference.md', 'docs/operations.md', 'docs/database.md', 'docs/architecture.md']));
  });

  it.each(documents().map((f) => [relative(ROOT, f), f]))('every relative link in %s resolves, anchors included', (_name, file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it('finds the links between the documents (the check is not vacuous)', () => {
    const readme = links(readFileSync(join(ROOT, 'README.md'), 'utf8')).map((l) => l.target);
    expect(readme).toEqual(expect.arrayContaining(['docs/guide.md', 'docs/database.md#database-roles']));
    const anchored = documents().flatMap((f) => links(readFileSync(f, 'utf8')).filter((l) => l.target.includes('#')));
    expect(anchored.length).toBeGreaterThanOrEqual(10);
  });

  it('slugs headings as GitHub does', () => {
    expect(slug('Walk-through: a purchase order')).toBe('walk-through-a-purchase-order');
    expect(slug('A rejection ends the instance as `rejected`')).toBe('a-rejection-ends-the-instance-as-rejected');
    expect(slug('5,000 skips the CFO')).toBe('5000-skips-the-cfo');
    expect(slug('Queue dashboard (Bull Board)')).toBe('queue-dashboard-bull-board');
    expect(slug('Running the pieces separately, and scaling')).toBe('running-the-pieces-separately-and-scaling');
    expect(slug('snake_case and  two spaces')).toBe('snake_case-and--two-spaces');
    expect([...anchors('# Tests\n## Tests\n```sh\n# not a heading\n```\n### Tests\n')]).toEqual(['tests', 'tests-1', 'tests-2']);
  });

  it('reports a missing file, a missing heading and an anchor into a file that is not markdown', () => {
    const file = join(ROOT, 'docs', 'guide.md');
    const markdown = [
      '# Here',
      '[ok](#here) [ok](../README.md#tests) [ok](https://example.com/#nowhere) `[code](nowhere.md)`',
      '[gone](nowhere.md)',
      '[no heading](reference.md#no-such-heading)',
      '[not markdown](../package.json#x)',
      '```',
      '[in a code block](nowhere.md)',
      '```',
    ].join('\n');
    expect(brokenLinks(file, markdown)).toEqual([
      'docs/guide.md:3: [gone](nowhere.md): docs/nowhere.md does not exist',
      'docs/guide.md:4: [no heading](reference.md#no-such-heading): docs/reference.md has no heading with the anchor #no-such-heading',
      'docs/guide.md:5: [not markdown](../package.json#x): an anchor into package.json, which is not a markdown file',
    ]);
  });
});
