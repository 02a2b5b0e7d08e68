/** A problem the user can fix; its message is one line that says what to do. */
export class InfraError extends Error {
  constructor(
    readonly code:
      | 'PREREQUISITE_MISSING'
      | 'PORT_TAKEN'
      | 'PROVISION_FAILED'
      | 'START_TIMEOUT'
      | 'START_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'InfraError';
  }
}
