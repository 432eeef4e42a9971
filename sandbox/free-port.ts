import { createServer } from 'node:net';

/**
 * A port on 127.0.0.1 that was free a moment ago: `port` itself when one is given (rejecting
 * if something listens there), else any.
 */
export const freePort = (port = 0): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`port ${port} on 127.0.0.1 is already in use`, { cause: error })
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no free port')),
      );
    });
  });

/**
 * Runs `launch` on a free port, and again on another (up to `attempts` in all) when it fails
 * because another process took the port between freePort() and the server binding it.
 */
export const onFreePort = async <T>(
  launch: (port: number) => Promise<T>,
  attempts = 3,
): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(await freePort());
    } catch (error) {
      const portTaken = String((error as Error).message).includes('address already in use');
      if (!portTaken || attempt >= attempts) throw error;
    }
  }
};
