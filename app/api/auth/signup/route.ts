import { services } from '@/server/services';
import { AccountError, createOrganisation, createSession, signUp } from '@/server/auth/accounts';
import { json, parseBody, route } from '@/server/http/route';
import { HttpError } from '@/server/http/errors';
import { limitAuthAttempts, withSessionCookie } from '@/server/http/session';
import { SignUpBody } from '../schema';

export const dynamic = 'force-dynamic';

/** A new account (and, if named, its first organisation); signs in. */
export const POST = route(async (request: Request) => {
  const body = await parseBody(request, SignUpBody);
  await limitAuthAttempts(request);
  const { db } = services();
  try {
    const account = await signUp(db, body);
    const organisation = body.organisation ? await createOrganisation(db, account, body.organisation) : null;
    const token = await createSession(db, account.id, organisation?.tenantId);
    return withSessionCookie(json({ account: { id: account.id, email: account.email, name: account.name } }, 201), token);
  } catch (error) {
    if (error instanceof AccountError) throw new HttpError(409, error.code, error.message);
    throw error;
  }
});
