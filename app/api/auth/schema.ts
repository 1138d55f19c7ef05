import { z } from 'zod';

const email = z.email('enter an email address').max(320);
export const SignUpBody = z.strictObject({
  email,
  name: z.string().trim().min(1, 'enter your name').max(255),
  password: z.string().min(10, 'a password has at least 10 characters').max(200, 'a password has at most 200 characters'),
  organisation: z.string().trim().min(1).max(255).optional(),
});
export const SignInBody = z.strictObject({ email, password: z.string().min(1, 'enter your password').max(200) });
