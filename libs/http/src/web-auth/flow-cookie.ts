/**
 * What an OIDC sign-in must remember between the redirect to the provider and its callback: the
 * state, the nonce, the PKCE verifier and where to go afterwards. Kept in a short-lived cookie
 * signed (jose, HS256 under AUTH_JWT_SECRET with its own `typ` and `aud`), so the server holds
 * no sign-in state and no one can forge or swap a verifier.
 */

import { SignJWT, jwtVerify } from 'jose';
import { z } from 'zod';
import { FLOW_MINUTES } from './cookies';

const FLOW_AUDIENCE = 'workflow-engine:oidc-flow';
const FLOW_TYP = 'wf-oidc-flow+jwt';

export interface SignInFlow {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
}

const flowSchema = z.object({ state: z.string().min(1), nonce: z.string().min(1), codeVerifier: z.string().min(43), returnTo: z.string().startsWith('/') });

const keyOf = (secret: string) => new TextEncoder().encode(secret);

export async function signFlow(secret: string, flow: SignInFlow): Promise<string> {
  return new SignJWT({ ...flow })
    .setProtectedHeader({ alg: 'HS256', typ: FLOW_TYP })
    .setAudience(FLOW_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${FLOW_MINUTES}m`)
    .sign(keyOf(secret));
}

/** The flow the cookie carries, or null when it is missing, forged or expired. */
export async function readFlow(secret: string, token: string | undefined): Promise<SignInFlow | null> {
  if (token === undefined) return null;
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { algorithms: ['HS256'], audience: FLOW_AUDIENCE, typ: FLOW_TYP, requiredClaims: ['exp'] });
    const flow = flowSchema.safeParse(payload);
    return flow.success ? flow.data : null;
  } catch {
    return null;
  }
}
