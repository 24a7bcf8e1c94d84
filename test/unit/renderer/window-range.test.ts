import { describe, expect, it } from 'vitest';
import { scrollToShow, visibleRange } from '../../../renderer/src/ui/window-range.js';

describe('windowed list', () => {
  it('renders the rows in view plus overscan', () => {
    expect(visibleRange(300, 600, 30, 10_000, 5)).toEqual({ start: 5, end: 35 });
    expect(visibleRange(0, 600, 30, 10_000, 5)).toEqual({ start: 0, end: 25 });
  });

  it('clamps to the list', () => {
    expect(visibleRange(0, 600, 30, 3, 5)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(299_700, 600, 30, 10_000, 5)).toEqual({ start: 9985, end: 10_000 });
    expect(visibleRange(0, 600, 30, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(-50, 600, 30, 100, 0)).toEqual({ start: 0, end: 20 });
  });

  it('scrolls just enough to show a row', () => {
    expect(scrollToShow(5, 0, 300, 30)).toBeNull();
    expect(scrollToShow(10, 0, 300, 30)).toBe(30);
    expect(scrollToShow(2, 120, 300, 30)).toBe(60);
  });
});
