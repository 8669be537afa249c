import { OptionsError, parseOptions } from './options';

const parse = (...argv: string[]) => {
  const opts = parseOptions(argv, {});
  if (opts === 'help') throw new Error('unexpected help');
  return opts;
};

describe('chaos options: --queue', () => {
  it('runs on Redis by default, the short set being 1, 3 and 7', () => {
    expect(parse('--short')).toMatchObject({ queueBackend: 'redis', scenarios: [1, 3, 7], skipped: [] });
  });

  it('leaves the Redis scenarios out on the postgres backend, saying which', () => {
    expect(parse('--queue', 'postgres', '--short')).toMatchObject({ queueBackend: 'postgres', scenarios: [1, 7], skipped: [3], kills: 3 });
    expect(parse('--queue', 'postgres')).toMatchObject({ scenarios: [1, 2, 5, 6, 7, 8], skipped: [3, 4] });
    expect(parse('--queue', 'postgres', '--only', '6,1')).toMatchObject({ scenarios: [1, 6], skipped: [] });
  });

  it('refuses a Redis scenario asked for on the postgres backend, and an unknown backend', () => {
    expect(() => parse('--queue', 'postgres', '--only', '3')).toThrow(OptionsError);
    expect(() => parse('--only', '1,4', '--queue', 'postgres')).toThrow(/--only 4: scenarios 3 and 4 break Redis, and --queue postgres runs no Redis/);
    expect(() => parse('--queue', 'sqlite')).toThrow(/--queue needs one of redis, postgres \(got sqlite\)/);
    expect(() => parse('--queue')).toThrow(/--queue needs one of redis, postgres \(got nothing\)/);
  });
});
