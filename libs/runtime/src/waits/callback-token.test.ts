import { CallbackKeys } from './callback-token';

const ref = { tenantId: '00000000-0000-4000-8000-000000000001', executionId: '11111111-1111-4111-8111-111111111111', nonce: '22222222-2222-4222-8222-222222222222' };

describe('callback tokens', () => {
  const keys = new CallbackKeys('a-secret-of-at-least-thirty-two-bytes!!');

  it('round-trips what it signs', () => {
    expect(keys.verify(keys.sign(ref))).toEqual(ref);
  });

  it('refuses a token signed with another secret, or tampered with anywhere', () => {
    const token = keys.sign(ref);
    expect(new CallbackKeys('another-secret-of-thirty-two-bytes-long').verify(token)).toBeNull();
    const other = token.replace(ref.executionId, '33333333-3333-4333-8333-333333333333');
    expect(keys.verify(other)).toBeNull();
    expect(keys.verify(`${token.slice(0, -2)}AA`)).toBeNull();
    expect(keys.verify('c1.x.y.z.w')).toBeNull();
    expect(keys.verify('x'.repeat(5000))).toBeNull();
  });
});
