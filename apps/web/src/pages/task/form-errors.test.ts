import { errorCount, errorSchemaOf, segmentsOf } from './form-errors';

describe("the server's form errors beside their fields", () => {
  it('reads paths under the root, dotted or bracketed', () => {
    expect(segmentsOf('data.amount', 'data')).toEqual(['amount']);
    expect(segmentsOf('data.items[0].qty', 'data')).toEqual(['items', '0', 'qty']);
    expect(segmentsOf('data.items.0.qty', 'data')).toEqual(['items', '0', 'qty']);
    expect(segmentsOf('data', 'data')).toEqual([]);
    expect(segmentsOf('database.x', 'data')).toBeNull();
    expect(segmentsOf('contextData.amount', 'data')).toBeNull();
    expect(segmentsOf(undefined, 'data')).toBeNull();
  });

  it('puts a field error on the field, as FORM_VALIDATION_FAILED names it', () => {
    expect(errorSchemaOf([{ path: 'data.amount', message: 'must be >= 1' }], 'data')).toEqual({ errorSchema: { amount: { __errors: ['must be >= 1'] } }, unplaced: [] });
  });

  it('puts a missing property beside that property, not on its parent', () => {
    const { errorSchema } = errorSchemaOf(
      [
        { path: 'data', message: "must have required property 'phone'" },
        { path: 'data.address', message: "must have required property 'zip'" },
      ],
      'data',
    );
    expect(errorSchema).toEqual({ phone: { __errors: ["must have required property 'phone'"] }, address: { zip: { __errors: ["must have required property 'zip'"] } } });
  });

  it('keeps several messages on one field, the root message on the form, and the rest for a banner', () => {
    const { errorSchema, unplaced } = errorSchemaOf(
      [
        { path: 'data.code', message: 'must match pattern "^a$"' },
        { path: 'data.code', message: 'must be shorter' },
        { path: 'data', message: 'must be object' },
        { message: 'no path' },
        { path: 'workflowName', message: 'elsewhere' },
      ],
      'data',
    );
    expect(errorSchema).toEqual({ __errors: ['must be object'], code: { __errors: ['must match pattern "^a$"', 'must be shorter'] } });
    expect(unplaced).toEqual([{ message: 'no path' }, { path: 'workflowName', message: 'elsewhere' }]);
    expect(errorCount(errorSchema)).toBe(3);
  });

  it('places a start context error under contextData', () => {
    expect(errorSchemaOf([{ path: 'contextData.amount', message: 'must be number' }], 'contextData').errorSchema).toEqual({ amount: { __errors: ['must be number'] } });
  });
});
