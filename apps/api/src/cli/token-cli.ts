/**
 * Prints a bearer token, and only the token, on stdout:
 *   npm run token -- --tenant <uuid> --user <id> --roles a,b [--expires-in 3600]
 * Signed with AUTH_JWT_SECRET (in development, the documented dev secret, with a warning on stderr).
 */

import { parseArgs } from 'node:util';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, DEV_TENANT_ID, loadConfig, signToken } from '@wf/runtime';
import { idSchema } from '@wf/http';

/** Every token carries `exp` (the API refuses one without); an hour unless --expires-in says otherwise. */
const DEFAULT_EXPIRES_IN_SECONDS = DEFAULT_TOKEN_LIFETIME_SECONDS;

const USAGE = `Usage: npm run token -- [--tenant <uuid>] [--user <id>] [--roles a,b] [--expires-in <seconds>]

  --tenant      tenant id, a UUID (default ${DEV_TENANT_ID}, the development tenant)
  --user        user id, the token's "sub" (default dev-admin)
  --roles       comma-separated roles, may be empty (default admin)
  --expires-in  lifetime in seconds, a positive integer (default ${DEFAULT_EXPIRES_IN_SECONDS})

Prints the token alone on stdout.`;

interface TokenArgs {
  tenantId: string;
  userId: string;
  roles: string[];
  expiresInSeconds: number;
}

/** The parsed arguments, or the reason they are unusable. */
function parse(argv: string[]): TokenArgs | { help: true } | { problem: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        tenant: { type: 'string', default: DEV_TENANT_ID },
        user: { type: 'string', default: 'dev-admin' },
        roles: { type: 'string', default: 'admin' },
        'expires-in': { type: 'string', default: String(DEFAULT_EXPIRES_IN_SECONDS) },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    return { problem: err instanceof Error ? err.message : String(err) };
  }
  if (values.help) return { help: true };
  if (!idSchema.safeParse(values.tenant).success) return { problem: `--tenant must be a UUID, got "${values.tenant}"` };
  if (values.user.trim() === '') return { problem: '--user must not be empty' };
  if (!/^[1-9][0-9]*$/.test(values['expires-in'])) {
    return { problem: `--expires-in must be a positive integer of seconds, got "${values['expires-in']}"` };
  }
  return {
    tenantId: values.tenant.toLowerCase(),
    userId: values.user,
    roles: values.roles.split(',').map((r) => r.trim()).filter((r) => r !== ''),
    expiresInSeconds: Number(values['expires-in']),
  };
}

function main(): number {
  const args = parse(process.argv.slice(2));
  if ('help' in args) {
    console.error(USAGE);
    return 0;
  }
  if ('problem' in args) {
    console.error(`${args.problem}\n\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  }
  if (config.usingDevSecret) {
    console.error('WARNING: AUTH_JWT_SECRET is not set; signing with the documented development secret.');
  }
  process.stdout.write(`${signToken(config.jwtSecret, args)}\n`);
  return 0;
}

process.exitCode = main();
