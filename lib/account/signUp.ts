/** Sign-up's one answer, for a new email and for one that has an account alike (app/api/auth/signup). */
export const SIGN_UP_MESSAGE =
  'If this email is new, your account is ready and you are signed in. If it already has an account, nothing was changed: sign in with its password.';
