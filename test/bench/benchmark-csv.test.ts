import { describe, expect, it } from 'vitest';
import { parseNaiveTimestamp } from '../../bench/detect/naive-timestamp.js';
import { parseNabDataCsv, parseNabResultsCsv, parseNabWindows } from '../../bench/detect/nab-csv.js';
import { parseSkabCsv } from '../../bench/detect/skab-csv.js';

describe('naive timestamps of the public benchmarks', () => {
  it('reads SKAB and NAB timestamps as UTC, with or without microseconds', () => {
    expect(parseNaiveTimestamp('2020-03-09 10:14:33')).toBe(Date.UTC(2020, 2, 9, 10, 14, 33));
    expect(parseNaiveTimestamp('2014-04-10 07:15:00.000000')).toBe(Date.UTC(2014, 3, 10, 7, 15, 0));
    expect(parseNaiveTimestamp('2014-04-10T07:15:00.250')).toBe(Date.UTC(2014, 3, 10, 7, 15, 0, 250));
  });

  it('rejects text that is not a timestamp and impossible dates', () => {
    expect(parseNaiveTimestamp('yesterday')).toBeNaN();
    expect(parseNaiveTimestamp('2014-02-30 00:00:00')).toBeNaN();
    expect(parseNaiveTimestamp('2014-04-10 25:00:00')).toBeNaN();
  });
});

describe('SKAB CSV reader', () => {
  const header = 'datetime;Accelerometer1RMS;Current;Volume Flow RateRMS;anomaly;changepoint';

  it('reads sensors in file order, labels as 0/1, and keeps the header for writing back', () => {
    const recording = parseSkabCsv(`${header}\n2020-03-09 10:14:33;0.0265;1.33;32.0;0.0;0.0\n2020-03-09 10:14:34;0.0261;1.35;31.5;1.0;1.0\n`, 'valve1/0.csv');
    expect(recording.sensors).toEqual(['Accelerometer1RMS', 'Current', 'Volume Flow RateRMS']);
    expect(recording.signals).toEqual(['accelerometer1_rms', 'current', 'volume_flow_rate_rms']);
    expect(recording.header).toEqual(header.split(';'));
    expect(recording.rows.map((row) => [row.line, row.values, row.anomaly, row.changepoint])).toEqual([
      [2, [0.0265, 1.33, 32], 0, 0],
      [3, [0.0261, 1.35, 31.5], 1, 1],
    ]);
    expect(recording.rows[1]?.time).toBe(Date.UTC(2020, 2, 9, 10, 14, 34));
  });

  it('reads an unlabelled file (the anomaly-free recording) with undefined labels', () => {
    const recording = parseSkabCsv('datetime;Current;Pressure\n2020-02-08 13:30:47;2.17;0.38\n', 'anomaly-free.csv');
    expect(recording.rows[0]?.anomaly).toBeUndefined();
    expect(recording.sensors).toEqual(['Current', 'Pressure']);
  });

  it('keeps bad rows aside with their line and reason, and counts empty cells as NaN', () => {
    const text = [
      header,
      '2020-03-09 10:14:33;0.02;1.3;32;0;0',
      '2020-03-09 10:14:34;0.02;1.3;32;0',
      'not a time;0.02;1.3;32;0;0',
      '2020-03-09 10:14:36;0.02;1.3;32;0.5;0',
      '2020-03-09 10:14:37;;1.3;32;0;0',
    ].join('\n');
    const recording = parseSkabCsv(text, 'valve1/9.csv');
    expect(recording.rows.map((row) => row.line)).toEqual([2, 6]);
    expect(recording.rejected).toEqual([
      { line: 3, reason: '5 fields where the header has 6' },
      { line: 4, reason: 'datetime "not a time" is not a date and time like 2020-03-09 10:14:33' },
      { line: 5, reason: 'anomaly is "0.5"; labels must be 0 or 1' },
    ]);
    expect(recording.badCells).toBe(1);
    expect(recording.rows[1]?.values[0]).toBeNaN();
  });

  it('explains a file that is not in the SKAB layout', () => {
    expect(() => parseSkabCsv('timestamp,value\n2014-07-01 00:00:00,1\n', 'nab.csv')).toThrow(/nab\.csv: line 1 must be a SKAB header, ";"-separated with a "datetime" column/);
  });
});

describe('NAB CSV and label readers', () => {
  it('reads a data file and keeps unreadable rows aside', () => {
    const series = parseNabDataCsv('timestamp,value\n2014-07-01 00:00:00,10844\n2014-07-01 00:30:00,x\n2014-07-01 01:00:00,8127\n', 'nyc_taxi.csv');
    expect(series.timestamps).toEqual(['2014-07-01 00:00:00', '2014-07-01 01:00:00']);
    expect(series.values).toEqual([10844, 8127]);
    expect(series.rejected).toEqual([{ line: 3, reason: 'value "x" is not a number' }]);
  });

  it('reads a results file in NAB\'s layout, ignoring the extra columns NAB\'s scorer appends', () => {
    const results = parseNabResultsCsv('timestamp,value,anomaly_score,label,S(t)_standard\n2014-07-01 00:00:00,1.5,0.25,0,0.0\n2014-07-01 00:05:00,1.7,1.0,1,0.9\n', 'd/realKnownCause/d_x.csv');
    expect(results.scores).toEqual([0.25, 1]);
    expect(results.labels).toEqual([0, 1]);
    expect(results.values).toEqual([1.5, 1.7]);
  });

  it('names the missing columns of a results file', () => {
    expect(() => parseNabResultsCsv('timestamp,value\n', 'r.csv')).toThrow(/r\.csv: line 1 must be a header with the columns timestamp,value,anomaly_score,label; anomaly_score, label missing/);
  });

  it('reads combined_windows.json and refuses a malformed window with its file and position', () => {
    const windows = parseNabWindows('{"realKnownCause/a.csv": [["2014-04-10 07:15:00.000000", "2014-04-11 16:45:00.000000"]], "artificialNoAnomaly/b.csv": []}', 'labels.json');
    expect(windows.get('realKnownCause/a.csv')).toEqual([
      { start: Date.UTC(2014, 3, 10, 7, 15), end: Date.UTC(2014, 3, 11, 16, 45), startText: '2014-04-10 07:15:00.000000', endText: '2014-04-11 16:45:00.000000' },
    ]);
    expect(windows.get('artificialNoAnomaly/b.csv')).toEqual([]);
    expect(() => parseNabWindows('{"a.csv": [["2014-04-11 00:00:00", "2014-04-10 00:00:00"]]}', 'labels.json')).toThrow(/labels\.json: "a\.csv" window 1 must be \["start", "end"\]/);
  });
});
