import { AppError, type ProblemCode } from '../../kernel/errors';

/**
 * A refused single sign-on: the problem the browser sees, and the reason the audit records (the
 * person gets a readable detail; the log says exactly which rule refused them).
 */
export class SsoRefusal extends AppError {
  constructor(
    code: ProblemCode,
    readonly reason: string,
    detail?: string,
  ) {
    super(code, detail);
  }
}

export function refuse(code: ProblemCode, reason: string, detail?: string): never {
  throw new SsoRefusal(code, reason, detail);
}
