import { isPublicAddress, parseAllowedHost } from './http-call.handler';

describe('isPublicAddress', () => {
  it.each(['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '255.255.255.255',
    '224.0.0.1', '240.0.0.1', '::1', '::', 'fe80::1', 'fc00::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1',
    '::7f00:1', '64:ff9b::a00:1', '2002:a00:1::', 'not an address',
  ])('%s is not', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});

describe('parseAllowedHost', () => {
  it.each([
    ['api.internal', { host: 'api.internal', port: null }],
    ['API.Internal:8443', { host: 'api.internal', port: 8443 }],
    ['10.0.0.5', { host: '10.0.0.5', port: null }],
    ['[::1]', { host: '[::1]', port: null }],
    ['[0:0::1]:8080', { host: '[::1]', port: 8080 }],
    ['::1', { host: '[::1]', port: null }],
  ])('%s', (entry, parsed) => {
    expect(parseAllowedHost(entry)).toEqual(parsed);
  });

  it.each(['host:port', 'host:70000', ':80', 'bad host'])('refuses %j', (entry) => {
    expect(() => parseAllowedHost(entry)).toThrow(/HTTP_CALL_ALLOWED_HOSTS: invalid/);
  });
});
