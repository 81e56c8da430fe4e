// CFeeRate (policy/feerate.cpp): GetFee rounds a positive fee up and truncates a negative one
// toward zero (FeeFrac::EvaluateFeeUp on an int64 fee); the RPCs' BTC/kvB → sat/kvB
// conversion (AmountFromValue rounds to the satoshi); fee / vsize for display.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { btcPerKvBToSatPerKvB, feeForVsize, feeRateSatPerVb } from '../../src/policy/feerate.ts';

describe('CFeeRate::GetFee', () => {
  test('positive products round up to the next satoshi', () => {
    assert.equal(feeForVsize(1000, 141), 141n);
    assert.equal(feeForVsize(1001, 98), 99n); // 98.098
    assert.equal(feeForVsize(1, 1), 1n); // 0.001
    assert.equal(feeForVsize(1000, 1), 1n); // exact: no rounding
  });
  test('a zero rate or size costs nothing', () => {
    assert.equal(feeForVsize(0, 500), 0n);
    assert.equal(feeForVsize(3000, 0), 0n);
  });
  test('negative products truncate toward zero (as C++ integer division)', () => {
    assert.equal(feeForVsize(-1, 1), 0n); // -0.001
    assert.equal(feeForVsize(-1001, 1), -1n); // -1.001
    assert.equal(feeForVsize(-1999, 1), -1n); // -1.999
    assert.equal(feeForVsize(-1000, 3), -3n);
    assert.equal(feeForVsize(5, -400), -2n); // -2.000
  });
});

describe('BTC/kvB → sat/kvB', () => {
  test('Core units: 0.10 BTC/kvB is 10,000,000 sat/kvB, rounded to the satoshi', () => {
    assert.equal(btcPerKvBToSatPerKvB(0.1), 10_000_000);
    assert.equal(btcPerKvBToSatPerKvB(0.00001), 1000);
    assert.equal(btcPerKvBToSatPerKvB(0.000001234), 123); // 123.4 → 123
    assert.equal(btcPerKvBToSatPerKvB(0.000001236), 124); // 123.6 → 124
    assert.equal(btcPerKvBToSatPerKvB(0), 0);
  });
});

describe('feerate for display', () => {
  test('fee / vsize in sat/vB, and 0 for an empty size', () => {
    assert.equal(feeRateSatPerVb(1000n, 250), 4);
    assert.equal(feeRateSatPerVb(1n, 3), 1 / 3);
    assert.equal(feeRateSatPerVb(500n, 0), 0);
  });
});
