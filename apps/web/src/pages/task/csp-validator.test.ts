import { cspValidator, fits } from './csp-validator';

describe('the CSP-safe validator', () => {
  it('never reports errors itself: the server validates', () => {
    expect(cspValidator.validateFormData({ amount: -1 }, { type: 'object', properties: { amount: { type: 'number', minimum: 1 } } })).toEqual({ errors: [], errorSchema: {} });
    expect(cspValidator.rawValidation({}, {})).toEqual({ errors: [] });
  });

  it('tells the options of a oneOf apart by type, const, enum and required', () => {
    const card = { type: 'object', properties: { kind: { const: 'card' }, number: { type: 'string' } }, required: ['kind'] };
    const bank = { type: 'object', properties: { kind: { enum: ['bank'] }, iban: { type: 'string' } }, required: ['kind', 'iban'] };
    expect(fits(card, { kind: 'card' }, {})).toBe(true);
    expect(fits(bank, { kind: 'card' }, {})).toBe(false);
    expect(fits(bank, { kind: 'bank' }, {})).toBe(false);
    expect(fits(bank, { kind: 'bank', iban: 'DE1' }, {})).toBe(true);
    expect(fits({ oneOf: [card, bank] }, { kind: 'card' }, {})).toBe(true);
    expect(fits({ anyOf: [{ type: 'string' }, { type: 'integer' }] }, 1.5, {})).toBe(false);
    expect(fits({ type: 'number' }, 2, {})).toBe(true);
    expect(fits({ type: ['string', 'null'] }, null, {})).toBe(true);
    expect(fits(false, 1, {})).toBe(false);
    expect(fits(true, 1, {})).toBe(true);
  });

  it('follows local $refs', () => {
    const root = { $defs: { amount: { type: 'number' as const } } };
    expect(cspValidator.isValid({ $ref: '#/$defs/amount' }, 'x', root)).toBe(false);
    expect(cspValidator.isValid({ $ref: '#/$defs/amount' }, 3, root)).toBe(true);
  });
});
