/** Who is calling. Until accounts exist (issue 6) every request is the local user of the local tenant. */
import { services } from '../services';

export interface RequestIdentity {
  tenantId: string;
  userId: string;
}

export async function requestIdentity(_request: Request): Promise<RequestIdentity> {
  const { local } = services();
  return { tenantId: local.tenant.id, userId: local.user.id };
}
