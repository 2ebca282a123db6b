/** An error a simulator answers with; each system renders it in its own body shape. */
export class ServiceError extends Error {
  override name = 'ServiceError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly options: { inner?: string; innerType?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string): ServiceError =>
  new ServiceError(400, code, message);
export const notFound = (code: string, message: string): ServiceError => new ServiceError(404, code, message);
