import { z } from 'zod';
import { clientText } from '@/server/http/text';

const email = z.email('enter an email address').max(320);
export const SignUpBody = z.strictObject({
  email,
  name: clientText().trim().min(1, 'enter your name').max(255),
  password: z.string().min(10, 'a password has at least 10 characters').max(200, 'a password has at most 200 characters'),
  organisation: clientText().trim().min(1).max(255).optional(),
});
export const SignInBody = z.strictObject({ email, password: z.string().min(1, 'enter your password').max(200) });
