/**
 * The fixed validation split (never trained on), the same one models/training/data.py holds out:
 * every LEVIR-CD `test_*` pair and AirChange `test_1`.
 */
export const VALIDATION_SETS = [
  {
    folder: 'levir-samples',
    metresPerPixel: 0.5,
    isValidation: (f: string) => f.startsWith('test_'),
  },
  {
    folder: 'airchange-szada',
    metresPerPixel: 1.5,
    isValidation: (f: string) => f === 'test_1.png',
  },
];
