import {
  colourFor,
  compareNames,
  describeState,
  formatAge,
  formatDistance,
  formatPosition,
  formatSpeed,
  formatSpeedShort,
} from '../../dashboard/src/format';

describe('page formatting', () => {
  it('words speed, position, distance and age', () => {
    expect(formatSpeed(30.94)).toBe('30.9 m/s (111 km/h)');
    expect(formatSpeed(undefined)).toBe('– (after its next record)');
    expect(formatSpeedShort(30.94)).toBe('111 km/h');
    expect(formatSpeedShort(undefined)).toBe('');
    expect(formatPosition(40.7549, -73.984)).toBe('40.75490° N, 73.98400° W');
    expect(formatPosition(-33.8688, 151.2093)).toBe('33.86880° S, 151.20930° E');
    expect(formatDistance(31.237)).toBe('31.2 m');
    expect(formatDistance(1795.2)).toBe('1.80 km');
    expect(formatAge(400)).toBe('just now');
    expect(formatAge(12_900)).toBe('12 s ago');
    expect(formatAge(125_000)).toBe('2 min 5 s ago');
    expect(formatAge(-50)).toBe('just now');
  });

  it('labels each connection state', () => {
    expect(describeState({ kind: 'connecting' })).toEqual({ label: 'Connecting', detail: '' });
    expect(describeState({ kind: 'live' })).toEqual({ label: 'Live', detail: '' });
    expect(describeState({ kind: 'live', note: 'throttled' })).toEqual({
      label: 'Live',
      detail: 'throttled',
    });
    expect(describeState({ kind: 'error', reason: 'Stream "x" not found' })).toEqual({
      label: 'Error',
      detail: 'Stream "x" not found',
    });
    expect(describeState({ kind: 'paused' }).label).toBe('Paused');
  });

  it('gives each name a stable colour', () => {
    expect(colourFor('Shadowfax')).toBe(colourFor('Shadowfax'));
    expect(colourFor('Shadowfax')).not.toBe(colourFor('Bucephalus'));
    expect(colourFor('Shadowfax')).toMatch(/^hsl\(\d+ 70% 45%\)$/);
  });

  it('orders names naturally, and never calls two different names equal', () => {
    expect(['Unicorn-10', 'Unicorn-2', 'bucephalus', 'Shadowfax'].sort(compareNames)).toEqual([
      'bucephalus',
      'Shadowfax',
      'Unicorn-2',
      'Unicorn-10',
    ]);
    expect(compareNames('a', 'A')).not.toBe(0);
    expect(compareNames('Rex', 'Rex')).toBe(0);
  });
});
