import { parseContext } from './context-json';

describe('the start context typed as JSON', () => {
  it('accepts an object, and an empty text as {}', () => {
    expect(parseContext('{"amount": 5000, "supplier": "Acme"}')).toEqual({ ok: true, value: { amount: 5000, supplier: 'Acme' } });
    expect(parseContext('  \n ')).toEqual({ ok: true, value: {} });
  });

  it('says what is wrong and where', () => {
    expect(parseContext('{\n  "amount": 5000,\n  supplier: "Acme"\n}')).toEqual({ ok: false, message: 'Not valid JSON at line 3, column 3: an unexpected character (names and text go in double quotes).' });
    expect(parseContext('{"amount": 5000,}')).toMatchObject({ ok: false, message: expect.stringContaining('line 1, column 17') });
    expect(parseContext('{"a": 1} // note')).toMatchObject({ ok: false, message: expect.stringContaining('comments are not allowed') });
  });

  it('refuses what is not an object', () => {
    expect(parseContext('[1, 2]')).toEqual({ ok: false, message: 'The context must be a JSON object, such as {"amount": 5000}.' });
    expect(parseContext('42')).toMatchObject({ ok: false });
  });
});
