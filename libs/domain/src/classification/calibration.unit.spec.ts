import {
  calibrate,
  calibrationTableSchema,
  fitCalibrationTable,
  reliabilityTable,
  type Outcome,
} from './calibration';

const outcomes = (score: number, right: number, wrong: number): Outcome[] => [
  ...Array.from({ length: right }, () => ({ score, correct: true })),
  ...Array.from({ length: wrong }, () => ({ score, correct: false })),
];

describe('fitCalibrationTable', () => {
  describe('when every verdict in a bin was right', () => {
    it('does not claim certainty: (right + 1) / (n + 2)', () => {
      const table = fitCalibrationTable(outcomes(0.85, 3, 0), [0, 0.5, 1]);
      expect(table.bins[1]).toEqual({ from: 0.5, to: 1, n: 3, positives: 3, p: 0.8 });
    });
  });

  describe('when a stronger score did worse than a weaker one', () => {
    it('pools the two bins so that p never decreases', () => {
      const table = fitCalibrationTable([...outcomes(0.55, 9, 1), ...outcomes(0.85, 3, 2)], [0, 0.5, 0.7, 1]);
      const [, mid, top] = table.bins;
      expect(mid!.p).toBe(top!.p);
      expect(mid!.p).toBeCloseTo((9 + 3 + 2) / (10 + 5 + 4), 3);
      expect(() => calibrationTableSchema.parse(table)).not.toThrow();
    });
  });

  describe('when a bin has no data', () => {
    it('takes the value of the nearest fitted bin below it, or above it at the bottom', () => {
      const table = fitCalibrationTable(
        [...outcomes(0.3, 1, 3), ...outcomes(0.9, 8, 0)],
        [0, 0.2, 0.5, 0.8, 1],
      );
      expect(table.bins.map((b) => b.p)).toEqual([0.333, 0.333, 0.333, 0.9]);
    });
  });
});

describe('calibrate', () => {
  const table = fitCalibrationTable([...outcomes(0.1, 0, 8), ...outcomes(0.9, 8, 0)], [0, 0.5, 1]);

  it('maps a score to the probability of its bin, the top bin including 1', () => {
    expect(calibrate(table, 0.1)).toBe(0.1);
    expect(calibrate(table, 0.99)).toBe(0.9);
    expect(calibrate(table, 1)).toBe(0.9);
  });

  it('reports the score itself when the watch has no calibration', () => {
    expect(calibrate(undefined, 0.8)).toBe(0.8);
  });
});

describe('calibrationTableSchema', () => {
  it('refuses a table whose p decreases or whose bins leave gaps', () => {
    const result = calibrationTableSchema.safeParse({
      bins: [
        { from: 0, to: 0.5, p: 0.6, n: 1, positives: 1 },
        { from: 0.6, to: 1, p: 0.4, n: 1, positives: 0 },
      ],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual([
      'bins must be contiguous',
      'p must not decrease',
    ]);
  });
});

describe('reliabilityTable', () => {
  describe('when predictions match what happened', () => {
    it('shows predicted against observed per bin, with ECE and Brier score', () => {
      const pairs = [
        ...Array.from({ length: 4 }, (_, i) => ({ p: 0.9, correct: i < 3 })),
        ...Array.from({ length: 2 }, () => ({ p: 0.1, correct: false })),
      ];
      const r = reliabilityTable(pairs, 5);
      expect(r.rows).toEqual([
        { from: 0, to: 0.2, n: 2, predicted: 0.1, observed: 0 },
        { from: 0.8, to: 1, n: 4, predicted: 0.9, observed: 0.75 },
      ]);
      expect(r.ece).toBeCloseTo((2 / 6) * 0.1 + (4 / 6) * 0.15, 3);
      expect(r.brier).toBeCloseTo((3 * 0.01 + 0.81 + 2 * 0.01) / 6, 3);
    });
  });
});
