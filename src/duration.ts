/**
 * A length of time for construct props, so that no number travels without its unit.
 */
export class Duration {
  /** A duration of whole seconds. */
  static seconds(amount: number): Duration {
    return new Duration(amount, "seconds", amount);
  }

  /** A duration of whole minutes. */
  static minutes(amount: number): Duration {
    return new Duration(amount * 60, "minutes", amount);
  }

  /** A duration of whole hours. */
  static hours(amount: number): Duration {
    return new Duration(amount * 3600, "hours", amount);
  }

  private constructor(
    private readonly totalSeconds: number,
    private readonly unit: string,
    private readonly amount: number,
  ) {
    if (!Number.isInteger(amount) || amount < 0) {
      throw new Error(`Duration.${unit}(${amount}): the amount must be a whole number of ${unit}, 0 or more.`);
    }
  }

  /** The length in seconds. */
  toSeconds(): number {
    return this.totalSeconds;
  }

  /** As the program's environment wants it, e.g. `1800s`. */
  toEnvValue(): string {
    return `${this.totalSeconds}s`;
  }

  /** As written, e.g. `30 minutes`. */
  toString(): string {
    return `${this.amount} ${this.unit}`;
  }
}
