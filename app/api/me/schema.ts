import { z } from 'zod';

export const ChangePasswordBody = z.strictObject({
  currentPassword: z.string().min(1, 'enter your current password').max(200),
  newPassword: z.string().min(10, 'a password has at least 10 characters').max(200, 'a password has at most 200 characters'),
});
