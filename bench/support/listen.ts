import type http from 'node:http';

/** Listens on a free port of 127.0.0.1 and returns it. */
export async function listenOnFreePort(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('http server is not listening on TCP');
  return address.port;
}
